from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from .models import Role

USERNAME = Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))
PHONE = Regexp(r"^[0-9+\- ]*$", message=_l("Use digits only."))


def optional_id(value):
    """Coerce a select's value to an int id, '' to None."""
    if value in (None, "", "None"):
        return None
    return int(value)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class AccountForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40), USERNAME])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=40)])
    phone = StringField(_l("Work phone"), validators=[Optional(), Length(max=20), PHONE])
    email = StringField(_l("E-mail for notifications"), validators=[Optional(), Length(max=120),
                                                                   Email()])
    role = SelectField(_l("Role"), choices=Role.choices(), validators=[DataRequired()])
    street_id = SelectField(_l("Street"), coerce=optional_id, validate_choice=False)
    community_id = SelectField(_l("Community"), coerce=optional_id, validate_choice=False)
    body_id = SelectField(_l("Body"), coerce=optional_id, validate_choice=False)
    active = BooleanField(_l("May sign in"), default=True)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("At least 8 characters. Leave empty to keep the current password."),
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=200)]
    )
