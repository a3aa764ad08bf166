"""Follow-up: tasks of the bodies, deadlines, extensions, the escalation round trip,
two-step closure, notifications (in the app and by e-mail) and the meeting calendar."""
import datetime as dt
import io
import socket
import time

import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Account
from neighborhood.extensions import db
from neighborhood.items.models import Item, Level, State
from neighborhood.meetings.models import Meeting, MeetingState
from neighborhood.notifications.models import Kind, Notification
from neighborhood.places.models import Body, Grid
from neighborhood.tasks.models import Task, TaskState
from neighborhood.tasks.services import remind_deadlines
from neighborhood.timezone import local_today
from neighborhood.workdays import add_working_days, deadline_flag
from tests.helpers import count, text_of
from tests.test_photos import jpeg_bytes

PASSWORD = "dingshan2022"


def _one(model, **key):
    return db.session.scalar(sa.select(model).filter_by(**key))


def _as(client, username):
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303, username


def _meeting(client, grid):
    client.post(f"/grids/{grid.id}/meetings/next")
    return db.session.scalar(sa.select(Meeting).where(Meeting.grid_id == grid.id,
                                                      Meeting.state == MeetingState.PLANNED))


def _entry(meeting, title):
    return next(e for e in meeting.entries if e.item.title == title)


def _decide(client, meeting, title, **data):
    entry = _entry(meeting, title)
    response = client.post(f"/meetings/{meeting.id}/run/{entry.id}/outcome", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return entry


def _text(client, meeting, title, field, value):
    entry = _entry(meeting, title)
    db.session.refresh(entry)
    response = client.post(f"/meetings/{meeting.id}/run/{entry.id}/text", data={
        "version": entry.version, field: value, f"base_{field}": getattr(entry, field)},
        headers={"Accept": "application/json"})
    assert response.status_code == 200


@pytest.fixture
def demo_meeting(demo, client):
    """何廷海 runs the demo grid's next meeting: the pool rail to the property company, the lift
    check escalated to the street, the rest deferred; then the meeting is closed."""
    _as(client, "hetinghai")
    grid = _one(Grid, name="西西里小区第1网格")
    meeting = _meeting(client, grid)
    company = _one(Body, name="西西里小区物业服务中心")
    due = add_working_days(local_today(), 5).isoformat()
    _decide(client, meeting, "小区游泳池防护栏加固", outcome="assigned", body_id=company.id,
            due_date=due, responsible_person="周经理")
    _text(client, meeting, "小区游泳池防护栏加固", "decision", "物业加固泳池防护栏，完成后拍照公示")
    _decide(client, meeting, "高层电梯满10年问题排查", outcome="escalated", escalate_to="street")
    response = client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"})
    assert response.status_code == 303
    return grid, meeting


def test_pool_rail_from_assignment_through_done_with_photo_to_verified(demo_meeting, client):
    grid, _ = demo_meeting
    pool = _one(Item, title="小区游泳池防护栏加固")
    task = _one(Task, item_id=pool.id)
    assert pool.state is State.ASSIGNED and task.state is TaskState.OPEN

    _as(client, "wuye")  # the property manager, on his phone
    assert "小区游泳池防护栏加固" in text_of(client.get("/tasks"))
    assert client.post(f"/tasks/{task.id}/accept", data={"version": task.version}).status_code == 303
    db.session.expire_all()
    assert _one(Item, id=pool.id).state is State.IN_PROGRESS
    task = _one(Task, id=task.id)
    client.post(f"/tasks/{task.id}/notes", data={"text": "已订购不锈钢护栏", "version": task.version})
    db.session.expire_all()
    task = _one(Task, id=task.id)
    response = client.post(f"/tasks/{task.id}/done", data={
        "note": "防护栏已加固，高度1.2米", "version": task.version,
        "before": [(io.BytesIO(jpeg_bytes(color=(90, 90, 90))), "before.jpg")],
        "after": [(io.BytesIO(jpeg_bytes(color=(20, 160, 60))), "after.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    task = _one(Task, id=task.id)
    assert task.state is TaskState.DONE and len(task.photos) == 2
    assert _one(Item, id=pool.id).state is State.DONE
    photo = client.get(f"/tasks/{task.id}/photos/{task.photos[1].photo_id}/thumb")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    photo.close()

    # The grid hears of it and verifies the result at its next meeting.
    _as(client, "hetinghai")
    assert count(Notification) and _one(Notification, kind=Kind.DONE) is not None
    meeting = _meeting(client, grid)
    titles = [e.item.title for e in meeting.entries]
    assert "小区游泳池防护栏加固" in titles
    entry = _entry(meeting, "小区游泳池防护栏加固")
    page = text_of(client.get(f"/meetings/{meeting.id}/run/{entry.id}"))
    assert "防护栏已加固，高度1.2米" in page
    _decide(client, meeting, "小区游泳池防护栏加固", outcome="verified")
    client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"})
    db.session.expire_all()
    pool = _one(Item, id=pool.id)
    assert pool.state is State.RESOLVED and pool.resolved_level is Level.HOUSEHOLD
    assert _one(Task, id=task.id).state is TaskState.VERIFIED


def test_disputed_result_reopens_the_item(demo_meeting, client):
    grid, _ = demo_meeting
    pool = _one(Item, title="小区游泳池防护栏加固")
    task = _one(Task, item_id=pool.id)
    _as(client, "wuye")
    client.post(f"/tasks/{task.id}/done", data={"note": "已处理", "version": task.version})
    _as(client, "hetinghai")
    meeting = _meeting(client, grid)
    _decide(client, meeting, "小区游泳池防护栏加固", outcome="disputed")
    # A dispute needs its reason.
    assert client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"}).status_code == 422
    _text(client, meeting, "小区游泳池防护栏加固", "decision", "居民反映护栏仍然松动")
    assert client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"}).status_code == 303
    db.session.expire_all()
    pool = _one(Item, id=pool.id)
    assert pool.state is State.REOPENED and pool.state.is_open
    assert _one(Task, id=task.id).state is TaskState.DISPUTED
    manager = _one(Account, username="wuye")
    assert _one(Notification, account_id=manager.id, kind=Kind.REOPENED) is not None
    assert "小区游泳池防护栏加固" in [e.item.title for e in _meeting(client, grid).entries]


def test_body_member_sees_only_his_bodys_tasks(demo_meeting, client):
    pool = _one(Item, title="小区游泳池防护栏加固")
    pool.reporter_name, pool.reporter_contact = "刘大妈", "13600001111"
    db.session.commit()
    task = _one(Task, item_id=pool.id)
    _as(client, "yeweihui")  # the owners' committee: not its task
    assert client.get(f"/tasks/{task.id}").status_code == 403
    for action, data in (("accept", {}), ("notes", {"text": "x"}), ("done", {"note": "x"}),
                         ("extension", {"new_due_date": "2030-01-01", "reason": "x"})):
        assert client.post(f"/tasks/{task.id}/{action}", data=data).status_code == 403
    assert "小区游泳池防护栏加固" not in text_of(client.get("/tasks"))
    db.session.expire_all()
    assert _one(Task, id=task.id).state is TaskState.OPEN
    _as(client, "wuye")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "13600001111" not in page and "刘大妈" not in page
    # A body member can't decide his own extension or verify his own work.
    assert client.post(f"/items/{pool.id}/verify", data={"result": "solved"}).status_code == 403


def test_extension_request_and_decision(demo_meeting, client):
    task = _one(Task, item_id=_one(Item, title="小区游泳池防护栏加固").id)
    old_due = task.due_date
    _as(client, "wuye")
    url = f"/tasks/{task.id}/extension"
    assert client.post(url, data={"new_due_date": old_due.isoformat(), "reason": "材料未到",
                                  "version": task.version}).status_code == 422
    assert client.post(url, data={"new_due_date": (old_due + dt.timedelta(days=7)).isoformat(),
                                  "reason": "", "version": task.version}).status_code == 422
    new_due = old_due + dt.timedelta(days=7)
    assert client.post(url, data={"new_due_date": new_due.isoformat(), "reason": "材料未到",
                                  "version": task.version}).status_code == 303
    db.session.expire_all()
    task = _one(Task, id=task.id)
    ext = task.pending_extension
    assert ext is not None and task.due_date == old_due
    _as(client, "hetinghai")
    assert _one(Notification, kind=Kind.EXTENSION_ASKED) is not None
    response = client.post(f"/tasks/{task.id}/extensions/{ext.id}", data={"decision": "approve"})
    assert response.status_code == 303
    db.session.expire_all()
    assert _one(Task, id=task.id).due_date == new_due
    assert _one(Item, id=task.item_id).due_date == new_due
    manager = _one(Account, username="wuye")
    assert _one(Notification, account_id=manager.id, kind=Kind.EXTENSION_DECIDED) is not None
    # Decided once only.
    assert client.post(f"/tasks/{task.id}/extensions/{ext.id}", data={"decision": "refuse"}).status_code == 422


def test_stale_version_is_a_conflict(demo_meeting, client):
    task = _one(Task, item_id=_one(Item, title="小区游泳池防护栏加固").id)
    seen = task.version  # what the second phone loaded before the first one accepted
    _as(client, "wuye")
    client.post(f"/tasks/{task.id}/accept", data={"version": seen})
    response = client.post(f"/tasks/{task.id}/done", data={"note": "完成", "version": seen})
    assert response.status_code == 409
    db.session.expire_all()
    assert _one(Task, id=task.id).state is TaskState.ACCEPTED


def test_bad_photo_stores_nothing(demo_meeting, client):
    task = _one(Task, item_id=_one(Item, title="小区游泳池防护栏加固").id)
    _as(client, "wuye")
    response = client.post(f"/tasks/{task.id}/done", data={
        "note": "完成", "version": task.version,
        "after": [(io.BytesIO(b"GIF89a not really"), "after.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    db.session.expire_all()
    task = _one(Task, id=task.id)
    assert task.state is TaskState.OPEN and not task.photos


def test_deadline_flags_and_reminders(app, demo_meeting, client):
    today = local_today()
    assert deadline_flag(today - dt.timedelta(days=1), today) == "overdue"
    assert deadline_flag(add_working_days(today, 1), today) == "soon"
    assert deadline_flag(add_working_days(today, 2), today) == "soon"
    assert deadline_flag(add_working_days(today, 3), today) is None
    task = _one(Task, item_id=_one(Item, title="小区游泳池防护栏加固").id)
    task.due_date = add_working_days(today, 1)
    db.session.commit()
    _as(client, "wuye")
    assert "小区游泳池防护栏加固" in text_of(client.get("/tasks?show=soon"))
    assert "小区游泳池防护栏加固" not in text_of(client.get("/tasks?show=overdue"))
    manager = _one(Account, username="wuye")
    assert _one(Notification, account_id=manager.id, kind=Kind.DUE_SOON) is not None
    task = _one(Task, id=task.id)
    task.due_date = today - dt.timedelta(days=1)
    db.session.commit()
    with app.test_request_context():
        first = remind_deadlines(today, 2)
        db.session.commit()
        again = remind_deadlines(today, 2)
    assert first >= 1 and again == 0  # once per task and due date
    assert "小区游泳池防护栏加固" in text_of(client.get("/tasks?show=overdue"))
    # The unread count shows in the header; reading clears it.
    page = client.get("/tasks").get_data(as_text=True)
    assert 'class="count"' in page
    client.post("/notifications/read")
    assert 'class="count"' not in client.get("/tasks").get_data(as_text=True)


def test_escalation_round_trip_to_the_street_and_back(demo_meeting, client):
    grid, _ = demo_meeting
    lifts = _one(Item, title="高层电梯满10年问题排查")
    assert lifts.state is State.ESCALATED and lifts.escalated_to.value == "street"
    _as(client, "zhangxu")  # community staff: not their level
    assert "高层电梯满10年问题排查" not in text_of(client.get("/queue"))
    assert client.post(f"/queue/{lifts.id}/take").status_code == 403
    _as(client, "tangxiaomin")  # the street
    assert "高层电梯满10年问题排查" in text_of(client.get("/queue"))
    assert _one(Notification, kind=Kind.ESCALATED) is not None
    assert client.post(f"/queue/{lifts.id}/take").status_code == 303
    assert client.post(f"/queue/{lifts.id}/answer", data={"text": ""}).status_code == 422
    answer = "街道已联系特种设备检测机构，本月内完成10年电梯安全评估。"
    assert client.post(f"/queue/{lifts.id}/answer", data={"text": answer}).status_code == 303
    assert client.post(f"/queue/{lifts.id}/answer", data={"text": "再答"}).status_code == 409
    db.session.expire_all()
    lifts = _one(Item, id=lifts.id)
    assert lifts.state is State.DONE and lifts.answer == answer

    _as(client, "hetinghai")
    assert _one(Notification, kind=Kind.ANSWERED) is not None
    meeting = _meeting(client, grid)
    entry = _entry(meeting, "高层电梯满10年问题排查")
    assert answer in text_of(client.get(f"/meetings/{meeting.id}/run/{entry.id}"))
    _decide(client, meeting, "高层电梯满10年问题排查", outcome="verified")
    client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"})
    db.session.expire_all()
    lifts = _one(Item, id=lifts.id)
    assert lifts.state is State.RESOLVED and lifts.resolved_level is Level.PUBLIC


def test_community_sends_an_item_back(demo, client):
    from neighborhood.items.services import escalate

    item = _one(Item, title="矮层楼栋的无障碍通道改造")
    actor = _one(Account, username="hetinghai")
    with demo.test_request_context():
        escalate(item, actor, target=None)  # shared → public? no: household/shared one level up
    db.session.commit()
    db.session.expire_all()
    item = _one(Item, id=item.id)
    level = "street" if item.escalated_to.value == "street" else "community"
    _as(client, "tangxiaomin" if level == "street" else "zhangxu")
    assert client.post(f"/queue/{item.id}/return", data={"reason": ""}).status_code == 422
    assert client.post(f"/queue/{item.id}/return", data={"reason": "属小区内部事务，由网格协调"}).status_code == 303
    db.session.expire_all()
    item = _one(Item, id=item.id)
    assert item.state is State.RETURNED and item.escalated_to is None
    _as(client, "hetinghai")
    assert "属小区内部事务" in text_of(client.get(f"/items/{item.id}"))
    grid = _one(Grid, name="西西里小区第1网格")
    assert "矮层楼栋的无障碍通道改造" in [e.item.title for e in _meeting(client, grid).entries]


def test_community_hands_an_item_to_a_body(demo, client):
    from neighborhood.items.services import escalate

    item = _one(Item, title="小区绿化需要修剪")  # a household matter → the community
    with demo.test_request_context():
        escalate(item, _one(Account, username="hetinghai"))
    db.session.commit()
    _as(client, "zhangxu")
    committee = _one(Body, name="西西里小区业主委员会")
    due = add_working_days(local_today(), 5).isoformat()
    assert client.post(f"/queue/{item.id}/assign", data={"due_date": due}).status_code == 422
    response = client.post(f"/queue/{item.id}/assign", data={"body_id": committee.id, "due_date": due})
    assert response.status_code == 303
    task = _one(Task, item_id=item.id)
    assert task.body_id == committee.id
    _as(client, "yeweihui")
    assert "小区绿化需要修剪" in text_of(client.get("/tasks"))


def test_on_site_verification_and_closing_unsolved(demo_meeting, client):
    pool = _one(Item, title="小区游泳池防护栏加固")
    task = _one(Task, item_id=pool.id)
    _as(client, "wuye")
    client.post(f"/tasks/{task.id}/done", data={"note": "已加固", "version": task.version})
    _as(client, "hetinghai")
    assert client.post(f"/items/{pool.id}/verify", data={"result": "disputed"}).status_code == 422
    assert client.post(f"/items/{pool.id}/verify", data={"result": "solved"}).status_code == 303
    db.session.expire_all()
    assert _one(Item, id=pool.id).state is State.RESOLVED
    other = _one(Item, title="小区绿化需要修剪")
    assert client.post(f"/items/{other.id}/verify", data={"result": "solved"}).status_code == 422


def test_notification_email_through_a_local_smtp_server(app_factory, demo_meeting):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:  # a free port on this machine
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="grid@example.org")
        with app.app_context():
            manager = _one(Account, username="wuye")
            manager.email = "zhou@example.org"
            db.session.commit()
            pool = _one(Item, title="小区游泳池防护栏加固")
            task_id = _one(Task, item_id=pool.id).id
        client = app.test_client()
        client.post("/login", data={"username": "hetinghai", "password": PASSWORD})
        with app.app_context():
            grid = _one(Grid, name="西西里小区第1网格")
        # Something new for the property company: reopening after a dispute, on site.
        client.post("/logout")
        client.post("/login", data={"username": "wuye", "password": PASSWORD})
        client.post(f"/tasks/{task_id}/done", data={"note": "已处理", "version": 1})
        client.post("/logout")
        client.post("/login", data={"username": "hetinghai", "password": PASSWORD})
        response = client.post(f"/items/{pool.id}/verify",
                               data={"result": "disputed", "reason": "护栏仍松动"})
        assert response.status_code == 303
        deadline = time.time() + 5
        while not received and time.time() < deadline:
            time.sleep(0.05)
        assert received, "no e-mail arrived"
        message = received[0]
        assert message["To"] == "zhou@example.org"
        assert "护栏仍松动" in message.get_payload(decode=True).decode()
        with app.app_context():
            assert _one(Notification, account_id=_one(Account, username="wuye").id,
                        kind=Kind.REOPENED).emailed
        assert grid is not None
    finally:
        controller.stop()


def test_meeting_calendar_feed(demo, client):
    grid = _one(Grid, name="西西里小区第1网格")
    response = client.get(f"/grids/{grid.id}/meetings.ics?token={grid.calendar_token}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body and body.count("BEGIN:VEVENT") >= 4
    assert "西西里小区第1网格" in body
    assert client.get(f"/grids/{grid.id}/meetings.ics?token=wrong").status_code == 404
    assert client.get(f"/grids/{grid.id}/meetings.ics").status_code == 404
