"""Tasks: an item handed to a body, worked by the body, verified by the grid."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, utcnow
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..items.models import Item
from ..photos import Photo
from ..places.models import Body


class TaskState(LabelledEnum):
    OPEN = "open"  # handed over, not yet accepted by the body
    ACCEPTED = "accepted"  # the body accepted it (受理) and works on it
    DONE = "done"  # the body reported it done; the grid verifies it
    VERIFIED = "verified"  # the grid verified the result: solved
    DISPUTED = "disputed"  # the grid disputed the result: the item is reopened
    WITHDRAWN = "withdrawn"  # the item went elsewhere (escalated, closed) before it was done

    @property
    def is_active(self) -> bool:
        return self in (TaskState.OPEN, TaskState.ACCEPTED)


TaskState.labels({
    TaskState.OPEN: _l("New"),
    TaskState.ACCEPTED: _l("Being handled"),
    TaskState.DONE: _l("Done, to be verified"),
    TaskState.VERIFIED: _l("Verified"),
    TaskState.DISPUTED: _l("Disputed"),
    TaskState.WITHDRAWN: _l("Withdrawn"),
})


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index("ix_tasks_body_state_due", "body_id", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_person: Mapped[str] = mapped_column(sa.String(40), default="")
    due_date: Mapped[dt.date]
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState), default=TaskState.OPEN)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    done_note: Mapped[str] = mapped_column(sa.Text, default="")
    # Raised on every change, so two phones never silently overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    item: Mapped[Item] = relationship()
    body: Mapped[Body] = relationship()
    assigned_by: Mapped[Account | None] = relationship()
    notes: Mapped[list[TaskNote]] = relationship(back_populates="task", order_by="TaskNote.id")
    extensions: Mapped[list[Extension]] = relationship(back_populates="task",
                                                       order_by="Extension.id")
    photos: Mapped[list[TaskPhoto]] = relationship(back_populates="task", order_by="TaskPhoto.id")

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.extensions if e.approved is None), None)


class TaskNote(db.Model):
    __tablename__ = "task_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)

    task: Mapped[Task] = relationship(back_populates="notes")
    author: Mapped[Account | None] = relationship()


class PhotoKind(LabelledEnum):
    BEFORE = "before"
    AFTER = "after"


PhotoKind.labels({PhotoKind.BEFORE: _l("Before"), PhotoKind.AFTER: _l("After")})


class TaskPhoto(db.Model):
    __tablename__ = "task_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    photo_id: Mapped[int] = mapped_column(sa.ForeignKey("photos.id"))
    kind: Mapped[PhotoKind] = mapped_column(enum_column(PhotoKind))

    task: Mapped[Task] = relationship(back_populates="photos")
    photo: Mapped[Photo] = relationship()


class Extension(db.Model):
    """A body's request for more time, decided by the one who assigned the task (the grid)."""

    __tablename__ = "task_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    old_due_date: Mapped[dt.date]
    new_due_date: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.String(500))
    approved: Mapped[bool | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(sa.String(500), default="")

    task: Mapped[Task] = relationship(back_populates="extensions")
    requested_by: Mapped[Account | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])
