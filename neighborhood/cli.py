"""Command-line tools: ``flask --app wsgi seed-demo``."""
import click
from flask.cli import with_appcontext

from .extensions import db
from .translate import translate


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the Dingshan Street demo data (safe to run again)."""
    from .demo import seed_demo

    accounts = seed_demo()
    db.session.commit()
    click.echo("Demo data loaded: 鼎山街道 · 江州社区 (西西里小区) · 艾坪社区")
    click.echo("Demo accounts (username / password):")
    for username, password in accounts.items():
        click.echo(f"  {username:<14} {password}")


@click.command("minutes-pdf")
@click.argument("meeting_id", type=int)
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def minutes_pdf_command(meeting_id: int, output: str):
    """Write the minutes PDF of a meeting: its latest published version, else its draft."""
    from pathlib import Path

    from .meetings.models import Meeting
    from .minutes.services import render_minutes_pdf, storage_dir, versions_of

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"no meeting {meeting_id}")
    versions = versions_of(meeting)
    if not versions:
        raise click.ClickException(f"meeting {meeting_id} has no minutes yet: close it first")
    published = [v for v in versions if v.is_published]
    version = published[-1] if published else versions[-1]
    stored = storage_dir() / version.pdf_file if version.pdf_file else None
    data = stored.read_bytes() if stored and stored.exists() else render_minutes_pdf(version)
    Path(output).write_bytes(data)
    state = "published" if version.is_published else "draft"
    click.echo(f"{output}: minutes of meeting {meeting_id}, version {version.number} ({state}), "
               f"{len(data)} bytes")


@click.command("remind-deadlines")
@with_appcontext
def remind_deadlines_command():
    """Notify bodies of tasks due soon or overdue (run daily, e.g. from cron)."""
    from flask import current_app

    from .notifications.services import deliver_pending_mail
    from .tasks.services import remind_deadlines
    from .timezone import local_today

    with current_app.test_request_context():
        made = remind_deadlines(local_today(), current_app.config["DUE_SOON_WORKING_DAYS"])
        db.session.commit()
        deliver_pending_mail()
    click.echo(f"{made} reminders")


def init_app(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(minutes_pdf_command)
    app.cli.add_command(remind_deadlines_command)
    app.cli.add_command(translate)
