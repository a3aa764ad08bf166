"""Changes to the hierarchy, with the rules that keep it consistent. Flush, never commit."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..accounts.models import Account, Role
from ..errors import DomainError
from ..extensions import db
from .models import (
    BODIES_BY_ESTATE_KIND,
    Body,
    BodyKind,
    Building,
    Community,
    Estate,
    EstateKind,
    Grid,
    GridKind,
    Street,
)

KINDS: dict[str, type] = {
    "streets": Street,
    "communities": Community,
    "estates": Estate,
    "buildings": Building,
    "grids": Grid,
    "bodies": Body,
}
# The field naming each kind's parent, used to pre-select it on "new" and to scope uniqueness.
PARENT_FIELD = {
    "streets": None,
    "communities": "street_id",
    "estates": "community_id",
    "buildings": "estate_id",
    "grids": "community_id",
    "bodies": "community_id",
}
# The grid worker is a facilitator; a grid head or deputy may also be community staff
# (in 江州社区 the community's party secretary is a grid head).
GRID_PEOPLE_ROLES = {
    "worker_id": {Role.FACILITATOR},
    "head_id": {Role.FACILITATOR, Role.COMMUNITY},
    "deputy_id": {Role.FACILITATOR, Role.COMMUNITY},
}
ENUM_FIELDS = {"kind": {Estate: EstateKind, Grid: GridKind, Body: BodyKind}}


def _taken(model, column: str, value, exclude_id: int | None, **scope) -> bool:
    query = sa.select(model.id).where(getattr(model, column) == value)
    for key, scoped in scope.items():
        query = query.where(getattr(model, key) == scoped)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _get(model, ident, field):
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None:
        raise DomainError(field, _l("Not a valid choice."))
    return obj


def _check_street(data, exclude_id):
    if _taken(Street, "name", data["name"], exclude_id):
        raise DomainError("name", _l("This name is taken."))
    if _taken(Street, "code", data["code"], exclude_id):
        raise DomainError("code", _l("This code is taken."))


def _check_community(data, exclude_id):
    street = _get(Street, data["street_id"], "street_id")
    if _taken(Community, "name", data["name"], exclude_id, street_id=street.id):
        raise DomainError("name", _l("This name is taken."))
    if _taken(Community, "code", data["code"], exclude_id):
        raise DomainError("code", _l("This code is taken."))
    if not data["code"].startswith(street.code):
        raise DomainError("code", _l("The code must start with the street's code %(code)s.",
                                     code=street.code))


def _check_estate(data, exclude_id):
    community = _get(Community, data["community_id"], "community_id")
    if _taken(Estate, "name", data["name"], exclude_id, community_id=community.id):
        raise DomainError("name", _l("This name is taken."))
    if exclude_id is not None:
        allowed = BODIES_BY_ESTATE_KIND[EstateKind(data["kind"])]
        existing = db.session.scalars(sa.select(Body.kind).where(Body.estate_id == exclude_id))
        if any(kind not in allowed for kind in existing):
            raise DomainError("kind", _l("This estate has a body that this type of estate cannot have."))


def _check_building(data, exclude_id):
    estate = _get(Estate, data["estate_id"], "estate_id")
    if _taken(Building, "name", data["name"], exclude_id, estate_id=estate.id):
        raise DomainError("name", _l("This name is taken."))
    if _taken(Building, "code", data["code"], exclude_id, estate_id=estate.id):
        raise DomainError("code", _l("This code is taken."))
    grid = _get(Grid, data.get("grid_id"), "grid_id")
    if grid is not None and grid.community_id != estate.community_id:
        raise DomainError("grid_id", _l("The grid must be in the estate's community."))


def _check_grid(data, exclude_id):
    community = _get(Community, data["community_id"], "community_id")
    if _taken(Grid, "name", data["name"], exclude_id, community_id=community.id):
        raise DomainError("name", _l("This name is taken."))
    if _taken(Grid, "code", data["code"], exclude_id):
        raise DomainError("code", _l("This code is taken."))
    if not data["code"].startswith(community.code):
        raise DomainError("code", _l("The code must start with the community's code %(code)s.",
                                     code=community.code))
    estate = _get(Estate, data.get("estate_id"), "estate_id")
    if estate is not None and estate.community_id != community.id:
        raise DomainError("estate_id", _l("The estate must be in the grid's community."))
    branch = _get(Body, data.get("party_branch_id"), "party_branch_id")
    if branch is not None and (branch.kind is not BodyKind.PARTY_BRANCH
                               or branch.community_id != community.id):
        raise DomainError("party_branch_id", _l("Choose a party branch of this community."))
    for field, roles in GRID_PEOPLE_ROLES.items():
        person = _get(Account, data.get(field), field)
        if person is not None and person.role not in roles:
            raise DomainError(field, _l("Choose a grid worker's account (facilitator role)."))


def _check_body(data, exclude_id):
    community = _get(Community, data["community_id"], "community_id")
    if _taken(Body, "name", data["name"], exclude_id, community_id=community.id):
        raise DomainError("name", _l("This name is taken."))
    kind = BodyKind(data["kind"])
    estate = _get(Estate, data.get("estate_id"), "estate_id")
    if estate is None and kind is not BodyKind.PARTY_BRANCH:
        raise DomainError("estate_id", _l("An owners' committee or a property company belongs to an estate."))
    if estate is not None:
        if estate.community_id != community.id:
            raise DomainError("estate_id", _l("The estate must be in the body's community."))
        if kind not in estate.allowed_body_kinds:
            raise DomainError("kind", _l("A %(estate_kind)s has no %(body_kind)s.",
                                         estate_kind=estate.kind.label, body_kind=kind.label))


CHECKS = {
    "streets": _check_street,
    "communities": _check_community,
    "estates": _check_estate,
    "buildings": _check_building,
    "grids": _check_grid,
    "bodies": _check_body,
}


def save_place(kind: str, obj, data: dict[str, Any]):
    """Create (obj None) or update a place of ``kind`` from cleaned form data."""
    model = KINDS[kind]
    data = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
    CHECKS[kind](data, obj.id if obj is not None else None)
    if obj is None:
        obj = model()
        db.session.add(obj)
    for key, value in data.items():
        enum_cls = ENUM_FIELDS.get(key, {}).get(model)
        if enum_cls is not None:
            value = enum_cls(value)
        if value is None and isinstance(getattr(model, key).type, sa.String):
            value = ""
        setattr(obj, key, value)
    db.session.flush()
    return obj
