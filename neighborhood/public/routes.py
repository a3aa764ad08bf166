from __future__ import annotations

import random
import time

import sqlalchemy as sa
from flask import abort, current_app, request, send_file, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..access import public
from ..errors import DomainError
from ..extensions import db, limiter
from ..items.models import Item, Source, State
from ..items.services import create_item
from ..minutes.models import MinutesState, MinutesVersion
from ..minutes.services import (
    public_content,
    published_for_grid,
    render_minutes_pdf,
    resident_names,
    storage_dir,
    versions_of,
)
from ..places.models import Building, Grid
from ..privacy import scrub
from ..rendering import render
from . import bp
from .forms import ReceiptForm, ReportForm

# Steps a resident may see in a receipt lookup: what happened and when, not who said what.
OPEN_ITEMS_LIMIT = 50
CHALLENGE_MIN_SECONDS = 3
CHALLENGE_MAX_SECONDS = 3600


def _building(token: str) -> Building:
    building = db.session.scalar(sa.select(Building).where(Building.qr_token == token))
    if building is None:
        abort(404)
    return building


def _open_public_items(building: Building) -> list[Item]:
    """Open, public, triaged items of the building's estate (its grids) and of its own grid,
    soonest due first. One IN over a few grid ids: the (grid_id, state) index answers it."""
    grid_ids = set(db.session.scalars(sa.select(Grid.id).where(Grid.estate_id == building.estate_id)))
    if building.grid_id is not None:
        grid_ids.add(building.grid_id)
    if not grid_ids:
        return []
    open_states = [s for s in State if s.is_open and s is not State.NEW]
    query = (sa.select(Item)
             .where(Item.grid_id.in_(grid_ids), Item.state.in_(open_states), Item.is_public)
             .order_by(Item.due_date.is_(None), Item.due_date, Item.id.desc())
             .limit(OPEN_ITEMS_LIMIT))
    return db.session.scalars(query).all()


@bp.route("/b/<token>")
@public
def building(token: str):
    building = _building(token)
    grid = building.grid
    latest = content = page = None
    names: list[str] = []
    if grid is not None:
        page = db.paginate(published_for_grid(grid.id), per_page=10, error_out=False)
        latest = page.items[0] if page.items and page.page == 1 else None
        content = public_content(latest) if latest else None
        names = resident_names(grid.id)
    items = _open_public_items(building)
    return render("public/building.html", block="past", building=building, grid=grid,
                  latest=latest, c=content, page=page, items=items,
                  scrub=lambda text: scrub(text, names))


def _published(version_id: int) -> MinutesVersion:
    version = db.get_or_404(MinutesVersion, version_id)
    if version.state is not MinutesState.PUBLISHED:
        abort(404)
    return version


@bp.route("/m/<int:version_id>")
@public
def minutes(version_id: int):
    version = _published(version_id)
    others = [v for v in versions_of(version.meeting) if v.is_published]
    return render("public/minutes.html", version=version, c=public_content(version), versions=others)


def _stored_pdf(version: MinutesVersion, notice: bool):
    attr = "notice_file" if notice else "pdf_file"
    name = getattr(version, attr)
    path = storage_dir() / name if name else None
    if path is None or not path.exists():  # storage lost: render once more and keep it
        name = f"meeting{version.meeting_id}-v{version.number}{'-notice' if notice else ''}.pdf"
        path = storage_dir() / name
        path.write_bytes(render_minutes_pdf(version, notice=notice))
        setattr(version, attr, name)
        db.session.commit()
    download = f"{version.content['grid']}-{version.content['date']}-v{version.number}"
    download += f"-{_('notice-board')}.pdf" if notice else ".pdf"
    return send_file(path, mimetype="application/pdf", download_name=download, max_age=3600)


@bp.route("/m/<int:version_id>.pdf")
@public
def minutes_pdf(version_id: int):
    return _stored_pdf(_published(version_id), notice=False)


@bp.route("/m/<int:version_id>/notice.pdf")
@public
def notice_pdf(version_id: int):
    return _stored_pdf(_published(version_id), notice=True)


@bp.route("/receipt")
@public
@limiter.limit("30 per minute")
def receipt():
    form = ReceiptForm(request.args)
    item = None
    status = 200
    if request.args.get("code") is not None:
        if form.validate():
            item = db.session.scalar(
                sa.select(Item).where(Item.receipt_code == form.code.data.strip().upper()))
            if item is None:
                form.code.errors = [_("No concern has this receipt code. Check the letters.")]
                status = 404
        else:
            status = 422
    names = resident_names(item.grid_id) if item else []
    return render("public/receipt.html", block="result", status=status, form=form, item=item,
                  scrub=lambda text: scrub(text, names))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="report-challenge")


def _new_challenge(form: ReportForm) -> tuple[int, int]:
    a, b = random.randint(1, 9), random.randint(1, 9)
    form.challenge.data = _serializer().dumps({"a": a, "b": b, "t": time.time()})
    return a, b


def _check_challenge(form: ReportForm) -> bool:
    try:
        data = _serializer().loads(form.challenge.data or "", max_age=CHALLENGE_MAX_SECONDS)
    except BadSignature:
        return False
    quick = time.time() - data["t"] < current_app.config.get("REPORT_MIN_SECONDS",
                                                             CHALLENGE_MIN_SECONDS)
    return not quick and form.answer.data == data["a"] + data["b"] and not form.website.data


def _report_limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", "5 per hour")


@bp.route("/b/<token>/report", methods=["GET", "POST"])
@public
@limiter.limit(_report_limit, methods=["POST"])
def report(token: str):
    building = _building(token)
    if building.grid is None:
        abort(404)
    form = ReportForm()
    created = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate() and _check_challenge(form):
            try:
                created = create_item(
                    building.grid, None, title=form.title.data, description=form.description.data or "",
                    building_id=building.id, unit=form.unit.data or "", category="other",
                    source=Source.QR.value, reporter_contact=form.contact.data or "",
                    is_public=False)  # published only after the grid worker has triaged it
            except DomainError as error:
                db.session.rollback()
                error.attach_to(form)
            else:
                db.session.commit()
                status = 201
        elif not form.errors:
            form.answer.errors = [_("The check is not right. Try the new one.")]
    a, b = _new_challenge(form)
    form.answer.label.text = _("Check: what is %(a)s + %(b)s?", a=a, b=b)
    form.answer.data = None
    return render("public/report.html", block="content", status=status, form=form,
                  building=building, created=created,
                  receipt_url=url_for(".receipt", code=created.receipt_code) if created else None)
