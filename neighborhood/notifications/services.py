"""Who hears about what, in the app and (with SMTP settings) by e-mail. Flush, never commit:
e-mails leave only after the change is committed."""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..accounts.models import Account, Role, utcnow
from ..extensions import db
from ..items.models import Item
from ..places.models import Grid
from .models import Kind, Notification

LOG = logging.getLogger(__name__)


def body_members(body_id: int | None) -> list[Account]:
    if body_id is None:
        return []
    return db.session.scalars(sa.select(Account).where(
        Account.role == Role.BODY, Account.body_id == body_id, Account.active)).all()


def grid_runners(grid: Grid) -> list[Account]:
    return [a for a in (grid.worker, grid.head, grid.deputy) if a is not None and a.active]


def level_staff(grid: Grid, street_level: bool) -> list[Account]:
    if street_level:
        query = sa.select(Account).where(Account.role == Role.STREET,
                                         Account.street_id == grid.community.street_id)
    else:
        query = sa.select(Account).where(Account.role == Role.COMMUNITY,
                                         Account.community_id == grid.community_id)
    return db.session.scalars(query.where(Account.active)).all()


def notify(accounts: Iterable[Account], kind: Kind, item: Item | None, url: str,
           text: str = "", dedupe: str = "") -> list[Notification]:
    made = []
    for account in {a.id: a for a in accounts}.values():
        if dedupe and db.session.scalar(sa.select(Notification.id).where(
                Notification.account_id == account.id, Notification.kind == kind,
                Notification.item_id == (item.id if item else None),
                Notification.dedupe == dedupe)) is not None:
            continue
        note = Notification(account=account, kind=kind, item=item, url=url,
                            text=(text or (item.title if item else ""))[:300], dedupe=dedupe)
        db.session.add(note)
        made.append(note)
    db.session.flush()
    if made and current_app.config.get("MAIL_SERVER"):
        db.session.info.setdefault("mail", []).extend(n.id for n in made if n.account.email)
    return made


def count_unread(account: Account) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.account_id == account.id, Notification.read_at.is_(None)))


def mark_read(account: Account, notification_id: int | None = None) -> None:
    query = sa.update(Notification).where(Notification.account_id == account.id,
                                          Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    db.session.execute(query.values(read_at=utcnow()))


def send_emails(ids: list[int]) -> int:
    """Send the given notifications by e-mail; return how many left. Failures are logged, the
    in-app notification stays either way."""
    config = current_app.config
    sent = 0
    notes = db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids))).all()
    if not notes:
        return 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            for note in notes:
                message = EmailMessage()
                with force_locale(note.account.locale or config["BABEL_DEFAULT_LOCALE"]):
                    message["Subject"] = f"{_('Grid neighbourhood meeting')}: {note.kind.label}"
                    base = config.get("PUBLIC_BASE_URL") or ""
                    message.set_content(f"{note.text}\n\n{base.rstrip('/')}{note.url}\n")
                message["From"] = config.get("MAIL_FROM", "noreply@localhost")
                message["To"] = note.account.email
                smtp.send_message(message)
                note.emailed = True
                sent += 1
        db.session.commit()
    except (OSError, smtplib.SMTPException) as error:
        LOG.warning("notification e-mail not sent: %s", error)
        db.session.rollback()
    return sent


@sa.event.listens_for(Session, "after_commit")
def _mail_after_commit(session):
    ids = session.info.pop("mail", None)
    if ids:
        session.info.setdefault("mail_ready", []).extend(ids)


def deliver_pending_mail(response=None):
    """After the request: send what the committed changes asked for."""
    ids = db.session.info.pop("mail_ready", None)
    if ids:
        send_emails(ids)
    return response


@sa.event.listens_for(Session, "after_rollback")
def _no_mail_after_rollback(session):
    session.info.pop("mail", None)
