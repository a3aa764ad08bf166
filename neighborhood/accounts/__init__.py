from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager

bp = Blueprint("accounts", __name__)


def init_app(app) -> None:
    from .models import Account

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_account(account_id: str):
        return db.session.get(Account, int(account_id))


from . import routes  # noqa: E402,F401  (routes need bp)
