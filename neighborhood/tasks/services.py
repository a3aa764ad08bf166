"""The follow-up: a body accepts its task, notes progress, reports it done with photos or asks
for more time; the grid verifies the result or disputes it. Flush, never commit."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..accounts.models import Account, utcnow
from ..errors import DomainError
from ..extensions import db
from ..items.models import Action, Item, Level, State
from ..items.services import record_step
from ..navigation import path_for
from ..notifications.models import Kind
from ..notifications.services import body_members, grid_runners, notify
from ..photos import store_photo
from ..places.models import Body, Grid
from ..workdays import soon_horizon
from .models import Extension, PhotoKind, Task, TaskNote, TaskPhoto, TaskState


def _task_url(task: Task) -> str:
    return path_for("tasks.show", task_id=task.id)


def _item_url(item: Item) -> str:
    return path_for("items.show", item_id=item.id)


def active_task(item: Item) -> Task | None:
    return db.session.scalar(sa.select(Task).where(
        Task.item_id == item.id, Task.state.in_([TaskState.OPEN, TaskState.ACCEPTED, TaskState.DONE]))
        .order_by(Task.id.desc()).limit(1))


def withdraw_tasks(item: Item) -> None:
    for task in db.session.scalars(sa.select(Task).where(
            Task.item_id == item.id, Task.state.in_([TaskState.OPEN, TaskState.ACCEPTED]))):
        task.state = TaskState.WITHDRAWN


def assign(item: Item, body: Body, due_date: dt.date, actor: Account | None, *,
           responsible_person: str = "", decision: str = "", meeting_id: int | None = None,
           today: dt.date | None = None) -> Task:
    if today is not None and due_date < today:
        raise DomainError("due_date", _l("The due date cannot be in the past."))
    withdraw_tasks(item)
    task = Task(item=item, body=body, meeting_id=meeting_id, assigned_by=actor, due_date=due_date,
                responsible_person=responsible_person, decision=decision)
    db.session.add(task)
    item.body_id, item.due_date, item.responsible_person = body.id, due_date, responsible_person
    record_step(item, actor, Action.ASSIGNED, to_state=State.ASSIGNED, comment=decision,
                meeting_id=meeting_id)
    db.session.flush()
    notify(body_members(body.id), Kind.NEW_TASK, item, _task_url(task))
    return task


class StaleTask(DomainError):
    """The task changed since the form was loaded (another phone, another member): a conflict."""


def _active(task: Task, version: int | None) -> None:
    if version is not None and version != task.version:
        raise StaleTask(None, _l("Someone else changed this task meanwhile. Look again."))
    if not task.state.is_active:
        raise StaleTask(None, _l("This task is no longer open."))


def accept(task: Task, actor: Account, version: int | None = None) -> None:
    _active(task, version)
    if task.state is not TaskState.OPEN:
        raise DomainError(None, _l("This task is accepted already."))
    task.state, task.accepted_at = TaskState.ACCEPTED, utcnow()
    task.version += 1
    record_step(task.item, actor, Action.TASK_ACCEPTED, to_state=State.IN_PROGRESS)
    db.session.flush()


def add_note(task: Task, actor: Account, text: str, version: int | None = None) -> None:
    _active(task, version)
    text = (text or "").strip()
    if not text:
        raise DomainError("text", _l("This field is required."))
    db.session.add(TaskNote(task=task, author=actor, text=text[:2000]))
    task.version += 1
    record_step(task.item, actor, Action.PROGRESS, comment=text[:2000])
    db.session.flush()


def mark_done(task: Task, actor: Account, note: str, before: list[bytes], after: list[bytes],
              version: int | None = None) -> None:
    _active(task, version)
    note = (note or "").strip()
    if not note:
        raise DomainError("note", _l("Say what was done."))
    for kind, files in ((PhotoKind.BEFORE, before), (PhotoKind.AFTER, after)):
        for data in files:
            photo = store_photo(data, actor.id)
            db.session.add(TaskPhoto(task=task, photo=photo, kind=kind))
    task.state, task.done_at, task.done_note = TaskState.DONE, utcnow(), note[:2000]
    task.version += 1
    record_step(task.item, actor, Action.DONE, to_state=State.DONE, comment=note[:2000])
    db.session.flush()
    notify(grid_runners(task.item.grid), Kind.DONE, task.item, _item_url(task.item))


def request_extension(task: Task, actor: Account, new_due: dt.date | None, reason: str,
                      version: int | None = None) -> Extension:
    _active(task, version)
    reason = (reason or "").strip()
    if task.pending_extension is not None:
        raise DomainError("new_due_date", _l("A request is waiting for its answer already."))
    if new_due is None or new_due <= task.due_date:
        raise DomainError("new_due_date", _l("Choose a date after the current due date."))
    if not reason:
        raise DomainError("reason", _l("Give the reason."))
    extension = Extension(task=task, requested_by=actor, old_due_date=task.due_date,
                          new_due_date=new_due, reason=reason[:500])
    db.session.add(extension)
    task.version += 1
    record_step(task.item, actor, Action.EXTENSION_REQUESTED,
                comment=f"{task.due_date.isoformat()} → {new_due.isoformat()}: {reason[:400]}")
    db.session.flush()
    notify(grid_runners(task.item.grid), Kind.EXTENSION_ASKED, task.item, _task_url(task))
    return extension


def decide_extension(extension: Extension, actor: Account, approve: bool, comment: str = "") -> None:
    if extension.approved is not None:
        raise DomainError(None, _l("This request is decided already."))
    task = extension.task
    extension.approved, extension.decided_by, extension.decided_at = approve, actor, utcnow()
    extension.comment = (comment or "").strip()[:500]
    if approve:
        task.due_date = extension.new_due_date
        task.item.due_date = extension.new_due_date
    task.version += 1
    record_step(task.item, actor,
                Action.EXTENSION_APPROVED if approve else Action.EXTENSION_REFUSED,
                comment=extension.comment)
    db.session.flush()
    notify(body_members(task.body_id), Kind.EXTENSION_DECIDED, task.item, _task_url(task))


def verify(item: Item, actor: Account, solved: bool, reason: str = "",
           meeting_id: int | None = None) -> None:
    """The second step of closing: the grid accepts the result (solved) or disputes it."""
    if item.state is not State.DONE:
        raise DomainError("result", _l("Only an item reported done can be verified."))
    task = active_task(item)
    reason = (reason or "").strip()
    if solved:
        item.resolved_level = item.level or Level.HOUSEHOLD
        item.resolved_at = utcnow()
        if task is not None:
            task.state = TaskState.VERIFIED
        record_step(item, actor, Action.VERIFIED, to_state=State.RESOLVED, comment=reason,
                    meeting_id=meeting_id)
    else:
        if not reason:
            raise DomainError("reason", _l("Say why the result is disputed."))
        if task is not None:
            task.state = TaskState.DISPUTED
        record_step(item, actor, Action.DISPUTED, to_state=State.REOPENED, comment=reason,
                    meeting_id=meeting_id)
        notify(body_members(task.body_id if task else item.body_id), Kind.REOPENED, item,
               _item_url(item) if task is None else _task_url(task), text=f"{item.title}: {reason}")
    db.session.flush()


def close_unsolved(item: Item, actor: Account, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _l("Say why it is closed without a solution."))
    if not item.state.is_open:
        raise DomainError("reason", _l("This item is closed already."))
    withdraw_tasks(item)
    record_step(item, actor, Action.CLOSED, to_state=State.CLOSED, comment=reason)
    db.session.flush()


# --- lists ----------------------------------------------------------------------------------

FILTERS = ("open", "soon", "overdue", "done")


def tasks_of_body(body_id: int, show: str, today: dt.date, soon_days: int) -> sa.Select:
    query = sa.select(Task).where(Task.body_id == body_id).options(
        joinedload(Task.item).joinedload(Item.grid).joinedload(Grid.estate),
        joinedload(Task.item).joinedload(Item.building))
    if show == "done":
        return query.where(Task.state.in_([TaskState.DONE, TaskState.VERIFIED, TaskState.DISPUTED])
                           ).order_by(Task.done_at.desc().nulls_last(), Task.id.desc())
    query = query.where(Task.state.in_([TaskState.OPEN, TaskState.ACCEPTED]))
    if show == "overdue":
        query = query.where(Task.due_date < today)
    elif show == "soon":
        horizon = soon_horizon(today, soon_days)
        query = query.where(Task.due_date >= today, Task.due_date <= horizon)
    return query.order_by(Task.due_date, Task.id)


def remind_deadlines(today: dt.date, soon_days: int, body_id: int | None = None) -> int:
    """Due-soon and overdue notices for active tasks, once per task and due date."""
    query = sa.select(Task).where(Task.state.in_([TaskState.OPEN, TaskState.ACCEPTED]),
                                  Task.due_date <= soon_horizon(today, soon_days))
    if body_id is not None:
        query = query.where(Task.body_id == body_id)
    made = 0
    for task in db.session.scalars(query):
        kind = Kind.OVERDUE if task.due_date < today else Kind.DUE_SOON
        readers = body_members(task.body_id)
        if kind is Kind.OVERDUE:
            readers += grid_runners(task.item.grid)
        made += len(notify(readers, kind, task.item, _task_url(task),
                           dedupe=f"{kind.value}:{task.due_date.isoformat()}"))
    return made
