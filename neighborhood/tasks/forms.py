from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class VersionedForm(FlaskForm):
    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class NoteForm(VersionedForm):
    text = TextAreaField(_l("Progress note"), validators=[DataRequired(), Length(max=2000)])


class DoneForm(VersionedForm):
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=2000)])
    before = MultipleFileField(_l("Photos before"))
    after = MultipleFileField(_l("Photos after"))


class ExtensionForm(VersionedForm):
    new_due_date = DateField(_l("New due date"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Grant the new date")),
                                                   SelectChoice("refuse", _l("Refuse"))],
                          validators=[DataRequired()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])


class VerifyForm(FlaskForm):
    result = RadioField(_l("Result"), choices=[SelectChoice("solved", _l("Verified: solved")),
                                               SelectChoice("disputed", _l("Disputed: reopen")),
                                               SelectChoice("closed", _l("Close without a solution"))],
                        validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)],
                         description=_l("Needed to dispute or to close without a solution."))
