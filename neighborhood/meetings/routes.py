from __future__ import annotations

import datetime as dt
import hmac

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, jsonify, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import scope
from ..access import allow, public, require
from ..errors import DomainError
from ..extensions import db
from ..forms import options, submit
from ..items.routes import RUNNERS, VIEWERS, grid_to_run
from ..minutes.services import create_draft
from ..places.models import Grid
from ..rendering import render, see_other, wants_fragment
from ..timezone import local_now, local_today
from ..workdays import DUE_PRESETS, add_working_days
from . import bp
from .forms import AddItemForm, AttendanceForm, CloseForm, OutcomeForm, ScheduleForm
from .models import AgendaEntry, Meeting, Party
from .services import (
    AUTOSAVE_FIELDS,
    Conflict,
    add_entry,
    addable_items,
    bodies_for,
    close_meeting,
    create_next_meeting,
    meetings_calendar,
    move_entry,
    open_meeting_of,
    remove_entry,
    save_attendance,
    save_field,
    set_outcome,
    set_schedule,
)


def _meeting(meeting_id: int, run: bool = False) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    check = scope.can_run_grid if run else scope.can_see_grid
    require(check(current_user, meeting.grid))
    return meeting


def _entry(meeting: Meeting, entry_id: int) -> AgendaEntry:
    entry = db.get_or_404(AgendaEntry, entry_id)
    if entry.meeting_id != meeting.id:
        abort(404)
    return entry


def _closed_refusal(meeting: Meeting):
    flash(_("This meeting is closed; its record can no longer change."), "error")
    return see_other(url_for(".show", meeting_id=meeting.id)) if not wants_fragment() else (
        render("errors/error.html", block="content", status=409, title=_("Meeting closed"),
               message=_("This meeting is closed; its record can no longer change.")))


def _meetings_of(grid: Grid) -> sa.Select:
    """The grid's meetings, newest first, their agendas loaded in one more query (not one each)."""
    return (sa.select(Meeting).where(Meeting.grid_id == grid.id)
            .options(selectinload(Meeting.entries)).order_by(Meeting.starts_at.desc()))


# --- a grid's meetings ----------------------------------------------------------------------

@bp.route("/grids/<int:grid_id>/meetings")
@allow(*VIEWERS)
def index(grid_id: int):
    grid = db.get_or_404(Grid, grid_id)
    require(scope.can_see_grid(current_user, grid))
    page = db.paginate(_meetings_of(grid), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    schedule = ScheduleForm(weekdays=grid.weekdays, time=grid.meeting_time, place=grid.meeting_place)
    return render("meetings/index.html", block="content", grid=grid, page=page,
                  schedule=schedule, open_meeting=open_meeting_of(grid),
                  may_run=scope.can_run_grid(current_user, grid))


@bp.route("/grids/<int:grid_id>/meetings/next", methods=["POST"])
@allow(*RUNNERS)
def create_next(grid_id: int):
    grid = grid_to_run(grid_id)
    meeting, created = create_next_meeting(grid, current_user, local_now())
    db.session.commit()
    if created:
        flash(ngettext("The next meeting is ready, with %(num)s item on its agenda.",
                       "The next meeting is ready, with %(num)s items on its agenda.",
                       len(meeting.entries)), "success")
    return see_other(url_for(".show", meeting_id=meeting.id))


@bp.route("/grids/<int:grid_id>/schedule", methods=["POST"])
@allow(*RUNNERS)
def schedule(grid_id: int):
    grid = grid_to_run(grid_id)
    form = ScheduleForm()
    saved = submit(form, lambda: set_schedule(grid, form.weekdays.data or [], form.time.data,
                                              form.place.data or ""), _("Saved."))
    if saved:
        return see_other(url_for(".index", grid_id=grid.id))
    page = db.paginate(_meetings_of(grid), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render("meetings/index.html", block="content", status=422, grid=grid, page=page,
                  schedule=form, open_meeting=open_meeting_of(grid), may_run=True)


@bp.route("/grids/<int:grid_id>/meetings.ics")
@public
def calendar(grid_id: int):
    """The grid's meetings as an iCalendar feed, for a facilitator's calendar app. The address
    carries the grid's calendar token: calendar apps cannot sign in."""
    grid = db.get_or_404(Grid, grid_id)
    token = request.args.get("token", "")
    if not grid.calendar_token or not hmac.compare_digest(token, grid.calendar_token):
        abort(404)
    return Response(meetings_calendar(grid), mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=meetings.ics"})


# --- one meeting: agenda and attendance -----------------------------------------------------

def _agenda_page(meeting: Meeting, status: int = 200, add_form=None, attendance_form=None,
                 close_form=None, block: str | None = None):
    add_form = add_form or AddItemForm()
    add_form.item_id.choices = options(addable_items(meeting),
                                       lambda item: f"{item.title} · {item.state.label}")
    attendance_form = attendance_form or AttendanceForm(residents_count=meeting.residents_count)
    return render("meetings/meeting.html", block=block, status=status, meeting=meeting,
                  add_form=add_form, attendance_form=attendance_form,
                  close_form=close_form or CloseForm(), parties=list(Party),
                  may_run=scope.can_run_grid(current_user, meeting.grid))


@bp.route("/meetings/<int:meeting_id>")
@allow(*VIEWERS)
def show(meeting_id: int):
    return _agenda_page(_meeting(meeting_id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@allow(*RUNNERS)
def attendance(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    form = AttendanceForm()
    present = {party: (request.form.get(f"present_{party.value}") == "y",
                       request.form.get(f"names_{party.value}", ""))
               for party in Party}
    if submit(form, lambda: save_attendance(meeting, present, form.residents_count.data, current_user)):
        if wants_fragment():
            return _agenda_page(meeting, block="attendance")
        flash(_("Attendance saved."), "success")
        return see_other(url_for(".show", meeting_id=meeting.id))
    return _agenda_page(meeting, status=422, attendance_form=form,
                        block="attendance" if wants_fragment() else None)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@allow(*RUNNERS)
def add_to_agenda(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    form = AddItemForm()
    form.item_id.choices = []
    if submit(form, lambda: add_entry(meeting, form.item_id.data, current_user)):
        return _after_agenda_change(meeting)
    return _agenda_page(meeting, status=422, add_form=form,
                        block="agenda" if wants_fragment() else None)


def _after_agenda_change(meeting: Meeting):
    if wants_fragment():
        db.session.refresh(meeting)
        return _agenda_page(meeting, block="agenda")
    return see_other(url_for(".show", meeting_id=meeting.id) + "#agenda")


@bp.route("/meetings/<int:meeting_id>/agenda/<int:entry_id>/remove", methods=["POST"])
@allow(*RUNNERS)
def remove_from_agenda(meeting_id: int, entry_id: int):
    meeting = _meeting(meeting_id, run=True)
    if meeting.is_closed:
        return _closed_refusal(meeting)
    remove_entry(_entry(meeting, entry_id), current_user)
    db.session.commit()
    return _after_agenda_change(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:entry_id>/move", methods=["POST"])
@allow(*RUNNERS)
def move(meeting_id: int, entry_id: int):
    meeting = _meeting(meeting_id, run=True)
    if meeting.is_closed:
        return _closed_refusal(meeting)
    delta = -1 if request.form.get("direction") == "up" else 1
    move_entry(_entry(meeting, entry_id), delta, current_user)
    db.session.commit()
    return _after_agenda_change(meeting)


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@allow(*RUNNERS)
def close(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    form = CloseForm()

    def close_and_draft():
        close_meeting(meeting, current_user, defer_rest=form.defer_rest.data)
        create_draft(meeting, current_user)

    if submit(form, close_and_draft, _("The meeting is closed. Its minutes draft is ready.")):
        return see_other(url_for("minutes.edit", meeting_id=meeting.id))
    status = 409 if meeting.is_closed else 422
    return _agenda_page(meeting, status=status, close_form=form)


# --- meeting mode: one item at a time -------------------------------------------------------

def _due_presets(today: dt.date):
    return [(add_working_days(today, n), label) for n, label in DUE_PRESETS]


def _run_page(meeting: Meeting, entry: AgendaEntry, status: int = 200, form=None,
              conflict: Conflict | None = None, block: str | None = None):
    entries = meeting.entries
    i = entries.index(entry)
    form = form or OutcomeForm(obj=entry, level=(entry.level or entry.item.level or "") and
                               (entry.level or entry.item.level).value,
                               outcome=entry.outcome.value if entry.outcome else None,
                               escalate_to=entry.escalate_to.value if entry.escalate_to else "",
                               version=entry.version)
    form.body_id.choices = options(bodies_for(meeting.grid), lambda b: f"{b.kind.label} · {b.name}")
    today = local_today()
    from ..tasks.services import active_task

    return render("meetings/run.html", block=block, status=status, meeting=meeting, entry=entry,
                  item=entry.item, task=active_task(entry.item), position=i + 1, total=len(entries),
                  prev=entries[i - 1] if i > 0 else None,
                  next=entries[i + 1] if i + 1 < len(entries) else None,
                  form=form, presets=_due_presets(today), today=today, conflict=conflict,
                  format_date=format_date)


@bp.route("/meetings/<int:meeting_id>/run/<int:entry_id>")
@allow(*RUNNERS)
def run(meeting_id: int, entry_id: int):
    meeting = _meeting(meeting_id, run=True)
    return _run_page(meeting, _entry(meeting, entry_id))


@bp.route("/meetings/<int:meeting_id>/run/<int:entry_id>/text", methods=["POST"])
@allow(*RUNNERS)
def save_text(meeting_id: int, entry_id: int):
    """Autosave: notes and/or decision, each with the text it was typed over (``base_<field>``).
    Answers JSON (the new version, or 409 with both texts) to the autosave script, a page to a
    plain form."""
    meeting = _meeting(meeting_id, run=True)
    entry = _entry(meeting, entry_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    fields = [f for f in AUTOSAVE_FIELDS if f in request.form]
    if not fields:
        message = _("Nothing to save.")
        if wants_json:
            return jsonify(error=message), 422
        return _run_page(meeting, entry, status=422)
    try:
        for field in fields:
            version = save_field(entry, field, request.form[field].replace("\r\n", "\n"),
                                 request.form.get(f"base_{field}", "").replace("\r\n", "\n"),
                                 current_user)
    except Conflict as conflict:
        db.session.rollback()
        if wants_json:
            return jsonify(conflict=True, field=conflict.field, theirs=conflict.theirs,
                           mine=conflict.mine, version=conflict.entry.version,
                           by=conflict.entry.updated_by.name if conflict.entry.updated_by else ""), 409
        return _run_page(meeting, entry, status=409, conflict=conflict)
    except DomainError as error:
        db.session.rollback()
        if wants_json:
            status = 409 if meeting.is_closed else 422
            return jsonify(error=str(error.message)), status
        if meeting.is_closed:
            return _closed_refusal(meeting)
        return _run_page(meeting, entry, status=422)
    db.session.commit()
    if wants_json:
        return jsonify(version=version, saved=True)
    flash(_("Saved."), "success")
    return see_other(url_for(".run", meeting_id=meeting.id, entry_id=entry.id))


def _preset(value: str | None) -> dt.date | None:
    """A due-date preset button's date (used when the date field itself was left empty)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/meetings/<int:meeting_id>/run/<int:entry_id>/outcome", methods=["POST"])
@allow(*RUNNERS)
def outcome(meeting_id: int, entry_id: int):
    meeting = _meeting(meeting_id, run=True)
    entry = _entry(meeting, entry_id)
    if meeting.is_closed:
        return _closed_refusal(meeting)
    form = OutcomeForm()
    form.body_id.choices = []

    def decide():
        set_outcome(entry, current_user, local_today(), outcome=form.outcome.data,
                    level=form.level.data or None, body_id=form.body_id.data,
                    responsible_person=form.responsible_person.data or "",
                    due_date=form.due_date.data or _preset(request.form.get("due_preset")),
                    escalate_to=form.escalate_to.data or None)

    if submit(form, decide):
        if wants_fragment():
            return _run_page(meeting, entry, block="outcome")
        flash(_("Outcome saved."), "success")
        return see_other(url_for(".run", meeting_id=meeting.id, entry_id=entry.id))
    return _run_page(meeting, entry, status=422, form=form,
                     block="outcome" if wants_fragment() else None)
