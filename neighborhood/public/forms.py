from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp


class ReceiptForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField(_l("Receipt code"), validators=[
        DataRequired(), Length(min=6, max=12),
        Regexp(r"^[A-Za-z0-9]+$", message=_l("Letters and digits only."))])


class ReportForm(FlaskForm):
    title = StringField(_l("What is the matter?"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=1000)])
    unit = StringField(_l("Unit / room (optional)"), validators=[Optional(), Length(max=20)])
    contact = StringField(_l("Your phone (optional)"),
                          validators=[Optional(), Length(max=20), Regexp(r"^[0-9+\- ]*$",
                                                                        message=_l("Use digits only."))],
                          description=_l("Only the grid worker sees it, to call you back."))
    answer = IntegerField(_l("Check: what is %(a)s + %(b)s?"), validators=[InputRequired()])
    challenge = HiddenField()
    # Left empty by people; filled by bots that fill every field.
    website = StringField(_l("Leave this empty"), validators=[Optional()])
