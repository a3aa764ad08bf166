"""Escalated items at the community or the street: take one up, hand it to a body, answer it,
or send it back down with a reason. The answer goes back to the grid, which verifies it at its
next meeting. Flush, never commit."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..accounts.models import Account, Role
from ..errors import DomainError
from ..extensions import db
from ..items.models import Action, EscalationTarget, Item, Level, State
from ..items.services import record_step
from ..navigation import path_for
from ..notifications.models import Kind
from ..notifications.services import grid_runners, notify
from ..places.models import Body, Community, Grid
from ..tasks.services import assign


def target_of(account: Account) -> EscalationTarget | None:
    return {Role.COMMUNITY: EscalationTarget.COMMUNITY,
            Role.STREET: EscalationTarget.STREET}.get(account.role)


def _scope(query: sa.Select, account: Account) -> sa.Select:
    query = query.join(Grid, Grid.id == Item.grid_id)
    if account.role == Role.COMMUNITY:
        return query.where(Grid.community_id == account.community_id)
    if account.role == Role.STREET:
        return query.join(Community, Community.id == Grid.community_id).where(
            Community.street_id == account.street_id)
    return query  # administrator


def queue(account: Account, show: str) -> sa.Select:
    """Waiting: escalated to this level and not yet answered. Handled: answered, sent back or
    handed to a body from this level (newest first)."""
    target = target_of(account)
    query = sa.select(Item).options(joinedload(Item.grid), joinedload(Item.handler))
    if target is not None:
        query = query.where(Item.escalated_to == target)
    else:
        query = query.where(Item.escalated_to.is_not(None))
    query = _scope(query, account)
    if show == "handled":
        return query.where(Item.state != State.ESCALATED).order_by(Item.updated_at.desc())
    return query.where(Item.state == State.ESCALATED).order_by(Item.created_at, Item.id)


def may_handle(account: Account, item: Item) -> bool:
    if item.escalated_to is None:
        return False
    if account.role == Role.ADMIN:
        return True
    target = target_of(account)
    if target is not item.escalated_to:
        return False
    if account.role == Role.COMMUNITY:
        return item.grid.community_id == account.community_id
    return item.grid.community.street_id == account.street_id


def _waiting(item: Item) -> None:
    if item.state is not State.ESCALATED:
        raise DomainError(None, _l("This item is not waiting at this level any more."))


def take(item: Item, actor: Account) -> None:
    _waiting(item)
    if item.handler_id is not None:
        raise DomainError(None, _l("%(name)s has taken it up already.", name=item.handler.name))
    item.handler = actor
    record_step(item, actor, Action.TAKEN)
    db.session.flush()


def _back_to_grid(item: Item, kind: Kind) -> None:
    notify(grid_runners(item.grid), kind, item, path_for("items.show", item_id=item.id))


def answer(item: Item, actor: Account, text: str) -> None:
    """The answer goes back to the grid: read out at its next meeting, where it is verified."""
    _waiting(item)
    text = (text or "").strip()
    if not text:
        raise DomainError("text", _l("Write the answer."))
    item.answer = text[:2000]
    item.handler = item.handler or actor
    record_step(item, actor, Action.ANSWERED, to_state=State.DONE, comment=text[:2000])
    db.session.flush()
    _back_to_grid(item, Kind.ANSWERED)


def send_back(item: Item, actor: Account, reason: str) -> None:
    """Not a matter for this level: back to the grid, one level down, with the reason."""
    _waiting(item)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _l("Give the reason."))
    down = Level.HOUSEHOLD if item.level is Level.SHARED else Level.SHARED
    record_step(item, actor, Action.RETURNED, to_state=State.RETURNED, to_level=down,
                comment=reason[:500])
    item.escalated_to = None
    item.handler_id = None
    db.session.flush()
    _back_to_grid(item, Kind.ANSWERED)


def bodies_for_level(account: Account, item: Item) -> list[Body]:
    """The bodies a community or street may hand the item to: those of the item's community."""
    return db.session.scalars(sa.select(Body).where(Body.community_id == item.grid.community_id)
                              .order_by(Body.name)).all()


def assign_from_above(item: Item, actor: Account, body_id: int | None, due: dt.date | None,
                      responsible_person: str, today: dt.date) -> None:
    _waiting(item)
    body = next((b for b in bodies_for_level(actor, item) if b.id == body_id), None)
    if body is None:
        raise DomainError("body_id", _l("Choose a body of this community."))
    if due is None:
        raise DomainError("due_date", _l("Set a due date."))
    item.handler = item.handler or actor
    assign(item, body, due, actor, responsible_person=responsible_person, today=today)
