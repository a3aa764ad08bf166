import datetime as dt

import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.items.models import Item, Level, State
from neighborhood.items.services import create_item
from neighborhood.meetings.models import AgendaEntry, Meeting, MeetingState, Outcome, Party
from neighborhood.meetings.services import next_slot
from neighborhood.places.models import BodyKind, EstateKind, Grid
from neighborhood.timezone import local_today
from neighborhood.workdays import CalendarDay, add_working_days, is_working_day
from tests.helpers import count, text_of


@pytest.fixture
def grid_setting(client, auth, make_grid, make_building, make_account, make_body, make_estate):
    estate = make_estate(kind=EstateKind.PROPERTY, name="西西里小区")
    branch = make_body(estate=estate, kind=BodyKind.PARTY_BRANCH, name="网格党支部")
    company = make_body(estate=estate, kind=BodyKind.PROPERTY, name="西西里物业")
    worker = make_account(role=Role.FACILITATOR, name="何廷海")
    grid = make_grid(estate=estate, worker_id=worker.id, party_branch_id=branch.id)
    building = make_building(estate=estate, grid_id=grid.id)
    auth.as_(worker)
    return grid, building, worker, company


def _item(grid, building, actor, title, level="household"):
    item = create_item(grid, actor, title=title, building_id=building.id, category="other",
                       source="meeting", level=level)
    db.session.commit()
    return item


def _next(client, grid):
    response = client.post(f"/grids/{grid.id}/meetings/next")
    assert response.status_code == 303
    return db.session.scalar(sa.select(Meeting).where(Meeting.grid_id == grid.id,
                                                      Meeting.state == MeetingState.PLANNED))


def test_next_slot_follows_the_schedule(make_grid):
    grid = make_grid(meeting_weekdays="2,5", meeting_time=dt.time(19, 30))
    friday_noon = dt.datetime(2026, 11, 27, 12, 0)  # a Friday
    assert next_slot(grid, friday_noon) == dt.datetime(2026, 11, 27, 19, 30)
    assert next_slot(grid, dt.datetime(2026, 11, 27, 20, 0)) == dt.datetime(2026, 12, 1, 19, 30)


def test_schedule_form(client, grid_setting):
    grid = grid_setting[0]
    response = client.post(f"/grids/{grid.id}/schedule",
                           data={"weekdays": ["1", "4"], "time": "15:00", "place": "党群服务站"})
    assert response.status_code == 303
    db.session.expire_all()
    grid = db.session.get(Grid, grid.id)
    assert grid.weekdays == [1, 4] and grid.meeting_time == dt.time(15, 0)
    response = client.post(f"/grids/{grid.id}/schedule", data={"time": "15:00"})
    assert response.status_code == 422
    response = client.post(f"/grids/{grid.id}/schedule", data={"weekdays": ["9"], "time": "15:00"})
    assert response.status_code == 422


def test_agenda_fills_itself_in_order(client, grid_setting):
    grid, building, worker, company = grid_setting
    today = local_today()
    _item(grid, building, worker, "新事项甲")
    _item(grid, building, worker, "新事项乙")
    inbox = create_item(grid, worker, title="居民扫码反映", category="other", source="qr")
    assigned_later = _item(grid, building, worker, "已交办未到期")
    overdue = _item(grid, building, worker, "已交办已超期")
    for item, due in ((assigned_later, today + dt.timedelta(days=10)), (overdue, today - dt.timedelta(days=2))):
        item.state, item.body_id, item.due_date = State.ASSIGNED, company.id, due
    resolved = _item(grid, building, worker, "已办结")
    resolved.state = State.RESOLVED
    db.session.commit()

    meeting = _next(client, grid)
    titles = [e.item.title for e in meeting.entries]
    assert titles == ["已交办已超期", "已交办未到期", "新事项甲", "新事项乙"]
    assert [e.carried_over for e in meeting.entries] == [True, True, False, False]
    assert inbox.id not in [e.item_id for e in meeting.entries]
    assert {a.party for a in meeting.attendance} == {Party.PARTY_BRANCH, Party.GRID, Party.PROPERTY}
    # One tap again opens the same meeting.
    assert _next(client, grid).id == meeting.id and count(Meeting) == 1
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "已交办已超期" in page


def test_reorder_add_and_remove(client, grid_setting, make_grid):
    grid, building, worker, _ = grid_setting
    _a, _b = _item(grid, building, worker, "甲"), _item(grid, building, worker, "乙")
    meeting = _next(client, grid)
    first, second = meeting.entries
    response = client.post(f"/meetings/{meeting.id}/agenda/{second.id}/move", data={"direction": "up"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="agenda"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert [e.item.title for e in db.session.get(Meeting, meeting.id).entries] == ["乙", "甲"]

    inbox = create_item(grid, worker, title="新来的", category="other", source="phone")
    db.session.commit()
    assert client.post(f"/meetings/{meeting.id}/agenda", data={"item_id": inbox.id}).status_code == 303
    assert client.post(f"/meetings/{meeting.id}/agenda", data={"item_id": inbox.id}).status_code == 422
    other_grid = make_grid()
    stranger = create_item(other_grid, worker, title="别的网格", category="other", source="phone")
    db.session.commit()
    assert client.post(f"/meetings/{meeting.id}/agenda", data={"item_id": stranger.id}).status_code == 422
    assert client.post(f"/meetings/{meeting.id}/agenda/{first.id}/remove").status_code == 303
    db.session.expire_all()
    assert [e.item.title for e in db.session.get(Meeting, meeting.id).entries] == ["乙", "新来的"]
    assert [e.position for e in db.session.get(Meeting, meeting.id).entries] == [1, 2]


def test_attendance(client, grid_setting):
    grid = grid_setting[0]
    meeting = _next(client, grid)
    response = client.post(f"/meetings/{meeting.id}/attendance", data={
        "present_party_branch": "y", "names_party_branch": "何廷海", "present_grid": "y",
        "present_property": "y", "names_property": "周经理", "residents_count": "12"})
    assert response.status_code == 303
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    rows = {a.party: a for a in meeting.attendance}
    assert rows[Party.PROPERTY].present and rows[Party.PROPERTY].names == "周经理"
    assert meeting.residents_count == 12
    bad = client.post(f"/meetings/{meeting.id}/attendance", data={"residents_count": "-3"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).residents_count == 12


def _save(client, meeting, entry, version, json=True, **fields):
    data = {"version": str(version), **fields}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/meetings/{meeting.id}/run/{entry.id}/text", data=data, headers=headers)


def test_autosave_with_version_check(client, grid_setting):
    grid, building, worker, _ = grid_setting
    _item(grid, building, worker, "小区绿化需要修剪")
    meeting = _next(client, grid)
    entry = meeting.entries[0]
    response = _save(client, meeting, entry, 1, notes="物业说下周修剪", base_notes="")
    assert response.status_code == 200 and response.get_json() == {"version": 2, "saved": True}
    # A second tablet typed over the old text of the same field: conflict, nothing overwritten.
    response = _save(client, meeting, entry, 1, notes="业委会想先征求意见", base_notes="")
    assert response.status_code == 409
    data = response.get_json()
    assert data["theirs"] == "物业说下周修剪" and data["mine"] == "业委会想先征求意见"
    db.session.expire_all()
    assert db.session.get(AgendaEntry, entry.id).notes == "物业说下周修剪"
    # The other field changed meanwhile: that is no conflict.
    response = _save(client, meeting, entry, 1, decision="交物业办理", base_decision="")
    assert response.status_code == 200
    # The same text sent twice (a retried save) is no conflict either.
    response = _save(client, meeting, entry, 1, notes="物业说下周修剪", base_notes="")
    assert response.status_code == 200
    # Without JavaScript: a plain form, redirected back.
    response = _save(client, meeting, entry, 3, json=False, notes="改过", base_notes="物业说下周修剪")
    assert response.status_code == 303
    # A tablet that saved the other field holds the latest version, but still the old notes:
    # its notes typed over the old text are a conflict all the same.
    response = _save(client, meeting, entry, 4, decision="交物业办理，周五前", base_decision="交物业办理")
    assert response.status_code == 200
    response = _save(client, meeting, entry, response.get_json()["version"], notes="另一台平板的记录",
                     base_notes="物业说下周修剪")
    assert response.status_code == 409 and response.get_json()["theirs"] == "改过"
    # Too long.
    response = _save(client, meeting, entry, 4, notes="x" * 4001, base_notes="改过")
    assert response.status_code == 422


def test_outcome_rules(client, grid_setting, make_body, make_estate):
    grid, building, worker, company = grid_setting
    _item(grid, building, worker, "游泳池防护栏加固")
    meeting = _next(client, grid)
    entry = meeting.entries[0]
    url = f"/meetings/{meeting.id}/run/{entry.id}/outcome"
    today = local_today()
    foreign = make_body(estate=make_estate(), kind=BodyKind.PROPERTY, name="别的物业")
    cases = [
        ({"outcome": "assigned", "due_date": (today + dt.timedelta(days=5)).isoformat()}, "body_id"),
        ({"outcome": "assigned", "body_id": foreign.id,
          "due_date": (today + dt.timedelta(days=5)).isoformat()}, "body_id"),
        ({"outcome": "assigned", "body_id": company.id,
          "due_date": (today - dt.timedelta(days=1)).isoformat()}, "due_date"),
        ({"outcome": "assigned", "body_id": company.id}, "due_date"),
        ({"outcome": "escalated"}, "escalate_to"),
        ({}, "outcome"),
    ]
    for data, field in cases:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True), data
        db.session.expire_all()
        assert db.session.get(AgendaEntry, entry.id).outcome is None
    preset = add_working_days(today, 5).isoformat()
    response = client.post(url, data={"outcome": "assigned", "body_id": company.id,
                                      "responsible_person": "周经理", "due_preset": preset},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="outcome"' in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(AgendaEntry, entry.id)
    assert saved.outcome is Outcome.ASSIGNED and saved.due_date.isoformat() == preset


def test_self_governed_estate_offers_no_property_company(client, auth, make_grid, make_estate,
                                                         make_body, make_account):
    estate = make_estate(kind=EstateKind.SELF_GOVERNED)
    make_body(estate=estate, kind=BodyKind.OWNERS_COMMITTEE, name="自治小组业委会")
    worker = make_account(role=Role.FACILITATOR)
    grid = make_grid(estate=estate, worker_id=worker.id)
    create_item(grid, worker, title="楼道灯坏了", category="safety", source="phone", level="household")
    db.session.commit()
    auth.as_(worker)
    meeting = _next(client, grid)
    page = client.get(f"/meetings/{meeting.id}/run/{meeting.entries[0].id}").get_data(as_text=True)
    assert "自治小组业委会" in page and "物业" not in text_of_select(page)
    assert Party.PROPERTY not in {a.party for a in meeting.attendance}


def text_of_select(html):
    start = html.index('id="body_id"')
    return html[start:html.index("</select>", start)]


def _decide(client, meeting, entry, **data):
    response = client.post(f"/meetings/{meeting.id}/run/{entry.id}/outcome", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]


def test_close_applies_outcomes_and_next_meeting_carries_over(client, grid_setting):
    grid, building, worker, company = grid_setting
    for title in ("小区绿化需要修剪", "矮层楼栋的无障碍通道改造", "高层电梯满10年问题排查", "小区游泳池防护栏加固"):
        _item(grid, building, worker, title)
    meeting = _next(client, grid)
    greenery, access, lifts, pool = meeting.entries
    due = add_working_days(local_today(), 5).isoformat()
    _decide(client, meeting, greenery, outcome="resolved")
    _decide(client, meeting, pool, outcome="assigned", body_id=company.id, due_date=due,
            responsible_person="周经理")
    _decide(client, meeting, lifts, outcome="escalated", escalate_to="street")
    _save(client, meeting, pool, pool.version, decision="物业一周内加固", base_decision="")

    # One item has no outcome: closing is refused until it is decided or deferred.
    response = client.post(f"/meetings/{meeting.id}/close", data={})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state is MeetingState.PLANNED
    response = client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"})
    assert response.status_code == 303

    db.session.expire_all()
    items = {i.title: i for i in db.session.scalars(sa.select(Item))}
    assert items["小区绿化需要修剪"].state is State.RESOLVED
    assert items["小区绿化需要修剪"].resolved_level is Level.HOUSEHOLD
    pool_item = items["小区游泳池防护栏加固"]
    assert pool_item.state is State.ASSIGNED and pool_item.body_id == company.id
    assert pool_item.due_date.isoformat() == due and pool_item.responsible_person == "周经理"
    assert pool_item.steps[-1].comment == "物业一周内加固"
    assert pool_item.steps[-1].meeting_id == meeting.id
    lifts_item = items["高层电梯满10年问题排查"]
    assert lifts_item.state is State.ESCALATED and lifts_item.level is Level.PUBLIC
    assert items["矮层楼栋的无障碍通道改造"].state is State.DEFERRED

    # The closed record no longer changes.
    closed = db.session.get(Meeting, meeting.id)
    assert closed.state is MeetingState.CLOSED and closed.closed_by_id == worker.id
    assert _save(client, meeting, pool, 99, notes="改", base_notes="").status_code == 409
    response = client.post(f"/meetings/{meeting.id}/run/{pool.id}/outcome", data={"outcome": "resolved"})
    assert response.status_code in (303, 409)
    db.session.expire_all()
    assert db.session.get(AgendaEntry, pool.id).outcome is Outcome.ASSIGNED
    assert client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"}).status_code == 409
    record = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "物业一周内加固" in record

    # The next meeting carries over what is unfinished, and leaves out what was resolved.
    nxt = _next(client, grid)
    assert nxt.id != meeting.id
    assert {e.item.title for e in nxt.entries} == {
        "小区游泳池防护栏加固", "高层电梯满10年问题排查", "矮层楼栋的无障碍通道改造"}
    assert all(e.carried_over for e in nxt.entries)


def test_other_facilitator_cannot_touch_the_meeting(client, auth, grid_setting, make_account):
    grid = grid_setting[0]
    meeting = _next(client, grid)
    auth.logout()
    stranger = make_account(role=Role.FACILITATOR)
    auth.as_(stranger)
    assert client.get(f"/meetings/{meeting.id}").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"}).status_code == 403
    assert client.post(f"/grids/{grid.id}/meetings/next").status_code == 403


def test_working_days_follow_the_chinese_calendar(app):
    # National Day 2026: 1–7 October off, Saturday 10 October a make-up working day (调休).
    assert not is_working_day(dt.date(2026, 10, 1))
    assert is_working_day(dt.date(2026, 10, 10))
    assert not is_working_day(dt.date(2026, 10, 11))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # An administrator's correction wins over the package.
    db.session.add(CalendarDay(day=dt.date(2026, 10, 8), is_working=False, note="临时调整"))
    db.session.commit()
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 9)


def test_demo_meeting_from_the_worklog(demo, client, auth):
    auth.login("hetinghai", "dingshan2022")
    grid = db.session.scalar(sa.select(Grid).filter_by(name="西西里小区第1网格"))
    meeting = _next(client, grid)
    titles = [e.item.title for e in meeting.entries]
    # Last week's unfinished items come first, then the work log's new concerns.
    assert set(titles[:3]) == {"小区东门路灯不亮", "地下车库入口雨天积水", "2栋邻里噪音纠纷"}
    assert all(e.carried_over for e in meeting.entries[:3])
    assert titles[3:] == [
        "小区绿化需要修剪", "矮层楼栋的无障碍通道改造", "高层电梯满10年问题排查", "小区游泳池防护栏加固"]
    page = text_of(client.get(f"/meetings/{meeting.id}/run/{meeting.entries[-1].id}"))
    assert "西西里小区物业服务中心" in page and "西西里小区业主委员会" in page


def test_meeting_history_records_who_changed_what(client, grid_setting):
    grid, building, worker, company = grid_setting
    _item(grid, building, worker, "小区绿化需要修剪")
    meeting = _next(client, grid)
    entry = meeting.entries[0]
    client.post(f"/meetings/{meeting.id}/attendance", data={"present_grid": "y", "residents_count": "4"})
    client.post(f"/meetings/{meeting.id}/run/{entry.id}/outcome", data={"outcome": "resolved"})
    client.post(f"/meetings/{meeting.id}/close", data={})
    db.session.expire_all()
    events = db.session.get(Meeting, meeting.id).events
    assert [e.action.value for e in events] == ["created", "attendance", "outcome", "closed"]
    assert all(e.actor_id == worker.id for e in events)
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "何廷海" in page and "小区绿化需要修剪" in page
