from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, request, session
from flask_login import current_user

from .. import scope
from ..access import public, signed_in
from ..extensions import db
from ..navigation import safe_next
from ..rendering import render, see_other
from . import bp


@bp.route("/")
@signed_in
def index():
    grids = db.session.scalars(scope.visible_grids(current_user).limit(50)).all()
    return render("core/index.html", grids=grids)


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
