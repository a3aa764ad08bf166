
from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db
from tests.conftest import PASSWORD


def test_sign_in_and_out(client, auth, make_account):
    account = make_account(role=Role.FACILITATOR, name="何廷海")
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    response = auth.login(account.username)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "何廷海" in client.get("/").get_data(as_text=True)
    assert db.session.get(Account, account.id).last_login_at is not None

    assert auth.logout().status_code == 303
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_422(client, auth, make_account):
    account = make_account()
    response = auth.login(account.username, "not the password")
    assert response.status_code == 422
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(auth, make_account):
    make_account(username="HeTingHai")
    assert auth.login("hetinghai").status_code == 303


def test_disabled_account_and_account_without_password_cannot_sign_in(auth, make_account):
    disabled = make_account(active=False)
    no_password = make_account(password=None)
    assert auth.login(disabled.username).status_code == 422
    assert auth.login(no_password.username, "").status_code == 422
    assert auth.login(no_password.username, "anything").status_code == 422


def test_password_is_stored_with_a_slow_hash(app_factory):
    app = app_factory(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        account = Account(username="x", name="x", role=Role.ADMIN)
        account.set_password("secret-password")
        assert account.password_hash.startswith("scrypt:")
        assert "secret-password" not in account.password_hash
        assert account.check_password("secret-password")
        assert not account.check_password("secret-passwor")


def test_next_only_leads_within_the_site(client, make_account):
    account = make_account()
    data = {"username": account.username, "password": PASSWORD}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/places/", data=data)
    assert response.headers["Location"] == "/places/"


def test_login_attempts_are_rate_limited(app_factory, make_account):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        username = make_account().username
    client = app.test_client()
    codes = [client.post("/login", data={"username": username, "password": "wrong"}).status_code
             for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    # Even the right password waits now.
    right = client.post("/login", data={"username": username, "password": PASSWORD})
    assert right.status_code == 429


def test_csrf_is_required_on_every_post(app_factory, make_account):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        username = make_account(role=Role.ADMIN).username
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 400
    # With the token from the form (or the X-CSRFToken header htmx sends) it passes.
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 400
    response = client.post("/language", data={"lang": "en"}, headers={"X-CSRFToken": token})
    assert response.status_code == 303


def test_session_cookie_flags(app_factory, make_account, monkeypatch):
    monkeypatch.setenv("NEIGHBORHOOD_HTTPS", "1")
    app = app_factory()
    with app.app_context():
        username = make_account().username
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_change_own_password(client, auth, make_account):
    account = make_account()
    auth.as_(account)
    response = client.post("/me/password", data={"current": "wrong", "password": "new-password-1"})
    assert response.status_code == 422
    response = client.post("/me/password", data={"current": PASSWORD, "password": "short"})
    assert response.status_code == 422
    response = client.post("/me/password", data={"current": PASSWORD, "password": "new-password-1"})
    assert response.status_code == 303
    auth.logout()
    assert auth.login(account.username).status_code == 422
    assert auth.login(account.username, "new-password-1").status_code == 303


def test_htmx_login_error_is_a_fragment_with_vary(client, make_account):
    account = make_account()
    response = client.post("/login", data={"username": account.username, "password": "x"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="login"' in html
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/login")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers["Vary"]


def test_htmx_login_success_redirects_the_browser(client, make_account):
    account = make_account()
    response = client.post("/login", data={"username": account.username, "password": PASSWORD},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"
