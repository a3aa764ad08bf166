from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.forms import optional_id
from ..items.models import EscalationTarget, Level
from .models import Outcome

WEEKDAYS = [
    SelectChoice("1", _l("Monday")), SelectChoice("2", _l("Tuesday")),
    SelectChoice("3", _l("Wednesday")), SelectChoice("4", _l("Thursday")),
    SelectChoice("5", _l("Friday")), SelectChoice("6", _l("Saturday")),
    SelectChoice("7", _l("Sunday")),
]


class ScheduleForm(FlaskForm):
    weekdays = SelectMultipleField(_l("Meeting days"), choices=WEEKDAYS, coerce=int,
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    time = TimeField(_l("Time"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=80)])


class AddItemForm(FlaskForm):
    item_id = SelectField(_l("Add a concern to the agenda"), coerce=optional_id,
                          validate_choice=False, validators=[DataRequired(message=_l("Choose one."))])


class FieldForm(FlaskForm):
    """One autosaved field of an agenda entry, with the version it was typed against."""

    value = TextAreaField(validators=[Length(max=4000)])
    version = IntegerField(validators=[InputRequired()])


class OutcomeForm(FlaskForm):
    level = SelectField(_l("Three-way triage"), choices=Level.choices(), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), choices=Outcome.choices(),
                          validators=[DataRequired(message=_l("Choose an outcome."))],
                          widget=ListWidget(prefix_label=False), option_widget=None)
    body_id = SelectField(_l("Assign to"), coerce=optional_id, validate_choice=False,
                          validators=[Optional()])
    responsible_person = StringField(_l("Responsible person"), validators=[Optional(), Length(max=40)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    escalate_to = SelectField(_l("Escalate to"), validators=[Optional()],
                              choices=[SelectChoice("", "—")] + EscalationTarget.choices())
    version = HiddenField()


class CloseForm(FlaskForm):
    defer_rest = BooleanField(_l("Defer the items without an outcome to the next meeting"))


class AttendanceForm(FlaskForm):
    residents_count = IntegerField(_l("Residents present"), default=0,
                                   validators=[InputRequired(), NumberRange(min=0, max=2000)])
