"""Server time of every page and fragment a user hits, in-process with the Flask test client.

    .venv/bin/python benchmarks/pages.py                      # a fresh SQLite database, demo data
    DATABASE_URL=postgresql+psycopg://postgres@/district?host=/tmp/nbench-pg \\
        .venv/bin/python benchmarks/pages.py                  # the district (benchmarks/district.py)

Each page is requested by the account that uses it, signed in through the real login form (CSRF
and rate limits on, as served). Requests go round-robin over all pages (``--warmup`` rounds, then
``-n`` timed rounds), so every page sees the same machine noise; the time is that of
``client.get`` (routing, access checks, queries, template, response), median and p95
(nearest rank). One more request per page, with an SQL recorder on, counts its statements and
names the slowest one; ``--explain`` prints PostgreSQL's plan of that statement for the pages
over target.

Before measuring, the script does through the app's own services what a user would have done by
then (idempotent): it prepares the next meeting of 西西里小区第1网格 (so meeting mode has an open
meeting) and escalates the demo's lift item to the street (so /queue has an entry).
If the district is in the database, the same pages are also measured on one of its grids (a
year of meetings) with its accounts: that column beside the demo's shows what history costs.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field

from common import (
    SQLRecorder,
    load,
    make_app,
    migrate_and_seed,
    new_client,
    one_line,
    print_machine,
    signed_in,
    summary,
    temp_dir,
)

TARGET_MEDIAN_MS = 20
TARGET_P95_MS = 50
HX = {"HX-Request": "true"}


@dataclass
class Page:
    label: str
    user: str | None  # username; None: a resident, not signed in
    path: str
    headers: dict = field(default_factory=dict)
    fresh_address: bool = False  # a new client address each request (per-address rate limit)
    samples: list = field(default_factory=list)
    status: int = 0
    size: int = 0
    queries: int = 0
    sql_ms: float = 0.0
    slowest: tuple = ("", None, 0.0)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="default: a new SQLite database with the demo data")
    parser.add_argument("-n", type=int, default=50, help="timed requests a page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests a page first")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument("--skip", default="",
                        help="leave out pages whose label contains one of these (comma-separated)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE the slowest statement of each page over target")
    parser.add_argument("--json", default="", help="write the figures to this file")
    return parser.parse_args()


# --- what to measure --------------------------------------------------------------------------

def prepare_demo() -> None:
    """What a facilitator would have done by now (idempotent): the lift item escalated to the
    street, the next meeting of grid 1 prepared."""
    import sqlalchemy as sa

    from neighborhood.accounts.models import Account
    from neighborhood.extensions import db
    from neighborhood.items.models import EscalationTarget, Item, State
    from neighborhood.items.services import escalate
    from neighborhood.meetings.services import create_next_meeting
    from neighborhood.places.models import Grid
    from neighborhood.timezone import local_now

    grid = db.session.scalar(sa.select(Grid).where(Grid.name == "西西里小区第1网格"))
    facilitator = db.session.scalar(sa.select(Account).where(Account.username == "hetinghai"))
    lift = db.session.scalar(sa.select(Item).where(Item.grid_id == grid.id,
                                                   Item.title == "高层电梯满10年问题排查"))
    if lift is not None and lift.state is State.TRIAGED:
        escalate(lift, facilitator, "电梯安全评估需街道协调特种设备检验。",
                 target=EscalationTarget.STREET)
    create_next_meeting(grid, facilitator, local_now())
    db.session.commit()


@dataclass
class Scope:
    """The ids one set of pages is filled with."""

    name: str
    admin: str
    street_user: str
    community_user: str
    facilitator: str
    property_manager: str
    street_id: int
    community_id: int
    estate_id: int
    grid_id: int
    building_id: int
    qr_token: str
    open_meeting: int
    first_entry: int
    closed_meeting: int
    version_id: int
    item_id: int
    receipt: str
    task_id: int
    queue_item: int
    search: str


def _scope(name, street, community, estate, grid, facilitator, manager, street_user,
           community_user, search) -> Scope:
    import sqlalchemy as sa

    from neighborhood.extensions import db
    from neighborhood.items.models import EscalationTarget, Item, State
    from neighborhood.meetings.models import AgendaEntry, Meeting, MeetingState
    from neighborhood.minutes.models import MinutesState, MinutesVersion
    from neighborhood.places.models import Building, Community, Grid
    from neighborhood.tasks.models import Task

    def one(query):
        return db.session.scalar(query.limit(1))

    building = one(sa.select(Building).where(Building.grid_id == grid.id).order_by(Building.code))
    open_meeting = one(sa.select(Meeting).where(Meeting.grid_id == grid.id,
                                                Meeting.state == MeetingState.PLANNED)
                       .order_by(Meeting.starts_at))
    first_entry = one(sa.select(AgendaEntry.id).where(AgendaEntry.meeting_id == open_meeting.id)
                      .order_by(AgendaEntry.position))
    closed = one(sa.select(Meeting).where(Meeting.grid_id == grid.id,
                                          Meeting.state == MeetingState.CLOSED)
                 .order_by(Meeting.starts_at.desc()))
    version = one(sa.select(MinutesVersion).where(MinutesVersion.meeting_id == closed.id,
                                                  MinutesVersion.state == MinutesState.PUBLISHED)
                  .order_by(MinutesVersion.number.desc()))
    # An item with a history: assigned, on a task of the property manager's body.
    task = one(sa.select(Task).where(Task.body_id == manager.body_id).order_by(Task.id.desc()))
    # An item escalated to the street, waiting there.
    queue_item = one(sa.select(Item.id).join(Grid, Grid.id == Item.grid_id)
                     .join(Community, Community.id == Grid.community_id)
                     .where(Item.state == State.ESCALATED,
                            Item.escalated_to == EscalationTarget.STREET,
                            Community.street_id == street.id)
                     .order_by(Item.id))
    return Scope(
        name=name, admin="admin", street_user=street_user.username,
        community_user=community_user.username, facilitator=facilitator.username,
        property_manager=manager.username, street_id=street.id, community_id=community.id,
        estate_id=estate.id, grid_id=grid.id, building_id=building.id, qr_token=building.qr_token,
        open_meeting=open_meeting.id, first_entry=first_entry, closed_meeting=closed.id,
        version_id=version.id, item_id=task.item_id, receipt=task.item.receipt_code,
        task_id=task.id, queue_item=queue_item, search=search)


def demo_scope() -> Scope:
    import sqlalchemy as sa

    from neighborhood.accounts.models import Account
    from neighborhood.extensions import db
    from neighborhood.places.models import Grid

    grid = db.session.scalar(sa.select(Grid).where(Grid.name == "西西里小区第1网格"))
    accounts = {a.username: a for a in db.session.scalars(sa.select(Account).where(
        Account.username.in_(["hetinghai", "wuye", "tangxiaomin", "zhangxu"])))}
    return _scope("demo", grid.community.street, grid.community, grid.estate, grid,
                  accounts["hetinghai"], accounts["wuye"], accounts["tangxiaomin"],
                  accounts["zhangxu"], search="电梯")


def district_scope() -> Scope | None:
    """The first grid of the district's first street, its grid head (4 grids), the property
    manager of its estate, the street's and the community's staff."""
    import sqlalchemy as sa
    from district import DISTRICT_COUNTY

    from neighborhood.accounts.models import Account, Role
    from neighborhood.extensions import db
    from neighborhood.places.models import Body, BodyKind, Community, Estate, Grid, Street

    street = db.session.scalar(sa.select(Street).where(Street.code == DISTRICT_COUNTY + "001"))
    if street is None:
        return None
    community = db.session.scalar(sa.select(Community).where(Community.street_id == street.id)
                                  .order_by(Community.code).limit(1))
    estate = db.session.scalar(sa.select(Estate).where(Estate.community_id == community.id)
                               .order_by(Estate.id).limit(1))
    grid = db.session.scalar(sa.select(Grid).where(Grid.estate_id == estate.id)
                             .order_by(Grid.code).limit(1))
    company = db.session.scalar(sa.select(Body).where(Body.estate_id == estate.id,
                                                      Body.kind == BodyKind.PROPERTY))

    def account(*where):
        return db.session.scalar(sa.select(Account).where(*where).order_by(Account.id).limit(1))

    return _scope("district", street, community, estate, grid, grid.head,
                  account(Account.body_id == company.id),
                  account(Account.role == Role.STREET, Account.street_id == street.id),
                  account(Account.role == Role.COMMUNITY, Account.community_id == community.id),
                  search="电梯")


def pages_of(s: Scope) -> list[Page]:
    f, pm, st, cm, ad = s.facilitator, s.property_manager, s.street_user, s.community_user, s.admin
    return [
        Page("home · admin", ad, "/"),
        Page("home · street staff", st, "/"),
        Page("home · community staff", cm, "/"),
        Page("home · facilitator", f, "/"),
        Page("home · property manager", pm, "/"),
        Page("places index · admin", ad, "/places/"),
        Page("places index · facilitator", f, "/places/"),
        Page("street page · street staff", st, f"/places/streets/{s.street_id}"),
        Page("community page · community staff", cm, f"/places/communities/{s.community_id}"),
        Page("estate page · facilitator", f, f"/places/estates/{s.estate_id}"),
        Page("grid page · facilitator", f, f"/places/grids/{s.grid_id}"),
        Page("building page · facilitator", f, f"/places/buildings/{s.building_id}"),
        Page("work log", f, f"/grids/{s.grid_id}/worklog"),
        Page("work log search (htmx fragment)", f, f"/grids/{s.grid_id}/worklog?q={s.search}", HX),
        Page("work log filter: assigned (fragment)", f,
             f"/grids/{s.grid_id}/worklog?state=assigned", HX),
        Page("new concern form", f, f"/grids/{s.grid_id}/items/new"),
        Page("item page", f, f"/items/{s.item_id}"),
        Page("meetings index", f, f"/grids/{s.grid_id}/meetings"),
        Page("meeting page (open, agenda)", f, f"/meetings/{s.open_meeting}"),
        Page("meeting page (closed)", f, f"/meetings/{s.closed_meeting}"),
        Page("meeting mode /run/<entry>", f, f"/meetings/{s.open_meeting}/run/{s.first_entry}"),
        Page("minutes page", f, f"/meetings/{s.closed_meeting}/minutes"),
        Page("tasks list · property manager", pm, "/tasks"),
        Page("tasks list, done tab", pm, "/tasks?show=done"),
        Page("task page · property manager", pm, f"/tasks/{s.task_id}"),
        Page("queue · street staff", st, "/queue"),
        Page("queue, handled tab · street staff", st, "/queue?show=handled"),
        Page("queue · community staff", cm, "/queue"),
        Page("queue · admin", ad, "/queue"),
        *([Page("queue item · street staff", st, f"/queue/{s.queue_item}")] if s.queue_item else []),
        Page("notifications · property manager", pm, "/notifications"),
        Page("notifications · street staff", st, "/notifications"),
        Page("notifications · facilitator", f, "/notifications"),
        Page("accounts list · admin", ad, "/accounts/"),
        Page("new account form · admin", ad, "/accounts/new"),
        Page("grid edit form · admin", ad, f"/places/grids/{s.grid_id}/edit"),
        Page("public building page /b/<token>", None, f"/b/{s.qr_token}"),
        Page("public past minutes (fragment)", None, f"/b/{s.qr_token}?page=2", HX),
        Page("public report form", None, f"/b/{s.qr_token}/report"),
        Page("public minutes /m/<id>", None, f"/m/{s.version_id}"),
        Page("receipt form", None, "/receipt", fresh_address=True),
        Page("receipt lookup", None, f"/receipt?code={s.receipt}", fresh_address=True),
        Page("receipt lookup (htmx fragment)", None, f"/receipt?code={s.receipt}", HX,
             fresh_address=True),
        Page("sign-in page", None, "/login"),
    ]


# --- measuring ------------------------------------------------------------------------------

def measure(app, pages: list[Page], rounds: int, warmup: int, recorder: SQLRecorder) -> None:
    clients = {}
    for page in pages:
        if page.user not in clients:
            clients[page.user] = new_client(app) if page.user is None else signed_in(app, page.user)
    address = iter(range(1, 10**6))

    def get(page: Page):
        kwargs = {"headers": page.headers}
        if page.fresh_address:
            n = next(address)
            kwargs["environ_base"] = {"REMOTE_ADDR": f"172.{16 + n // 65536 % 16}.{n // 256 % 256}.{n % 256}"}
        t0 = time.perf_counter()
        response = clients[page.user].get(page.path, **kwargs)
        body = response.get_data()
        elapsed = (time.perf_counter() - t0) * 1000
        response.close()
        return response.status_code, len(body), elapsed

    for _ in range(warmup):
        for page in pages:
            get(page)
    for _ in range(rounds):
        for page in pages:
            page.status, page.size, elapsed = get(page)
            page.samples.append(elapsed)
    for page in pages:
        with recorder.recording():
            get(page)
        page.queries = len(recorder.statements)
        page.sql_ms = sum(ms for *_, ms in recorder.statements)
        if recorder.statements:
            page.slowest = max(recorder.statements, key=lambda s: s[2])


def over_target(page: Page) -> bool:
    stats = summary(page.samples)
    return stats["median"] >= TARGET_MEDIAN_MS or stats["p95"] >= TARGET_P95_MS


def explain(app, statement: str, parameters) -> str:
    from neighborhood.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        conn.rollback()
    return "\n".join(r[0] for r in rows)


# --- report ---------------------------------------------------------------------------------

def report(sets: dict[str, list[Page]], explain_with=None) -> list[str]:
    names = list(sets)
    lines = []
    head = "| page | " + " | ".join(
        f"{n} median ms | {n} p95 ms | {n} queries" for n in names) + " |"
    if len(names) == 2:
        head += f" {names[1]} / {names[0]} median |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    misses = []
    for i, page in enumerate(sets[names[0]]):
        row = [page.label]
        medians = []
        for n in names:
            p = sets[n][i]
            stats = summary(p.samples)
            medians.append(stats["median"])
            flag = " ✗" if over_target(p) else ""
            status = "" if p.status == 200 else f" ({p.status})"
            row += [f"{stats['median']:.1f}{flag}{status}", f"{stats['p95']:.1f}", str(p.queries)]
            if over_target(p):
                misses.append((n, p))
        if len(names) == 2:
            row.append(f"{medians[1] / medians[0]:.2f}")
        lines.append("| " + " | ".join(row) + " |")
    print("\n".join(lines))
    if misses:
        print(f"\nOver target (median ≥ {TARGET_MEDIAN_MS} ms or p95 ≥ {TARGET_P95_MS} ms):")
        for n, p in misses:
            stats = summary(p.samples)
            statement, parameters, ms = p.slowest
            print(f"\n- [{n}] {p.label}  GET {p.path}: median {stats['median']:.1f} ms, "
                  f"p95 {stats['p95']:.1f} ms, {p.queries} statements, {p.sql_ms:.1f} ms in SQL; "
                  f"slowest statement {ms:.1f} ms:\n    {one_line(statement, 600)}\n"
                  f"    parameters: {parameters}")
            if explain_with is not None and statement:
                print("    plan:\n" + "\n".join("      " + line for line in
                                                explain_with(statement, parameters).splitlines()))
    return lines


def main() -> None:
    args = parse_args()
    info = print_machine()
    url = args.database_url
    if not url:
        folder = temp_dir("nbench-sqlite-")
        url = f"sqlite:///{folder}/demo.sqlite3"
        app = make_app(url, instance=folder)
        migrate_and_seed(app)
        print(f"database: new SQLite file {url} (migrations + seed_demo)")
    else:
        app = make_app(url)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    from neighborhood.extensions import db

    with app.app_context():
        prepare_demo()
        scopes = [demo_scope()]
        if url.startswith("postgresql"):
            district = district_scope()
            if district is not None:
                scopes.append(district)
        recorder = SQLRecorder(db.engine)
        sets = {s.name: pages_of(s) for s in scopes}
        db.session.remove()
    if args.only:
        sets = {n: [p for p in ps if args.only in p.label] for n, ps in sets.items()}
    if args.skip:
        words = [w for w in args.skip.split(",") if w]
        sets = {n: [p for p in ps if not any(w in p.label for w in words)]
                for n, ps in sets.items()}
    # All sets interleaved in one run: the same noise for both columns.
    everything = [p for ps in sets.values() for p in ps]
    print(f"{len(everything)} pages × ({args.warmup} warm-up + {args.n} timed) requests, "
          f"round-robin; sets: {', '.join(sets)}")
    t0 = time.perf_counter()
    measure(app, everything, args.n, args.warmup, recorder)
    print(f"measured in {time.perf_counter() - t0:.0f} s; load average now {load()}\n")
    postgres = url.startswith("postgresql")
    report(sets, (lambda s, p: explain(app, s, p)) if args.explain and postgres else None)
    bad = [p for p in everything if p.status != 200]
    if bad:
        print("\nNot 200: " + ", ".join(f"{p.label} ({p.status})" for p in bad))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": info, "database": url.split("@")[-1], "n": args.n,
                       "warmup": args.warmup, "sets": {
                           n: [{"label": p.label, "path": p.path, "status": p.status,
                                "bytes": p.size, "queries": p.queries, "sql_ms": p.sql_ms,
                                **summary(p.samples),
                                "slowest_sql": one_line(p.slowest[0]),
                                "slowest_sql_ms": p.slowest[2]} for p in ps]
                           for n, ps in sets.items()}}, out, ensure_ascii=False, indent=1)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
