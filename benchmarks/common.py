"""Shared helpers of the benchmark scripts: statistics, the machine, an app on a given database,
a signed-in test client, and an SQL recorder.

The scripts run the app in-process (Flask test client): the figures are server time (routing,
access checks, queries, template rendering), without network or browser.
"""
from __future__ import annotations

import atexit
import datetime as dt
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "dingshan2022"


# --- statistics -----------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p95 of 50 samples is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples_ms: list[float]) -> dict:
    return {
        "n": len(samples_ms),
        "median": statistics.median(samples_ms),
        "p95": percentile(samples_ms, 95),
        "min": min(samples_ms),
        "max": max(samples_ms),
    }


# --- the machine ----------------------------------------------------------------------------

def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        return out.splitlines()[0] if out else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    # NBENCH_COMMIT names the commit when the code is an export (git archive) without .git.
    commit = os.environ.get("NBENCH_COMMIT") or _first_line(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = "" if os.environ.get("NBENCH_COMMIT") else _first_line(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": f"{cpu} × {os.cpu_count()} cores",
        "memory": f"{mem_gb:.0f} GB",
        "os": _first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]) or platform.platform(),
        "python": platform.python_version(),
        "commit": commit + (" + uncommitted changes" if dirty else ""),
        "load": load(),
    }


def load() -> str:
    """The load average (1, 5, 15 min): other work on the machine shows in the figures."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def print_machine(info: dict | None = None) -> dict:
    info = info or machine()
    print(f"# {info['date']} · {info['cpu']} · {info['memory']} · {info['os']} · "
          f"Python {info['python']} · commit {info['commit']} · load average {info['load']}")
    return info


# --- the app --------------------------------------------------------------------------------

def temp_dir(prefix: str) -> str:
    """A temporary folder, removed when the script ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def make_app(database_url: str, instance: str | None = None):
    """The app as ``flask --app wsgi`` builds it (no TESTING, CSRF on, rate limits on), on
    ``database_url``, with its instance folder (secret key, stored PDFs) in a temporary folder
    unless ``instance`` is given, so the repository's own instance/ is never touched."""
    instance = instance or temp_dir("nbench-instance-")
    os.environ["NEIGHBORHOOD_INSTANCE"] = instance
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark")
    from neighborhood import create_app

    return create_app()


def migrate_and_seed(app) -> None:
    """Build the schema with the migrations and load the demo (as scripts/serve does)."""
    from flask_migrate import upgrade

    from neighborhood.demo import seed_demo
    from neighborhood.extensions import db

    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()


CSRF = re.compile(rb'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(html: bytes) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


_address = iter(range(1, 60000))


def new_client(app):
    """A test client with its own client address (rate limits count per address)."""
    n = next(_address)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
    client.environ_base["HTTP_USER_AGENT"] = "nbench"
    return client


def signed_in(app, username: str, password: str = DEMO_PASSWORD):
    """A client signed in through the real login form (CSRF token included)."""
    client = new_client(app)
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.data),
                                           "username": username, "password": password})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in as {username} failed: {response.status_code}")
    return client


# --- SQL recorder ---------------------------------------------------------------------------

class SQLRecorder:
    """Records every statement the app runs while ``recording`` (statement, parameters, ms)."""

    def __init__(self, engine):
        import sqlalchemy as sa

        self.statements: list[tuple[str, object, float]] = []
        self.active = False

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            if self.active:
                conn.info.setdefault("nbench_t0", []).append(time.perf_counter())

        @sa.event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            if self.active and conn.info.get("nbench_t0"):
                t0 = conn.info["nbench_t0"].pop()
                self.statements.append((statement, parameters,
                                        (time.perf_counter() - t0) * 1000))

    @contextmanager
    def recording(self):
        self.statements = []
        self.active = True
        try:
            yield self
        finally:
            self.active = False


def one_line(sql: str, limit: int = 0) -> str:
    text = " ".join(sql.split())
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"
