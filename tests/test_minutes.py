"""Minutes: draft at closing, editing, publishing once, corrections; the PDFs themselves."""
import io
import logging
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.items.services import create_item
from neighborhood.meetings.models import Meeting
from neighborhood.minutes.models import MinutesState, MinutesVersion
from neighborhood.minutes.services import render_minutes_pdf, storage_dir
from neighborhood.pdf import MissingGlyph, render_pdf
from neighborhood.places.models import BodyKind
from neighborhood.timezone import local_today
from neighborhood.workdays import add_working_days
from tests.helpers import text_of


def pdftotext(data: bytes, tmp_path, name="doc.pdf") -> str:
    """The PDF's text with all white space removed (table cells wrap lines anywhere)."""
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split())


def pdffonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def closed_meeting(client, auth, make_grid, make_building, make_account, make_body, make_estate):
    """A closed meeting of 西西里小区 with four decided items; signed in as its facilitator."""
    estate = make_estate(name="西西里小区")
    company = make_body(estate=estate, kind=BodyKind.PROPERTY, name="西西里小区物业服务中心")
    worker = make_account(role=Role.FACILITATOR, name="何廷海")
    grid = make_grid(estate=estate, worker_id=worker.id, name="西西里小区第1网格")
    building = make_building(estate=estate, grid_id=grid.id, name="1栋")
    for title in ("小区绿化需要修剪", "小区游泳池防护栏加固"):
        create_item(grid, worker, title=title, building_id=building.id, category="other",
                    source="meeting", level="household", description=f"{title}的详细情况")
    create_item(grid, worker, title="2栋邻里纠纷", category="dispute", source="walk_in",
                level="household", is_public=False, reporter_name="王建国",
                reporter_contact="13908231234")
    db.session.commit()
    auth.as_(worker)
    client.post(f"/grids/{grid.id}/meetings/next")
    meeting = db.session.scalar(sa.select(Meeting))
    due = add_working_days(local_today(), 5).isoformat()
    greenery, pool, dispute = meeting.entries
    client.post(f"/meetings/{meeting.id}/run/{greenery.id}/outcome", data={"outcome": "resolved"})
    client.post(f"/meetings/{meeting.id}/run/{pool.id}/outcome", data={
        "outcome": "assigned", "body_id": company.id, "due_date": due, "responsible_person": "周经理"})
    client.post(f"/meetings/{meeting.id}/attendance", data={
        "present_grid": "y", "names_grid": "何廷海", "present_property": "y", "residents_count": "7"})
    response = client.post(f"/meetings/{meeting.id}/close", data={"defer_rest": "y"})
    assert response.headers["Location"] == f"/meetings/{meeting.id}/minutes"
    return meeting


def test_closing_makes_a_draft_that_is_not_public(client, closed_meeting):
    draft = db.session.scalar(sa.select(MinutesVersion))
    assert draft.state is MinutesState.DRAFT and draft.number == 1
    assert [line["title"] for line in draft.content["lines"]] == [
        "小区绿化需要修剪", "小区游泳池防护栏加固", "2栋邻里纠纷"]
    assert client.get(f"/m/{draft.id}").status_code == 404
    assert client.get(f"/m/{draft.id}.pdf").status_code == 404
    page = text_of(client.get(f"/meetings/{closed_meeting.id}/minutes"))
    assert "小区游泳池防护栏加固" in page


def test_edit_publish_and_correct(client, closed_meeting, tmp_path):
    meeting = closed_meeting
    draft = db.session.scalar(sa.select(MinutesVersion))
    pool_entry = draft.content["lines"][1]["entry_id"]
    response = client.post(f"/meetings/{meeting.id}/minutes", data={
        "intro": "本次邻里会逐条梳理了4项事项。",
        f"decision_{pool_entry}": "物业一周内完成防护栏加固并公示照片。"})
    assert response.status_code == 303
    response = client.post(f"/meetings/{meeting.id}/minutes/publish")
    assert response.status_code == 303
    db.session.expire_all()
    v1 = db.session.get(MinutesVersion, draft.id)
    assert v1.is_published and v1.pdf_file and v1.notice_file
    stored = storage_dir() / v1.pdf_file
    first_bytes = stored.read_bytes()

    # Public page and the stored PDF, served as stored (not rendered again).
    page = text_of(client.get(f"/m/{v1.id}"))
    assert "物业一周内完成防护栏加固并公示照片。" in page and "本次邻里会逐条梳理了4项事项。" in page
    pdf = client.get(f"/m/{v1.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data() == first_bytes
    pdf.close()

    # Published minutes do not change.
    response = client.post(f"/meetings/{meeting.id}/minutes", data={"intro": "改写"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(MinutesVersion, v1.id).content["intro"] == "本次邻里会逐条梳理了4项事项。"

    # A correction needs a reason, becomes version 2, and version 1 stays readable.
    assert client.post(f"/meetings/{meeting.id}/minutes/correct", data={"reason": ""}).status_code == 422
    assert client.post(f"/meetings/{meeting.id}/minutes/correct",
                       data={"reason": "时限写错"}).status_code == 303
    v2 = db.session.scalar(sa.select(MinutesVersion).where(MinutesVersion.number == 2))
    assert v2.state is MinutesState.DRAFT and v2.reason == "时限写错"
    client.post(f"/meetings/{meeting.id}/minutes", data={
        "intro": "更正：防护栏加固时限。", f"decision_{pool_entry}": "物业两周内完成。"})
    client.post(f"/meetings/{meeting.id}/minutes/publish")
    page2 = text_of(client.get(f"/m/{v2.id}"))
    assert "物业两周内完成。" in page2 and "时限写错" in page2
    page1 = text_of(client.get(f"/m/{v1.id}"))
    assert "物业一周内完成防护栏加固并公示照片。" in page1
    assert stored.read_bytes() == first_bytes
    response = client.get(f"/m/{v2.id}.pdf")
    text = pdftotext(response.get_data(), tmp_path)
    response.close()
    assert "两周内" in text and "时限写错" in text


def test_minutes_pdf_content_fonts_and_archive_format(client, closed_meeting, tmp_path, caplog):
    client.post(f"/meetings/{closed_meeting.id}/minutes/publish")
    version = db.session.scalar(sa.select(MinutesVersion))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = render_minutes_pdf(version)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    text = pdftotext(data, tmp_path)
    for expected in ("西西里小区第1网格", "小区游泳池防护栏加固", "周经理", "第1页", "共1页"):
        assert expected in text, expected
    fonts = pdffonts(data, tmp_path)
    font_lines = fonts.splitlines()[2:]
    assert font_lines and all(" yes yes " in line for line in font_lines)  # embedded, subset
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"  # the document language
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-3b
    assert len(data) < 300_000


def test_pdf_page_is_not_blank(client, closed_meeting, tmp_path):
    from PIL import Image

    client.post(f"/meetings/{closed_meeting.id}/minutes/publish")
    version = db.session.scalar(sa.select(MinutesVersion))
    (tmp_path / "m.pdf").write_bytes(render_minutes_pdf(version))
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "m.pdf"),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    with Image.open(page) as image:
        histogram = image.convert("L").histogram()
        dark, total = sum(histogram[:128]), sum(histogram)
    assert dark > 0.01 * total


def test_missing_glyph_is_an_error(app):
    with app.test_request_context():
        with pytest.raises(MissingGlyph):
            render_pdf("pdf_base.html", header_left="\U000F0000")


def test_pdf_fetches_nothing_outside_static(app, tmp_path):
    from pathlib import Path

    from neighborhood.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(Path(app.static_folder))
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:5000/")
    css = Path(app.static_folder, "css", "app.css").as_uri()
    assert fetcher.fetch(css).read()


def test_notice_board_sheet_and_qr_sheet(client, closed_meeting, tmp_path):
    client.post(f"/meetings/{closed_meeting.id}/minutes/publish")
    version = db.session.scalar(sa.select(MinutesVersion))
    notice = client.get(f"/m/{version.id}/notice.pdf")
    text = pdftotext(notice.get_data(), tmp_path, "n.pdf")
    notice.close()
    assert "三事分流民主协商公示栏" in text and "小区游泳池防护栏加固" in text
    estate_id = closed_meeting.grid.estate_id
    sheet = client.get(f"/places/estates/{estate_id}/qr-codes.pdf")
    assert sheet.status_code == 200
    assert "西西里小区1栋" in pdftotext(sheet.get_data(), tmp_path, "q.pdf")


def test_minutes_pdf_command(app, client, closed_meeting, tmp_path):
    client.post(f"/meetings/{closed_meeting.id}/minutes/publish")
    out = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(args=["minutes-pdf", str(closed_meeting.id), str(out)])
    assert result.exit_code == 0, result.output
    assert "小区游泳池防护栏加固" in pdftotext(out.read_bytes(), tmp_path)
    result = app.test_cli_runner().invoke(args=["minutes-pdf", "9999", str(out)])
    assert result.exit_code != 0


def test_demo_has_published_minutes(demo, client):
    version = db.session.scalar(sa.select(MinutesVersion).where(MinutesVersion.state == MinutesState.PUBLISHED))
    assert version is not None and version.content["grid"] == "西西里小区第1网格"
    response = client.get(f"/m/{version.id}.pdf")
    assert response.status_code == 200
    response.close()
