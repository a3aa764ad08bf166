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


def init_app(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translate)
