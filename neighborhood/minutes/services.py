"""Minutes: snapshot at closing, draft editing, publishing (rendered once, stored), corrections
as new versions. Flush, never commit."""
from __future__ import annotations

from pathlib import Path

import segno
import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..accounts.models import Account, utcnow
from ..errors import DomainError
from ..extensions import db
from ..items.models import Item
from ..meetings.models import Meeting, MeetingState
from ..pdf import render_pdf
from ..privacy import public_lines, scrub
from .models import MinutesState, MinutesVersion

SUMMARY_LENGTH = 120


def snapshot(meeting: Meeting) -> dict:
    """The record of a closed meeting, frozen as plain data."""
    grid = meeting.grid
    estate = grid.estate
    lines = []
    for entry in meeting.entries:
        item = entry.item
        description = (item.description or "").strip()
        lines.append({
            "entry_id": entry.id, "item_id": item.id, "receipt_code": item.receipt_code,
            "title": item.title,
            "building": item.building.name if item.building else "",
            "level": (entry.level or item.level).value if (entry.level or item.level) else None,
            "category": item.category.value,
            "summary": description[:SUMMARY_LENGTH] + ("…" if len(description) > SUMMARY_LENGTH else ""),
            "decision": entry.decision,
            "outcome": entry.outcome.value if entry.outcome else None,
            "body": entry.body.name if entry.body else "",
            "body_kind": entry.body.kind.value if entry.body else None,
            "responsible": entry.responsible_person,
            "due": entry.due_date.isoformat() if entry.due_date else None,
            "escalate_to": entry.escalate_to.value if entry.escalate_to else None,
            "carried_over": entry.carried_over,
            "public": item.is_public,
        })
    return {
        "street": grid.community.street.name, "community": grid.community.name,
        "estate": estate.name if estate else "", "grid": grid.name, "grid_code": grid.code,
        "date": meeting.starts_at.date().isoformat(), "time": meeting.starts_at.strftime("%H:%M"),
        "place": meeting.place, "facilitator": meeting.facilitator.name if meeting.facilitator else "",
        "attendance": [{"party": a.party.value, "present": a.present, "names": a.names}
                       for a in meeting.attendance],
        "residents": meeting.residents_count,
        "intro": "",
        "lines": lines,
    }


def create_draft(meeting: Meeting, actor: Account | None) -> MinutesVersion:
    if meeting.state is not MeetingState.CLOSED:
        raise DomainError(None, _l("Close the meeting first."))
    version = MinutesVersion(meeting=meeting, grid_id=meeting.grid_id, number=1,
                             content=snapshot(meeting), created_by=actor)
    db.session.add(version)
    db.session.flush()
    return version


def versions_of(meeting: Meeting) -> list[MinutesVersion]:
    return db.session.scalars(
        sa.select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id)
        .order_by(MinutesVersion.number)
    ).all()


def current_draft(meeting: Meeting) -> MinutesVersion | None:
    return next((v for v in versions_of(meeting) if not v.is_published), None)


def _editable(version: MinutesVersion) -> None:
    if version.is_published:
        raise DomainError(None, _l("Published minutes do not change. Publish a correction instead."))


def update_draft(version: MinutesVersion, intro: str, texts: dict[int, tuple[str, str]]) -> None:
    _editable(version)
    content = dict(version.content)
    content["intro"] = intro.strip()[:1000]
    lines = []
    for line in content["lines"]:
        summary, decision = texts.get(line["entry_id"], (line["summary"], line["decision"]))
        lines.append({**line, "summary": summary.strip()[:500], "decision": decision.strip()[:2000]})
    content["lines"] = lines
    version.content = content  # a new dict, so the JSON column sees the change
    db.session.flush()


def resident_names(grid_id: int) -> list[str]:
    """Names that must not be published in full: everyone who reported a concern in the grid."""
    return [n for n in db.session.scalars(
        sa.select(Item.reporter_name).where(Item.grid_id == grid_id, Item.reporter_name != "")
        .distinct())]


def public_content(version: MinutesVersion) -> dict:
    """The version as residents may see it: internal items left out, private data masked."""
    names = resident_names(version.grid_id)
    content = dict(version.content)
    content["intro"] = scrub(content.get("intro"), names)
    content["lines"] = public_lines(content["lines"], names)
    return content


def public_url(endpoint: str, **values) -> str:
    """An absolute address residents can open: PUBLIC_BASE_URL, else the host of this request."""
    base = current_app.config.get("PUBLIC_BASE_URL") or (
        request.host_url if has_request_context() else "http://127.0.0.1:5000/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def render_minutes_pdf(version: MinutesVersion, notice: bool = False) -> bytes:
    """The public minutes (or the notice-board sheet) as PDF, in Chinese: the language of the
    notice board, whatever the interface language of the one who publishes."""
    content = public_content(version)
    url = public_url("public.minutes", version_id=version.id)
    template = "minutes/pdf/notice.html" if notice else "minutes/pdf/minutes.html"
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_pdf(template, archive=not notice, version=version, c=content, url=url,
                          qr=qr_data_uri(url))


def storage_dir() -> Path:
    path = Path(current_app.config.get("MINUTES_DIR") or Path(current_app.instance_path) / "minutes")
    path.mkdir(parents=True, exist_ok=True)
    return path


def publish(version: MinutesVersion, actor: Account) -> None:
    """Freeze the version and render its PDFs once; they are served from storage afterwards."""
    _editable(version)
    if version.number > 1 and not version.reason.strip():
        raise DomainError("reason", _l("A correction needs its reason."))
    version.state = MinutesState.PUBLISHED
    version.published_at = utcnow()
    version.published_by = actor
    db.session.flush()
    stem = f"meeting{version.meeting_id}-v{version.number}"
    for attr, notice in (("pdf_file", False), ("notice_file", True)):
        name = f"{stem}{'-notice' if notice else ''}.pdf"
        (storage_dir() / name).write_bytes(render_minutes_pdf(version, notice=notice))
        setattr(version, attr, name)
    db.session.flush()


def start_correction(meeting: Meeting, actor: Account, reason: str) -> MinutesVersion:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _l("A correction needs its reason."))
    if current_draft(meeting) is not None:
        raise DomainError("reason", _l("A draft is open already; publish it first."))
    versions = versions_of(meeting)
    latest = versions[-1]
    version = MinutesVersion(meeting=meeting, grid_id=meeting.grid_id, number=latest.number + 1,
                             content=dict(latest.content), reason=reason[:200], created_by=actor)
    db.session.add(version)
    db.session.flush()
    return version


def published_for_grid(grid_id: int) -> sa.Select:
    """Every published version of the grid's minutes, newest meeting and version first."""
    return (sa.select(MinutesVersion)
            .where(MinutesVersion.grid_id == grid_id, MinutesVersion.state == MinutesState.PUBLISHED)
            .order_by(MinutesVersion.published_at.desc(), MinutesVersion.id.desc()))
