"""Form helpers shared by the features."""
from __future__ import annotations

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from .extensions import db


def options(query, label=str, empty=True) -> list[SelectChoice]:
    """Select options from a query of rows, with a leading "none" option unless ``empty`` is off."""
    choices = [SelectChoice("", _("— none —"))] if empty else []
    choices += [SelectChoice(str(row.id), label(row)) for row in db.session.scalars(query)]
    return choices
