"""What part of the hierarchy an account may see. One place for every scope rule."""
from __future__ import annotations

import sqlalchemy as sa

from .accounts.models import Account, Role
from .extensions import db
from .places.models import Building, Community, Estate, Grid, Street


def facilitator_grid_ids(account: Account) -> sa.Select:
    """The grids where the account is grid worker, grid head or deputy grid head."""
    return sa.select(Grid.id).where(
        sa.or_(
            Grid.worker_id == account.id,
            Grid.head_id == account.id,
            Grid.deputy_id == account.id,
        )
    )


def sees_everything(account: Account) -> bool:
    return account.role == Role.ADMIN


def can_see_street(account: Account, street: Street) -> bool:
    if sees_everything(account):
        return True
    return account.role == Role.STREET and account.street_id == street.id


def can_see_community(account: Account, community: Community) -> bool:
    if can_see_street(account, community.street):
        return True
    return account.role == Role.COMMUNITY and account.community_id == community.id


def can_see_grid(account: Account, grid: Grid) -> bool:
    if can_see_community(account, grid.community):
        return True
    if account.role != Role.FACILITATOR:
        return False
    return account.id in (grid.worker_id, grid.head_id, grid.deputy_id)


def can_see_estate(account: Account, estate: Estate) -> bool:
    if can_see_community(account, estate.community):
        return True
    if account.role != Role.FACILITATOR:
        return False
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Grid)
        .where(Grid.estate_id == estate.id, Grid.id.in_(facilitator_grid_ids(account)))
    ) > 0


def can_see_building(account: Account, building: Building) -> bool:
    if building.grid is not None and can_see_grid(account, building.grid):
        return True
    return can_see_community(account, building.estate.community)


def visible_grids(account: Account) -> sa.Select:
    """A query of the grids the account may see, ordered by code."""
    query = sa.select(Grid).order_by(Grid.code)
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.STREET:
        return query.join(Grid.community).where(Community.street_id == account.street_id)
    if account.role == Role.COMMUNITY:
        return query.where(Grid.community_id == account.community_id)
    if account.role == Role.FACILITATOR:
        return query.where(Grid.id.in_(facilitator_grid_ids(account)))
    return query.where(sa.false())


def can_run_grid(account: Account, grid: Grid) -> bool:
    """Record concerns and run meetings of the grid: its facilitators, its community, an admin."""
    if account.role == Role.ADMIN:
        return True
    if account.role == Role.COMMUNITY:
        return account.community_id == grid.community_id
    if account.role == Role.FACILITATOR:
        return account.id in (grid.worker_id, grid.head_id, grid.deputy_id)
    return False
