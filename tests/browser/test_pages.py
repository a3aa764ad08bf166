"""What a tablet user sees: sign-in, language, the hierarchy, a form with errors, roles, layout.

Every page visited is checked with axe-core and for touch targets of at least 44 px; every page
is also checked at a phone's width for touch targets and sideways scrolling.
The text of the interface may still be untranslated, so assertions are on the demo data, on
``lang`` and on the language button (whose label is the language's own name), not on UI text.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from neighborhood.access import PUBLIC, access_rule
from neighborhood.extensions import db
from neighborhood.places.models import Community, Grid

from .checks import IPAD, PHONE, check_page, check_touch_targets, sign_in
from .pages import ROLES, page_urls

pytestmark = pytest.mark.browser

LOGOUT = "form[action$='/logout'] button"
PER_KIND = {"places.new", "places.edit"}  # one template for every kind of place


def mark_document(page: Page) -> None:
    """Tag the current document, to tell later whether the page was reloaded."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def test_sign_in_with_a_wrong_password_then_right_and_out(page, live_server):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    check_page(page)

    mark_document(page)
    # Without the form's hidden token, the X-CSRFToken header that <body> gives every htmx
    # request must be enough: a refused token would answer 400, not 422.
    page.locator("#login input[name=csrf_token]").evaluate("el => el.remove()")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill("wrong password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("#login button[type=submit]").click()
    assert answer.value.request.headers.get("x-csrftoken")
    assert answer.value.status == 422
    error = page.locator("#login .form-errors[role=alert]")
    expect(error).to_be_visible()
    assert_not_reloaded(page)
    expect(page.locator("input[name=username]")).to_have_value("admin")
    expect(page.locator(LOGOUT)).to_have_count(0)
    check_page(page)

    page.locator("input[name=password]").fill("dingshan2022")
    page.locator("#login button[type=submit]").click()
    expect(page).to_have_url(live_server("/"))
    expect(page.locator(".top .who")).to_have_text("系统管理员")
    check_page(page)

    page.locator(LOGOUT).click()
    expect(page).to_have_url(live_server("/login"))
    expect(page.locator(LOGOUT)).to_have_count(0)
    expect(page.locator(".flash")).to_be_visible()
    page.goto("/places/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_language_switch(page, live_server):
    page.goto("/login")
    html = page.locator("html")
    button = page.locator("form.lang button")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(button).to_have_text("English")
    expect(button).to_have_attribute("lang", "en")
    check_page(page)

    button.click()
    expect(html).to_have_attribute("lang", "en")
    expect(button).to_have_text("中文")
    expect(button).to_have_attribute("lang", "zh-CN")
    check_page(page)

    # Signed in, the choice holds from page to page and the switch keeps the page.
    sign_in(page, "admin")
    expect(html).to_have_attribute("lang", "en")
    page.goto("/places/")
    expect(html).to_have_attribute("lang", "en")
    page.locator("form.lang button").click()
    expect(page).to_have_url(live_server("/places/"))
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page.locator("form.lang button")).to_have_text("English")
    check_page(page)


def test_admin_walks_the_hierarchy_and_back(page, live_server):
    sign_in(page, "admin")
    check_page(page)
    page.locator(".nav a[href='/places/']").click()
    expect(page.locator(".nav a[aria-current=page]")).to_have_attribute("href", "/places/")
    check_page(page)

    page.locator("a.card", has_text="鼎山街道").click()
    expect(page.locator("h1")).to_have_text("鼎山街道")
    check_page(page)

    page.locator("table.list a", has_text="江州社区").click()
    expect(page.locator("h1")).to_have_text("江州社区")
    check_page(page)

    page.locator("table.list a", has_text="西西里小区").first.click()
    expect(page.locator("h1")).to_have_text("西西里小区")
    buildings = page.locator("section.panel", has=page.locator("a[href*='/buildings/']"))
    expect(buildings.locator("tbody tr")).to_have_count(16)
    check_page(page)

    buildings.locator("a", has_text=re.compile(r"^3栋$")).click()
    expect(page.locator("h1")).to_have_text("西西里小区 3栋")
    expect(page.locator(".crumbs [aria-current=page]")).to_have_text("3栋")
    check_page(page)

    # Back up through the breadcrumb: estate, community, street, places.
    crumbs = page.locator(".crumbs a")
    expect(crumbs).to_have_text(["西西里小区", "西西里小区第2网格"])
    crumbs.get_by_text("西西里小区", exact=True).click()
    expect(page.locator("h1")).to_have_text("西西里小区")
    page.locator(".crumbs a", has_text="江州社区").click()
    expect(page.locator("h1")).to_have_text("江州社区")
    page.locator(".crumbs a", has_text="鼎山街道").click()
    expect(page.locator("h1")).to_have_text("鼎山街道")
    page.locator(".crumbs a").first.click()
    expect(page).to_have_url(live_server("/places/"))

    # A grid page and one of its buildings.
    page.goto("/")
    page.locator("a.card", has_text="西西里小区第1网格").click()
    expect(page.locator("h1")).to_have_text("西西里小区第1网格")
    expect(page.locator("a.card", has_text="西西里小区")).to_have_count(2)
    check_page(page)


def _id_of(model, name: str) -> int:
    try:
        return db.session.scalar(sa.select(model.id).where(model.name == name))
    finally:
        db.session.remove()


def _grids_named(name: str) -> int:
    try:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Grid).where(Grid.name == name))
    finally:
        db.session.remove()


def test_admin_creates_a_grid_after_a_field_error(page, live_server):
    name = "西西里小区第8网格"
    sign_in(page, "admin")
    page.goto("/places/")
    page.locator("a.card", has_text="鼎山街道").click()
    page.locator("table.list a", has_text="江州社区").click()
    page.locator("a.button[href*='/grids/new']").click()
    form = page.locator("#place-form form")
    expect(form.locator("select[name=community_id]")).to_have_value(re.compile(r"^\d+$"))
    check_page(page)

    mark_document(page)
    form.locator("input[name=code]").fill("500116001001008")
    form.locator("select[name=kind]").select_option("residential")
    form.locator("select[name=estate_id]").select_option(label="江州社区 · 西西里小区")
    form.locator("input[name=households]").fill("186")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 422
    name_input = page.locator("#place-form input[name=name]")
    expect(page.locator("#place-form #name-error")).to_be_visible()
    expect(name_input).to_have_attribute("aria-invalid", "true")
    expect(name_input).to_have_attribute("aria-describedby", re.compile(r"\bname-error\b"))
    # What was typed is still there, and nothing was stored.
    expect(page.locator("#place-form input[name=code]")).to_have_value("500116001001008")
    expect(page.locator("#place-form input[name=households]")).to_have_value("186")
    assert_not_reloaded(page)
    assert _grids_named(name) == 0
    check_page(page)

    name_input.fill(name)
    page.locator("#place-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page).to_have_url(re.compile(r"/places/grids/\d+$"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("500116001001008")
    check_page(page)
    assert _grids_named(name) == 1


def test_facilitator_sees_his_grids_and_not_the_accounts(page, live_server):
    sign_in(page, "hetinghai")
    cards = page.locator("main a.card")
    expect(cards).to_have_count(4)
    names = [c.strip().splitlines()[0] for c in cards.all_inner_texts()]
    assert names == [f"西西里小区第{n}网格" for n in range(1, 5)]
    expect(page.locator(".nav a[href='/accounts/']")).to_have_count(0)
    check_page(page)

    response = page.goto("/accounts/")
    assert response.status == 403
    expect(page.locator("#error h1")).to_be_visible()
    check_page(page)

    response = page.goto(f"/places/communities/{_id_of(Community, '江州社区')}")
    assert response.status == 403

    page.goto("/places/")
    expect(page.locator("main a.card")).to_have_count(4)
    check_page(page)

    page.goto("/")
    cards.first.click()
    expect(page.locator("h1")).to_contain_text("西西里小区第1网格")
    check_page(page)


def _no_horizontal_scroll(page: Page) -> None:
    sizes = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if sizes[0] > sizes[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                 .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                  + (el.className ? '.' + el.className : ''))"""
        )
        pytest.fail(f"{page.url} scrolls sideways: {sizes[0]} px > {sizes[1]} px; too wide: {wide}",
                    pytrace=False)


def _visit_pages(page: Page, live_server, public: bool):
    """Open every public page, or every other page, that the tab's account may open; yield
    (endpoint, URL) while each is shown. Refusals, redirects and non-HTML answers are skipped.
    Staff see the public pages too; those are checked as residents see them."""
    for endpoint, url in page_urls(live_server.app):
        if (access_rule(live_server.app, endpoint) == PUBLIC) != public:
            continue
        probe = page.request.get(url, max_redirects=0)  # cheaper than opening a refusal
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        page.goto(url)
        yield endpoint, url


def test_resident_pages_on_a_phone(phone_page, live_server):
    """What residents open on their phones (a building's QR code, minutes, a receipt, the
    report form) and the sign-in page, with a phone's viewport: every check, no sideways scroll;
    then the same at the tablet's width."""
    page = phone_page
    checked = []
    for _endpoint, url in _visit_pages(page, live_server, public=True):
        _no_horizontal_scroll(page)
        check_page(page)
        page.set_viewport_size(IPAD["viewport"])
        _no_horizontal_scroll(page)
        check_touch_targets(page)
        page.set_viewport_size(PHONE["viewport"])
        checked.append(url)
    assert "/login" in checked and any(url.startswith("/b/") for url in checked), checked


# The admin sees every staff page with the most controls (he may also run meetings); street,
# community and facilitator see a subset with fewer links (the facilitator's own home and
# places pages are checked in his test above). The body member has pages of his own.
@pytest.mark.parametrize("role", ["admin", "body"])
def test_every_page_at_tablet_and_phone_width(page, live_server, role):
    """Every staff page a role may open: axe-core and touch targets on the tablet; then, the
    window narrowed to a phone's width, touch targets again and no sideways scrolling.

    The kinds of place (/places/<kind>/new, /places/<kind>/<id>/edit) share one template and
    one field macro: axe runs on the first kind of each, to keep the run short; every kind gets
    the other checks. (Refusals are one template, checked in the facilitator's test.)
    """
    sign_in(page, ROLES[role])
    tablet = page.viewport_size
    checked, per_kind = [], set()
    for endpoint, url in _visit_pages(page, live_server, public=False):
        if endpoint in per_kind:
            check_touch_targets(page)
        else:
            check_page(page)
            if endpoint in PER_KIND:
                per_kind.add(endpoint)
        page.set_viewport_size(PHONE["viewport"])
        _no_horizontal_scroll(page)
        check_touch_targets(page)
        page.set_viewport_size(tablet)
        checked.append(url)
    assert len(checked) >= 2, checked
