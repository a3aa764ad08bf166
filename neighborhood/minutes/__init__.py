from flask import Blueprint

bp = Blueprint("minutes", __name__)


@bp.app_context_processor
def minutes_labels():
    """Translated labels for the plain values stored in a minutes snapshot."""
    from ..items.models import EscalationTarget, Level
    from ..meetings.models import Outcome, Party
    from ..places.models import BodyKind

    kinds = {"level": Level, "outcome": Outcome, "party": Party, "target": EscalationTarget,
             "body_kind": BodyKind}

    def label(kind: str, value):
        return kinds[kind](value).label if value else ""

    return {"label": label}


from . import routes  # noqa: E402,F401  (routes need bp)
