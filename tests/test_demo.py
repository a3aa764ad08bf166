import sqlalchemy as sa

from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db
from neighborhood.places.models import Body, BodyKind, Building, Community, Estate, Grid, GridKind, Street
from tests.helpers import count


def _sum(column, *where):
    return db.session.scalar(sa.select(sa.func.sum(column)).where(*where))


def test_seed_demo_loads_the_figures_of_the_article(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for role_user in ("admin", "tangxiaomin", "zhangxu", "hetinghai", "wuye"):
        assert role_user in result.output
    assert "dingshan2022" in result.output

    xxl = db.session.scalar(sa.select(Estate).filter_by(name="西西里小区"))
    assert xxl.households == 1490
    assert len(xxl.buildings) == 16
    assert _sum(Building.households, Building.estate_id == xxl.id) == 1490
    residential = [g for g in xxl.grids if g.kind is GridKind.RESIDENTIAL]
    assert len(residential) == 7
    assert all(g.worker is not None for g in residential)
    assert {g.head.name for g in residential} == {"何廷海", "张旭"}
    assert {g.deputy.name for g in residential} == {"王建华"}
    assert {b.kind for b in xxl.bodies} == set(BodyKind)

    shops = db.session.scalars(sa.select(Grid).where(Grid.kind == GridKind.SHOPS)).all()
    assert len(shops) == 5 and sum(g.units for g in shops) == 154
    assert all(g.units <= 31 for g in shops)

    aiping = db.session.scalar(sa.select(Community).filter_by(name="艾坪社区"))
    assert len(aiping.grids) == 20
    assert _sum(Grid.households, Grid.community_id == aiping.id) == 4302
    branches = [b for b in aiping.bodies if b.kind is BodyKind.PARTY_BRANCH]
    assert len(branches) == 5

    assert {a.role for a in db.session.scalars(sa.select(Account).where(Account.password_hash.is_not(None)))} == set(Role)


def test_seed_demo_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    before = {m: count(m) for m in (Street, Community, Estate, Building, Grid, Body, Account)}
    tokens = set(db.session.scalars(sa.select(Building.qr_token)))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert {m: count(m) for m in before} == before
    assert set(db.session.scalars(sa.select(Building.qr_token))) == tokens
