"""Who may use which route, declared on each view and enforced in one place.

Every view carries one declaration: ``@public``, ``@signed_in`` or ``@allow(Role...)``.
``enforce`` runs before every request; ``check_declared`` refuses to start an app with an
undeclared view, so a new route cannot be forgotten.
Object scope (a facilitator's own grids, a body member's own body) is checked by ``require``
with the predicates of ``neighborhood.scope``.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user

from .extensions import login_manager

PUBLIC = "public"
SIGNED_IN = "signed_in"


def _declare(view, rule):
    view.access = rule
    return view


def public(view):
    return _declare(view, PUBLIC)


def signed_in(view):
    return _declare(view, SIGNED_IN)


def allow(*roles):
    if not roles:
        raise ValueError("allow() needs at least one role")
    return lambda view: _declare(view, frozenset(roles))


def access_rule(app: Flask, endpoint: str):
    return getattr(app.view_functions[endpoint], "access", None)


def enforce():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 through
        return None
    rule = access_rule(current_app, endpoint)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule == SIGNED_IN or current_user.role in rule:
        return None
    abort(403)


def require(condition: bool) -> None:
    """Refuse with 403 unless the signed-in account may touch this object."""
    if not condition:
        abort(403)


def check_declared(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "access", None) is None
    ]
    if undeclared:
        raise RuntimeError(f"views without an access declaration: {sorted(undeclared)}")
    # Static files are public.
    if "static" in app.view_functions:
        public(app.view_functions["static"])
