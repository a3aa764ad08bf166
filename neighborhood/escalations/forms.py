from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import optional_id


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Answer to the grid"), validators=[DataRequired(), Length(max=2000)])


class ReturnForm(FlaskForm):
    reason = StringField(_l("Reason for sending it back"),
                         validators=[DataRequired(), Length(max=500)])


class AssignForm(FlaskForm):
    body_id = SelectField(_l("Hand to"), coerce=optional_id, validate_choice=False,
                          validators=[Optional()])
    responsible_person = StringField(_l("Responsible person"), validators=[Optional(), Length(max=40)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
