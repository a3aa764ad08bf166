from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..access import allow, public, signed_in
from ..extensions import db, limiter
from ..forms import options, submit
from ..navigation import safe_next
from ..places.models import Body, Community, Street
from ..rendering import render, see_other
from . import bp
from .forms import AccountForm, LoginForm, PasswordForm
from .models import Account, Role
from .services import change_own_password, save_account, search_accounts


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        account = db.session.scalar(
            sa.select(Account).where(
                sa.func.lower(Account.username) == form.username.data.strip().lower()
            )
        )
        if account is not None and account.active and account.check_password(form.password.data):
            login_user(account, remember=form.remember.data)
            account.last_login_at = datetime.now(timezone.utc)
            db.session.commit()
            return see_other(safe_next(request.args.get("next")))
        form.form_errors.append(_("Wrong username or password."))
    status = 422 if request.method == "POST" else 200
    return render("accounts/login.html", block="content", status=status, form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return see_other(url_for("accounts.login"))


@bp.route("/me/password", methods=["GET", "POST"])
@signed_in
def my_password():
    form = PasswordForm()
    if submit(form, lambda: change_own_password(current_user, form.current.data, form.password.data),
              _("Your password is changed.")):
        return see_other(url_for("core.index"))
    status = 422 if request.method == "POST" else 200
    return render("accounts/password.html", block="content", status=status, form=form)


@bp.route("/accounts/")
@allow(Role.ADMIN)
def index():
    q = request.args.get("q", "").strip()[:40]
    role = request.args.get("role") or None
    page = db.paginate(
        search_accounts(q, role), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render(
        "accounts/index.html", block="results", page=page, q=q, role=role, roles=list(Role)
    )


def _fill_choices(form: AccountForm) -> None:
    form.street_id.choices = options(sa.select(Street).order_by(Street.code))
    form.community_id.choices = options(
        sa.select(Community).order_by(Community.code), lambda c: f"{c.street.name} · {c.name}"
    )
    form.body_id.choices = options(
        sa.select(Body).order_by(Body.community_id, Body.name),
        lambda b: f"{b.community.name} · {b.name}",
    )


def _edit(account: Account | None):
    form = AccountForm(obj=account)
    _fill_choices(form)
    saved = []

    def save():
        saved.append(save_account(
            account, username=form.username.data, name=form.name.data, phone=form.phone.data,
            email=form.email.data or "", role=form.role.data, street_id=form.street_id.data,
            community_id=form.community_id.data, body_id=form.body_id.data,
            active=form.active.data, password=form.password.data))

    if submit(form, save):
        flash(_("Account %(name)s saved.", name=saved[0].name), "success")
        return see_other(url_for("accounts.index"))
    status = 422 if request.method == "POST" else 200
    return render("accounts/edit.html", block="content", status=status, form=form, account=account)


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new():
    return _edit(None)


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(account_id: int):
    return _edit(db.get_or_404(Account, account_id))
