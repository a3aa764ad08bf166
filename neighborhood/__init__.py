"""网格邻里会: grid neighbourhood meetings."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("NEIGHBORHOOD_INSTANCE", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .config import defaults

    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    from . import (
        accounts,
        cli,
        core,
        errors,
        escalations,
        i18n,
        items,
        meetings,
        minutes,
        notifications,
        places,
        public,
        tasks,
    )
    from .extensions import csrf, db, htmx, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    from .pdf import css_string, page_counter_css

    app.jinja_env.filters.update(css_string=css_string, page_counter_css=page_counter_css)
    accounts.init_app(app)

    app.register_blueprint(core.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(places.bp)
    app.register_blueprint(items.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(minutes.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(escalations.bp)
    app.register_blueprint(notifications.bp)
    errors.init_app(app)
    cli.init_app(app)

    from .access import check_declared, enforce

    check_declared(app)
    app.before_request(enforce)
    from .notifications.services import deliver_pending_mail

    app.after_request(deliver_pending_mail)
    return app
