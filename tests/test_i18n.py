"""Translations: the Chinese catalogue is complete and compiled, and the pages speak Chinese.

The .mo files are built, not committed: before pytest, compile them with
``.venv/bin/flask --app wsgi translate compile``, or without loading the app
``.venv/bin/python -m neighborhood.translate compile`` (scripts/install runs the equivalent
``pybabel compile -d neighborhood/translations``). The tests below fail, saying so, when the
compiled catalogue is missing or older than the .po.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from neighborhood import translate
from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db
from neighborhood.places.models import Building, Community, Estate, Grid, Street
from tests.helpers import text_of

COMPILE = "flask --app wsgi translate compile"
PLACEHOLDER = re.compile(r"%\([^)]*\)[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    """A fresh extraction from the sources, as `translate update` makes it."""
    return translate.extract()


@pytest.fixture(scope="module")
def po_file():
    # Flask-Babel reads the folder that Babel names the locale: zh_CN → zh_Hans_CN.
    path = translate.TRANSLATIONS / str(Locale.parse("zh_CN")) / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue at {path}"
    return path


@pytest.fixture(scope="module")
def catalogue(po_file) -> Catalog:
    with po_file.open("rb") as fileobj:
        return read_po(fileobj)


def _ids(catalog):
    return {message.id if isinstance(message.id, str) else tuple(message.id): message
            for message in catalog if message.id}


def _plain(translations: dict) -> dict:
    return {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in translations.items()}


def _placeholders(texts) -> set[str]:
    texts = (texts,) if isinstance(texts, str) else texts
    return {p for text in texts if text for p in PLACEHOLDER.findall(text)}


# --- the catalogue ---------------------------------------------------------------------------

def test_extraction_reads_python_lazy_strings_templates_and_plurals(template):
    ids = _ids(template)
    for msgid in ("Property-managed estate",      # _l() in a model
                  "Wrong username or password.",  # _() in a view
                  "Sign in",                      # {{ _() }} in a template
                  "Edit street",                  # _() in a {% set %} outside any block
                  ("%(num)s account", "%(num)s accounts")):  # ngettext in a template
        assert msgid in ids, msgid
    files = {file for message in template for file, _line in message.locations}
    assert files and all(f.startswith(("neighborhood/", "templates/")) for f in files), files


def test_every_msgid_is_in_the_chinese_catalogue_translated_and_not_fuzzy(template, catalogue):
    translated = _ids(catalogue)
    missing, untranslated, fuzzy, placeholders = [], [], [], []
    for msgid, source in _ids(template).items():
        entry = translated.get(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, (list, tuple)) else (entry.string,)
        if entry.fuzzy:
            fuzzy.append(msgid)
        if not strings or not all(strings):
            untranslated.append(msgid)
        elif any(_placeholders(s) != _placeholders(source.id) for s in strings):
            placeholders.append((msgid, strings))
    fix = "run `flask --app wsgi translate update`, translate, then `translate check`"
    assert not missing, f"missing from the catalogue ({fix}): {missing}"
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not placeholders, f"placeholders differ from the msgid's: {placeholders}"


def test_catalogue_header(catalogue, po_file):
    assert not catalogue.fuzzy, "the header is marked fuzzy: pybabel compile would skip it"
    assert catalogue.num_plurals == 1
    assert "Plural-Forms: nplurals=1; plural=0;" in po_file.read_text(encoding="utf-8")
    plural = [m for m in catalogue if m.id and not isinstance(m.id, str)]
    assert plural and all(len(m.string) == 1 for m in plural)


def test_no_catalogue_sits_where_flask_babel_never_looks():
    assert translate.misplaced_catalogues() == []


def test_compiled_catalogue_is_present_and_current(po_file, catalogue):
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing: run `{COMPILE}` before pytest"
    assert mo_file.stat().st_mtime >= po_file.stat().st_mtime, (
        f"{mo_file.name} is older than {po_file.name}: run `{COMPILE}`")
    with mo_file.open("rb") as fileobj:
        compiled = read_mo(fileobj)
    expected = {msgid: m.string for msgid, m in _ids(catalogue).items() if not m.fuzzy}
    actual = {msgid: m.string for msgid, m in _ids(compiled).items()}
    assert _plain(actual) == _plain(expected), f"the .mo does not match the .po: run `{COMPILE}`"


def test_translate_check_command_passes(app):
    result = app.test_cli_runner().invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output
    assert "complete" in result.output


def test_translate_check_finds_what_is_wrong(template):
    catalog = Catalog(locale="zh_Hans_CN", fuzzy=False)
    for message in template:
        if message.id and message.id != "Sign in":
            catalog.add(message.id, message.id if isinstance(message.id, str) else [message.id[1]])
    catalog["Home"].string = ""
    catalog["Saved."].flags.add("fuzzy")
    catalog["Hello, %(name)s"].string = "您好"
    problems = translate.find_problems(template, catalog)
    assert [m.id for m in problems.missing] == ["Sign in"]
    assert [m.id for m in problems.untranslated] == ["Home"]
    assert [m.id for m in problems.fuzzy] == ["Saved."]
    assert [m.id for m, _t in problems.placeholders] == ["Hello, %(name)s"]
    assert problems


# --- the pages -------------------------------------------------------------------------------

def test_sign_in_page_is_chinese_by_default_and_english_on_request(app_factory):
    # Not the `client` fixture: its app context outlives the requests, and Flask-Babel keeps
    # the locale of the first request in `g` for as long as that context lives.
    client = app_factory().test_client()
    response = client.get("/login")
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)
    text = text_of(response)
    assert "登录" in text and "网格邻里会" in text and "用户名" in text
    assert "Sign in" not in text

    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 303
    response = client.get("/login")
    assert '<html lang="en">' in response.get_data(as_text=True)
    text = text_of(response)
    assert "Sign in" in text and "Grid neighbourhood meeting" in text and "Username" in text
    assert "登录" not in text

    client.post("/language", data={"lang": "zh_CN", "next": "/login"})
    assert "登录" in text_of(client.get("/login"))


# Latin text that may stay in a Chinese page: the language button (named in its own language)
# and the standard cited in the street-code hint.
ALLOWED_LATIN = {"English", "GB"}


def english_words(text: str, data: set[str]) -> list[str]:
    """Latin words in the visible text, once the data shown (usernames, tokens) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN})


@pytest.fixture
def admin_with_demo(client, auth, make_account, demo):
    admin = make_account(role=Role.ADMIN)
    auth.as_(admin)
    return admin


@pytest.mark.parametrize("url", ["/accounts/", "/places/"])
def test_admin_pages_show_no_english_in_chinese(client, admin_with_demo, url):
    response = client.get(url)
    assert response.status_code == 200
    text = text_of(response)
    for msgid in ("Accounts", "Places", "Sign out", "Home", "Grid neighbourhood meeting"):
        assert msgid not in text
    assert "账号管理" in text and "网格架构" in text and "退出" in text
    usernames = set(db.session.scalars(sa.select(Account.username)))
    assert english_words(text, usernames) == []


def test_every_admin_page_and_form_error_is_chinese(client, admin_with_demo):
    street = db.session.scalar(sa.select(Street))
    community = db.session.scalar(sa.select(Community))
    estate = db.session.scalar(sa.select(Estate))
    grid = db.session.scalar(sa.select(Grid))
    building = db.session.scalar(sa.select(Building))
    urls = [
        "/", "/accounts/", "/accounts/?page=2", "/accounts/new",
        f"/accounts/{admin_with_demo.id}/edit", "/me/password", "/places/",
        f"/places/streets/{street.id}", f"/places/communities/{community.id}",
        f"/places/estates/{estate.id}", f"/places/grids/{grid.id}",
        f"/places/buildings/{building.id}", "/no-such-page",
        *(f"/places/{kind}/new" for kind in
          ("streets", "communities", "estates", "buildings", "grids", "bodies")),
    ]
    data = set(db.session.scalars(sa.select(Account.username))) | {building.qr_token}
    found = {}
    for url in urls:
        words = english_words(text_of(client.get(url)), data)
        if words:
            found[url] = words
    # A form sent back with errors: our messages and WTForms' own.
    response = client.post("/places/grids/new", data={"name": "", "code": "12", "households": "x"})
    assert response.status_code == 422
    words = english_words(text_of(response), data)
    if words:
        found["POST /places/grids/new"] = words
    assert found == {}
