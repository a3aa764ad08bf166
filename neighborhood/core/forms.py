from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = RadioField(_l("This day is"), validators=[DataRequired()], choices=[
        SelectChoice("working", _l("a working day (e.g. a make-up day)")),
        SelectChoice("off", _l("a day off (e.g. a holiday)"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=60)])
