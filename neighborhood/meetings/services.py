"""The meeting: schedule, agenda that fills itself, attendance, autosaved notes with a version
check, outcomes and closing. Flush, never commit."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from ..accounts.models import Account, utcnow
from ..errors import DomainError
from ..extensions import db
from ..items.models import CARRY_OVER, Action, EscalationTarget, Item, Level, State
from ..items.services import escalate, record_step
from ..places.models import Body, BodyKind, Grid
from .models import (
    AgendaEntry,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingEvent,
    MeetingState,
    Outcome,
    Party,
)

AUTOSAVE_FIELDS = {"notes": 4000, "decision": 2000}


class Conflict(Exception):
    """Someone else saved the entry since this version: nothing was overwritten."""

    def __init__(self, entry: AgendaEntry, field: str, theirs: str, mine: str):
        super().__init__(field)
        self.entry, self.field, self.theirs, self.mine = entry, field, theirs, mine


def log(meeting: Meeting, actor: Account | None, action: MeetingAction, detail: str = "") -> None:
    db.session.add(MeetingEvent(meeting=meeting, actor=actor, action=action, detail=detail[:200]))


def _open(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise DomainError(None, _l("This meeting is closed; its record can no longer change."))


# --- schedule -------------------------------------------------------------------------------

def set_schedule(grid: Grid, weekdays: list[int], time: dt.time, place: str) -> None:
    if not weekdays:
        raise DomainError("weekdays", _l("Choose at least one day."))
    grid.meeting_weekdays = ",".join(str(d) for d in sorted(set(weekdays)))
    grid.meeting_time = time
    grid.meeting_place = place.strip()
    db.session.flush()


def next_slot(grid: Grid, after: dt.datetime) -> dt.datetime:
    """The next scheduled meeting time after ``after`` (local time)."""
    days = grid.weekdays or [2, 5]
    for ahead in range(0, 8):
        day = after.date() + dt.timedelta(days=ahead)
        start = dt.datetime.combine(day, grid.meeting_time)
        if day.isoweekday() in days and start > after:
            return start
    raise AssertionError("a weekday always comes within a week")  # pragma: no cover


def meetings_calendar(grid: Grid, weeks_back: int = 8) -> bytes:
    """The grid's meetings (recent, open and the next scheduled slots) as iCalendar."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    from ..timezone import local_now

    tz = ZoneInfo("Asia/Shanghai")
    cal = Calendar()
    cal.add("prodid", "-//neighborhood//grid meetings//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{grid.name} 网格邻里会")
    now = local_now()
    since = now - dt.timedelta(weeks=weeks_back)
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.grid_id == grid.id, Meeting.starts_at >= since).order_by(Meeting.starts_at)).all()
    taken = {m.starts_at for m in meetings}
    slots, cursor = [], now
    for _ in range(4):  # the next four scheduled slots, as planned events
        cursor = next_slot(grid, cursor)
        if cursor not in taken:
            slots.append(cursor)
    for start, uid, status in ([(m.starts_at, f"meeting-{m.id}", "CONFIRMED") for m in meetings]
                               + [(s, f"slot-{grid.id}-{s:%Y%m%d%H%M}", "TENTATIVE") for s in slots]):
        event = Event()
        event.add("uid", f"{uid}@neighborhood")
        event.add("summary", f"{grid.name} 网格邻里会")
        event.add("dtstart", start.replace(tzinfo=tz))
        event.add("dtend", (start + dt.timedelta(hours=1)).replace(tzinfo=tz))
        event.add("dtstamp", dt.datetime.now(dt.timezone.utc))
        event.add("status", status)
        if grid.meeting_place:
            event.add("location", grid.meeting_place)
        cal.add_component(event)
    return cal.to_ical()


# --- agenda ---------------------------------------------------------------------------------

def open_meeting_of(grid: Grid) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(Meeting.grid_id == grid.id, Meeting.state == MeetingState.PLANNED)
        .order_by(Meeting.starts_at).limit(1)
    )


def bodies_for(grid: Grid) -> list[Body]:
    """The bodies that can take an assignment in this grid: its estate's and its party branch."""
    bodies = []
    if grid.party_branch is not None:
        bodies.append(grid.party_branch)
    if grid.estate is not None:
        bodies += [b for b in grid.estate.bodies
                   if b.kind in grid.estate.allowed_body_kinds and b not in bodies]
    return bodies


def default_parties(grid: Grid) -> list[Party]:
    kinds = {b.kind for b in bodies_for(grid)}
    parties = [Party.GRID]
    if BodyKind.PARTY_BRANCH in kinds:
        parties.insert(0, Party.PARTY_BRANCH)
    if BodyKind.OWNERS_COMMITTEE in kinds:
        parties.append(Party.OWNERS_COMMITTEE)
    if BodyKind.PROPERTY in kinds:
        parties.append(Party.PROPERTY)
    return parties


def agenda_candidates(grid: Grid, today: dt.date) -> list[tuple[Item, bool]]:
    """What the next agenda holds, in order: carried-over items (overdue first, then by due date),
    then triaged concerns waiting for a meeting (oldest first). Returns (item, carried_over)."""
    carried = db.session.scalars(
        sa.select(Item).where(Item.grid_id == grid.id, Item.state.in_(CARRY_OVER))
    ).all()
    carried.sort(key=lambda i: (not i.is_overdue(today), i.due_date or dt.date.max, i.id))
    waiting = db.session.scalars(
        sa.select(Item).where(Item.grid_id == grid.id, Item.state == State.TRIAGED)
        .order_by(Item.created_at, Item.id)
    ).all()
    return [(i, True) for i in carried] + [(i, False) for i in waiting]


def create_next_meeting(grid: Grid, actor: Account, now: dt.datetime) -> tuple[Meeting, bool]:
    """One tap: the grid's next meeting with its agenda filled. An open meeting is returned as is."""
    existing = open_meeting_of(grid)
    if existing is not None:
        return existing, False
    meeting = Meeting(grid=grid, starts_at=next_slot(grid, now), place=grid.meeting_place,
                      facilitator=actor)
    db.session.add(meeting)
    for party in default_parties(grid):
        meeting.attendance.append(Attendance(party=party))
    for position, (item, carried) in enumerate(agenda_candidates(grid, now.date()), start=1):
        meeting.entries.append(AgendaEntry(item=item, position=position, carried_over=carried,
                                           level=item.level))
    log(meeting, actor, MeetingAction.CREATED, str(len(meeting.entries)))
    db.session.flush()
    return meeting, True


def addable_items(meeting: Meeting) -> list[Item]:
    on_agenda = sa.select(AgendaEntry.item_id).where(AgendaEntry.meeting_id == meeting.id)
    return db.session.scalars(
        sa.select(Item).where(Item.grid_id == meeting.grid_id, Item.state != State.RESOLVED,
                              Item.id.not_in(on_agenda))
        .order_by(Item.created_at.desc()).limit(200)
    ).all()


def add_entry(meeting: Meeting, item_id: int | None, actor: Account | None = None) -> AgendaEntry:
    _open(meeting)
    item = db.session.get(Item, item_id) if item_id else None
    if item is None or item.grid_id != meeting.grid_id:
        raise DomainError("item_id", _l("Choose a concern of this grid."))
    if not item.state.is_open:
        raise DomainError("item_id", _l("This item is resolved."))
    if any(e.item_id == item.id for e in meeting.entries):
        raise DomainError("item_id", _l("It is on the agenda already."))
    entry = AgendaEntry(item=item, position=len(meeting.entries) + 1,
                        carried_over=item.state in CARRY_OVER, level=item.level)
    meeting.entries.append(entry)
    log(meeting, actor, MeetingAction.ITEM_ADDED, item.title)
    db.session.flush()
    return entry


def _renumber(meeting: Meeting) -> None:
    for position, entry in enumerate(meeting.entries, start=1):
        entry.position = position


def remove_entry(entry: AgendaEntry, actor: Account | None = None) -> None:
    meeting = entry.meeting
    _open(meeting)
    log(meeting, actor, MeetingAction.ITEM_REMOVED, entry.item.title)
    meeting.entries.remove(entry)
    _renumber(meeting)
    db.session.flush()


def move_entry(entry: AgendaEntry, delta: int, actor: Account | None = None) -> None:
    meeting = entry.meeting
    _open(meeting)
    log(meeting, actor, MeetingAction.REORDERED, entry.item.title)
    entries = list(meeting.entries)
    i = entries.index(entry)
    j = max(0, min(len(entries) - 1, i + delta))
    entries.insert(j, entries.pop(i))
    for position, e in enumerate(entries, start=1):
        e.position = position
    db.session.flush()
    db.session.expire(meeting, ["entries"])


# --- attendance -----------------------------------------------------------------------------

def save_attendance(meeting: Meeting, present: dict[Party, tuple[bool, str]],
                    residents: int, actor: Account | None = None) -> None:
    _open(meeting)
    if residents < 0 or residents > 2000:
        raise DomainError("residents_count", _l("Enter a number between 0 and 2000."))
    rows = {a.party: a for a in meeting.attendance}
    for party, (is_present, names) in present.items():
        row = rows.get(party)
        if row is None:
            row = Attendance(party=party)
            meeting.attendance.append(row)
        row.present = is_present
        row.names = names.strip()[:120]
    meeting.residents_count = residents
    log(meeting, actor, MeetingAction.ATTENDANCE, str(residents))
    db.session.flush()


# --- meeting mode ---------------------------------------------------------------------------

def save_field(entry: AgendaEntry, field: str, value: str, base: str, actor: Account) -> int:
    """Save one autosaved field typed over the text ``base``; return the entry's new version.

    A conflict (409), never an overwrite, when the stored text is neither ``base`` nor ``value``:
    someone else changed this field meanwhile, whatever version the tablet holds (a tablet that
    saved the other field has the latest version but still an old text of this one). The update
    itself names the version it read, so two saves racing between the check and the write can't
    both pass.
    """
    _open(entry.meeting)
    if field not in AUTOSAVE_FIELDS:
        raise DomainError(None, _l("This field cannot be saved here."))
    if len(value) > AUTOSAVE_FIELDS[field]:
        raise DomainError(field, _l("At most %(n)s characters.", n=AUTOSAVE_FIELDS[field]))
    for _attempt in range(3):
        db.session.refresh(entry)
        current = getattr(entry, field)
        if current == value:  # the same text arrived twice (a retried save)
            return entry.version
        if current != base:
            raise Conflict(entry, field, theirs=current, mine=value)
        result = db.session.execute(
            sa.update(AgendaEntry)
            .where(AgendaEntry.id == entry.id, AgendaEntry.version == entry.version)
            .values({field: value, "version": entry.version + 1, "updated_at": utcnow(),
                     "updated_by_id": actor.id})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            db.session.refresh(entry)
            return entry.version
    db.session.refresh(entry)
    raise Conflict(entry, field, theirs=getattr(entry, field), mine=value)


def set_outcome(entry: AgendaEntry, actor: Account, today: dt.date, *, outcome: str,
                level: str | None, body_id: int | None, responsible_person: str,
                due_date: dt.date | None, escalate_to: str | None) -> None:
    meeting = entry.meeting
    _open(meeting)
    outcome = Outcome(outcome)
    entry.level = Level(level) if level else entry.level
    entry.outcome = outcome
    entry.body_id = None
    entry.responsible_person = ""
    entry.due_date = None
    entry.escalate_to = None
    if outcome.needs_done_item and entry.item.state is not State.DONE:
        raise DomainError("outcome", _l("Only an item reported done can be verified or disputed."))
    if outcome is Outcome.ASSIGNED:
        allowed = {b.id: b for b in bodies_for(meeting.grid)}
        if body_id not in allowed:
            raise DomainError("body_id", _l("Choose a body that exists in this estate."))
        if due_date is None:
            raise DomainError("due_date", _l("Set a due date."))
        if due_date < today:
            raise DomainError("due_date", _l("The due date cannot be in the past."))
        entry.body_id = body_id
        entry.responsible_person = (responsible_person or "").strip()[:40]
        entry.due_date = due_date
    elif outcome is Outcome.ESCALATED:
        if escalate_to not in {t.value for t in EscalationTarget}:
            raise DomainError("escalate_to", _l("Choose the community or the street."))
        target = EscalationTarget(escalate_to)
        up = Level.SHARED if target is EscalationTarget.COMMUNITY else Level.PUBLIC
        current = entry.level or entry.item.level or Level.HOUSEHOLD
        if list(Level).index(up) < list(Level).index(current):
            raise DomainError("escalate_to", _l("It is already above that level."))
        entry.escalate_to = target
    entry.version += 1
    entry.updated_at = utcnow()
    entry.updated_by_id = actor.id
    log(meeting, actor, MeetingAction.OUTCOME, f"{entry.item.title} · {outcome.value}")
    db.session.flush()


def close_meeting(meeting: Meeting, actor: Account, defer_rest: bool = False) -> None:
    """Freeze the record and carry every outcome onto its item, one step each."""
    _open(meeting)
    undecided = [e for e in meeting.entries if e.outcome is None]
    if undecided and not defer_rest:
        raise DomainError("defer_rest", lazy_ngettext(
            "%(num)s item has no outcome yet. Decide it, or defer it to the next meeting.",
            "%(num)s items have no outcome yet. Decide them, or defer them to the next meeting.",
            len(undecided)))
    unexplained = [e for e in meeting.entries if e.outcome is Outcome.DISPUTED and not e.decision.strip()]
    if unexplained:
        raise DomainError("defer_rest", _l(
            "Write the reason for each disputed result in its decision: %(titles)s",
            titles="、".join(e.item.title for e in unexplained)))
    for entry in undecided:
        entry.outcome = Outcome.DEFERRED
    for entry in meeting.entries:
        _apply(entry, actor, meeting)
    meeting.state = MeetingState.CLOSED
    meeting.closed_at = utcnow()
    meeting.closed_by = actor
    log(meeting, actor, MeetingAction.CLOSED)
    db.session.flush()


def _apply(entry: AgendaEntry, actor: Account, meeting: Meeting) -> None:
    from ..tasks.services import assign, verify, withdraw_tasks

    item = entry.item
    comment = entry.decision
    if entry.level is not None and entry.level is not item.level:
        record_step(item, actor, Action.TRIAGED, to_level=entry.level, meeting_id=meeting.id,
                    to_state=State.TRIAGED if item.state is State.NEW else None)
    elif item.state is State.NEW:
        record_step(item, actor, Action.TRIAGED, to_state=State.TRIAGED,
                    to_level=item.level or Level.HOUSEHOLD, meeting_id=meeting.id)
    if entry.outcome is Outcome.RESOLVED:
        withdraw_tasks(item)
        item.resolved_level = Level.HOUSEHOLD  # solved in the grid
        item.resolved_at = utcnow()
        record_step(item, actor, Action.RESOLVED, to_state=State.RESOLVED, comment=comment,
                    meeting_id=meeting.id)
    elif entry.outcome is Outcome.ASSIGNED:
        assign(item, entry.body, entry.due_date, actor, responsible_person=entry.responsible_person,
               decision=comment, meeting_id=meeting.id)
    elif entry.outcome is Outcome.ESCALATED:
        escalate(item, actor, comment=comment, meeting_id=meeting.id, target=entry.escalate_to)
    elif entry.outcome in (Outcome.VERIFIED, Outcome.DISPUTED):
        verify(item, actor, solved=entry.outcome is Outcome.VERIFIED, reason=comment,
               meeting_id=meeting.id)
    else:
        record_step(item, actor, Action.DEFERRED, to_state=State.DEFERRED, comment=comment,
                    meeting_id=meeting.id)
