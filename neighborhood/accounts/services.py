"""Changes to accounts. Services flush, never commit: the request commits once."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from ..extensions import db
from ..places.models import Body, Community, Street
from .models import Account, Role

# Which scope field each role needs, and which it must leave empty.
SCOPE_FIELD = {
    Role.ADMIN: None,
    Role.STREET: "street_id",
    Role.COMMUNITY: "community_id",
    Role.FACILITATOR: None,  # her grids are set on the grid (worker, head, deputy)
    Role.BODY: "body_id",
}
SCOPE_MODEL = {"street_id": Street, "community_id": Community, "body_id": Body}


def save_account(account: Account | None, *, username: str, name: str, phone: str, role: str,
                 email: str = "",
                 street_id: int | None, community_id: int | None, body_id: int | None,
                 active: bool, password: str | None) -> Account:
    role = Role(role)
    username = username.strip()
    clash = db.session.scalar(
        sa.select(Account.id).where(sa.func.lower(Account.username) == username.lower())
    )
    if clash is not None and (account is None or clash != account.id):
        raise DomainError("username", _l("This username is taken."))

    scope = {"street_id": street_id, "community_id": community_id, "body_id": body_id}
    needed = SCOPE_FIELD[role]
    for field, value in scope.items():
        if field != needed:
            scope[field] = None
        elif value is None:
            raise DomainError(field, _l("This role needs it."))
        elif db.session.get(SCOPE_MODEL[field], value) is None:
            raise DomainError(field, _l("Not a valid choice."))

    if account is None:
        account = Account()
        db.session.add(account)
    account.username = username
    account.name = name.strip()
    account.phone = (phone or "").strip()
    account.email = (email or "").strip()
    account.role = role
    account.street_id = scope["street_id"]
    account.community_id = scope["community_id"]
    account.body_id = scope["body_id"]
    account.active = active
    if password:
        account.set_password(password)
    db.session.flush()
    return account


def change_own_password(account: Account, current: str, new: str) -> None:
    if not account.check_password(current):
        raise DomainError("current", _l("The current password is wrong."))
    account.set_password(new)
    db.session.flush()


def search_accounts(q: str = "", role: str | None = None) -> sa.Select:
    query = sa.select(Account).order_by(Account.role, Account.username)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(sa.or_(Account.username.ilike(pattern), Account.name.ilike(pattern)))
    if role in {r.value for r in Role}:
        query = query.where(Account.role == Role(role))
    return query
