from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import scope
from ..access import allow, require
from ..accounts.models import Account, Role
from ..extensions import db
from ..forms import options, submit
from ..rendering import render, see_other
from . import bp
from .forms import BodyForm, BuildingForm, CommunityForm, EstateForm, GridForm, StreetForm
from .models import Body, BodyKind, Building, Community, Estate, Grid, Street
from .services import GRID_PEOPLE_ROLES, KINDS, PARENT_FIELD, save_place

STAFF = (Role.ADMIN, Role.STREET, Role.COMMUNITY)
VIEWERS = (*STAFF, Role.FACILITATOR)
FORMS = {
    "streets": StreetForm,
    "communities": CommunityForm,
    "estates": EstateForm,
    "buildings": BuildingForm,
    "grids": GridForm,
    "bodies": BodyForm,
}


@bp.route("/")
@allow(*VIEWERS)
def index():
    account = current_user
    if account.role == Role.STREET:
        return redirect(url_for(".street", street_id=account.street_id))
    if account.role == Role.COMMUNITY:
        return redirect(url_for(".community", community_id=account.community_id))
    streets = []
    if account.role == Role.ADMIN:
        streets = db.session.scalars(sa.select(Street).order_by(Street.code)).all()
    grids = db.session.scalars(scope.visible_grids(account).limit(50)).all()
    return render("places/index.html", streets=streets, grids=grids)


@bp.route("/streets/<int:street_id>")
@allow(Role.ADMIN, Role.STREET)
def street(street_id: int):
    obj = db.get_or_404(Street, street_id)
    require(scope.can_see_street(current_user, obj))
    return render("places/street.html", street=obj)


@bp.route("/communities/<int:community_id>")
@allow(*STAFF)
def community(community_id: int):
    obj = db.get_or_404(Community, community_id)
    require(scope.can_see_community(current_user, obj))
    return render("places/community.html", community=obj)


@bp.route("/estates/<int:estate_id>")
@allow(*VIEWERS)
def estate(estate_id: int):
    obj = db.get_or_404(Estate, estate_id)
    require(scope.can_see_estate(current_user, obj))
    return render("places/estate.html", estate=obj)


@bp.route("/estates/<int:estate_id>/qr-codes.pdf")
@allow(*VIEWERS)
def qr_sheet(estate_id: int):
    """A printable sheet of every building's QR code, each labelled with its building."""
    from ..minutes.services import public_url, qr_data_uri
    from ..pdf import render_pdf

    obj = db.get_or_404(Estate, estate_id)
    require(scope.can_see_estate(current_user, obj))
    codes = []
    for b in obj.buildings:
        url = public_url("public.building", token=b.qr_token)
        codes.append({"building": b, "url": url, "qr": qr_data_uri(url)})
    pdf = render_pdf("places/pdf/qr_sheet.html", estate=obj, codes=codes)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(obj.name)}-qr.pdf"})


@bp.route("/grids/<int:grid_id>")
@allow(*VIEWERS)
def grid(grid_id: int):
    obj = db.get_or_404(Grid, grid_id)
    require(scope.can_see_grid(current_user, obj))
    return render("places/grid.html", grid=obj)


@bp.route("/buildings/<int:building_id>")
@allow(*VIEWERS)
def building(building_id: int):
    obj = db.get_or_404(Building, building_id)
    require(scope.can_see_building(current_user, obj))
    return render("places/building.html", building=obj)


def _fill_choices(form, kind: str, community_id: int | None) -> None:
    """Options for the select fields; those below community level are limited to one community."""
    if hasattr(form, "street_id"):
        form.street_id.choices = options(sa.select(Street).order_by(Street.code))
    if hasattr(form, "community_id"):
        form.community_id.choices = options(
            sa.select(Community).order_by(Community.code), lambda c: f"{c.street.name} · {c.name}"
        )
    estates = sa.select(Estate).order_by(Estate.name)
    grids = sa.select(Grid).order_by(Grid.code)
    branches = sa.select(Body).where(Body.kind == BodyKind.PARTY_BRANCH).order_by(Body.name)
    if community_id is not None:
        estates = estates.where(Estate.community_id == community_id)
        grids = grids.where(Grid.community_id == community_id)
        branches = branches.where(Body.community_id == community_id)
    if hasattr(form, "estate_id"):
        form.estate_id.choices = options(
            estates, lambda e: f"{e.community.name} · {e.name}"
        )
    if hasattr(form, "grid_id"):
        form.grid_id.choices = options(grids, lambda g: f"{g.name} ({g.code})")
    if hasattr(form, "party_branch_id"):
        form.party_branch_id.choices = options(branches)
    if hasattr(form, "worker_id"):
        for name, roles in GRID_PEOPLE_ROLES.items():
            getattr(form, name).choices = options(
                sa.select(Account).where(Account.role.in_(roles)).order_by(Account.name),
                lambda a: f"{a.name} ({a.username})",
            )


def _community_of(kind: str, form, obj) -> int | None:
    if kind in ("grids", "bodies", "estates"):
        return form.community_id.data
    if kind == "buildings":
        estate = db.session.get(Estate, form.estate_id.data) if form.estate_id.data else None
        return estate.community_id if estate else None
    return None


def _detail_url(kind: str, obj) -> str:
    if kind == "bodies":
        return url_for(".community", community_id=obj.community_id)
    singular = {"streets": "street", "communities": "community", "estates": "estate",
                "buildings": "building", "grids": "grid"}[kind]
    return url_for(f".{singular}", **{f"{singular}_id": obj.id})


def _edit(kind: str, obj):
    if kind not in KINDS:
        abort(404)
    form = FORMS[kind](obj=obj)
    parent = PARENT_FIELD[kind]
    if obj is None and parent and request.method == "GET":
        getattr(form, parent).data = request.args.get("parent", type=int)
    _fill_choices(form, kind, _community_of(kind, form, obj))
    saved = []

    def save():
        data = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        saved.append(save_place(kind, obj, data))

    if submit(form, save, _("Saved.")):
        return see_other(_detail_url(kind, saved[0]))
    status = 422 if request.method == "POST" else 200
    back = _detail_url(kind, obj) if obj is not None else url_for(".index")
    return render("places/edit.html", block="content", status=status,
                  form=form, kind=kind, obj=obj, back=back)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new(kind: str):
    return _edit(kind, None)


@bp.route("/<kind>/<int:obj_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(kind: str, obj_id: int):
    if kind not in KINDS:
        abort(404)
    return _edit(kind, db.get_or_404(KINDS[kind], obj_id))
