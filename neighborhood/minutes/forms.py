from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class DraftForm(FlaskForm):
    intro = TextAreaField(_l("Opening remarks (optional)"), validators=[Optional(), Length(max=1000)])


class CorrectionForm(FlaskForm):
    reason = StringField(_l("Reason for the correction"),
                         validators=[DataRequired(), Length(max=200)])
