import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db
from tests.helpers import count, text_of


@pytest.fixture
def admin(client, auth, make_account):
    account = make_account(role=Role.ADMIN, username="root")
    auth.as_(account)
    return account


def _form(**overrides):
    data = {"username": "zhouli", "name": "周丽", "phone": "023-47520088", "role": "body",
            "street_id": "", "community_id": "", "body_id": "", "active": "y",
            "password": "a-good-password"}
    data.update(overrides)
    return data


def test_admin_creates_a_property_manager_who_can_sign_in(client, admin, make_body, auth):
    body = make_body(name="西西里小区物业服务中心")
    response = client.post("/accounts/new", data=_form(body_id=body.id))
    assert response.status_code == 303
    account = db.session.scalar(sa.select(Account).filter_by(username="zhouli"))
    assert account.role is Role.BODY and account.body_id == body.id
    auth.logout()
    assert auth.login("zhouli", "a-good-password").status_code == 303
    assert "西西里小区物业服务中心" in text_of(client.get("/"))


@pytest.mark.parametrize("overrides, field", [
    ({"body_id": ""}, "body_id"),                      # a body member needs a body
    ({"role": "street"}, "street_id"),                 # street staff need a street
    ({"role": "community"}, "community_id"),           # community staff need a community
    ({"username": "has space"}, "username"),
    ({"username": ""}, "username"),
    ({"password": "short"}, "password"),
    ({"phone": "call me"}, "phone"),
    ({"role": "emperor"}, "role"),
    ({"body_id": "99999"}, "body_id"),
])
def test_invalid_account_is_refused(client, admin, overrides, field):
    before = count(Account)
    response = client.post("/accounts/new", data=_form(**overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Account) == before


def test_username_must_be_unique_ignoring_case(client, admin):
    response = client.post("/accounts/new", data=_form(username="ROOT", role="admin"))
    assert response.status_code == 422 and 'id="username-error"' in response.get_data(as_text=True)


def test_scope_fields_of_other_roles_are_cleared(client, admin, make_body, make_street):
    body, street = make_body(), make_street()
    client.post("/accounts/new", data=_form(role="street", street_id=street.id, body_id=body.id))
    account = db.session.scalar(sa.select(Account).filter_by(username="zhouli"))
    assert account.street_id == street.id and account.body_id is None


def test_edit_keeps_password_when_left_empty_and_can_disable(client, admin, make_account, auth):
    account = make_account(role=Role.ADMIN, username="second")
    response = client.post(f"/accounts/{account.id}/edit",
                           data=_form(username="second", role="admin", password="", active=""))
    assert response.status_code == 303
    db.session.expire_all()
    account = db.session.get(Account, account.id)
    assert account.check_password("correct horse battery") and not account.active
    auth.logout()
    assert auth.login("second").status_code == 422


def test_account_list_searches_and_paginates(client, admin, make_account, app):
    for n in range(30):
        make_account(name=f"网格员{n:02d}", username=f"gw{n:02d}")
    page = text_of(client.get("/accounts/"))
    assert "31" in page  # total shown in the caption
    assert "gw00" in page and "gw29" not in page  # 25 a page
    page2 = text_of(client.get("/accounts/?page=2"))
    assert "gw29" in page2
    found = client.get("/accounts/?q=网格员07", headers={"HX-Request": "true"})
    html = found.get_data(as_text=True)
    assert "<html" not in html and "gw07" in html and "gw08" not in html
    assert "HX-Request" in found.headers["Vary"]
    assert "gw05" not in text_of(client.get("/accounts/?role=admin"))
