"""First load of the tablet's main pages: bytes transferred, and no request to another host.

    .venv/bin/python benchmarks/firstload.py

The app (fresh SQLite database, demo data, prepared as in pages.py) is served on 127.0.0.1 and
each page is opened in Debian's Chromium (Playwright, ``/usr/bin/chromium``, never downloaded)
at an iPad's size, in a new browser context with the HTTP cache disabled: a first load. Every
request the browser makes is recorded (URL, host, bytes). The app does not compress (no gzip in
Flask: a reverse proxy would), so two figures per page: the bytes as served, and each response
gzipped at level 6, as nginx's ``gzip on`` would send it.

Then a static scan: every absolute http(s) URL in the HTML, CSS and JS, and whether it is loaded
(src, stylesheet/icon/preload href, CSS url()/@import) or only a link or a string.
"""
from __future__ import annotations

import gzip
import logging
import os
import re
import threading
from urllib.parse import urlsplit

from common import DEMO_PASSWORD, make_app, migrate_and_seed, print_machine, temp_dir

TARGET_BYTES = 150 * 1024
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
IPAD = {"viewport": {"width": 810, "height": 1080}, "device_scale_factor": 2, "has_touch": True}
ABSOLUTE = re.compile(r"""https?://[^\s"'<>()\\]+""")
LOADING = re.compile(r"""(?:<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc|"""
                     r"""<link\b[^>]*\bhref)\s*=\s*["']?(https?://[^"'\s>]+)""", re.I)
CSS_LOADING = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(https?://[^"')\s]+)""", re.I)


def pages(scope) -> list[tuple[str, str | None, str]]:
    s = scope
    return [
        ("sign-in page", None, "/login"),
        ("home · facilitator", s.facilitator, "/"),
        ("work log", s.facilitator, f"/grids/{s.grid_id}/worklog"),
        ("meetings index", s.facilitator, f"/grids/{s.grid_id}/meetings"),
        ("meeting page (agenda)", s.facilitator, f"/meetings/{s.open_meeting}"),
        ("meeting mode", s.facilitator, f"/meetings/{s.open_meeting}/run/{s.first_entry}"),
        ("minutes page", s.facilitator, f"/meetings/{s.closed_meeting}/minutes"),
        ("item page", s.facilitator, f"/items/{s.item_id}"),
        ("tasks · property manager", s.property_manager, "/tasks"),
        ("task page · property manager", s.property_manager, f"/tasks/{s.task_id}"),
        ("queue · street staff", s.street_user, "/queue"),
        ("notifications · street staff", s.street_user, "/notifications"),
        ("public building page", None, f"/b/{s.qr_token}"),
        ("public minutes", None, f"/m/{s.version_id}"),
        ("receipt lookup", None, f"/receipt?code={s.receipt}"),
    ]


def main() -> None:
    print_machine()
    from pages import demo_scope, prepare_demo
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    folder = temp_dir("nbench-firstload-")
    app = make_app(f"sqlite:///{folder}/demo.sqlite3", instance=folder)
    migrate_and_seed(app)
    with app.app_context():
        prepare_demo()
        scope = demo_scope()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    own_host = urlsplit(base).netloc
    home = temp_dir("nbench-chromium-")
    rows, foreign, bodies = [], [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS, env={**os.environ, "HOME": home})
        cookies = {}
        for user in {u for _, u, _ in pages(scope) if u}:
            context = browser.new_context(base_url=base, **IPAD)
            page = context.new_page()
            page.goto("/login")
            page.fill("#username", user)
            page.fill("#password", DEMO_PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_load_state("networkidle")
            if "/login" in page.url:
                raise RuntimeError(f"sign-in as {user} failed")
            cookies[user] = context.cookies()
            context.close()
        for label, user, path in pages(scope):
            context = browser.new_context(base_url=base, **IPAD)
            if user:
                context.add_cookies(cookies[user])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            seen = []
            page.on("requestfinished", lambda request: seen.append(request))
            page.on("requestfailed", lambda request: seen.append(request))
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            status = response.status if response else 0
            plain = zipped = 0
            kinds = {}
            for request in seen:
                host = urlsplit(request.url).netloc
                if request.url.startswith("data:"):
                    continue
                if host != own_host:
                    foreign.append((label, request.url))
                    continue
                resp = request.response()
                body = resp.body() if resp and not 300 <= resp.status < 400 else b""
                bodies[request.url.split("?")[0] if "/static/" in request.url else request.url] = (
                    resp.headers.get("content-type", "") if resp else "", body)
                plain += len(body)
                zipped += len(gzip.compress(body, 6))
                kind = request.resource_type
                kinds[kind] = kinds.get(kind, 0) + len(body)
            rows.append((label, path, status, len(seen), plain, zipped, kinds))
            context.close()
        browser.close()
    server.shutdown()

    print(f"\nserved at {base}; iPad viewport 810×1080, HTTP cache disabled\n")
    print("| page | status | requests | as served KB | gzip -6 KB | of which (as served) |")
    print("|---|---|---|---|---|---|")
    for label, path, status, n, plain, zipped, kinds in rows:
        flag = " ✗" if zipped >= TARGET_BYTES else ""
        parts = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(kinds.items()))
        print(f"| {label} | {status} | {n} | {plain / 1024:.1f}{' (✗)' if plain >= TARGET_BYTES else ''}"
              f" | {zipped / 1024:.1f}{flag} | {parts} |")
    print(f"\nrequests to another host: {len(foreign)}")
    for label, url in foreign:
        print(f"  {label}: {url}")

    print("\nabsolute http(s) URLs in what was loaded:")
    found = False
    for url, (ctype, body) in sorted(bodies.items()):
        text = body.decode("utf-8", "replace")
        loaded = set(LOADING.findall(text)) | set(CSS_LOADING.findall(text))
        for match in sorted(set(ABSOLUTE.findall(text))):
            found = True
            what = "LOADED" if match in loaded and urlsplit(match).netloc != own_host else (
                "own host" if urlsplit(match).netloc == own_host else "text or link, not loaded")
            print(f"  {url.replace(base, '')} ({ctype.split(';')[0]}): {match}  [{what}]")
    if not found:
        print("  none")


if __name__ == "__main__":
    main()
