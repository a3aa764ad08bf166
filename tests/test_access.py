"""Roles × routes: every route is tried by every role, and each denial is asserted.

EXPECTED is written out by hand (not read from the code's declarations), so a change of who may
use a route shows up here. A new route fails ``test_every_route_is_in_the_matrix`` until added.
"""
import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Account, Role
from neighborhood.extensions import db
from neighborhood.meetings.models import Meeting
from neighborhood.minutes.models import MinutesState, MinutesVersion
from neighborhood.places.models import Building, Community, Estate, Grid, Street

ANON = "anonymous"
EVERYONE = {ANON, "admin", "street", "community", "facilitator", "body"}
SIGNED_IN = EVERYONE - {ANON}
STAFF = {"admin", "street", "community"}
RUN = {"admin", "community", "facilitator"}

EXPECTED = {
    "core.healthz": EVERYONE,
    "core.set_language": EVERYONE,
    "core.index": SIGNED_IN,
    "accounts.login": EVERYONE,
    "accounts.logout": SIGNED_IN,
    "accounts.my_password": SIGNED_IN,
    "accounts.index": {"admin"},
    "accounts.new": {"admin"},
    "accounts.edit": {"admin"},
    "places.index": STAFF | {"facilitator"},
    "places.street": {"admin", "street"},
    "places.community": STAFF,
    "places.estate": STAFF | {"facilitator"},
    "places.grid": STAFF | {"facilitator"},
    "places.building": STAFF | {"facilitator"},
    "places.new": {"admin"},
    "places.edit": {"admin"},
    # Concerns and meetings: the grid's facilitators, its community, an admin; the street looks on.
    "items.worklog_page": RUN | {"street"},
    "items.new": RUN,
    "items.edit": RUN,
    "core.calendar": {"admin"},
    "core.calendar_delete": {"admin"},
    "items.show": RUN | {"street"},
    "items.triage_item": RUN,
    "items.escalate_item": RUN,
    "items.photo": RUN | {"street"},
    "meetings.index": RUN | {"street"},
    "meetings.create_next": RUN,
    "meetings.schedule": RUN,
    "meetings.show": RUN | {"street"},
    "meetings.attendance": RUN,
    "meetings.add_to_agenda": RUN,
    "meetings.remove_from_agenda": RUN,
    "meetings.move": RUN,
    "meetings.close": RUN,
    "meetings.run": RUN,
    "meetings.save_text": RUN,
    "meetings.outcome": RUN,
    "places.qr_sheet": STAFF | {"facilitator"},
    "minutes.edit": RUN | {"street"},
    "minutes.save": RUN,
    "minutes.publish_minutes": RUN,
    "minutes.correct": RUN,
    "minutes.preview_pdf": RUN,
    # Follow-up: the body works its tasks; the grid decides extensions and verifies results.
    "tasks.index": {"body"},
    "tasks.show": {"body", "street"} | RUN,
    "tasks.photo": {"body", "street"} | RUN,
    "tasks.accept_task": {"body"},
    "tasks.note": {"body"},
    "tasks.done": {"body"},
    "tasks.extension": {"body"},
    "tasks.decide": RUN,
    "tasks.verify_item": RUN,
    # The community's and the street's queue of escalated items.
    "escalations.index": STAFF,
    "escalations.show": STAFF,
    "escalations.take_up": STAFF,
    "escalations.answer_item": STAFF,
    "escalations.return_item": STAFF,
    "escalations.assign_item": STAFF,
    "notifications.index": SIGNED_IN,
    "notifications.read": SIGNED_IN,
    "meetings.calendar": EVERYONE,  # its secret token is the key; tested in test_tasks
    # Residents: no account.
    "public.building": EVERYONE,
    "public.minutes": EVERYONE,
    "public.minutes_pdf": EVERYONE,
    "public.notice_pdf": EVERYONE,
    "public.receipt": EVERYONE,
    "public.report": EVERYONE,
}

DEMO_USER = {
    "admin": "admin",
    "street": "tangxiaomin",
    "community": "zhangxu",
    "facilitator": "hetinghai",
    "body": "wuye",
}


def _one(model, **key):
    return db.session.scalar(sa.select(model).filter_by(**key))


def demo_request():
    from flask import current_app

    return current_app.test_request_context()


def _meeting_fixture(grid):
    """A meeting of the demo grid with one agenda entry and a photo on its item."""
    from neighborhood.items.services import add_photo
    from neighborhood.meetings.services import create_next_meeting
    from neighborhood.timezone import local_now
    from tests.test_photos import jpeg_bytes

    meeting = db.session.scalar(sa.select(Meeting).filter_by(grid_id=grid.id, state="planned"))
    if meeting is None:
        actor = _one(Account, username="hetinghai")
        meeting, _created = create_next_meeting(grid, actor, local_now())
        add_photo(meeting.entries[0].item, jpeg_bytes(), actor)
        db.session.commit()
    return meeting


def _task_fixture():
    """A task of the demo's property company, with a photo and a pending extension request."""
    import datetime as dt

    from neighborhood.photos import store_photo
    from neighborhood.tasks.models import Task, TaskPhoto
    from neighborhood.tasks.services import request_extension
    from tests.test_photos import jpeg_bytes

    task = db.session.scalar(sa.select(Task).order_by(Task.id))
    if not task.extensions:
        manager = _one(Account, username="wuye")
        with demo_request():
            request_extension(task, manager, task.due_date + dt.timedelta(days=7), "材料未到")
        db.session.add(TaskPhoto(task=task, photo=store_photo(jpeg_bytes(), manager.id), kind="after"))
        db.session.commit()
    return task


def _sample_values():
    grid = _one(Grid, name="西西里小区第1网格")
    meeting = _meeting_fixture(grid)
    entry = meeting.entries[0]
    task = _task_fixture()
    return {
        "street_id": _one(Street, name="鼎山街道").id,
        "community_id": _one(Community, name="江州社区").id,
        "estate_id": _one(Estate, name="西西里小区").id,
        "grid_id": grid.id,
        "building_id": grid.buildings[0].id,
        "account_id": _one(Account, username="hetinghai").id,
        "kind": "grids",
        "obj_id": grid.id,
        "item_id": entry.item_id,
        "photo_id": entry.item.photos[0].id,
        "size": "thumb",
        "meeting_id": meeting.id,
        "entry_id": entry.id,
        "token": grid.buildings[0].qr_token,
        "task_id": task.id,
        "day": "2026-10-10",
        "escalated": _escalated_items(),
        "extension_id": task.extensions[0].id,
        "version_id": db.session.scalar(sa.select(MinutesVersion.id).where(
            MinutesVersion.state == MinutesState.PUBLISHED)),
    }


def _escalated_items():
    """One demo item waiting at the community and one at the street, so each level's staff
    meet an item of their own level in the queue routes."""
    from neighborhood.items.models import EscalationTarget, Item
    from neighborhood.items.services import escalate

    items = {}
    for target, title in ((EscalationTarget.COMMUNITY, "矮层楼栋的无障碍通道改造"),
                          (EscalationTarget.STREET, "高层电梯满10年问题排查")):
        item = _one(Item, title=title)
        if item.escalated_to is not target:
            with demo_request():
                escalate(item, _one(Account, username="hetinghai"), target=target)
        items[target.value] = item.id
    db.session.commit()
    return items


def _url_args(rule, values, role=None):
    if rule.endpoint.startswith("escalations.") and "item_id" in rule.arguments:
        values = {**values, "item_id": values["escalated"]["street" if role == "street" else "community"]}
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.endpoint}: add sample values for {unknown}"
    return {name: values[name] for name in rule.arguments}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in _rules(app)} == set(EXPECTED)


def _client_as(app, role):
    client = app.test_client()
    if role != ANON:
        response = client.post("/login", data={"username": DEMO_USER[role], "password": "dingshan2022"})
        assert response.status_code == 303, role
    return client


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_roles_by_routes(demo, role):
    app = demo
    client = _client_as(app, role)
    values = _sample_values()
    checked = 0
    for rule in _rules(app):
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **_url_args(rule, values, role))
        allowed = role in EXPECTED[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "accounts.logout" and allowed:
                continue  # would end this client's session; tested in test_auth
            if rule.endpoint == "accounts.login" and role != ANON:
                continue  # a signed-in user is sent home; nothing to deny
            response = client.open(url, method=method, data={})
            response.close()
            checked += 1
            if allowed:
                assert response.status_code not in (401, 403), (role, method, url)
                assert "/login" not in response.headers.get("Location", ""), (role, method, url)
            elif role == ANON:
                assert response.status_code == 302, (role, method, url, response.status_code)
                assert response.headers["Location"].startswith("/login"), (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url, response.status_code)
    assert checked >= len(EXPECTED)


def test_denied_post_changes_nothing(demo):
    client = _client_as(demo, "facilitator")
    grid = _one(Grid, name="西西里小区第1网格")
    response = client.post(f"/places/grids/{grid.id}/edit", data={"name": "改名", "code": grid.code,
                                                                "community_id": grid.community_id,
                                                                "kind": "residential"})
    assert response.status_code == 403
    db.session.expire_all()
    assert _one(Grid, id=grid.id).name == "西西里小区第1网格"


def test_community_staff_see_only_their_community(demo):
    client = _client_as(demo, "community")  # 张旭, 江州社区
    assert client.get(f"/places/communities/{_one(Community, name='江州社区').id}").status_code == 200
    assert client.get(f"/places/communities/{_one(Community, name='艾坪社区').id}").status_code == 403
    aiping_grid = _one(Grid, name="艾坪社区第1网格")
    assert client.get(f"/places/grids/{aiping_grid.id}").status_code == 403


def test_facilitator_sees_only_his_grids(demo):
    client = _client_as(demo, "facilitator")  # 何廷海, grid head of grids 1-4
    own = _one(Grid, name="西西里小区第1网格")
    other = _one(Grid, name="西西里小区第5网格")
    assert client.get(f"/places/grids/{own.id}").status_code == 200
    assert client.get(f"/places/grids/{other.id}").status_code == 403
    assert client.get(f"/places/buildings/{own.buildings[0].id}").status_code == 200
    assert client.get(f"/places/buildings/{other.buildings[0].id}").status_code == 403
    assert client.get(f"/places/estates/{own.estate_id}").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "西西里小区第1网格" in home and "西西里小区第5网格" not in home


def test_street_staff_of_another_street_see_nothing_here(demo, make_account, make_street):
    other = make_street(name="几江街道")
    make_account(role=Role.STREET, street_id=other.id, username="jijiang")
    client = demo.test_client()
    client.post("/login", data={"username": "jijiang", "password": "correct horse battery"})
    assert client.get(f"/places/streets/{_one(Street, name='鼎山街道').id}").status_code == 403
    assert client.get(f"/places/communities/{_one(Community, name='江州社区').id}").status_code == 403
    assert client.get(f"/places/buildings/{_one(Building, name='1栋').id}").status_code == 403
