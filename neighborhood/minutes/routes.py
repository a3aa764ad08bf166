from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import scope
from ..access import allow, require
from ..errors import DomainError
from ..extensions import db
from ..forms import submit
from ..items.routes import RUNNERS, VIEWERS
from ..meetings.models import Meeting
from ..rendering import render, see_other
from . import bp
from .forms import CorrectionForm, DraftForm
from .services import (
    current_draft,
    public_content,
    publish,
    render_minutes_pdf,
    start_correction,
    update_draft,
    versions_of,
)


def _meeting(meeting_id: int, run: bool) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    require((scope.can_run_grid if run else scope.can_see_grid)(current_user, meeting.grid))
    return meeting


def _page(meeting: Meeting, status: int = 200, draft_form=None, correction_form=None):
    versions = versions_of(meeting)
    draft = current_draft(meeting)
    may_run = scope.can_run_grid(current_user, meeting.grid)
    if draft is not None and draft_form is None:
        draft_form = DraftForm(intro=draft.content.get("intro", ""))
    preview = public_content(draft) if draft is not None else None
    return render("minutes/edit.html", status=status, meeting=meeting, versions=versions,
                  draft=draft, draft_form=draft_form, preview=preview,
                  correction_form=correction_form or CorrectionForm(), may_run=may_run)


@bp.route("/meetings/<int:meeting_id>/minutes")
@allow(*VIEWERS)
def edit(meeting_id: int):
    return _page(_meeting(meeting_id, run=False))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
@allow(*RUNNERS)
def save(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    draft = current_draft(meeting)
    form = DraftForm()
    if draft is None:
        flash(_("Published minutes do not change. Publish a correction instead."), "error")
        return see_other(url_for(".edit", meeting_id=meeting.id))
    if form.validate_on_submit():
        texts = {}
        for line in draft.content["lines"]:
            key = line["entry_id"]
            texts[key] = (request.form.get(f"summary_{key}", line["summary"]),
                          request.form.get(f"decision_{key}", line["decision"]))
        update_draft(draft, form.intro.data or "", texts)
        db.session.commit()
        if request.form.get("then") == "publish":
            return publish_minutes(meeting_id)
        flash(_("Draft saved."), "success")
        return see_other(url_for(".edit", meeting_id=meeting.id))
    return _page(meeting, status=422, draft_form=form)


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["POST"])
@allow(*RUNNERS)
def publish_minutes(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    draft = current_draft(meeting)
    if draft is None:
        flash(_("Published minutes do not change. Publish a correction instead."), "error")
        return see_other(url_for(".edit", meeting_id=meeting.id))
    try:
        publish(draft, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(meeting, status=422)
    db.session.commit()
    flash(_("Published. Residents can read it from the building QR codes."), "success")
    return see_other(url_for(".edit", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/correct", methods=["POST"])
@allow(*RUNNERS)
def correct(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    form = CorrectionForm()
    if submit(form, lambda: start_correction(meeting, current_user, form.reason.data),
              _("A correction draft is open. Edit it and publish it.")):
        return see_other(url_for(".edit", meeting_id=meeting.id))
    return _page(meeting, status=422, correction_form=form)


@bp.route("/meetings/<int:meeting_id>/minutes/preview.pdf")
@allow(*RUNNERS)
def preview_pdf(meeting_id: int):
    meeting = _meeting(meeting_id, run=True)
    draft = current_draft(meeting)
    if draft is None:
        abort(404)
    notice = request.args.get("notice") == "1"
    return Response(render_minutes_pdf(draft, notice=notice), mimetype="application/pdf",
                    headers={"Cache-Control": "no-store"})
