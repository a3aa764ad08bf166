"""After the meeting, in Chromium: the property manager finishes his task on his phone with an
"after" photo and the grid verifies it at its next meeting; an item escalated to the street goes
round three accounts and comes back with an answer; axe-core (and touch targets) on the tasks
list, a task page, the escalation queue and the notifications page at a phone's size.
"""
from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from neighborhood.demo import DEMO_PASSWORD
from neighborhood.extensions import db
from neighborhood.items.models import EscalationTarget, Item, State
from neighborhood.meetings.models import Meeting, MeetingState
from neighborhood.places.models import Body, Grid
from neighborhood.tasks.models import Task, TaskState
from neighborhood.timezone import local_today
from neighborhood.workdays import add_working_days

from .checks import PHONE, check_page, sign_in
from .steps import (
    GRID,
    LIFTS,
    POOL,
    follow,
    in_db,
    no_horizontal_scroll,
    one,
    save_outcome,
    tab_maker,
    type_and_wait,
)

pytestmark = pytest.mark.browser

COMPANY = "西西里小区物业服务中心"


@pytest.fixture
def new_tab(browser, live_server):
    yield from tab_maker(browser, live_server)


# --- set-up through the app's routes (as in tests/test_tasks.py), no browser ----------------

def _as(client, username: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, username


def _open_meeting(client) -> tuple[int, dict[str, int]]:
    """The grid's next meeting (one tap, through the route): its id and {title: entry id}."""
    grid_id = in_db(lambda: one(Grid, name=GRID).id)
    assert client.post(f"/grids/{grid_id}/meetings/next").status_code == 303

    def find():
        meeting = one(Meeting, Meeting.state == MeetingState.PLANNED, grid_id=grid_id)
        return meeting.id, {e.item.title: e.id for e in meeting.entries}
    return in_db(find)


def route_client(app_factory):
    """A test client of an app of its own (CSRF off, same database): each of its requests has its
    own app context, so nothing it signs in leaks into the test's."""
    return app_factory().test_client()


def pool_assigned_to_the_company(client) -> int:
    """何廷海's meeting assigns the pool's guard rail to the property company and closes; the
    task's id."""
    _as(client, "hetinghai")
    meeting_id, entries = _open_meeting(client)
    company_id = in_db(lambda: one(Body, name=COMPANY).id)
    due = add_working_days(local_today(), 5).isoformat()
    entry = entries[POOL]
    response = client.post(f"/meetings/{meeting_id}/run/{entry}/outcome", data={
        "outcome": "assigned", "body_id": company_id, "due_date": due,
        "responsible_person": "周经理"})
    assert response.status_code == 303
    response = client.post(f"/meetings/{meeting_id}/run/{entry}/text", data={
        "version": "2", "decision": "物业加固泳池防护栏，完成后拍照公示", "base_decision": ""},
        headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post(f"/meetings/{meeting_id}/close", data={"defer_rest": "y"}).status_code == 303
    return in_db(lambda: one(Task, Task.item_id == one(Item, title=POOL).id).id)


def a_photo(folder) -> str:
    """A small JPEG, as a phone's camera would give (smaller)."""
    path = folder / "after.jpg"
    image = Image.new("RGB", (640, 480), (40, 150, 70))
    for x in range(0, 640, 40):  # a few bars, so it is not one flat colour
        image.paste((200, 200, 200), (x, 300, x + 10, 480))
    image.save(path, "JPEG", quality=80)
    return str(path)


def unread(page: Page) -> int:
    """The unread count in the header (0 when it shows none)."""
    count = page.locator(".nav a[href='/notifications'] .count")
    return int(count.inner_text()) if count.count() else 0


# --- (a) the property manager finishes a task with a photo; the grid verifies it ------------

def test_property_manager_finishes_the_pool_rail_and_the_grid_verifies_it(
        app_factory, page, phone_page, live_server, tmp_path):
    task_id = pool_assigned_to_the_company(route_client(app_factory))
    phone = phone_page

    # 周经理, on his phone: 本单位任务.
    sign_in(phone, "wuye")
    follow(phone, phone.locator(".nav a[href='/tasks']"))
    card = phone.locator(".task-list .task-card", has_text=POOL)
    expect(card).to_contain_text("物业加固泳池防护栏，完成后拍照公示")
    expect(card).to_contain_text("新任务")
    no_horizontal_scroll(phone)
    check_page(phone)  # (c) the tasks list

    follow(phone, card.locator("a"))
    expect(phone).to_have_url(live_server(f"/tasks/{task_id}"))
    expect(phone.locator("h1")).to_have_text(POOL)
    badge = phone.locator("main > p .badge").first
    expect(badge).to_have_text("新任务")
    no_horizontal_scroll(phone)
    check_page(phone)  # (c) a task page

    # Accept it: the state changes.
    phone.locator("form[action$='/accept'] button[type=submit]").click()
    expect(phone.locator(".flash.success")).to_be_visible()
    expect(badge).to_have_text("办理中")
    expect(phone.locator("form[action$='/accept']")).to_have_count(0)
    assert in_db(lambda: one(Item, title=POOL).state) is State.IN_PROGRESS

    # Report it done, with a note and an "after" photo.
    done = phone.locator("#done")
    done.locator("textarea[name=note]").fill("防护栏立柱已重新焊接加固，高度1.2米")
    done.locator("input[name=after]").set_input_files(a_photo(tmp_path))
    done.locator("button[type=submit]").click()
    expect(phone.locator(".flash.success")).to_be_visible()
    expect(badge).to_have_text("已办结，待核查")
    expect(phone.locator("#done")).to_have_count(0)
    result = phone.locator("section.panel", has=phone.locator("h2", has_text="办理情况"))
    expect(result).to_contain_text("防护栏立柱已重新焊接加固，高度1.2米")
    photo = result.locator("ul.photos img")
    expect(photo).to_have_count(1)
    expect(result.locator("ul.photos small")).to_have_text("整改后")
    photo.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    no_horizontal_scroll(phone)
    check_page(phone)

    def task_state():
        task = db.session.get(Task, task_id)
        return task.state, [p.kind.value for p in task.photos], task.done_note
    assert in_db(task_state) == (TaskState.DONE, ["after"], "防护栏立柱已重新焊接加固，高度1.2米")

    # (c) his notifications: the new task.
    follow(phone, phone.locator(".nav a[href='/notifications']"))
    expect(phone.locator("ul.notes")).to_contain_text(POOL)
    no_horizontal_scroll(phone)
    check_page(phone)

    # 何廷海, on the tablet: he was told; at the next meeting he sees the note and the photo.
    sign_in(page, "hetinghai")
    assert unread(page) >= 1
    follow(page, page.locator("main a.card", has_text=GRID))
    page.locator("form[action$='/meetings/next'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    row = page.locator("#agenda li.entry", has_text=POOL)
    expect(row).to_contain_text("已办结，待核查")
    follow(page, row.locator(".what > a"))
    expect(page.locator(".item-card h1")).to_have_text(POOL)
    report = page.locator(".item-card .notice", has_text=f"{COMPANY}已报办结")
    expect(report).to_contain_text("防护栏立柱已重新焊接加固，高度1.2米")
    thumb = report.locator("img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("alt", re.compile("整改后"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())

    # Verified: solved. Closing the meeting resolves the item.
    page.locator("#outcome input[name=outcome][value=verified]").check()
    save_outcome(page, "核查：已解决")
    type_and_wait(page, "decision", "网格员现场核实，防护栏牢固。")
    page.goto(meeting_url)
    page.locator("#close input[name=defer_rest]").check()
    page.locator("#close button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/minutes$"))

    def outcome():
        item = one(Item, title=POOL)
        return item.state, db.session.get(Task, task_id).state, item.id
    item_state, state, item_id = in_db(outcome)
    assert (item_state, state) == (State.RESOLVED, TaskState.VERIFIED)
    page.goto(f"/items/{item_id}")
    expect(page.locator("main .badge").first).to_have_text("已办结")
    expect(page.locator("#history")).to_contain_text("网格员现场核实，防护栏牢固。")


# --- (b) the escalation round trip across three accounts ------------------------------------

def test_lift_check_escalated_to_the_street_and_answered(app_factory, page, new_tab, live_server):
    client = route_client(app_factory)
    _as(client, "hetinghai")
    meeting_id, entries = _open_meeting(client)

    # 何廷海 escalates the lift check to the street in meeting mode, and closes the meeting.
    sign_in(page, "hetinghai")
    before = unread(page)
    page.goto(f"/meetings/{meeting_id}/run/{entries[LIFTS]}")
    expect(page.locator(".item-card h1")).to_have_text(LIFTS)
    type_and_wait(page, "decision", "上报街道，协调区市场监管局开展电梯安全评估。")
    page.locator("#outcome input[name=outcome][value=escalated]").check()
    page.locator("#escalate_to").select_option("street")
    save_outcome(page, "上报")
    page.goto(f"/meetings/{meeting_id}")
    page.locator("#close input[name=defer_rest]").check()
    page.locator("#close button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/minutes$"))
    lift = in_db(lambda: (lambda i: (i.id, i.state, i.escalated_to))(one(Item, title=LIFTS)))
    assert lift[1:] == (State.ESCALATED, EscalationTarget.STREET)
    lift_id = lift[0]

    # 唐晓敏, the street, on her phone: 上报事项; she takes it up and answers.
    street = new_tab(PHONE)
    sign_in(street, "tangxiaomin")
    assert unread(street) >= 1
    follow(street, street.locator(".nav a[href='/queue']"))
    row = street.locator("table.list tbody tr", has_text=LIFTS)
    expect(row).to_contain_text(GRID)
    no_horizontal_scroll(street)
    check_page(street)  # (c) the queue

    follow(street, row.locator("a"))
    expect(street.locator("h1")).to_have_text(LIFTS)
    expect(street.locator("main")).to_contain_text("上报街道，协调区市场监管局开展电梯安全评估。")
    no_horizontal_scroll(street)
    check_page(street)
    street.locator("form[action$='/take'] button[type=submit]").click()
    expect(street.locator(".flash.success")).to_have_text("您已接手该事项。")
    expect(street.locator("main .notice")).to_have_text("由唐晓敏接手。")
    answer = "街道已联系区市场监管局，下周二由检验机构对12部电梯逐台评估，费用由维修资金列支。"
    street.locator("#answer textarea[name=text]").fill(answer)
    street.locator("#answer button[type=submit]").click()
    expect(street.locator(".flash.success")).to_be_visible()
    expect(street.locator("#answer")).to_have_count(0)
    expect(street.locator("main")).to_contain_text(answer)
    assert in_db(lambda: one(Item, id=lift_id).state) is State.DONE

    # (c) her notifications: the escalation.
    follow(street, street.locator(".nav a[href='/notifications']"))
    expect(street.locator("ul.notes")).to_contain_text(LIFTS)
    no_horizontal_scroll(street)
    check_page(street)

    # 何廷海: one more unread notification; it leads to the item, with the answer.
    page.goto("/")
    expect(page.locator(".nav a[href='/notifications'] .count")).to_have_text(str(before + 1))
    expect(page.locator(".nav a[href='/notifications'] .sr-only")).to_contain_text(str(before + 1))
    follow(page, page.locator(".nav a[href='/notifications']"))
    note = page.locator("ul.notes li.unread", has_text=LIFTS)
    expect(note).to_have_count(1)
    note.locator("button").click()
    expect(page).to_have_url(live_server(f"/items/{lift_id}"))
    expect(page.locator("main")).to_contain_text(answer)
    assert unread(page) == before

    # The next meeting's agenda has the answer to read out, and meeting mode shows it.
    page.goto("/")
    follow(page, page.locator("main a.card", has_text=GRID))
    page.locator("form[action$='/meetings/next'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    row = page.locator("#agenda li.entry", has_text=LIFTS)
    expect(row).to_contain_text("有答复待通报")
    follow(page, row.locator(".what > a"))
    expect(page.locator(".item-card .notice", has_text="待通报的答复")).to_contain_text(answer)
    expect(page.locator("#outcome input[name=outcome][value=verified]")).to_be_visible()
    check_page(page)
