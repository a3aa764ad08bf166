"""Neighbourhood meetings (网格邻里会): the schedule, the agenda, attendance and outcomes."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, utcnow
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..items.models import EscalationTarget, Item, Level
from ..places.models import Body, Grid


class MeetingState(LabelledEnum):
    PLANNED = "planned"
    CLOSED = "closed"


MeetingState.labels({
    MeetingState.PLANNED: _l("Open"),
    MeetingState.CLOSED: _l("Closed"),
})


class Outcome(LabelledEnum):
    RESOLVED = "resolved"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"
    DEFERRED = "deferred"
    # For an item reported done (or answered from above): the second step of closing it.
    VERIFIED = "verified"
    DISPUTED = "disputed"

    @property
    def needs_done_item(self) -> bool:
        return self in (Outcome.VERIFIED, Outcome.DISPUTED)


Outcome.labels({
    Outcome.RESOLVED: _l("Resolved on the spot"),
    Outcome.ASSIGNED: _l("Assign to a body"),
    Outcome.ESCALATED: _l("Escalate"),
    Outcome.DEFERRED: _l("Defer"),
    Outcome.VERIFIED: _l("Verified: solved"),
    Outcome.DISPUTED: _l("Disputed: reopen"),
})


class Party(LabelledEnum):
    """Who sits at the meeting table."""

    PARTY_BRANCH = "party_branch"
    GRID = "grid"
    OWNERS_COMMITTEE = "owners_committee"
    PROPERTY = "property"


Party.labels({
    Party.PARTY_BRANCH: _l("Party branch"),
    Party.GRID: _l("Grid (worker / head)"),
    Party.OWNERS_COMMITTEE: _l("Owners' committee"),
    Party.PROPERTY: _l("Property management company"),
})


class MeetingAction(LabelledEnum):
    CREATED = "created"
    ATTENDANCE = "attendance"
    ITEM_ADDED = "item_added"
    ITEM_REMOVED = "item_removed"
    REORDERED = "reordered"
    OUTCOME = "outcome"
    CLOSED = "closed"


MeetingAction.labels({
    MeetingAction.CREATED: _l("Meeting prepared"),
    MeetingAction.ATTENDANCE: _l("Attendance saved"),
    MeetingAction.ITEM_ADDED: _l("Added to the agenda"),
    MeetingAction.ITEM_REMOVED: _l("Removed from the agenda"),
    MeetingAction.REORDERED: _l("Agenda reordered"),
    MeetingAction.OUTCOME: _l("Outcome set"),
    MeetingAction.CLOSED: _l("Meeting closed"),
})


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (sa.Index("ix_meetings_grid_starts", "grid_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grids.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(sa.DateTime)  # local time (Asia/Shanghai)
    place: Mapped[str] = mapped_column(sa.String(80), default="")
    state: Mapped[MeetingState] = mapped_column(enum_column(MeetingState), default=MeetingState.PLANNED)
    facilitator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    residents_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))

    grid: Mapped[Grid] = relationship()
    facilitator: Mapped[Account | None] = relationship(foreign_keys=[facilitator_id])
    closed_by: Mapped[Account | None] = relationship(foreign_keys=[closed_by_id])
    entries: Mapped[list[AgendaEntry]] = relationship(
        back_populates="meeting", order_by="AgendaEntry.position", cascade="all, delete-orphan"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[MeetingEvent]] = relationship(back_populates="meeting",
                                                      order_by="MeetingEvent.id")

    @property
    def is_closed(self) -> bool:
        return self.state is MeetingState.CLOSED


class Attendance(db.Model):
    __tablename__ = "meeting_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"))
    party: Mapped[Party] = mapped_column(enum_column(Party))
    present: Mapped[bool] = mapped_column(default=False)
    names: Mapped[str] = mapped_column(sa.String(120), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")


class AgendaEntry(db.Model):
    """An item on a meeting's agenda, with what was said and decided about it there."""

    __tablename__ = "agenda_entries"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    position: Mapped[int]
    carried_over: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    level: Mapped[Level | None] = mapped_column(enum_column(Level))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    responsible_person: Mapped[str] = mapped_column(sa.String(40), default="")
    due_date: Mapped[dt.date | None]
    escalate_to: Mapped[EscalationTarget | None] = mapped_column(enum_column(EscalationTarget))
    # Raised on every save: a save that names an older version is a conflict (409), not an overwrite.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="entries")
    item: Mapped[Item] = relationship()
    body: Mapped[Body | None] = relationship()
    updated_by: Mapped[Account | None] = relationship()


class MeetingEvent(db.Model):
    """The meeting's own history: who changed its agenda, attendance, outcomes, and closed it.
    (Typed notes are kept with their version and author on the entry, not one row a keystroke.)"""

    __tablename__ = "meeting_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    action: Mapped[MeetingAction] = mapped_column(enum_column(MeetingAction))
    detail: Mapped[str] = mapped_column(sa.String(200), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="events")
    actor: Mapped[Account | None] = relationship()
