import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.places.models import Body, BodyKind, Building, Community, Estate, EstateKind, Grid, Street
from tests.helpers import count, text_of


@pytest.fixture
def admin(client, auth, make_account):
    account = make_account(role=Role.ADMIN)
    auth.as_(account)
    return account


def test_admin_builds_the_hierarchy_through_the_forms(client, admin, make_account):
    worker = make_account(role=Role.FACILITATOR, name="刘芳")
    response = client.post("/places/streets/new", data={"name": "鼎山街道", "code": "500116001"})
    assert response.status_code == 303
    street = db.session.scalar(sa.select(Street))
    response = client.post("/places/communities/new",
                           data={"street_id": street.id, "name": "江州社区", "code": "500116001001"})
    assert response.status_code == 303
    community = db.session.scalar(sa.select(Community))
    client.post("/places/estates/new", data={"community_id": community.id, "name": "西西里小区",
                                             "kind": "property", "households": "1490"})
    estate = db.session.scalar(sa.select(Estate))
    assert estate.kind is EstateKind.PROPERTY and estate.households == 1490
    client.post("/places/bodies/new", data={"community_id": community.id, "estate_id": estate.id,
                                            "kind": "property", "name": "西西里物业"})
    response = client.post("/places/grids/new", data={
        "community_id": community.id, "estate_id": estate.id, "name": "第1网格",
        "code": "500116001001001", "kind": "residential", "households": "188",
        "worker_id": worker.id})
    assert response.status_code == 303
    grid = db.session.scalar(sa.select(Grid))
    assert response.headers["Location"] == f"/places/grids/{grid.id}"
    response = client.post("/places/buildings/new", data={
        "estate_id": estate.id, "name": "1栋", "code": "00001", "households": "94",
        "grid_id": grid.id, "police_station": "鼎山派出所", "police_officer": "李警官"})
    assert response.status_code == 303
    building = db.session.scalar(sa.select(Building))
    assert building.grid_id == grid.id and len(building.qr_token) >= 16

    page = text_of(client.get(f"/places/grids/{grid.id}"))
    assert "第1网格" in page and "刘芳" in page and "1栋" in page
    page = text_of(client.get(f"/places/estates/{estate.id}"))
    assert "西西里物业" in page and "1栋" in page


def test_admin_edits_a_place(client, admin, make_estate):
    estate = make_estate(name="旧名")
    response = client.post(f"/places/estates/{estate.id}/edit", data={
        "community_id": estate.community_id, "name": "西西里小区", "kind": "self_governed"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Estate, estate.id).name == "西西里小区"
    assert db.session.get(Estate, estate.id).kind is EstateKind.SELF_GOVERNED


@pytest.mark.parametrize("data, field", [
    ({"name": "", "code": "500116001"}, "name"),
    ({"name": "x" * 61, "code": "500116001"}, "name"),
    ({"name": "鼎山街道", "code": "5001"}, "code"),
    ({"name": "鼎山街道", "code": "abcdefghi"}, "code"),
])
def test_invalid_street_is_refused_and_nothing_stored(client, admin, data, field):
    response = client.post("/places/streets/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert count(Street) == 0


def test_duplicate_code_is_refused(client, admin, make_street):
    make_street(code="500116001")
    response = client.post("/places/streets/new", data={"name": "另一个", "code": "500116001"})
    assert response.status_code == 422 and 'id="code-error"' in response.get_data(as_text=True)
    assert count(Street) == 1


def test_self_governed_estate_has_no_property_company(client, admin, make_estate):
    estate = make_estate(kind=EstateKind.SELF_GOVERNED)
    response = client.post("/places/bodies/new", data={
        "community_id": estate.community_id, "estate_id": estate.id, "kind": "property",
        "name": "某物业"})
    assert response.status_code == 422
    assert 'id="kind-error"' in response.get_data(as_text=True)
    assert count(Body) == 0
    response = client.post("/places/bodies/new", data={
        "community_id": estate.community_id, "estate_id": estate.id, "kind": "owners_committee",
        "name": "业委会"})
    assert response.status_code == 303


def test_estate_with_a_property_company_cannot_become_self_governed(client, admin, make_body):
    body = make_body(kind=BodyKind.PROPERTY)
    estate = body.estate
    response = client.post(f"/places/estates/{estate.id}/edit", data={
        "community_id": estate.community_id, "name": estate.name, "kind": "self_governed"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Estate, estate.id).kind is EstateKind.PROPERTY


def test_grid_rules(client, admin, make_estate, make_community, make_account):
    estate = make_estate()
    elsewhere = make_community()
    base = {"community_id": estate.community_id, "name": "第1网格", "kind": "residential",
            "code": estate.community.code + "001"}
    # The code starts with the community's code.
    assert client.post("/places/grids/new", data={**base, "code": "500116999999001"}).status_code == 422
    # The estate lies in the grid's community.
    other_estate = make_estate(community=elsewhere)
    assert client.post("/places/grids/new", data={**base, "estate_id": other_estate.id}).status_code == 422
    # The grid worker is a facilitator, not a property manager.
    manager = make_account(role=Role.BODY)
    response = client.post("/places/grids/new", data={**base, "worker_id": manager.id})
    assert response.status_code == 422 and 'id="worker_id-error"' in response.get_data(as_text=True)
    # A choice that does not exist.
    assert client.post("/places/grids/new", data={**base, "head_id": 99999}).status_code == 422
    assert count(Grid) == 0


def test_unknown_kind_is_404(client, admin):
    assert client.get("/places/planets/new").status_code == 404
    assert client.get("/places/grids/999/edit").status_code == 404


def test_new_form_preselects_the_parent(client, admin, make_community):
    community = make_community()
    html = client.get(f"/places/estates/new?parent={community.id}").get_data(as_text=True)
    assert f'<option selected value="{community.id}">' in html


def test_htmx_invalid_form_returns_the_form_block(client, admin):
    response = client.post("/places/streets/new", data={"name": "", "code": "1"},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and 'id="place-form"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_success_redirects(client, admin):
    response = client.post("/places/streets/new", data={"name": "鼎山街道", "code": "500116001"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/places/streets/")


def test_user_text_is_escaped(client, admin, make_street):
    street = make_street(name='<script>alert("x")</script>')
    html = client.get(f"/places/streets/{street.id}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_demo_hierarchy_pages(demo, client, auth):
    auth.login("admin", "dingshan2022")
    street = db.session.scalar(sa.select(Street).filter_by(name="鼎山街道"))
    page = text_of(client.get(f"/places/streets/{street.id}"))
    assert "江州社区" in page and "艾坪社区" in page
    jiangzhou = db.session.scalar(sa.select(Community).filter_by(name="江州社区"))
    page = text_of(client.get(f"/places/communities/{jiangzhou.id}"))
    assert "西西里小区" in page and "西西里小区第7网格" in page and "西西里·沁园春商铺第5网格" in page
    estate = db.session.scalar(sa.select(Estate).filter_by(name="西西里小区"))
    page = text_of(client.get(f"/places/estates/{estate.id}"))
    assert "16栋" in page and "西西里小区网格党支部" in page and "1490" in page
