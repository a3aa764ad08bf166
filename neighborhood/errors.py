"""Domain errors raised by services, and the error pages."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .rendering import render


class DomainError(Exception):
    """A rule of the domain refused a change. ``field`` names the form field it belongs to."""

    def __init__(self, field: str | None, message):
        super().__init__(message)
        self.field = field
        self.message = message

    def attach_to(self, form) -> None:
        """Show the error next to its field (or at the top of the form)."""
        field = getattr(form, self.field, None) if self.field else None
        if field is not None:
            field.errors = [*field.errors, self.message]
        else:
            form.form_errors.append(self.message)


def _page(status: int, title: str, message: str):
    return render("errors/error.html", block="content", status=status, title=title, message=message)


def init_app(app) -> None:
    @app.errorhandler(403)
    def forbidden(_e):
        return _page(403, _("Not allowed"), _("Your account may not open this page."))

    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, _("Not found"), _("There is no such page."))

    @app.errorhandler(405)
    def method_not_allowed(_e):
        return _page(405, _("Not allowed"), _("This address does not accept that kind of request."))

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        return _page(
            400,
            _("Form expired"),
            _("The form was open too long or came from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(413)
    def too_large(_e):
        return _page(413, _("Too large"), _("The upload is too large."))

    @app.errorhandler(429)
    def too_many(_e):
        return _page(
            429, _("Too many attempts"), _("Too many attempts. Wait a minute and try again.")
        )

    @app.errorhandler(500)
    def server_error(_e):
        return _page(500, _("Something went wrong"), _("The error was recorded. Try again."))
