import io

import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.items.models import Action, Item, Level, State, Step
from neighborhood.items.services import create_item
from tests.helpers import count, text_of
from tests.test_photos import jpeg_bytes


@pytest.fixture
def setting(client, auth, make_grid, make_building, make_account):
    worker = make_account(role=Role.FACILITATOR, name="刘芳")
    grid = make_grid(worker_id=worker.id)
    building = make_building(estate=grid.estate, grid_id=grid.id, name="1栋")
    auth.as_(worker)
    return grid, building, worker


def _form(building, **overrides):
    data = {"title": "小区绿化需要修剪", "description": "枝叶遮挡采光", "building_id": building.id,
            "unit": "2单元", "category": "greenery", "source": "home_visit", "level": "household",
            "reporter_name": "张三", "reporter_contact": "13812345678", "is_public": "y"}
    data.update(overrides)
    return data


def test_record_a_concern_with_a_photo_and_get_a_receipt_code(client, setting):
    grid, building, worker = setting
    data = _form(building)
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "IMG_0001.JPG")]
    response = client.post(f"/grids/{grid.id}/items/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalar(sa.select(Item))
    assert item.state is State.TRIAGED and item.level is Level.HOUSEHOLD
    assert len(item.receipt_code) == 8 and item.receipt_code.isalnum()
    assert len(item.photos) == 1
    assert [s.action for s in item.steps] == [Action.CREATED, Action.TRIAGED]
    assert all(s.actor_id == worker.id for s in item.steps)
    page = client.get(response.headers["Location"])
    assert item.receipt_code in text_of(page)
    photo = client.get(f"/items/{item.id}/photos/{item.photos[0].id}/thumb")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    photo.close()


def test_untriaged_concern_waits_in_the_inbox(client, setting):
    grid, building, _ = setting
    client.post(f"/grids/{grid.id}/items/new", data=_form(building, level=""))
    item = db.session.scalar(sa.select(Item))
    assert item.state is State.NEW and item.level is None


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"title": "长" * 81}, "title"),
    ({"category": "weather"}, "category"),
    ({"level": "galactic"}, "level"),
    ({"description": "x" * 2001}, "description"),
])
def test_bad_concern_is_refused_and_nothing_stored(client, setting, overrides, field):
    grid, building, _ = setting
    response = client.post(f"/grids/{grid.id}/items/new", data=_form(building, **overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Item) == 0 and count(Step) == 0


def test_building_of_another_grid_is_refused(client, setting, make_building):
    grid, _, _ = setting
    other = make_building()
    response = client.post(f"/grids/{grid.id}/items/new", data=_form(other))
    assert response.status_code == 422 and count(Item) == 0


def test_a_file_that_is_not_a_photo_is_refused(client, setting):
    grid, building, _ = setting
    data = _form(building)
    data["photos"] = [(io.BytesIO(b"%PDF-1.4 not a photo"), "photo.jpg")]
    response = client.post(f"/grids/{grid.id}/items/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert count(Item) == 0


def test_concern_of_another_grid_cannot_be_recorded_or_seen(client, setting, make_grid):
    other = make_grid()
    assert client.get(f"/grids/{other.id}/items/new").status_code == 403
    assert client.get(f"/grids/{other.id}/worklog").status_code == 403


def test_triage_and_escalate_are_recorded_as_steps(client, setting):
    grid, building, _ = setting
    client.post(f"/grids/{grid.id}/items/new", data=_form(building, level=""))
    item = db.session.scalar(sa.select(Item))
    response = client.post(f"/items/{item.id}/triage", data={"level": "household", "comment": "物业可办"})
    assert response.status_code == 303
    response = client.post(f"/items/{item.id}/escalate", data={"comment": "需要社区协调"})
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(Item, item.id)
    assert item.state is State.ESCALATED and item.level is Level.SHARED
    assert item.escalated_to.value == "community"
    steps = item.steps
    assert [s.action for s in steps] == [Action.CREATED, Action.TRIAGED, Action.ESCALATED]
    assert steps[2].from_level is Level.HOUSEHOLD and steps[2].to_level is Level.SHARED
    history = text_of(client.get(f"/items/{item.id}"))
    assert "需要社区协调" in history and "物业可办" in history
    # Shared → public (the street), then no further.
    client.post(f"/items/{item.id}/escalate", data={})
    response = client.post(f"/items/{item.id}/escalate", data={})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Item, item.id).level is Level.PUBLIC


def test_worklog_filters_and_searches(client, setting):
    grid, building, _ = setting
    for title, category in [("小区绿化需要修剪", "greenery"), ("电梯满10年排查", "lifts"),
                            ("泳池防护栏加固", "safety")]:
        client.post(f"/grids/{grid.id}/items/new", data=_form(building, title=title, category=category))
    page = text_of(client.get(f"/grids/{grid.id}/worklog"))
    assert all(t in page for t in ("小区绿化需要修剪", "电梯满10年排查", "泳池防护栏加固"))
    found = client.get(f"/grids/{grid.id}/worklog?q=电梯", headers={"HX-Request": "true"})
    html = found.get_data(as_text=True)
    assert "<html" not in html and "电梯满10年排查" in html and "泳池" not in html
    assert "HX-Request" in found.headers["Vary"]
    page = text_of(client.get(f"/grids/{grid.id}/worklog?category=safety"))
    assert "泳池防护栏加固" in page and "电梯满10年排查" not in page
    code = db.session.scalar(sa.select(Item.receipt_code).where(Item.title == "泳池防护栏加固"))
    page = text_of(client.get(f"/grids/{grid.id}/worklog?q={code}"))
    assert "泳池防护栏加固" in page and "电梯满10年排查" not in page


def test_escaping_in_item_pages(client, setting):
    grid, building, _ = setting
    evil = '<script>alert(1)</script>'
    client.post(f"/grids/{grid.id}/items/new", data=_form(building, title=evil, description=evil,
                                                         reporter_name=evil))
    item = db.session.scalar(sa.select(Item))
    for url in (f"/items/{item.id}", f"/grids/{grid.id}/worklog"):
        html = client.get(url).get_data(as_text=True)
        assert evil not in html and "&lt;script&gt;" in html


def test_edit_a_concern_and_make_a_residents_report_public(client, setting):
    grid, building, worker = setting
    item = create_item(grid, None, title="楼道灯坏", category="other", source="qr", is_public=False,
                       reporter_contact="13800001111")
    db.session.commit()
    page = client.get(f"/items/{item.id}/edit")
    assert page.status_code == 200 and "13800001111" in page.get_data(as_text=True)
    response = client.post(f"/items/{item.id}/edit", data={
        "title": "3单元楼道灯坏了", "category": "safety", "building_id": building.id,
        "reporter_contact": "13800001111", "is_public": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(Item, item.id)
    assert item.is_public and item.title == "3单元楼道灯坏了" and item.building_id == building.id
    assert item.steps[-1].action is Action.EDITED and "is_public" in item.steps[-1].comment
    assert "13800001111" not in item.steps[-1].comment
    # Empty title, a building elsewhere: refused, nothing changed.
    assert client.post(f"/items/{item.id}/edit", data={"title": "", "category": "safety"}).status_code == 422
    assert client.post(f"/items/{item.id}/edit", data={"title": "x", "category": "safety",
                                                      "building_id": 99999}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Item, item.id).title == "3单元楼道灯坏了"


def test_calendar_corrections(client, auth, make_account):
    import datetime as dt

    from neighborhood.workdays import CalendarDay, add_working_days

    auth.as_(make_account(role=Role.ADMIN))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    response = client.post("/calendar", data={"day": "2026-10-08", "kind": "off", "note": "临时调整"})
    assert response.status_code == 303
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 9)
    assert client.post("/calendar", data={"day": "not a date", "kind": "off"}).status_code == 422
    assert client.post("/calendar/2026-10-08/delete").status_code == 303
    assert db.session.get(CalendarDay, dt.date(2026, 10, 8)) is None
    assert client.post("/calendar/2026-13-40/delete").status_code == 404


def test_dashboard_rates_per_level(client, auth, make_account, make_grid):
    from neighborhood.items.models import Level, State

    grid = make_grid()
    worker = make_account(role=Role.FACILITATOR)
    for n, (level, state) in enumerate([(Level.HOUSEHOLD, State.RESOLVED)] * 4
                                       + [(Level.HOUSEHOLD, State.CLOSED), (Level.SHARED, State.RESOLVED),
                                          (Level.SHARED, State.ASSIGNED)]):
        item = create_item(grid, worker, title=f"事项{n}", category="other", source="phone",
                           level=level.value)
        item.state = state
        if state is State.RESOLVED:
            item.resolved_level = level
    db.session.commit()
    auth.as_(make_account(role=Role.COMMUNITY, community_id=grid.community_id))
    page = text_of(client.get("/"))
    assert "80.0%" in page  # 4 solved of 5 finished at grid level: exactly the target
    assert "100.0%" in page  # 1 of 1 at community level


def test_residents_reports_wait_in_the_inbox(client, setting):
    grid, building, worker = setting
    create_item(grid, None, title="扫码反映：楼道灯坏", category="other", source="qr", is_public=False)
    db.session.commit()
    page = text_of(client.get(f"/grids/{grid.id}/worklog"))
    assert "1件新事项待分流" in page
    inbox = text_of(client.get(f"/grids/{grid.id}/worklog?state=new"))
    assert "扫码反映：楼道灯坏" in inbox
