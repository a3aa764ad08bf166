"""In-app notifications (and e-mail, when SMTP settings are given)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, utcnow
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..items.models import Item


class Kind(LabelledEnum):
    NEW_TASK = "new_task"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    EXTENSION_ASKED = "extension_asked"
    EXTENSION_DECIDED = "extension_decided"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    DONE = "done"
    REOPENED = "reopened"


Kind.labels({
    Kind.NEW_TASK: _l("New task for your body"),
    Kind.DUE_SOON: _l("Due soon"),
    Kind.OVERDUE: _l("Overdue"),
    Kind.EXTENSION_ASKED: _l("More time asked"),
    Kind.EXTENSION_DECIDED: _l("More time decided"),
    Kind.ESCALATED: _l("Escalated to you"),
    Kind.ANSWERED: _l("Escalated item answered"),
    Kind.DONE: _l("Reported done: to be verified"),
    Kind.REOPENED: _l("Item reopened"),
})


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_account_unread", "account_id", "read_at"),
        # One due-soon / overdue reminder per item and account, however often the check runs.
        sa.UniqueConstraint("account_id", "item_id", "kind", "dedupe"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("items.id"))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    text: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str] = mapped_column(sa.String(200), default="")
    # Distinguishes repeated notices of one kind (e.g. the due date reminded about).
    dedupe: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    emailed: Mapped[bool] = mapped_column(default=False)

    account: Mapped[Account] = relationship()
    item: Mapped[Item | None] = relationship()
