"""Working days on the Chinese calendar: statutory holidays and make-up working days (调休).

The calendar comes from the ``holidays`` package (China), which knows the make-up days and the
next year once the State Council publishes it. An administrator can add or correct single days
(``CalendarDay``) before a package update arrives; a correction wins over the package.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class CalendarDay(db.Model):
    """An administrator's correction of one day: a working day or a day off."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(60), default="")


@lru_cache(maxsize=8)
def _package_calendar(year: int):
    return holidays.China(years=[year - 1, year, year + 1])


def _corrections(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.is_working).where(CalendarDay.day.between(start, end))
    )
    return {day: working for day, working in rows}


def is_working_day(day: dt.date, corrections: dict[dt.date, bool] | None = None) -> bool:
    if corrections is None:
        corrections = _corrections(day, day)
    if day in corrections:
        return corrections[day]
    return _package_calendar(day.year).is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (n ≥ 1)."""
    corrections = _corrections(start, start + dt.timedelta(days=n * 3 + 30))
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, corrections):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    corrections = _corrections(start, end)
    return sum(
        1 for i in range(1, (end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=i), corrections)
    )


# Due-date presets offered in meeting mode, in working days.
DUE_PRESETS = [(3, _l("3 working days")), (5, _l("5 working days")), (10, _l("10 working days")),
               (20, _l("20 working days"))]


def soon_horizon(today: dt.date, soon_days: int) -> dt.date:
    """The last day that counts as "due soon": the ``soon_days``-th working day from today."""
    return add_working_days(today, soon_days) if soon_days > 0 else today


def deadline_flag(due: dt.date | None, today: dt.date, soon_days: int = 2) -> str | None:
    """"overdue" (red) past the due date, "soon" (yellow) within ``soon_days`` working days."""
    return deadline_flagger(today, soon_days)(due)


def deadline_flagger(today: dt.date, soon_days: int = 2):
    """deadline_flag for a whole list: the calendar is read once, not once a row."""
    horizon = soon_horizon(today, soon_days)

    def flag(due: dt.date | None) -> str | None:
        if due is None:
            return None
        if due < today:
            return "overdue"
        return "soon" if due <= horizon else None

    return flag
