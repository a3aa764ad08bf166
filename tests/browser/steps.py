"""Steps and look-ups shared by the meeting, follow-up and resident browser tests.

Every look at the database from a test goes through ``in_db``, which ends its transaction: on
SQLite a test that kept a read transaction open would lock the live server out of writing.
"""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from neighborhood.accounts.models import Account
from neighborhood.extensions import db
from neighborhood.meetings.models import AgendaEntry
from neighborhood.meetings.services import create_next_meeting
from neighborhood.places.models import Grid
from neighborhood.timezone import local_now

from .checks import IPAD

GRID = "西西里小区第1网格"
GREENERY = "小区绿化需要修剪"
ACCESS = "矮层楼栋的无障碍通道改造"
LIFTS = "高层电梯满10年问题排查"
POOL = "小区游泳池防护栏加固"
QUEUE_KEY = "neighborhood:autosave-queue"
# The status line's class: "saved" but not "unsaved".
SAVED = re.compile(r"(^|\s)saved(\s|$)")
UNSAVED = re.compile(r"(^|\s)unsaved(\s|$)")
CONFLICT = re.compile(r"(^|\s)conflict(\s|$)")
NOT_SAVED_TEXT = "尚未保存：已暂存在本平板上，网络恢复后自动提交"


# --- the database, seen from the test ---------------------------------------------------------

def in_db(fn):
    try:
        return fn()
    finally:
        db.session.remove()


def one(model, *where, **key):
    return db.session.scalar(sa.select(model).where(*where).filter_by(**key).limit(1))


def prepare_meeting() -> tuple[int, dict[str, int]]:
    """The grid's next meeting, made through the service (as the one tap does): its id and
    {item title: agenda entry id}."""
    def make():
        grid = one(Grid, name=GRID)
        meeting, _ = create_next_meeting(grid, one(Account, username="hetinghai"), local_now())
        db.session.commit()
        return meeting.id, {e.item.title: e.id for e in meeting.entries}
    return in_db(make)


def entry_texts(entry_id: int) -> tuple[str, str]:
    def read():
        entry = db.session.get(AgendaEntry, entry_id)
        return entry.notes, entry.decision
    return in_db(read)


# --- the browser ------------------------------------------------------------------------------

def tab_maker(browser, live_server):
    """For a ``new_tab`` fixture: more tabs, each in its own browser context (its own cookies and
    localStorage), i.e. another tablet or phone. JavaScript errors in any of them fail the test."""
    contexts, errors = [], []

    def make(options=IPAD) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def mark_document(page: Page) -> None:
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def stored_queue(page: Page) -> list[dict]:
    return json.loads(page.evaluate(f"localStorage.getItem({QUEUE_KEY!r})") or "[]")


def follow(page: Page, link) -> None:
    """Click a link and wait until its page is there."""
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url("**" + href)
    page.wait_for_load_state()


def step(page: Page, rel: str, title: str) -> None:
    """Meeting mode: 'next item' or 'previous item', and the item it must lead to."""
    follow(page, page.locator(f".run-nav a[rel={rel}]"))
    expect(page.locator(".item-card h1")).to_have_text(title)


def type_and_wait(page: Page, field: str, text: str) -> None:
    """Type into an autosaved field; wait until its status says it is saved."""
    page.locator(f"textarea[name={field}]").fill(text)
    status = page.locator(f"#{field}-status")
    expect(status).to_have_class(SAVED)
    expect(status).to_have_text("已保存")


def save_outcome(page: Page, label: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/outcome")) as answer:
        page.locator("#outcome button[type=submit]").click()
    assert answer.value.status == 200, answer.value.text()[:500]
    expect(page.locator("#outcome h2 .badge")).to_have_text(label)


def no_horizontal_scroll(page: Page) -> None:
    """The page fits the window's width: nothing scrolls sideways."""
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if width > inner:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                 .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                   (typeof el.className === 'string' && el.className ? '.' + el.className : ''))"""
        )
        pytest.fail(f"{page.url} scrolls sideways: {width} px > {inner} px; too wide: {wide}",
                    pytrace=False)
