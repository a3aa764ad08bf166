import pytest

from neighborhood import create_app
from neighborhood.access import public
from neighborhood.extensions import db


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_every_view_declares_who_may_use_it(app):
    for endpoint, view in app.view_functions.items():
        assert getattr(view, "access", None) is not None, endpoint


def test_an_undeclared_view_stops_the_app():
    from flask import Flask

    from neighborhood.access import check_declared

    bare = Flask(__name__)

    @bare.route("/declared")
    @public
    def declared():  # pragma: no cover - never served
        return "x"

    check_declared(bare)

    @bare.route("/undeclared")
    def undeclared():  # pragma: no cover - never served
        return "x"

    with pytest.raises(RuntimeError, match="undeclared"):
        check_declared(bare)


def test_database_url_comes_from_environment(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/from-env.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NEIGHBORHOOD_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "t"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_default_database_is_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("NEIGHBORHOOD_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "t"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/neighborhood.sqlite3"


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("NEIGHBORHOOD_INSTANCE", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_migrations_match_the_models(app):
    """`flask db check`: the migrations build exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
