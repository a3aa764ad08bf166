"""Form helpers shared by the features."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select
from wtforms.fields.choices import SelectChoice

from .extensions import db


def options(rows, label=str, empty=True) -> list[SelectChoice]:
    """Select options from rows (a select() or a list), with a leading "none" option unless
    ``empty`` is off."""
    if isinstance(rows, Select):
        rows = db.session.scalars(rows)
    choices = [SelectChoice("", _("— none —"))] if empty else []
    choices += [SelectChoice(str(row.id), label(row)) for row in rows]
    return choices
