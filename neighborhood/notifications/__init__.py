from flask import Blueprint

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count():
    """The unread count shown in the header of every page."""
    from flask_login import current_user

    from .services import count_unread

    if current_user and current_user.is_authenticated:
        return {"unread_notifications": count_unread(current_user)}
    return {"unread_notifications": 0}


from . import routes  # noqa: E402,F401  (routes need bp)
