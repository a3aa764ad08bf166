"""Form helpers shared by the features."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from sqlalchemy import Select
from wtforms.fields.choices import SelectChoice

from .errors import DomainError
from .extensions import db


def options(rows, label=str, empty=True) -> list[SelectChoice]:
    """Select options from rows (a select() or a list), with a leading "none" option unless
    ``empty`` is off."""
    if isinstance(rows, Select):
        rows = db.session.scalars(rows)
    choices = [SelectChoice("", _("— none —"))] if empty else []
    choices += [SelectChoice(str(row.id), label(row)) for row in rows]
    return choices


def submit(form, action, message=None) -> bool:
    """The one way a route applies a form: validate it, run the service ``action()``, commit once.

    On a ``DomainError`` the transaction is rolled back and the error is shown next to its field
    (kept on ``form.domain_error`` for a caller that answers 409 to some). True when saved.
    """
    form.domain_error = None
    if not form.validate_on_submit():
        return False
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        error.attach_to(form)
        form.domain_error = error
        return False
    db.session.commit()
    if message:
        flash(message, "success")
    return True


def read_uploads(field) -> list[bytes]:
    """The files of a file field, read (an empty file input still sends one nameless part)."""
    return [f.read() for f in (field.data or []) if getattr(f, "filename", "")]
