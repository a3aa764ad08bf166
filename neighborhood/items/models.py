"""Concerns (事项): what residents raise, how they are triaged, and every step they go through."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, utcnow
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..places.models import Body, Building, Grid

if TYPE_CHECKING:
    from ..photos import Photo


class Category(LabelledEnum):
    GREENERY = "greenery"
    ACCESSIBILITY = "accessibility"
    LIFTS = "lifts"
    SAFETY = "safety"
    SANITATION = "sanitation"
    PARKING = "parking"
    NOISE = "noise"
    DISPUTE = "dispute"
    OTHER = "other"


Category.labels({
    Category.GREENERY: _l("Greenery"),
    Category.ACCESSIBILITY: _l("Accessibility"),
    Category.LIFTS: _l("Lifts"),
    Category.SAFETY: _l("Safety"),
    Category.SANITATION: _l("Sanitation"),
    Category.PARKING: _l("Parking"),
    Category.NOISE: _l("Noise"),
    Category.DISPUTE: _l("Dispute"),
    Category.OTHER: _l("Other"),
})


class Source(LabelledEnum):
    HOME_VISIT = "home_visit"
    MEETING = "meeting"
    WALK_IN = "walk_in"
    PHONE = "phone"
    QR = "qr"


Source.labels({
    Source.HOME_VISIT: _l("Home visit"),
    Source.MEETING: _l("Raised at a meeting"),
    Source.WALK_IN: _l("Walk-in"),
    Source.PHONE: _l("Phone call"),
    Source.QR: _l("Resident via QR code"),
})


class Level(LabelledEnum):
    """三事分流: who must solve it."""

    HOUSEHOLD = "household"  # 家事: in the grid
    SHARED = "shared"  # 共事: in the community
    PUBLIC = "public"  # 公事: by the street

    @property
    def next_up(self) -> Level | None:
        order = list(Level)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


Level.labels({
    Level.HOUSEHOLD: _l("Household matter (grid)"),
    Level.SHARED: _l("Shared matter (community)"),
    Level.PUBLIC: _l("Public matter (street)"),
})


class State(LabelledEnum):
    NEW = "new"  # reported, waiting for triage (the grid worker's inbox)
    TRIAGED = "triaged"  # triaged, waiting for the meeting
    ASSIGNED = "assigned"  # handed to a body (交办), not yet accepted by it
    IN_PROGRESS = "in_progress"  # the body accepted it and is working on it (处置中)
    DONE = "done"  # reported done by the body, or answered from above: to be verified (待验收)
    ESCALATED = "escalated"  # sent up to the community or the street, waiting for them
    RETURNED = "returned"  # sent back down by the community or the street, with a reason
    REOPENED = "reopened"  # the result was disputed: back on the agenda
    DEFERRED = "deferred"  # put off to a later meeting
    RESOLVED = "resolved"  # verified: the problem is actually solved (办结)
    CLOSED = "closed"  # closed without being solved (结案未解决)

    @property
    def is_open(self) -> bool:
        return self not in (State.RESOLVED, State.CLOSED)


State.labels({
    State.NEW: _l("Waiting for triage"),
    State.TRIAGED: _l("Waiting for the meeting"),
    State.ASSIGNED: _l("Assigned"),
    State.IN_PROGRESS: _l("Being handled"),
    State.DONE: _l("Done, to be verified"),
    State.ESCALATED: _l("Escalated"),
    State.RETURNED: _l("Sent back"),
    State.REOPENED: _l("Reopened"),
    State.DEFERRED: _l("Deferred"),
    State.RESOLVED: _l("Resolved"),
    State.CLOSED: _l("Closed, not solved"),
})

# The states that come back on the next meeting's agenda by themselves: assigned but not done,
# done but not yet verified, waiting for the community or the street, sent back, reopened, deferred.
CARRY_OVER = (State.ASSIGNED, State.IN_PROGRESS, State.DONE, State.ESCALATED, State.RETURNED,
              State.REOPENED, State.DEFERRED)


class Action(LabelledEnum):
    CREATED = "created"
    EDITED = "edited"
    TRIAGED = "triaged"
    ESCALATED = "escalated"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    DEFERRED = "deferred"
    TASK_ACCEPTED = "task_accepted"
    PROGRESS = "progress"
    DONE = "done"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    TAKEN = "taken"
    ANSWERED = "answered"
    RETURNED = "returned"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    CLOSED = "closed"


Action.labels({
    Action.CREATED: _l("Recorded"),
    Action.EDITED: _l("Edited"),
    Action.TRIAGED: _l("Triaged"),
    Action.ESCALATED: _l("Escalated"),
    Action.ASSIGNED: _l("Assigned"),
    Action.RESOLVED: _l("Resolved"),
    Action.DEFERRED: _l("Deferred"),
    Action.TASK_ACCEPTED: _l("Accepted by the body"),
    Action.PROGRESS: _l("Progress noted"),
    Action.DONE: _l("Reported done"),
    Action.EXTENSION_REQUESTED: _l("More time asked"),
    Action.EXTENSION_APPROVED: _l("More time granted"),
    Action.EXTENSION_REFUSED: _l("More time refused"),
    Action.TAKEN: _l("Taken up"),
    Action.ANSWERED: _l("Answered"),
    Action.RETURNED: _l("Sent back"),
    Action.VERIFIED: _l("Verified as solved"),
    Action.DISPUTED: _l("Result disputed"),
    Action.CLOSED: _l("Closed without a solution"),
})


class EscalationTarget(LabelledEnum):
    COMMUNITY = "community"
    STREET = "street"


EscalationTarget.labels({
    EscalationTarget.COMMUNITY: _l("the community"),
    EscalationTarget.STREET: _l("the street"),
})

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by residents


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        sa.Index("ix_items_grid_state", "grid_id", "state"),
        # The work log (newest first) and the rates of an area over a period.
        sa.Index("ix_items_grid_created", "grid_id", "created_at"),
        # The community's and the street's queues of escalated items.
        sa.Index("ix_items_escalation", "escalated_to", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grids.id"))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"), index=True)
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[Category] = mapped_column(enum_column(Category))
    source: Mapped[Source] = mapped_column(enum_column(Source))
    # Private: never shown on a public page or in a public PDF.
    reporter_name: Mapped[str] = mapped_column(sa.String(40), default="")
    reporter_contact: Mapped[str] = mapped_column(sa.String(40), default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    receipt_code: Mapped[str] = mapped_column(sa.String(12), unique=True, default=new_receipt_code)
    level: Mapped[Level | None] = mapped_column(enum_column(Level))
    state: Mapped[State] = mapped_column(enum_column(State), default=State.NEW)
    # Set by the meeting's outcome.
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(sa.String(40), default="")
    due_date: Mapped[dt.date | None]
    escalated_to: Mapped[EscalationTarget | None] = mapped_column(enum_column(EscalationTarget))
    resolved_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    # Escalated items: who took it up at the community or the street, and their answer.
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    answer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    grid: Mapped[Grid] = relationship()
    building: Mapped[Building | None] = relationship()
    body: Mapped[Body | None] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    handler: Mapped[Account | None] = relationship(foreign_keys=[handler_id])
    steps: Mapped[list[Step]] = relationship(back_populates="item", order_by="Step.id")
    photos: Mapped[list[Photo]] = relationship(
        secondary="item_photos", order_by="Photo.id", viewonly=True
    )

    def is_overdue(self, today: dt.date) -> bool:
        return self.state.is_open and self.due_date is not None and self.due_date < today

    def __str__(self) -> str:
        return self.title


class Step(db.Model):
    """One change of an item: who, when, what from and to, with an optional comment."""

    __tablename__ = "item_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    action: Mapped[Action] = mapped_column(enum_column(Action))
    from_state: Mapped[State | None] = mapped_column(enum_column(State))
    to_state: Mapped[State | None] = mapped_column(enum_column(State))
    from_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    to_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    item: Mapped[Item] = relationship(back_populates="steps")
    actor: Mapped[Account | None] = relationship()


item_photos = sa.Table(
    "item_photos",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
)
