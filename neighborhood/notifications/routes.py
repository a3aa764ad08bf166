from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_login import current_user

from ..access import signed_in
from ..extensions import db
from ..navigation import safe_next
from ..rendering import render, see_other
from . import bp
from .models import Notification
from .services import mark_read


@bp.route("/notifications")
@signed_in
def index():
    query = (sa.select(Notification).where(Notification.account_id == current_user.id)
             .order_by(Notification.id.desc()))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render("notifications/index.html", page=page)


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def read():
    note_id = request.form.get("id", type=int)
    mark_read(current_user, note_id)
    db.session.commit()
    target = request.form.get("next")
    return see_other(safe_next(target) if target else url_for(".index"))
