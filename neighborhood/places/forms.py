from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..accounts.forms import PHONE, optional_id
from .models import BodyKind, EstateKind, GridKind


def digits(n: int):
    return Regexp(rf"^\d{{{n}}}$", message=_l("Exactly %(n)s digits.", n=n))


def count_field(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100000)])


def parent_field(label):
    return SelectField(label, coerce=optional_id, validate_choice=False,
                       validators=[DataRequired(message=_l("Choose one."))])


def optional_select(label):
    return SelectField(label, coerce=optional_id, validate_choice=False, validators=[Optional()])


def name_field(label=_l("Name"), max_length=60):
    return StringField(label, validators=[DataRequired(), Length(max=max_length)])


class StreetForm(FlaskForm):
    name = name_field()
    code = StringField(_l("Code"), validators=[DataRequired(), digits(9)],
                       description=_l("County code (GB/T 2260, 6 digits) + street (3 digits)."))


class CommunityForm(FlaskForm):
    street_id = parent_field(_l("Street"))
    name = name_field()
    code = StringField(_l("Code"), validators=[DataRequired(), digits(12)],
                       description=_l("Street code + 3 digits."))


class EstateForm(FlaskForm):
    community_id = parent_field(_l("Community"))
    name = name_field()
    kind = SelectField(_l("Type of estate"), choices=EstateKind.choices(),
                       validators=[DataRequired()])
    households = count_field(_l("Households"))


class BuildingForm(FlaskForm):
    estate_id = parent_field(_l("Estate"))
    name = name_field(max_length=40)
    code = StringField(_l("Building number"), validators=[DataRequired(), digits(5)])
    households = count_field(_l("Households"))
    grid_id = optional_select(_l("Grid"))
    police_station = StringField(_l("Police station"), validators=[Optional(), Length(max=60)])
    police_office = StringField(_l("Police office"), validators=[Optional(), Length(max=60)])
    police_officer = StringField(_l("Responsible officer"), validators=[Optional(), Length(max=40)])
    police_phone = StringField(_l("Officer's phone"), validators=[Optional(), Length(max=20), PHONE])


class GridForm(FlaskForm):
    community_id = parent_field(_l("Community"))
    name = name_field()
    code = StringField(_l("Code"), validators=[DataRequired(), digits(15)],
                       description=_l("Community code + 3-digit sequence."))
    kind = SelectField(_l("Kind of grid"), choices=GridKind.choices(), validators=[DataRequired()])
    estate_id = optional_select(_l("Estate"))
    households = count_field(_l("Households"))
    units = count_field(_l("Shops or units"))
    area = StringField(_l("Area"), validators=[Optional(), Length(max=80)])
    party_branch_id = optional_select(_l("Grid party branch"))
    worker_id = optional_select(_l("Grid worker"))
    head_id = optional_select(_l("Grid head"))
    deputy_id = optional_select(_l("Deputy grid head"))


class BodyForm(FlaskForm):
    community_id = parent_field(_l("Community"))
    kind = SelectField(_l("Kind of body"), choices=BodyKind.choices(), validators=[DataRequired()])
    estate_id = optional_select(_l("Estate"))
    name = name_field(max_length=80)
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=40)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20), PHONE])
