"""Accounts: who may sign in, in what role, and over which part of the hierarchy."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..places.models import Body, Community, Street


class Role(LabelledEnum):
    ADMIN = "admin"
    STREET = "street"
    COMMUNITY = "community"
    FACILITATOR = "facilitator"
    BODY = "body"


Role.labels(
    {
        Role.ADMIN: _l("Administrator"),
        Role.STREET: _l("Street staff"),
        Role.COMMUNITY: _l("Community staff"),
        Role.FACILITATOR: _l("Facilitator (grid head / grid worker)"),
        Role.BODY: _l("Body member"),
    }
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    # A work phone: the grid worker's is shown to residents of the grid, never a resident's.
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    # For notifications by e-mail (only when the server has SMTP settings).
    email: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    # None: the account exists (e.g. as a grid worker) but cannot sign in until a password is set.
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    street: Mapped[Street | None] = relationship()
    community: Mapped[Community | None] = relationship()
    body: Mapped[Body | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt, a slow, memory-hard hash; tests may set a cheaper one.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.name
