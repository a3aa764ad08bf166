"""Everything users type is escaped: a script typed into every field never comes back as markup,
on the signed-in pages, the public pages or in the PDFs (where it must print as plain text)."""
import re
import subprocess

import sqlalchemy as sa

from neighborhood.accounts.models import Role
from neighborhood.extensions import db
from neighborhood.meetings.models import Meeting
from neighborhood.minutes.models import MinutesVersion
from neighborhood.places.models import BodyKind

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_script_in_every_field(client, auth, make_account, make_estate, make_body, make_grid,
                                 make_building, tmp_path):
    estate = make_estate(name=EVIL[:60])
    body = make_body(estate=estate, kind=BodyKind.PROPERTY, name=EVIL[:80], contact_name=EVIL[:40])
    worker = make_account(role=Role.FACILITATOR, name=EVIL[:40])
    grid = make_grid(estate=estate, worker_id=worker.id, name=EVIL[:60])
    building = make_building(estate=estate, grid_id=grid.id, name=EVIL[:40], police_officer=EVIL[:40],
                             police_station=EVIL[:60], police_office=EVIL[:60])
    auth.as_(worker)
    response = client.post(f"/grids/{grid.id}/items/new", data={
        "title": EVIL[:80], "description": EVIL, "building_id": building.id, "unit": EVIL[:20],
        "category": "other", "source": "phone", "level": "household", "reporter_name": EVIL[:40],
        "reporter_contact": "13800001111", "is_public": "y"})
    assert response.status_code == 303
    client.post(f"/grids/{grid.id}/meetings/next")
    meeting = db.session.scalar(sa.select(Meeting))
    entry = meeting.entries[0]
    client.post(f"/meetings/{meeting.id}/attendance", data={
        "present_grid": "y", "names_grid": EVIL[:120], "present_property": "y", "residents_count": "3"})
    client.post(f"/meetings/{meeting.id}/run/{entry.id}/text", data={
        "version": "1", "notes": EVIL, "decision": EVIL, "base_notes": "", "base_decision": ""})
    from neighborhood.timezone import local_today
    from neighborhood.workdays import add_working_days

    client.post(f"/meetings/{meeting.id}/run/{entry.id}/outcome", data={
        "outcome": "assigned", "body_id": body.id, "responsible_person": EVIL[:40],
        "due_date": add_working_days(local_today(), 3).isoformat()})
    client.post(f"/meetings/{meeting.id}/close", data={})
    client.post(f"/meetings/{meeting.id}/minutes", data={"intro": EVIL})
    client.post(f"/meetings/{meeting.id}/minutes/publish")
    version = db.session.scalar(sa.select(MinutesVersion))
    assert version.is_published

    pages = [f"/items/{entry.item_id}", f"/grids/{grid.id}/worklog", f"/meetings/{meeting.id}",
             f"/meetings/{meeting.id}/minutes", f"/places/grids/{grid.id}", f"/places/estates/{estate.id}",
             f"/places/buildings/{building.id}", "/", f"/b/{building.qr_token}", f"/m/{version.id}",
             f"/receipt?code={entry.item.receipt_code}"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url
    for url in (f"/m/{version.id}.pdf", f"/m/{version.id}/notice.pdf"):
        response = client.get(url)
        path = tmp_path / "doc.pdf"
        path.write_bytes(response.get_data())
        response.close()
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "<script>" in re.sub(r"\s+", "", text), url  # printed as text, never interpreted
