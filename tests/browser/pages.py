"""The pages of the app, found in ``app.url_map`` and filled with ids from the demo data.

A new route needs nothing here unless its URL has a parameter not named below: then the
tests that use ``page_urls`` fail and say which one, so the page cannot escape the checks.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import url_for

from neighborhood.accounts.models import Account
from neighborhood.extensions import db
from neighborhood.items.models import Item, Level, State
from neighborhood.items.services import escalate
from neighborhood.meetings.models import Meeting, MeetingState
from neighborhood.meetings.services import add_entry, create_next_meeting
from neighborhood.minutes.models import MinutesVersion
from neighborhood.places.models import Body, Building, Community, Estate, Grid, Street
from neighborhood.places.services import KINDS
from neighborhood.tasks.models import Task
from neighborhood.timezone import local_now

# One account of each role (demo usernames); None is a visitor who is not signed in.
ROLES = {
    "anonymous": None,
    "admin": "admin",
    "street": "tangxiaomin",
    "community": "zhangxu",
    "facilitator": "hetinghai",
    "body": "wuye",
}

# Endpoints that answer with something other than a page (besides every URL that ends in a
# file extension: .pdf, .ics).
NOT_PAGES = {
    "static": "files",
    "items.photo": "images",
    "tasks.photo": "images",
}
FILE_URL = re.compile(r"\.[a-z0-9]+$")


def _first(model, *where, **key):
    return db.session.scalar(
        sa.select(model).where(*where).filter_by(**key).order_by(model.id).limit(1)
    )


def _open_meeting(grid: Grid, facilitator: Account) -> Meeting:
    """The demo's meeting is closed: open the grid's next one, with an item on its agenda."""
    meeting, _created = create_next_meeting(grid, facilitator, local_now())
    if not meeting.entries:
        add_entry(meeting, _first(Item, grid_id=grid.id).id)
    db.session.commit()
    return meeting


def _escalated_item(grid: Grid, actor: Account) -> Item:
    """The demo has no escalated item: send a household matter up to the community."""
    item = _first(Item, Item.state == State.TRIAGED, Item.level == Level.HOUSEHOLD,
                  grid_id=grid.id)
    escalate(item, actor, comment="需要社区协调")
    db.session.commit()
    return item


def _contexts() -> list[dict]:
    """Sets of URL parameter values: the places and a task, with an open meeting, with the
    closed (published) one, and with an escalated item.

    Opens a meeting and escalates an item in the demo data (see the functions above).
    """
    estate = _first(Estate, name="西西里小区")
    grid = _first(Grid, name="西西里小区第1网格")
    building = _first(Building, estate_id=estate.id)
    places = {
        "street_id": _first(Street, name="鼎山街道").id,
        "community_id": _first(Community, name="江州社区").id,
        "estate_id": estate.id,
        "grid_id": grid.id,
        "building_id": building.id,
        "body_id": _first(Body, name="西西里小区物业服务中心").id,
        "account_id": _first(Account, username="hetinghai").id,
        "token": building.qr_token,
        "task_id": _first(Task).id,
    }
    closed = _first(Meeting, Meeting.state == MeetingState.CLOSED, grid_id=grid.id)
    assert closed is not None, "the demo data has no closed meeting any more"
    facilitator = _first(Account, username="hetinghai")
    contexts = []
    for meeting in (_open_meeting(grid, facilitator), closed):
        version = _first(MinutesVersion, meeting_id=meeting.id)
        contexts.append({
            **places,
            "meeting_id": meeting.id,
            "entry_id": meeting.entries[0].id,
            "item_id": meeting.entries[0].item_id,
            "version_id": version.id if version else None,
        })
    contexts.append({**contexts[0], "item_id": _escalated_item(grid, facilitator).id})
    return contexts


def _objects() -> dict[str, object]:
    """One object of each kind of place, for /places/<kind>/<obj_id>/edit."""
    objects = {
        "streets": _first(Street, name="鼎山街道"),
        "communities": _first(Community, name="江州社区"),
        "estates": _first(Estate, name="西西里小区"),
        "buildings": _first(Building),
        "grids": _first(Grid, name="西西里小区第1网格"),
        "bodies": _first(Body, name="西西里小区物业服务中心"),
    }
    assert set(objects) == set(KINDS), "a kind of place was added: give it an object here"
    return objects


def url_values(app) -> dict[str, list[dict]]:
    """For each GET endpoint that answers with a page, the sets of URL values to fetch it with."""
    contexts = _contexts()
    objects = _objects()
    known = set(contexts[0]) | {"kind", "obj_id"}
    found: dict[str, list[dict]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES or FILE_URL.search(rule.rule) or "GET" not in rule.methods:
            continue
        arguments = set(rule.arguments) - set(rule.defaults or {})
        unknown = arguments - known
        assert not unknown, (f"{rule.rule}: no demo value for {sorted(unknown)}; "
                             "add it to tests/browser/pages.py")
        kinds = [{}]
        if "kind" in arguments:
            kinds = [{"kind": kind, **({"obj_id": obj.id} if "obj_id" in arguments else {})}
                     for kind, obj in objects.items()]
        sets = []
        for context in contexts:
            values = {a: context[a] for a in arguments if a in context}
            if None in values.values():
                continue
            sets.extend(v for v in ({**k, **values} for k in kinds) if v not in sets)
        found[rule.endpoint] = sets
    return found


def _extra_urls() -> list[tuple[str, str]]:
    """Pages that only a query string reaches: a search and a receipt lookup's result."""
    item = _first(Item, Item.is_public)
    grid = _first(Grid, name="西西里小区第1网格")
    return [
        ("public.receipt", url_for("public.receipt", code=item.receipt_code)),
        ("items.worklog_page", url_for("items.worklog_page", grid_id=grid.id, q="电梯")),
        ("accounts.index", url_for("accounts.index", q="何")),
    ]


def page_urls(app) -> list[tuple[str, str]]:
    """Every GET page as (endpoint, URL)."""
    with app.test_request_context():
        urls = [(endpoint, url_for(endpoint, **values))
                for endpoint, value_sets in sorted(url_values(app).items())
                for values in value_sets]
        return urls + _extra_urls()
