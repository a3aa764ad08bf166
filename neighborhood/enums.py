"""Enumerations stored as short strings, each with a translated label for the interface."""
import enum

import sqlalchemy as sa
from wtforms.fields.choices import SelectChoice


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a lazily translated label (set by ``labels``)."""

    @property
    def label(self):
        return type(self)._labels[self]

    @classmethod
    def labels(cls, mapping):
        missing = set(cls) - set(mapping)
        if missing:
            raise ValueError(f"{cls.__name__}: no label for {sorted(missing)}")
        cls._labels = mapping

    @classmethod
    def choices(cls):
        return [SelectChoice(member.value, member.label) for member in cls]


def enum_column(enum_cls, length=24):
    """A VARCHAR column holding the enum's value (not a native enum: portable and easy to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )
