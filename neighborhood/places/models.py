"""The places of the grid: street → community → estate → building, grids and the bodies of an estate."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import LabelledEnum, enum_column
from ..extensions import db

if TYPE_CHECKING:
    from ..accounts.models import Account


class EstateKind(LabelledEnum):
    """四型小区: the four kinds of estate. The kind decides which bodies can exist there."""

    PROPERTY = "property"
    SELF_GOVERNED = "self_governed"
    RESETTLEMENT = "resettlement"
    TRANSITIONAL = "transitional"


EstateKind.labels(
    {
        EstateKind.PROPERTY: _l("Property-managed estate"),
        EstateKind.SELF_GOVERNED: _l("Self-governed estate"),
        EstateKind.RESETTLEMENT: _l("Resettlement estate"),
        EstateKind.TRANSITIONAL: _l("Transitional estate"),
    }
)


class GridKind(LabelledEnum):
    """两网: residential grids and dedicated grids."""

    RESIDENTIAL = "residential"
    SHOPS = "shops"
    INSTITUTIONS = "institutions"
    EDUCATION = "education"
    HEALTH = "health"

    @property
    def is_dedicated(self) -> bool:
        return self is not GridKind.RESIDENTIAL


GridKind.labels(
    {
        GridKind.RESIDENTIAL: _l("Residential grid"),
        GridKind.SHOPS: _l("Dedicated grid: shops"),
        GridKind.INSTITUTIONS: _l("Dedicated grid: institutions and enterprises"),
        GridKind.EDUCATION: _l("Dedicated grid: education and training"),
        GridKind.HEALTH: _l("Dedicated grid: health"),
    }
)


class BodyKind(LabelledEnum):
    """The bodies that take assignments at a neighbourhood meeting."""

    PARTY_BRANCH = "party_branch"
    OWNERS_COMMITTEE = "owners_committee"
    PROPERTY = "property"


BodyKind.labels(
    {
        BodyKind.PARTY_BRANCH: _l("Party branch"),
        BodyKind.OWNERS_COMMITTEE: _l("Owners' committee"),
        BodyKind.PROPERTY: _l("Property management company"),
    }
)

# Which bodies an estate of each kind can have. A self-governed estate has no property company.
BODIES_BY_ESTATE_KIND: dict[EstateKind, frozenset[BodyKind]] = {
    EstateKind.PROPERTY: frozenset(BodyKind),
    EstateKind.SELF_GOVERNED: frozenset({BodyKind.PARTY_BRANCH, BodyKind.OWNERS_COMMITTEE}),
    EstateKind.RESETTLEMENT: frozenset(BodyKind),
    EstateKind.TRANSITIONAL: frozenset(BodyKind),
}


class Street(db.Model):
    __tablename__ = "streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    # GB/T 2260 county code (6 digits) + street (3 digits), e.g. 500116001.
    code: Mapped[str] = mapped_column(sa.String(9), unique=True)

    communities: Mapped[list[Community]] = relationship(
        back_populates="street", order_by="Community.code"
    )

    def __str__(self) -> str:
        return self.name


class Community(db.Model):
    __tablename__ = "communities"
    __table_args__ = (sa.UniqueConstraint("street_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # street code + 3 digits.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)

    street: Mapped[Street] = relationship(back_populates="communities")
    estates: Mapped[list[Estate]] = relationship(
        back_populates="community", order_by="Estate.name"
    )
    grids: Mapped[list[Grid]] = relationship(back_populates="community", order_by="Grid.code")
    bodies: Mapped[list[Body]] = relationship(back_populates="community", order_by="Body.id")

    def __str__(self) -> str:
        return self.name


class Estate(db.Model):
    __tablename__ = "estates"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[EstateKind] = mapped_column(enum_column(EstateKind))
    households: Mapped[int | None]

    community: Mapped[Community] = relationship(back_populates="estates")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="estate", order_by="Building.code"
    )
    bodies: Mapped[list[Body]] = relationship(back_populates="estate", order_by="Body.kind")
    grids: Mapped[list[Grid]] = relationship(back_populates="estate", order_by="Grid.code")

    @property
    def allowed_body_kinds(self) -> frozenset[BodyKind]:
        return BODIES_BY_ESTATE_KIND[self.kind]

    def __str__(self) -> str:
        return self.name


def new_qr_token() -> str:
    return secrets.token_urlsafe(12)


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (sa.UniqueConstraint("estate_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(sa.ForeignKey("estates.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grids.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    # 5-digit building number within the community.
    code: Mapped[str] = mapped_column(sa.String(5))
    households: Mapped[int | None]
    # The building's QR code leads to /b/<qr_token>; a token, not the id, so codes can't be guessed.
    qr_token: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_qr_token)
    police_station: Mapped[str] = mapped_column(sa.String(60), default="")
    police_office: Mapped[str] = mapped_column(sa.String(60), default="")
    police_officer: Mapped[str] = mapped_column(sa.String(40), default="")
    police_phone: Mapped[str] = mapped_column(sa.String(20), default="")

    estate: Mapped[Estate] = relationship(back_populates="buildings")
    grid: Mapped[Grid | None] = relationship(back_populates="buildings")

    def __str__(self) -> str:
        return f"{self.estate.name} {self.name}"


class Grid(db.Model):
    __tablename__ = "grids"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    # A residential grid lies in one estate; a dedicated grid (e.g. a shop area) may have none.
    estate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("estates.id"), index=True)
    party_branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # community code + 3-digit sequence, e.g. 500116001001001.
    code: Mapped[str] = mapped_column(sa.String(15), unique=True)
    kind: Mapped[GridKind] = mapped_column(enum_column(GridKind))
    households: Mapped[int | None]
    # For dedicated grids: the number of shops / units covered.
    units: Mapped[int | None]
    area: Mapped[str] = mapped_column(sa.String(80), default="")
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    # The meeting schedule: ISO weekdays (1 = Monday) as "2,5", a start time and a place.
    meeting_weekdays: Mapped[str] = mapped_column(sa.String(13), default="2,5", server_default="2,5")
    meeting_time: Mapped[dt.time] = mapped_column(default=dt.time(19, 30),
                                                  server_default="19:30:00")
    meeting_place: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    # The secret in the address of the grid's meeting calendar (iCalendar), for subscribing.
    calendar_token: Mapped[str] = mapped_column(sa.String(32), default=new_qr_token,
                                                server_default="")

    community: Mapped[Community] = relationship(back_populates="grids")
    estate: Mapped[Estate | None] = relationship(back_populates="grids")
    party_branch: Mapped[Body | None] = relationship(foreign_keys=[party_branch_id])
    buildings: Mapped[list[Building]] = relationship(
        back_populates="grid", order_by="Building.code"
    )
    worker: Mapped[Account | None] = relationship(foreign_keys=[worker_id])
    head: Mapped[Account | None] = relationship(foreign_keys=[head_id])
    deputy: Mapped[Account | None] = relationship(foreign_keys=[deputy_id])

    @property
    def weekdays(self) -> list[int]:
        return [int(d) for d in self.meeting_weekdays.split(",") if d.strip().isdigit()]

    def __str__(self) -> str:
        return self.name


class Body(db.Model):
    """A party branch, owners' committee or property management company that takes assignments."""

    __tablename__ = "bodies"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    # Owners' committees and property companies belong to an estate; a party branch may span several.
    estate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("estates.id"), index=True)
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    name: Mapped[str] = mapped_column(sa.String(80))
    contact_name: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")

    community: Mapped[Community] = relationship(back_populates="bodies")
    estate: Mapped[Estate | None] = relationship(back_populates="bodies")

    def __str__(self) -> str:
        return self.name
