from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import scope
from ..access import allow, public, signed_in
from ..accounts.models import Role
from ..extensions import db
from ..navigation import safe_next
from ..rendering import render, see_other
from ..timezone import local_today
from ..workdays import CalendarDay, is_working_day
from . import bp
from .forms import CalendarDayForm


@bp.route("/")
@signed_in
def index():
    grids = db.session.scalars(scope.visible_grids(current_user).limit(50)).all()
    stats = None
    if current_user.role in (Role.ADMIN, Role.STREET, Role.COMMUNITY):
        from datetime import datetime, timezone

        from .dashboard import figures

        since = datetime.now(timezone.utc) - dt.timedelta(days=DASHBOARD_DAYS)
        stats = figures(current_user, since)
    return render("core/index.html", grids=grids, stats=stats, days=DASHBOARD_DAYS)


DASHBOARD_DAYS = 90


@bp.route("/language", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return see_other(safe_next(request.form.get("next")))


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001  (any failure means the database is not reachable)
        current_app.logger.warning("health check: database unreachable: %s", error)
        db.session.rollback()
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status


@bp.route("/calendar", methods=["GET", "POST"])
@allow(Role.ADMIN)
def calendar():
    """Working-day corrections: the State Council publishes next year's holidays in November or
    December; until the holidays package knows them, an administrator adds or corrects days."""
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = db.session.get(CalendarDay, form.day.data) or CalendarDay(day=form.day.data)
        day.is_working = form.kind.data == "working"
        day.note = (form.note.data or "").strip()
        db.session.add(day)
        db.session.commit()
        flash(_("Saved."), "success")
        return see_other(url_for(".calendar"))
    today = local_today()
    corrections = db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.day >= today - dt.timedelta(days=31))
        .order_by(CalendarDay.day).limit(200)).all()
    upcoming = [(today + dt.timedelta(days=i)) for i in range(0, 21)]
    status = 422 if request.method == "POST" else 200
    return render("core/calendar.html", status=status, form=form, corrections=corrections,
                  upcoming=[(d, is_working_day(d)) for d in upcoming])


@bp.route("/calendar/<day>/delete", methods=["POST"])
@allow(Role.ADMIN)
def calendar_delete(day: str):
    try:
        found = db.session.get(CalendarDay, dt.date.fromisoformat(day))
    except ValueError:
        found = None
    if found is None:
        abort(404)
    db.session.delete(found)
    db.session.commit()
    flash(_("Removed. The package's calendar applies to that day again."), "success")
    return see_other(url_for(".calendar"))
