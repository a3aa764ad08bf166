from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import scope
from ..access import allow, require
from ..accounts.models import Role
from ..extensions import db
from ..forms import options, read_uploads, submit
from ..photos import Photo
from ..places.models import Building, Grid
from ..rendering import render, see_other
from . import bp
from .forms import CommentForm, ItemForm, TriageForm
from .models import Category, Item, Level, State, item_photos
from .services import create_item, edit_item, escalate, triage, worklog

RUNNERS = (Role.ADMIN, Role.COMMUNITY, Role.FACILITATOR)
VIEWERS = (*RUNNERS, Role.STREET)


def grid_to_run(grid_id: int) -> Grid:
    grid = db.get_or_404(Grid, grid_id)
    require(scope.can_run_grid(current_user, grid))
    return grid


def item_to_see(item_id: int):
    from .models import Item

    item = db.get_or_404(Item, item_id)
    require(scope.can_see_grid(current_user, item.grid))
    return item


@bp.route("/grids/<int:grid_id>/worklog")
@allow(*VIEWERS)
def worklog_page(grid_id: int):
    grid = db.get_or_404(Grid, grid_id)
    require(scope.can_see_grid(current_user, grid))
    filters = {
        "q": request.args.get("q", "").strip()[:40],
        "state": request.args.get("state") or None,
        "level": request.args.get("level") or None,
        "category": request.args.get("category") or None,
    }
    page = db.paginate(worklog(grid, **filters), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    inbox = db.session.scalar(sa.select(sa.func.count()).select_from(Item).where(
        Item.grid_id == grid.id, Item.state == State.NEW))
    return render("items/worklog.html", block="results", grid=grid, page=page, filters=filters,
                  inbox=inbox,
                  states=[s for s in State if s is not State.RESOLVED], levels=list(Level),
                  categories=list(Category),
                  may_run=scope.can_run_grid(current_user, grid))


def _building_choices(form: ItemForm, grid: Grid) -> None:
    form.building_id.choices = options(
        sa.select(Building).where(Building.grid_id == grid.id).order_by(Building.code),
        lambda b: f"{b.estate.name} {b.name}",
    )


@bp.route("/grids/<int:grid_id>/items/new", methods=["GET", "POST"])
@allow(*RUNNERS)
def new(grid_id: int):
    grid = grid_to_run(grid_id)
    form = ItemForm()
    _building_choices(form, grid)
    created = []

    def record():
        created.append(create_item(
            grid, current_user, title=form.title.data, description=form.description.data or "",
            building_id=form.building_id.data, unit=form.unit.data or "",
            category=form.category.data, source=form.source.data, level=form.level.data or None,
            reporter_name=form.reporter_name.data or "",
            reporter_contact=form.reporter_contact.data or "",
            is_public=form.is_public.data, photos=read_uploads(form.photos)))

    if submit(form, record):
        flash(_("Recorded. Receipt code: %(code)s", code=created[0].receipt_code), "success")
        return see_other(url_for(".show", item_id=created[0].id))
    status = 422 if request.method == "POST" else 200
    return render("items/new.html", block="content", status=status, form=form, grid=grid)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(*RUNNERS)
def edit(item_id: int):
    item = item_to_see(item_id)
    require(scope.can_run_grid(current_user, item.grid))
    form = ItemForm(obj=item)
    del form.source, form.level  # where it came from and its triage have their own steps
    _building_choices(form, item.grid)
    saved = submit(form, lambda: edit_item(
        item, current_user, photos=read_uploads(form.photos), title=form.title.data,
        description=form.description.data or "", building_id=form.building_id.data,
        unit=form.unit.data or "", category=form.category.data,
        reporter_name=form.reporter_name.data or "", reporter_contact=form.reporter_contact.data or "",
        is_public=form.is_public.data), _("Saved."))
    if saved:
        return see_other(url_for(".show", item_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render("items/new.html", block="content", status=status, form=form, grid=item.grid,
                  item=item)


def item_page(item, status: int = 200, **forms):
    """The item's page: what it is, where it stands, its tasks and history, and the actions."""
    from ..tasks.forms import VerifyForm
    from ..tasks.models import Task

    defaults = {"triage_form": TriageForm(level=item.level), "escalate_form": CommentForm(),
                "verify_form": VerifyForm()}
    defaults.update(forms)
    tasks = db.session.scalars(sa.select(Task).where(Task.item_id == item.id)
                               .order_by(Task.id.desc())).all()
    return render("items/item.html", status=status, item=item, tasks=tasks,
                  may_run=scope.can_run_grid(current_user, item.grid), **defaults)


@bp.route("/items/<int:item_id>")
@allow(*VIEWERS)
def show(item_id: int):
    return item_page(item_to_see(item_id))


def _item_action(item_id: int, form, action):
    item = item_to_see(item_id)
    require(scope.can_run_grid(current_user, item.grid))
    if submit(form, lambda: action(item, form), _("Saved.")):
        return see_other(url_for(".show", item_id=item.id))
    name = "triage_form" if isinstance(form, TriageForm) else "escalate_form"
    return item_page(item, status=422, **{name: form})


@bp.route("/items/<int:item_id>/triage", methods=["POST"])
@allow(*RUNNERS)
def triage_item(item_id: int):
    return _item_action(item_id, TriageForm(),
                        lambda item, f: triage(item, current_user, f.level.data, f.comment.data or ""))


@bp.route("/items/<int:item_id>/escalate", methods=["POST"])
@allow(*RUNNERS)
def escalate_item(item_id: int):
    return _item_action(item_id, CommentForm(),
                        lambda item, f: escalate(item, current_user, f.comment.data or ""))


@bp.route("/items/<int:item_id>/photos/<int:photo_id>")
@bp.route("/items/<int:item_id>/photos/<int:photo_id>/<any(thumb):size>")
@allow(*VIEWERS)
def photo(item_id: int, photo_id: int, size: str | None = None):
    item = item_to_see(item_id)
    linked = db.session.scalar(sa.select(item_photos.c.photo_id).where(
        item_photos.c.item_id == item.id, item_photos.c.photo_id == photo_id))
    photo = db.session.get(Photo, linked) if linked else None
    if photo is None:
        abort(404)
    return photo.send(thumb=size == "thumb")
