"""Reporting periods: daily, weekly, monthly and term, in the platform's calendar (Asia/Shanghai).

A period is named by its key — 2023-09-04 (a day), 2023-W36 (an ISO week, Monday to Sunday),
2023-09 (a month), 2023-autumn (a term of core.calendar: autumn September–February, spring
March–August) — and runs from its first to its last day inclusive. Its due time is a day counted
from its first day (or, `from_end`, from its last) at a time of day, in Asia/Shanghai: the weekly
county report is due on the Friday of its week at 17:00, a daily report at 17:00 of its day.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import calendar


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    TERM = "term", _("Each term")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    cadence: str

    @property
    def key(self) -> str:
        if self.cadence == Cadence.DAILY:
            return self.start.isoformat()
        if self.cadence == Cadence.WEEKLY:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.cadence == Cadence.MONTHLY:
            return f"{self.start.year}-{self.start.month:02d}"
        school_year, term = calendar.term_of(self.start)
        return f"{school_year}-{term}"

    @property
    def label(self) -> str:
        """How a page names it: 2023-09-04, 2023-W36（09-04 – 09-10）, 2023-09, the term."""
        from django.utils.translation import gettext

        if self.cadence == Cadence.WEEKLY:
            return gettext("%(week)s (%(start)s – %(end)s)") % {
                "week": self.key,
                "start": f"{self.start:%m-%d}",
                "end": f"{self.end:%m-%d}",
            }
        if self.cadence == Cadence.TERM:
            school_year, term = calendar.term_of(self.start)
            return f"{calendar.school_year_label(school_year)} {calendar.Term(term).label}"
        return self.key

    @property
    def short_label(self) -> str:
        """A matrix column's heading: 09-04 (a day or a week's Monday), 2023-09, the term."""
        if self.cadence in (Cadence.DAILY, Cadence.WEEKLY):
            return f"{self.start:%m-%d}"
        return self.label

    def __str__(self):
        return self.label

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        return period_of(self.cadence, self.end + dt.timedelta(days=1))

    def previous(self) -> Period:
        return period_of(self.cadence, self.start - dt.timedelta(days=1))


def _term_span(day: dt.date) -> tuple[dt.date, dt.date]:
    school_year, term = calendar.term_of(day)
    if term == calendar.Term.AUTUMN:
        first = dt.date(school_year, calendar.START_MONTH, 1)
        following = dt.date(school_year + 1, calendar.SPRING_MONTH, 1)
    else:
        first = dt.date(school_year + 1, calendar.SPRING_MONTH, 1)
        following = dt.date(school_year + 1, calendar.START_MONTH, 1)
    return first, following - dt.timedelta(days=1)


def period_of(cadence: str, day: dt.date) -> Period:
    """The period of this cadence that a day falls in."""
    if cadence == Cadence.DAILY:
        return Period(day, day, cadence)
    if cadence == Cadence.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(monday, monday + dt.timedelta(days=6), cadence)
    if cadence == Cadence.MONTHLY:
        last = stdlib_calendar.monthrange(day.year, day.month)[1]
        return Period(day.replace(day=1), day.replace(day=last), cadence)
    if cadence == Cadence.TERM:
        return Period(*_term_span(day), cadence)
    raise ValueError(f"unknown cadence {cadence!r}")


def period_from_key(cadence: str, key: str) -> Period | None:
    """The period a key names (as `Period.key` writes it), or None for a key that names none."""
    key = (key or "").strip()
    try:
        if cadence == Cadence.DAILY:
            return period_of(cadence, dt.date.fromisoformat(key))
        if cadence == Cadence.WEEKLY:
            year, week = key.upper().split("-W")
            return period_of(cadence, dt.date.fromisocalendar(int(year), int(week), 1))
        if cadence == Cadence.MONTHLY:
            year, month = key.split("-")
            return period_of(cadence, dt.date(int(year), int(month), 1))
        if cadence == Cadence.TERM:
            year, term = key.split("-")
            month = calendar.START_MONTH if term == calendar.Term.AUTUMN else calendar.SPRING_MONTH
            if term not in calendar.Term.values:
                return None
            first_year = int(year) if term == calendar.Term.AUTUMN else int(year) + 1
            return period_of(cadence, dt.date(first_year, month, 1))
    except (ValueError, TypeError):
        return None
    return None


def periods_between(cadence: str, first: dt.date, last: dt.date) -> list[Period]:
    """Every period of the cadence that starts on a day from `first` to `last` (a week is in
    the range its Monday is in)."""
    periods = []
    period = period_of(cadence, first)
    if period.start < first:
        period = period.next()
    while period.start <= last:
        periods.append(period)
        period = period.next()
    return periods


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """`day` at `time` where the platform is used (TIME_ZONE: Asia/Shanghai), timezone-aware."""
    return dt.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


def late_by(delta: dt.timedelta) -> str:
    """How late, as a page says it: 1 天 3 小时, 45 分钟 (whole minutes, rounded down)."""
    from django.utils.translation import gettext as _

    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes and not days:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts) or _("%(n)d min") % {"n": 0}
