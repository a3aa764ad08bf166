"""Minutes of a meeting: a draft the facilitator edits, then immutable published versions."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, utcnow
from ..enums import LabelledEnum, enum_column
from ..extensions import db
from ..meetings.models import Meeting


class MinutesState(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


MinutesState.labels({
    MinutesState.DRAFT: _l("Draft"),
    MinutesState.PUBLISHED: _l("Published"),
})


class MinutesVersion(db.Model):
    """One version of a meeting's minutes. ``content`` is a snapshot of the record (see
    services.snapshot); once published, nothing here changes: a correction is a new version."""

    __tablename__ = "minutes_versions"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "number"),
        sa.Index("ix_minutes_versions_grid_published", "grid_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"))
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grids.id"))
    number: Mapped[int]
    state: Mapped[MinutesState] = mapped_column(enum_column(MinutesState), default=MinutesState.DRAFT)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    # The published PDFs, rendered once and kept under instance/minutes/.
    pdf_file: Mapped[str | None] = mapped_column(sa.String(120))
    notice_file: Mapped[str | None] = mapped_column(sa.String(120))

    meeting: Mapped[Meeting] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[Account | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.state is MinutesState.PUBLISHED
