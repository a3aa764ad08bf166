"""A neighbourhood meeting on the facilitator's tablet (iPad viewport), driven in Chromium.

- the whole meeting: prepare it in one tap, attendance (htmx swap), meeting mode with autosaved
  notes and decisions and four different outcomes, closing, the minutes draft, publishing, the
  public minutes page;
- nothing typed is lost when the network drops: edits are kept in localStorage, the screen says
  they are not saved, and they reach the database in order when the connection returns (also
  across a reload while the server cannot be reached);
- two tablets on one item: the second gets the conflict box with both texts, nothing is
  overwritten, and "keep my text" saves it;
- axe-core (and touch targets) on the meeting page and in meeting mode, in every state above.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from neighborhood.extensions import db
from neighborhood.items.models import EscalationTarget, Item, State
from neighborhood.meetings.models import Attendance, Meeting, MeetingState, Outcome
from neighborhood.places.models import Body
from neighborhood.tasks.models import Task

from .checks import check_axe, check_page, sign_in
from .steps import (
    ACCESS,
    CONFLICT,
    GREENERY,
    GRID,
    LIFTS,
    NOT_SAVED_TEXT,
    POOL,
    QUEUE_KEY,
    SAVED,
    UNSAVED,
    assert_not_reloaded,
    entry_texts,
    follow,
    in_db,
    mark_document,
    one,
    prepare_meeting,
    save_outcome,
    step,
    stored_queue,
    tab_maker,
    type_and_wait,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def new_tab(browser, live_server):
    yield from tab_maker(browser, live_server)


# --- (a) a whole meeting ----------------------------------------------------------------------

def test_a_whole_meeting_on_the_tablet(page, live_server):
    notes = {
        GREENERY: "居民反映中心花园枝叶过密，物业园林组本周在岗。",
        POOL: "防护栏立柱松动，暑期孩子多，必须在开放前加固。",
        LIFTS: "涉及12部电梯，需要特种设备检验机构评估。",
        ACCESS: "需征求一楼住户意见，并核算维修资金。",
    }
    decisions = {
        GREENERY: "会上协调物业园林组当日修剪，网格员现场核实。",
        POOL: "交物业加固泳池防护栏，完成后拍照公示。",
        LIFTS: "上报街道，协调区市场监管局开展安全评估。",
        ACCESS: "下次邻里会前由业委会提出改造方案。",
    }
    company_id = in_db(lambda: one(Body, name="西西里小区物业服务中心").id)

    # The grid's meetings page, from the facilitator's home; the next meeting in one tap.
    sign_in(page, "hetinghai")
    follow(page, page.locator("main a.card", has_text=GRID))
    expect(page.locator("h1")).to_contain_text(GRID)
    page.locator("form[action$='/meetings/next'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator(".flash.success")).to_be_visible()
    meeting_id = int(page.url.rsplit("/", 1)[1])
    agenda = page.locator("#agenda ol.agenda > li .what > a")
    expect(agenda).to_have_count(7)  # three carried over, then the four pending concerns
    titles = agenda.all_inner_texts()
    assert titles[3:] == [GREENERY, ACCESS, LIFTS, POOL], titles

    # Attendance: four parties with names, the residents' count; htmx swaps the block.
    mark_document(page)
    attendance = page.locator("#attendance")
    attendance.evaluate("el => el.dataset.before = 'swap'")
    names = {"party_branch": "何廷海", "grid": "刘芳", "owners_committee": "陈主任",
             "property": "周经理"}
    for party, name in names.items():
        attendance.locator(f"input[name=present_{party}]").check()
        attendance.locator(f"#names_{party}").fill(name)
    attendance.locator("input[name=residents_count]").fill("12")
    with page.expect_response(lambda r: r.url.endswith("/attendance")) as answer:
        attendance.locator("button[type=submit]").click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#attendance input[name=residents_count]")).to_have_value("12")
    for party, name in names.items():
        expect(page.locator(f"#attendance input[name=present_{party}]")).to_be_checked()
        expect(page.locator(f"#names_{party}")).to_have_value(name)
    assert_not_reloaded(page)
    expect(page.locator("#attendance")).to_have_count(1)  # swapped, not nested
    expect(page.locator("#attendance[data-before]")).to_have_count(0)  # a new block
    stored = in_db(lambda: ({a.party.value: (a.present, a.names) for a in db.session.scalars(
        sa.select(Attendance).where(Attendance.meeting_id == meeting_id))},
        db.session.get(Meeting, meeting_id).residents_count))
    assert stored == ({p: (True, n) for p, n in names.items()}, 12)
    check_page(page)  # (d) the meeting page, after the swap

    # Meeting mode, one item at a time.
    follow(page, page.locator(".heading a.button.primary"))
    expect(page.locator(".run-nav .progress")).to_contain_text("7")
    for title in titles[1:4]:
        step(page, "next", title)

    # 1. The greenery: resolved on the spot.
    type_and_wait(page, "notes", notes[GREENERY])
    type_and_wait(page, "decision", decisions[GREENERY])
    page.locator("#outcome input[name=outcome][value=resolved]").check()
    expect(page.locator("#outcome .when-assigned")).to_be_hidden()
    save_outcome(page, "当场解决")

    # 2. The pool's guard rail: assigned to the property company, due in 5 working days.
    step(page, "next", ACCESS)
    step(page, "next", LIFTS)
    step(page, "next", POOL)
    expect(page.locator(".run-nav a[rel=next]")).to_have_count(0)  # the last item
    type_and_wait(page, "notes", notes[POOL])
    type_and_wait(page, "decision", decisions[POOL])
    page.locator("#outcome input[name=outcome][value=assigned]").check()
    expect(page.locator("#outcome .when-assigned")).to_be_visible()
    expect(page.locator("#outcome .when-escalated")).to_be_hidden()
    # Assigned to nobody: 422, the error next to the field, swapped in by htmx.
    with page.expect_response(lambda r: r.url.endswith("/outcome")) as answer:
        page.locator("#outcome button[type=submit]").click()
    assert answer.value.status == 422
    expect(page.locator("#body_id-error")).to_be_visible()
    expect(page.locator("#body_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#outcome input[name=outcome][value=assigned]")).to_be_checked()
    page.locator("#body_id").select_option(str(company_id))
    page.locator("#responsible_person").fill("周经理")
    preset = page.locator("#outcome input[name=due_preset]").nth(1)  # 5 working days
    preset.check()
    due = preset.get_attribute("value")
    expect(page.locator("#due_date")).to_have_value(due)
    save_outcome(page, "交办责任主体")
    expect(page.locator("#due_date")).to_have_value(due)
    expect(page.locator("#body_id")).to_have_value(str(company_id))
    check_page(page)  # (d) meeting mode, after the outcome was swapped in

    # 3. The lifts: escalated to the street.
    step(page, "prev", LIFTS)
    type_and_wait(page, "notes", notes[LIFTS])
    type_and_wait(page, "decision", decisions[LIFTS])
    page.locator("#outcome input[name=outcome][value=escalated]").check()
    expect(page.locator("#outcome .when-escalated")).to_be_visible()
    page.locator("#escalate_to").select_option("street")
    save_outcome(page, "上报")

    # 4. The accessible entrances: deferred. The outcome first this time, then the texts: the
    # outcome raised the entry's version, and the texts still save (no false conflict).
    step(page, "prev", ACCESS)
    page.locator("#outcome input[name=outcome][value=deferred]").check()
    save_outcome(page, "暂缓")
    type_and_wait(page, "notes", notes[ACCESS])
    type_and_wait(page, "decision", decisions[ACCESS])

    # The texts are in the database as typed.
    entries = in_db(lambda: {e.item.title: (e.id, e.notes, e.decision, e.outcome) for e in
                             db.session.get(Meeting, meeting_id).entries})
    for title in notes:
        assert entries[title][1:3] == (notes[title], decisions[title]), title

    # To the closing: the agenda shows the four outcomes; the rest is deferred.
    step(page, "next", LIFTS)
    step(page, "next", POOL)
    follow(page, page.locator(".run-nav a.primary"))
    expect(page.locator("#close")).to_be_visible()
    outcomes = {GREENERY: "当场解决", POOL: "交办责任主体", LIFTS: "上报", ACCESS: "暂缓"}
    for title, label in outcomes.items():
        expect(page.locator("#agenda li.entry", has_text=title).locator(".outcome")).to_contain_text(label)
    expect(page.locator("#agenda .outcome.pending")).to_have_count(3)
    page.locator("#close input[name=defer_rest]").check()
    page.locator("#close button[type=submit]").click()

    # The minutes draft shows the decisions.
    expect(page).to_have_url(live_server(f"/meetings/{meeting_id}/minutes"))
    expect(page.locator(".flash.success")).to_be_visible()
    for title, decision in decisions.items():
        expect(page.locator(f"#decision_{entries[title][0]}")).to_have_value(decision)
    preview = page.locator("section.panel", has=page.locator("h2", has_text="居民看到的内容"))
    for title, decision in decisions.items():
        expect(preview).to_contain_text(decision)
    check_page(page)

    # The database: each outcome carried onto its item.
    def states():
        items = {i.title: i for i in db.session.scalars(sa.select(Item).where(
            Item.title.in_(list(outcomes))))}
        pool_task = one(Task, item_id=items[POOL].id)
        return ({t: i.state for t, i in items.items()}, items[LIFTS].escalated_to,
                (pool_task.body_id, pool_task.due_date.isoformat(), pool_task.responsible_person,
                 pool_task.decision),
                db.session.get(Meeting, meeting_id).state)
    item_states, lifts_to, task, meeting_state = in_db(states)
    assert item_states == {GREENERY: State.RESOLVED, POOL: State.ASSIGNED, LIFTS: State.ESCALATED,
                           ACCESS: State.DEFERRED}
    assert lifts_to is EscalationTarget.STREET
    assert task == (company_id, due, "周经理", decisions[POOL])
    assert meeting_state is MeetingState.CLOSED
    assert entries[GREENERY][3] is Outcome.RESOLVED

    # Publish; the public minutes page.
    page.locator("#draft button[name=then][value=publish]").click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("#draft")).to_have_count(0)
    public_link = page.locator("main a[href^='/m/']:not([href$='.pdf'])").first
    follow(page, public_link)
    main = page.locator("main")
    for title, decision in decisions.items():
        expect(main).to_contain_text(title)
        expect(main).to_contain_text(decision)
    for label in outcomes.values():
        expect(main).to_contain_text(label)
    expect(main).to_contain_text("周经理")
    expect(main).to_contain_text("12")
    # The internal dispute carried over from the last meeting, and its resident, stay private.
    page_text = main.inner_text()
    for private in ("2栋邻里噪音纠纷", "王建国", "13908231234"):
        assert private not in page_text
    check_axe(page)


# --- (b) the network drops ------------------------------------------------------------------

def test_nothing_typed_is_lost_when_the_network_drops(page, live_server):
    meeting_id, entry_ids = prepare_meeting()
    greenery, access = entry_ids[GREENERY], entry_ids[ACCESS]
    saves: list[tuple[int, str, str]] = []  # (entry id, field, text) of every save that succeeded

    def record(response):
        match = re.search(r"/run/(\d+)/text$", response.url)
        if match and response.status == 200:
            body = response.request.post_data_buffer or b""
            for field in ("notes", "decision"):
                value = _multipart_value(body, field)
                if value is not None:
                    saves.append((int(match.group(1)), field, value))
    page.on("response", record)

    sign_in(page, "hetinghai")
    page.goto(f"/meetings/{meeting_id}/run/{greenery}")
    expect(page.locator(".item-card h1")).to_have_text(GREENERY)
    context = page.context

    # Offline: three edits of the notes, one of the decision. Each says it is not saved.
    context.set_offline(True)
    typed = ["绿化带遮挡1栋低层采光", "绿化带遮挡1栋、2栋低层采光",
             "绿化带遮挡1栋、2栋低层采光，居民希望本周修剪"]
    notes, decision = page.locator("textarea[name=notes]"), page.locator("textarea[name=decision]")
    notes_status, decision_status = page.locator("#notes-status"), page.locator("#decision-status")
    for text in typed[:2]:
        notes.fill(text)
        expect(notes_status).to_have_class(UNSAVED)  # tried, failed, kept
    expect(notes_status).to_have_text(NOT_SAVED_TEXT)
    decision.fill("物业园林组本周五前修剪")
    notes.fill(typed[2])
    expect(decision_status).to_have_class(UNSAVED)
    expect(notes_status).to_have_class(UNSAVED)
    expect(page.locator("form[data-autosave]")).to_have_class(re.compile(r"\bhas-unsaved\b"))
    # Kept on the tablet: the latest text of each field, nothing older.
    queue = stored_queue(page)
    assert [(j["field"], j["value"]) for j in queue] == [
        ("decision", "物业园林组本周五前修剪"), ("notes", typed[2])], queue
    assert entry_texts(greenery) == ("", "")
    check_axe(page)  # the "not saved" state

    # Online again: everything is sent, in order, and the screen says so.
    context.set_offline(False)
    expect(notes_status).to_have_class(SAVED)
    expect(decision_status).to_have_class(SAVED)
    expect(page.locator("form[data-autosave]")).not_to_have_class(re.compile(r"\bhas-unsaved\b"))
    assert entry_texts(greenery) == (typed[2], "物业园林组本周五前修剪")
    assert stored_queue(page) == []
    sent_notes = [text for entry, field, text in saves if entry == greenery and field == "notes"]
    assert sent_notes and sent_notes[-1] == typed[2], saves
    assert sent_notes == sorted(sent_notes, key=typed.index), "an older text arrived after a newer one"

    # The second item (navigation needs the network: it happens online). Here the server cannot
    # be reached while the tablet still is online; the tablet is reloaded meanwhile: the text
    # typed before the reload comes back from the tablet's storage and is sent afterwards.
    step(page, "next", ACCESS)
    page.route("**/run/*/text", lambda route: route.abort("internetdisconnected"))
    notes.fill("需要业委会征求一楼住户意见")
    expect(notes_status).to_have_class(UNSAVED)
    decision.fill("下次会议前拿出方案")
    expect(decision_status).to_have_class(UNSAVED)
    page.once("dialog", lambda dialog: dialog.accept())  # "leave the page? changes are kept"
    page.reload()
    expect(notes).to_have_value("需要业委会征求一楼住户意见")
    expect(decision).to_have_value("下次会议前拿出方案")
    expect(notes_status).to_have_class(UNSAVED)
    expect(notes_status).to_have_text(NOT_SAVED_TEXT)
    assert entry_texts(access) == ("", "")
    page.unroute("**/run/*/text")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(notes_status).to_have_class(SAVED)
    expect(decision_status).to_have_class(SAVED)
    assert entry_texts(access) == ("需要业委会征求一楼住户意见", "下次会议前拿出方案")
    assert stored_queue(page) == []
    # The first item was not touched by the second's saves.
    assert entry_texts(greenery) == (typed[2], "物业园林组本周五前修剪")

    # A slow connection: the facilitator goes on typing while a save is still on its way. The
    # later text was typed over the earlier one: both arrive, in order, and no false conflict.
    held = []

    def hold(route):
        held.append(route)
    page.route("**/run/*/text", hold)
    notes.fill("需要业委会征求一楼住户意见，并核算维修资金")
    wait_until(page, lambda: len(held) == 1, "the first save never left")
    notes.fill("需要业委会征求一楼住户意见，并核算维修资金和工期")
    page.wait_for_function(f"JSON.parse(localStorage.getItem({QUEUE_KEY!r}) || '[]').length === 2")
    held[0].continue_()  # the first save arrives; then the second leaves
    wait_until(page, lambda: len(held) == 2, "the second save never left")
    held[1].continue_()
    page.unroute("**/run/*/text")
    expect(notes_status).to_have_class(SAVED)
    expect(page.locator(".conflict-box")).to_be_hidden()
    assert entry_texts(access)[0] == "需要业委会征求一楼住户意见，并核算维修资金和工期"
    sent_notes = [text for entry, field, text in saves if entry == access and field == "notes"]
    assert sent_notes[-2:] == ["需要业委会征求一楼住户意见，并核算维修资金",
                               "需要业委会征求一楼住户意见，并核算维修资金和工期"], saves
    assert stored_queue(page) == []


def wait_until(page, condition, message: str) -> None:
    for _ in range(100):
        if condition():
            return
        page.wait_for_timeout(50)  # lets Playwright handle the page's events meanwhile
    pytest.fail(message)


def _multipart_value(body: bytes, name: str) -> str | None:
    """The value of a field in a multipart/form-data body (what the autosave script sends)."""
    match = re.search(rb'name="' + name.encode() + rb'"\r\n\r\n(.*?)\r\n--', body, re.S)
    return match.group(1).decode() if match else None


# --- (c) two tablets --------------------------------------------------------------------------

def test_two_tablets_never_overwrite_each_other(page, new_tab, live_server):
    meeting_id, entry_ids = prepare_meeting()
    entry = entry_ids[LIFTS]
    url = f"/meetings/{meeting_id}/run/{entry}"
    first, second = page, new_tab()
    for tablet in (first, second):
        sign_in(tablet, "hetinghai")
        tablet.goto(url)
        expect(tablet.locator(".item-card h1")).to_have_text(LIFTS)

    # The first tablet writes the notes.
    type_and_wait(first, "notes", "电梯投用满10年的共12部")
    assert entry_texts(entry) == ("电梯投用满10年的共12部", "")

    # The second tablet, whose page still has the old (empty) notes, writes the decision: another
    # field, no conflict.
    type_and_wait(second, "decision", "上报街道协调评估")
    assert entry_texts(entry) == ("电梯投用满10年的共12部", "上报街道协调评估")

    # Then it writes the notes over the old text: the conflict box shows both texts; nothing
    # is overwritten.
    second.locator("textarea[name=notes]").fill("共有8部电梯满10年")
    box = second.locator(".conflict-box")
    expect(box).to_be_visible()
    expect(box.locator(".theirs")).to_have_text("电梯投用满10年的共12部")
    expect(box.locator(".mine")).to_have_text("共有8部电梯满10年")
    expect(second.locator("#notes-status")).to_have_class(CONFLICT)
    expect(second.locator("#notes-status")).to_have_text("未保存：他人已修改")
    assert entry_texts(entry) == ("电梯投用满10年的共12部", "上报街道协调评估")
    check_page(second)  # (d) meeting mode with the conflict box open

    # "Keep my text": saved over theirs, knowingly.
    box.get_by_role("button", name="保留我的文字").click()
    expect(box).to_be_hidden()
    expect(second.locator("#notes-status")).to_have_class(SAVED)
    assert entry_texts(entry) == ("共有8部电梯满10年", "上报街道协调评估")
    assert stored_queue(second) == []

    # The first tablet, now behind, cannot silently overwrite it either.
    first.locator("textarea[name=notes]").fill("电梯投用满10年的共12部，另有2部满15年")
    expect(first.locator(".conflict-box")).to_be_visible()
    expect(first.locator(".conflict-box .theirs")).to_have_text("共有8部电梯满10年")
    first.get_by_role("button", name="采用对方的文字").click()
    expect(first.locator("textarea[name=notes]")).to_have_value("共有8部电梯满10年")
    expect(first.locator("#notes-status")).to_have_class(SAVED)
    assert entry_texts(entry) == ("共有8部电梯满10年", "上报街道协调评估")
