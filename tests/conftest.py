"""Fixtures: app, client, a sign-in helper and factories (``make_grid(**overrides)``).

The database is SQLite (a file in a temporary folder) unless TEST_DATABASE_URL names another,
e.g. the PostgreSQL server that scripts/test starts. The schema is built once per run by the
migrations (so they are tested too) and emptied after every test.
"""
from __future__ import annotations

import itertools
import os

import pytest
import sqlalchemy as sa

from neighborhood import create_app
from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db, limiter
from neighborhood.places.models import (
    Body,
    BodyKind,
    Building,
    Community,
    Estate,
    EstateKind,
    Grid,
    GridKind,
    Street,
)

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("instance"))


def _config(database_url, instance_path, **overrides):
    os.environ["NEIGHBORHOOD_INSTANCE"] = instance_path
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "DASHBOARD_CACHE_SECONDS": 0,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url, instance_path):
    """Build the schema once, from empty, with the migrations."""
    from flask_migrate import downgrade, upgrade

    app = create_app(_config(database_url, instance_path))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.session.remove()
    yield
    with app.app_context():
        downgrade(revision="base")
    _dispose(app)


def _dispose(app):
    """Close the app's pooled connections (PostgreSQL warns about connections left open)."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _empty_tables():
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app_factory(_schema, database_url, instance_path):
    """Make an app with extra settings, e.g. ``app_factory(WTF_CSRF_ENABLED=True)``."""
    made = []

    def make(**overrides):
        app = create_app(_config(database_url, instance_path, **overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        _dispose(app)
    if made:
        cleaner = create_app(_config(database_url, instance_path))
        with cleaner.app_context():
            _empty_tables()
        _dispose(cleaner)
        limiter.reset()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def as_(self, account):
        response = self.login(account.username)
        assert response.status_code == 303, response.data[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


_seq = itertools.count(1)


def _n():
    return next(_seq)


@pytest.fixture
def make_street(app):
    def make(**kw):
        n = _n()
        street = Street(name=kw.pop("name", f"街道{n}"), code=kw.pop("code", f"599{n % 1000000:06d}"), **kw)
        db.session.add(street)
        db.session.commit()
        return street
    return make


@pytest.fixture
def make_community(app, make_street):
    def make(**kw):
        street = kw.pop("street", None) or make_street()
        n = _n()
        community = Community(street=street, name=kw.pop("name", f"社区{n}"),
                              code=kw.pop("code", f"{street.code}{n % 1000:03d}"), **kw)
        db.session.add(community)
        db.session.commit()
        return community
    return make


@pytest.fixture
def make_estate(app, make_community):
    def make(**kw):
        community = kw.pop("community", None) or make_community()
        estate = Estate(community=community, name=kw.pop("name", f"小区{_n()}"),
                        kind=kw.pop("kind", EstateKind.PROPERTY), **kw)
        db.session.add(estate)
        db.session.commit()
        return estate
    return make


@pytest.fixture
def make_account(app):
    def make(role=Role.FACILITATOR, password=PASSWORD, **kw):
        n = _n()
        account = Account(username=kw.pop("username", f"user{n}"), name=kw.pop("name", f"用户{n}"),
                          role=role, **kw)
        if password:
            account.set_password(password)
        db.session.add(account)
        db.session.commit()
        return account
    return make


@pytest.fixture
def make_grid(app, make_estate):
    def make(**kw):
        estate = kw.pop("estate", None)
        if estate is None and "community" not in kw:
            estate = make_estate()
        community = kw.pop("community", None) or estate.community
        n = _n()
        grid = Grid(community=community, estate=estate, name=kw.pop("name", f"第{n}网格"),
                    code=kw.pop("code", f"{community.code}{n % 1000:03d}"),
                    kind=kw.pop("kind", GridKind.RESIDENTIAL), **kw)
        db.session.add(grid)
        db.session.commit()
        return grid
    return make


@pytest.fixture
def make_building(app, make_estate):
    def make(**kw):
        estate = kw.pop("estate", None) or make_estate()
        n = _n()
        building = Building(estate=estate, name=kw.pop("name", f"{n}栋"),
                            code=kw.pop("code", f"{n % 100000:05d}"), **kw)
        db.session.add(building)
        db.session.commit()
        return building
    return make


@pytest.fixture
def make_body(app, make_estate):
    def make(**kw):
        estate = kw.pop("estate", None) or make_estate()
        body = Body(community=kw.pop("community", None) or estate.community, estate=estate,
                    kind=kw.pop("kind", BodyKind.PROPERTY), name=kw.pop("name", f"物业{_n()}"), **kw)
        db.session.add(body)
        db.session.commit()
        return body
    return make


@pytest.fixture
def demo(app):
    """The Dingshan demo data, as ``flask seed-demo`` loads it."""
    from neighborhood.demo import seed_demo

    seed_demo()
    db.session.commit()
    return app
