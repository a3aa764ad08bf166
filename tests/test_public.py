"""What residents see without an account, and what they must never see."""
import re
import subprocess

import pytest
import sqlalchemy as sa

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.items.models import Item, Source, State
from neighborhood.items.services import create_item
from neighborhood.minutes.models import MinutesVersion
from neighborhood.places.models import BodyKind, Building
from neighborhood.privacy import mask_name, mask_phone, scrub
from neighborhood.timezone import local_today
from neighborhood.workdays import add_working_days
from tests.helpers import text_of

NAME, PHONE, ID_NUMBER = "王建国", "13908231234", "500116198001011234"


def test_masking_rules():
    assert mask_name("张三") == "张**" and mask_name("欧阳明月") == "欧**"
    assert mask_phone("13908231234") == "139******34"
    text = scrub(f"{NAME}（电话{PHONE}，身份证{ID_NUMBER}）反映噪音", [NAME])
    assert NAME not in text and PHONE not in text and ID_NUMBER not in text
    assert "王**" in text and "139******34" in text


@pytest.fixture
def published(client, auth, make_grid, make_building, make_account, make_body, make_estate):
    """A published meeting whose items are full of a resident's private data."""
    estate = make_estate(name="西西里小区")
    company = make_body(estate=estate, kind=BodyKind.PROPERTY, name="西西里小区物业服务中心")
    worker = make_account(role=Role.FACILITATOR, name="刘芳", phone="023-47520021")
    grid = make_grid(estate=estate, worker_id=worker.id, name="西西里小区第1网格")
    building = make_building(estate=estate, grid_id=grid.id, name="1栋", police_officer="李警官",
                             police_station="鼎山派出所")
    private = f"{NAME}说，电话{PHONE}，身份证号{ID_NUMBER}"
    create_item(grid, worker, title=f"{NAME}家门口路灯坏了", description=private,
                building_id=building.id, category="safety", source="phone", level="household",
                reporter_name=NAME, reporter_contact=PHONE)
    create_item(grid, worker, title="邻里纠纷内部事项", description=private, category="dispute",
                source="walk_in", level="household", is_public=False, reporter_name="李秀英",
                reporter_contact="13512345678")
    db.session.commit()
    auth.as_(worker)
    client.post(f"/grids/{grid.id}/meetings/next")
    meeting_id = db.session.scalar(sa.select(sa.text("id")).select_from(sa.table("meetings")))
    from neighborhood.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    lamp, dispute = meeting.entries
    due = add_working_days(local_today(), 5).isoformat()
    client.post(f"/meetings/{meeting.id}/run/{lamp.id}/text",
                data={"version": "1", "decision": f"物业联系{NAME}（{PHONE}）上门维修", "base_decision": ""})
    client.post(f"/meetings/{meeting.id}/run/{lamp.id}/outcome", data={
        "outcome": "assigned", "body_id": company.id, "due_date": due, "responsible_person": "周经理"})
    client.post(f"/meetings/{meeting.id}/run/{dispute.id}/text",
                data={"version": "1", "decision": "李秀英与邻居当面调解", "base_decision": ""})
    client.post(f"/meetings/{meeting.id}/run/{dispute.id}/outcome", data={"outcome": "deferred"})
    client.post(f"/meetings/{meeting.id}/close", data={})
    client.post(f"/meetings/{meeting.id}/minutes/publish")
    auth.logout()
    return building, grid, meeting


def _public_pages(client, building):
    version = db.session.scalar(sa.select(MinutesVersion))
    item = db.session.scalar(sa.select(Item).where(Item.title.like("%路灯%")))
    pages = {
        "building": client.get(f"/b/{building.qr_token}"),
        "minutes": client.get(f"/m/{version.id}"),
        "receipt": client.get(f"/receipt?code={item.receipt_code}"),
        "report": client.get(f"/b/{building.qr_token}/report"),
    }
    pdfs = {"minutes.pdf": client.get(f"/m/{version.id}.pdf"),
            "notice.pdf": client.get(f"/m/{version.id}/notice.pdf")}
    return pages, pdfs


def test_nothing_private_reaches_a_public_page_or_pdf(client, published, tmp_path):
    building, _, _ = published
    pages, pdfs = _public_pages(client, building)
    texts = {name: r.get_data(as_text=True) for name, r in pages.items()}
    for name, response in pdfs.items():
        assert response.status_code == 200, name
        path = tmp_path / name
        path.write_bytes(response.get_data())
        response.close()
        texts[name] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                     check=True).stdout
    for name, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        for secret in (NAME, PHONE, ID_NUMBER, "李秀英", "13512345678", "邻里纠纷内部事项", "当面调解"):
            assert secret not in flat, (name, secret)
    assert "王**家门口路灯坏了" in re.sub(r"\s+", "", texts["minutes"])
    assert "139******34" in texts["minutes"]


def test_building_page(client, published):
    building, grid, _ = published
    page = text_of(client.get(f"/b/{building.qr_token}"))
    for expected in ("西西里小区 1栋", "鼎山派出所", "李警官", "刘芳", "023-47520021",
                     "王**家门口路灯坏了", "西西里小区物业服务中心"):
        assert expected in page, expected
    assert client.get("/b/not-a-token").status_code == 404


def test_drafts_are_never_public(client, auth, make_grid, make_account, make_building):
    worker = make_account(role=Role.FACILITATOR)
    grid = make_grid(worker_id=worker.id)
    building = make_building(estate=grid.estate, grid_id=grid.id)
    create_item(grid, worker, title="草稿里的事项", category="other", source="phone", level="household")
    db.session.commit()
    auth.as_(worker)
    client.post(f"/grids/{grid.id}/meetings/next")
    meeting_id = db.session.scalar(sa.text("select id from meetings"))
    entry_id = db.session.scalar(sa.text("select id from agenda_entries"))
    client.post(f"/meetings/{meeting_id}/run/{entry_id}/outcome", data={"outcome": "resolved"})
    client.post(f"/meetings/{meeting_id}/close", data={})
    auth.logout()
    draft = db.session.scalar(sa.select(MinutesVersion))
    assert not draft.is_published
    assert client.get(f"/m/{draft.id}").status_code == 404
    assert "草稿里的事项" not in text_of(client.get(f"/b/{building.qr_token}"))
    assert client.get(f"/meetings/{meeting_id}/minutes/preview.pdf").status_code == 302


def test_receipt_lookup(client, published):
    item = db.session.scalar(sa.select(Item).where(Item.title.like("%路灯%")))
    page = text_of(client.get(f"/receipt?code={item.receipt_code.lower()}"))
    assert "已交办" in page and "王**家门口路灯坏了" in page
    missing = client.get("/receipt?code=ZZZZZZZZ")
    assert missing.status_code == 404
    assert client.get("/receipt?code=<script>").status_code == 422
    fragment = client.get(f"/receipt?code={item.receipt_code}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    # An internal item shows its state, not its content.
    internal = db.session.scalar(sa.select(Item).where(Item.is_public.is_(False)))
    page = text_of(client.get(f"/receipt?code={internal.receipt_code}"))
    assert "邻里纠纷内部事项" not in page and "李秀英" not in page


def _challenge(html):
    a, b = map(int, re.search(r"(\d+) \+ (\d+)", html).groups())
    token = re.search(r'name="challenge" type="hidden" value="([^"]+)"', html).group(1)
    return a + b, token


def test_resident_reports_a_concern(app_factory, make_grid, make_building, make_account):
    app = app_factory(REPORT_MIN_SECONDS=0, REPORT_RATE_LIMIT="3 per hour")
    with app.app_context():
        worker = make_account(role=Role.FACILITATOR)
        grid = make_grid(worker_id=worker.id)
        token = make_building(estate=grid.estate, grid_id=grid.id).qr_token
    client = app.test_client()
    url = f"/b/{token}/report"
    answer, challenge = _challenge(client.get(url).get_data(as_text=True))
    # A wrong answer, and a filled honeypot, store nothing.
    response = client.post(url, data={"title": "楼道灯坏了", "answer": answer + 1, "challenge": challenge})
    assert response.status_code == 422
    response = client.post(url, data={"title": "楼道灯坏了", "answer": answer, "challenge": challenge,
                                      "website": "http://spam"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Item)) == 0
    response = client.post(url, data={"title": "楼道灯坏了", "contact": "13800001111",
                                      "answer": answer, "challenge": challenge})
    assert response.status_code == 201
    with app.app_context():
        item = db.session.scalar(sa.select(Item))
        assert item.source is Source.QR and item.state is State.NEW and not item.is_public
        assert item.reporter_contact == "13800001111"
        assert item.receipt_code in response.get_data(as_text=True)
    # Rate-limited: the fourth attempt within the hour is refused.
    assert client.post(url, data={"title": "再报一次"}).status_code == 429


def test_demo_building_shows_the_published_minutes(demo, client):
    token = db.session.scalar(sa.select(Building.qr_token).where(Building.name == "1栋"))
    page = text_of(client.get(f"/b/{token}"))
    assert "小区东门路灯不亮" in page and "2栋邻里噪音纠纷" not in page and "王建国" not in page
    assert "13908231234" not in page
