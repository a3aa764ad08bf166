from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import optional_id
from .models import Category, Level, Source


class ItemForm(FlaskForm):
    title = StringField(_l("What is the matter?"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)])
    building_id = SelectField(_l("Building"), coerce=optional_id, validate_choice=False,
                              validators=[Optional()])
    unit = StringField(_l("Unit / room"), validators=[Optional(), Length(max=20)])
    category = SelectField(_l("Category"), choices=Category.choices(), validators=[DataRequired()])
    source = SelectField(_l("Source"), choices=Source.choices(), validators=[DataRequired()])
    level = SelectField(_l("Three-way triage"), validators=[Optional()],
                        description=_l("Leave empty to triage it later."))
    reporter_name = StringField(_l("Reported by"), validators=[Optional(), Length(max=40)],
                                description=_l("Private: never published."))
    reporter_contact = StringField(_l("Reporter's phone"), validators=[Optional(), Length(max=40)],
                                   description=_l("Private: never published."))
    is_public = BooleanField(_l("May be shown on the public notice"), default=True)
    photos = MultipleFileField(_l("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wtforms.fields.choices import SelectChoice

        self.level.choices = [SelectChoice("", _l("Not yet triaged"))] + Level.choices()


class TriageForm(FlaskForm):
    level = SelectField(_l("Three-way triage"), choices=Level.choices(), validators=[DataRequired()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])


class CommentForm(FlaskForm):
    comment = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
