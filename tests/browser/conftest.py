"""Browser fixtures: the app served for real, and Debian's Chromium driven by Playwright.

The live app is made by ``app_factory`` (same test database as the other fixtures) with CSRF on,
so the real token path is used: the hidden ``csrf_token`` field of every form and the
``X-CSRFToken`` header that ``<body hx-headers:inherited>`` gives htmx requests.
Chromium is never downloaded: Playwright launches ``/usr/bin/chromium``.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from .checks import IPAD, PHONE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

expect.set_options(timeout=10_000)


@dataclass
class LiveServer:
    app: object
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(app_factory, demo):
    """The app with the demo data, served on a free port in a daemon thread."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            env={**os.environ, "HOME": str(home)},
        )
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, live_server, options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser, live_server):
    """A tab at an iPad's size (portrait), touch enabled."""
    yield from _page(browser, live_server, IPAD)


@pytest.fixture
def phone_page(browser, live_server):
    """A tab at a phone's size (portrait), touch enabled."""
    yield from _page(browser, live_server, PHONE)
