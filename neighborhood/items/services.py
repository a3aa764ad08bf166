"""Recording, triaging and escalating concerns. Every change writes a Step. Flush, never commit."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..accounts.models import Account, utcnow
from ..errors import DomainError
from ..extensions import db
from ..navigation import path_for
from ..photos import store_photo
from ..places.models import Building, Grid
from .models import (
    Action,
    Category,
    EscalationTarget,
    Item,
    Level,
    Source,
    State,
    Step,
    item_photos,
    new_receipt_code,
)

ESCALATION_TARGET = {Level.SHARED: EscalationTarget.COMMUNITY, Level.PUBLIC: EscalationTarget.STREET}


def record_step(item: Item, actor: Account | None, action: Action, *, to_state: State | None = None,
                to_level: Level | None = None, comment: str = "", meeting_id: int | None = None) -> Step:
    step = Step(item=item, actor=actor, action=action, from_state=item.state,
                to_state=to_state or item.state, from_level=item.level,
                to_level=to_level if to_level is not None else item.level,
                comment=comment or "", meeting_id=meeting_id)
    db.session.add(step)
    if to_state is not None:
        item.state = to_state
    if to_level is not None:
        item.level = to_level
    item.updated_at = utcnow()
    return step


def _unique_receipt_code() -> str:
    for _ in range(10):
        code = new_receipt_code()
        if db.session.scalar(sa.select(Item.id).where(Item.receipt_code == code)) is None:
            return code
    raise RuntimeError("no free receipt code")  # pragma: no cover - 32^8 codes


def create_item(grid: Grid, actor: Account | None, *, title: str, description: str = "",
                building_id: int | None = None, unit: str = "", category: str, source: str,
                level: str | None = None, reporter_name: str = "", reporter_contact: str = "",
                is_public: bool = True, photos: list[bytes] = ()) -> Item:
    if building_id is not None:
        building = db.session.get(Building, building_id)
        if building is None or building.grid_id != grid.id:
            raise DomainError("building_id", _l("Choose a building of this grid."))
    title = title.strip()
    if not title:
        raise DomainError("title", _l("This field is required."))
    item = Item(grid=grid, building_id=building_id, unit=unit.strip(), title=title,
                description=description.strip(), category=Category(category), source=Source(source),
                reporter_name=reporter_name.strip(), reporter_contact=reporter_contact.strip(),
                is_public=is_public, receipt_code=_unique_receipt_code(), state=State.NEW,
                created_by=actor)
    db.session.add(item)
    record_step(item, actor, Action.CREATED, comment="")
    if level:
        record_step(item, actor, Action.TRIAGED, to_state=State.TRIAGED, to_level=Level(level))
    for data in photos:
        add_photo(item, data, actor)
    db.session.flush()
    return item


EDITABLE = ("title", "description", "building_id", "unit", "category", "reporter_name",
            "reporter_contact", "is_public")


def edit_item(item: Item, actor: Account, photos: list[bytes] = (), **data) -> None:
    """Correct what was recorded; the step says which fields changed (not their private values)."""
    if not item.state.is_open:
        raise DomainError("title", _l("This item is closed; it can no longer change."))
    building_id = data.get("building_id")
    if building_id is not None:
        building = db.session.get(Building, building_id)
        if building is None or building.grid_id != item.grid_id:
            raise DomainError("building_id", _l("Choose a building of this grid."))
    if not (data.get("title") or "").strip():
        raise DomainError("title", _l("This field is required."))
    changed = []
    for field in EDITABLE:
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip()
        if field == "category":
            value = Category(value)
        if getattr(item, field) != value:
            setattr(item, field, value)
            changed.append(field)
    for blob in photos:
        add_photo(item, blob, actor)
        changed.append("photos")
    if changed:
        record_step(item, actor, Action.EDITED, comment=", ".join(sorted(set(changed))))
    db.session.flush()


def add_photo(item: Item, data: bytes, actor: Account | None):
    photo = store_photo(data, actor.id if actor else None)
    db.session.execute(item_photos.insert().values(item_id=item.id, photo_id=photo.id))
    return photo


def triage(item: Item, actor: Account, level: str, comment: str = "") -> None:
    if not item.state.is_open:
        raise DomainError("level", _l("This item is resolved."))
    new_state = State.TRIAGED if item.state is State.NEW else item.state
    record_step(item, actor, Action.TRIAGED, to_state=new_state, to_level=Level(level),
                comment=comment)
    db.session.flush()


def escalate(item: Item, actor: Account, comment: str = "", meeting_id: int | None = None,
             target: EscalationTarget | None = None) -> None:
    """One level up: household → shared (the community), shared → public (the street)."""
    if not item.state.is_open:
        raise DomainError("comment", _l("This item is resolved."))
    current = item.level or Level.HOUSEHOLD
    if target is not None:
        up = Level.SHARED if target is EscalationTarget.COMMUNITY else Level.PUBLIC
        if list(Level).index(up) < list(Level).index(current):
            raise DomainError("escalate_to", _l("It is already above that level."))
    else:
        up = current.next_up
        if up is None:
            raise DomainError("comment", _l("A public matter is already at the street."))
    from ..tasks.services import withdraw_tasks

    withdraw_tasks(item)
    item.escalated_to = ESCALATION_TARGET[up]
    item.handler_id = None
    record_step(item, actor, Action.ESCALATED, to_state=State.ESCALATED, to_level=up,
                comment=comment, meeting_id=meeting_id)
    db.session.flush()
    from ..notifications.models import Kind
    from ..notifications.services import level_staff, notify

    notify(level_staff(item.grid, street_level=up is Level.PUBLIC), Kind.ESCALATED, item,
           path_for("escalations.show", item_id=item.id))


def worklog(grid: Grid, *, q: str = "", state: str | None = None, level: str | None = None,
            category: str | None = None, include_resolved: bool = False) -> sa.Select:
    """The grid's work log (工作日志): its concerns, open ones first, newest first."""
    query = sa.select(Item).where(Item.grid_id == grid.id).options(
        joinedload(Item.building).joinedload(Building.estate), joinedload(Item.grid))
    if not include_resolved:
        query = query.where(Item.state != State.RESOLVED)
    if q:
        pattern = f"%{q}%"
        query = query.where(sa.or_(Item.title.ilike(pattern), Item.description.ilike(pattern),
                                   Item.receipt_code == q.upper()))
    if state in {s.value for s in State}:
        query = query.where(Item.state == State(state))
    if level in {lv.value for lv in Level}:
        query = query.where(Item.level == Level(level))
    if category in {c.value for c in Category}:
        query = query.where(Item.category == Category(category))
    return query.order_by(Item.created_at.desc(), Item.id.desc())
