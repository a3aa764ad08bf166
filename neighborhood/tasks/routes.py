from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import scope
from ..access import allow, require
from ..accounts.models import Role
from ..errors import DomainError
from ..extensions import db
from ..forms import read_uploads, submit
from ..items.models import Item
from ..items.routes import RUNNERS
from ..rendering import render, see_other
from ..timezone import local_today
from ..workdays import deadline_flag, deadline_flagger
from . import bp
from .forms import DecisionForm, DoneForm, ExtensionForm, NoteForm, VerifyForm
from .models import Extension, Task
from .services import (
    FILTERS,
    StaleTask,
    accept,
    add_note,
    close_unsolved,
    decide_extension,
    mark_done,
    remind_deadlines,
    request_extension,
    tasks_of_body,
    verify,
)


def _soon_days() -> int:
    return current_app.config.get("DUE_SOON_WORKING_DAYS", 2)


def _may_see(task: Task) -> bool:
    if current_user.role == Role.BODY:
        return task.body_id == current_user.body_id
    return scope.can_see_grid(current_user, task.item.grid)


def _task(task_id: int, work: bool = False) -> Task:
    task = db.get_or_404(Task, task_id)
    if work:  # only a member of the task's own body works on it
        require(current_user.role == Role.BODY and task.body_id == current_user.body_id)
    else:
        require(_may_see(task))
    return task


@bp.route("/tasks")
@allow(Role.BODY)
def index():
    show = request.args.get("show", "open")
    if show not in FILTERS:
        show = "open"
    today = local_today()
    remind_deadlines(today, _soon_days(), body_id=current_user.body_id)
    db.session.commit()
    page = db.paginate(tasks_of_body(current_user.body_id, show, today, _soon_days()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    flag = deadline_flagger(today, _soon_days())
    return render("tasks/index.html", block="results", page=page, show=show, filters=FILTERS,
                  today=today, flag=lambda t: flag(t.due_date))


def _task_page(task: Task, status: int = 200, **forms):
    today = local_today()
    version = task.version
    defaults = {
        "note_form": NoteForm(version=version), "done_form": DoneForm(version=version),
        "extension_form": ExtensionForm(version=version), "decision_form": DecisionForm(),
    }
    defaults.update(forms)
    may_work = current_user.role == Role.BODY and task.body_id == current_user.body_id
    may_decide = scope.can_run_grid(current_user, task.item.grid)
    return render("tasks/task.html", status=status, task=task, item=task.item, today=today,
                  flag=deadline_flag(task.due_date, today, _soon_days()),
                  may_work=may_work, may_decide=may_decide, **defaults)


@bp.route("/tasks/<int:task_id>")
@allow(Role.BODY, *RUNNERS, Role.STREET)
def show(task_id: int):
    return _task_page(_task(task_id))


def _work(task_id: int, form_name: str, form, action, done_message: str):
    task = _task(task_id, work=True)
    if submit(form, lambda: action(task, form), done_message):
        return see_other(url_for(".show", task_id=task.id))
    status = 409 if isinstance(form.domain_error, StaleTask) else 422
    return _task_page(task, status=status, **{form_name: form})


@bp.route("/tasks/<int:task_id>/accept", methods=["POST"])
@allow(Role.BODY)
def accept_task(task_id: int):
    task = _task(task_id, work=True)
    try:
        accept(task, current_user, _version())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _task_page(task, status=409)
    db.session.commit()
    flash(_("Accepted. The grid sees that you are on it."), "success")
    return see_other(url_for(".show", task_id=task.id))


def _version() -> int | None:
    return request.form.get("version", type=int)


@bp.route("/tasks/<int:task_id>/notes", methods=["POST"])
@allow(Role.BODY)
def note(task_id: int):
    form = NoteForm()
    return _work(task_id, "note_form", form,
                 lambda t, f: add_note(t, current_user, f.text.data, f.version_number),
                 _("Progress noted."))


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@allow(Role.BODY)
def done(task_id: int):
    form = DoneForm()
    return _work(task_id, "done_form", form,
                 lambda t, f: mark_done(t, current_user, f.note.data, read_uploads(f.before),
                                        read_uploads(f.after), f.version_number),
                 _("Reported done. The grid will verify it."))


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@allow(Role.BODY)
def extension(task_id: int):
    form = ExtensionForm()
    return _work(task_id, "extension_form", form,
                 lambda t, f: request_extension(t, current_user, f.new_due_date.data, f.reason.data,
                                                f.version_number),
                 _("Asked. The grid will answer."))


@bp.route("/tasks/<int:task_id>/extensions/<int:extension_id>", methods=["POST"])
@allow(*RUNNERS)
def decide(task_id: int, extension_id: int):
    task = _task(task_id)
    require(scope.can_run_grid(current_user, task.item.grid))
    ext = db.get_or_404(Extension, extension_id)
    if ext.task_id != task.id:
        abort(404)
    form = DecisionForm()
    decided = submit(form, lambda: decide_extension(ext, current_user, form.decision.data == "approve",
                                                    form.comment.data), _("Decided."))
    if decided:
        return see_other(url_for(".show", task_id=task.id))
    return _task_page(task, status=422, decision_form=form)


@bp.route("/items/<int:item_id>/verify", methods=["POST"])
@allow(*RUNNERS)
def verify_item(item_id: int):
    """Verification on site, by the grid worker, outside a meeting."""
    item = db.get_or_404(Item, item_id)
    require(scope.can_run_grid(current_user, item.grid))
    form = VerifyForm()

    def decide_result():
        if form.result.data == "closed":
            close_unsolved(item, current_user, form.reason.data)
        else:
            verify(item, current_user, form.result.data == "solved", form.reason.data)

    if submit(form, decide_result, _("Saved.")):
        return see_other(url_for("items.show", item_id=item.id))
    from ..items.routes import item_page

    return item_page(item, status=422, verify_form=form)


@bp.route("/tasks/<int:task_id>/photos/<int:photo_id>")
@bp.route("/tasks/<int:task_id>/photos/<int:photo_id>/<any(thumb):size>")
@allow(Role.BODY, *RUNNERS, Role.STREET)
def photo(task_id: int, photo_id: int, size: str | None = None):
    task = _task(task_id)
    linked = next((p.photo for p in task.photos if p.photo_id == photo_id), None)
    if linked is None:
        abort(404)
    return linked.send(thumb=size == "thumb")
