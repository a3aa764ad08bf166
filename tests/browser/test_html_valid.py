"""Every HTML page, as every role that may open it, passes the Nu HTML checker (npm ``vnu-jar``).

Pages are fetched with the test client over ``app.url_map`` (URL parameters filled with ids from
the demo data), written to a folder and checked by one JVM. Forms are also checked in their
invalid state (the 422 answer to an empty POST), where errors are tied to the fields.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from neighborhood.demo import DEMO_PASSWORD

from .pages import ROLES, page_urls

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# htmx's attributes (hx-get, hx-headers:inherited...) are the house style and unknown to the
# checker; only the complaint that such an attribute exists is ignored, nothing about its value
# and nothing about any other attribute.
# (vnu's own --filterpattern, so its exit code stays meaningful.)
HTMX_ATTRIBUTE = r".*Attribute “hx-[a-z:-]+” not allowed on element “[a-z]+” at this point\..*"


def _collect(app, folder: Path) -> list[str]:
    """Fetch every HTML page as every role; write each to ``folder``. Return what was fetched."""
    urls = page_urls(app)
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    saved = []
    for role, username in ROLES.items():
        client = app.test_client()
        refused: set[int] = set()
        if username:
            answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
            assert answer.status_code == 303, f"demo account {username} cannot sign in"
        for endpoint, url in urls:
            response = client.get(url)
            if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
                continue  # redirects (e.g. to the sign-in page) and JSON (/healthz)
            if response.status_code != 200:
                if response.status_code in refused:
                    continue  # one error page of each kind a role meets is enough
                refused.add(response.status_code)
            name = f"{role}__{re.sub(r'[^A-Za-z0-9]+', '_', url).strip('_') or 'root'}"
            (folder / f"{name}.html").write_bytes(response.data)
            saved.append(f"{name} {response.status_code}")
            # The 422 state of the forms that make something new (an edit form keeps the values
            # of its object for fields not sent, so an empty POST could save it). Some field
            # must be sent, or Flask-WTF reads no form data at all.
            if (response.status_code == 200 and endpoint in posts and "?" not in url
                    and not endpoint.rsplit(".", 1)[-1].startswith("edit")):
                invalid = client.post(url, data={"_": ""})
                if invalid.status_code == 422:
                    (folder / f"{name}__422.html").write_bytes(invalid.data)
                    saved.append(f"{name}__422 422")
        client.post("/logout")
    # The "not found" page, which no link leads to, for a visitor and for staff.
    client = app.test_client()
    for name in ("anonymous__404", "admin__404"):
        if name.startswith("admin"):
            client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
        response = client.get("/no-such-page")
        assert response.status_code == 404
        (folder / f"{name}.html").write_bytes(response.data)
        saved.append(f"{name} 404")
    return saved


def test_every_page_is_valid_html(demo, tmp_path):
    assert shutil.which("java"), "Java is missing: the Nu HTML checker needs a JRE"
    assert VNU.exists(), f"{VNU} is missing: run npm ci"
    saved = _collect(demo, tmp_path)
    statuses = {line.rsplit(" ", 1)[1] for line in saved}
    assert "200" in statuses and "403" in statuses and "422" in statuses, saved
    assert any(name.startswith("anonymous__login") for name in saved)

    files = sorted(str(p) for p in tmp_path.glob("*.html"))
    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json",
         "--filterpattern", HTMX_ATTRIBUTE, *files],
        capture_output=True, text=True, timeout=120, check=False,
    )
    # The JSON report goes to stderr; anything else there is the JVM talking.
    report = next((out.strip() for out in (run.stderr, run.stdout) if out.strip().startswith("{")),
                  "")
    assert report or run.returncode == 0, run.stderr
    messages = json.loads(report)["messages"] if report else []
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    if errors:
        # The same mistake in a shared template shows on many pages: list it once.
        # (Numbers are left out of the key: the same bad timestamp format is one mistake.)
        grouped: dict[str, list[dict]] = {}
        for m in errors:
            grouped.setdefault(re.sub(r"\d+", "0", m.get("message", "?")), []).append(m)
        lines = [f"{len(errors)} HTML error(s) in {len(files)} pages:"]
        for found in grouped.values():
            pages = sorted({Path(m.get("url", "?").removeprefix("file:")).name for m in found})
            first = found[0]
            lines.append(f"- {first.get('message')}\n    in {len(pages)} page(s): {', '.join(pages[:4])}"
                         f"{' …' if len(pages) > 4 else ''} (line {first.get('lastLine', '?')})"
                         f"\n    [{' '.join((first.get('extract') or '').split())[:120]}]")
        pytest.fail("\n".join(lines), pytrace=False)
    assert run.returncode == 0, report
