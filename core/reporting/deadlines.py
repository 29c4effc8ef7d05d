"""Which period is current and when a county's report is due: the data calendar, not the clock.

* The reports' now (`now`, `today`) is the clock's while today is in the city's current school
  year (core.calendar.current_school_year: the one a city administrator started on /calendar/).
  When the clock has left that year (a demo of 2023–2024 shown in 2026), it is the data's clock:
  the newest moment anything was written in that year (`newest_write`, the audit trail) — a fact
  of the city's data, the same for every user — or, before anything was, the year's first moment
  (its last, if the year is over).
* The current period of a report type is the one the reports' today is in. Overdue and late are
  counted to the reports' now: a report not submitted is overdue by the time from its due time
  to then, never to the machine's clock, and a report submitted after then (on the data's clock,
  it is submitted now) is late only if then is past its due time.
* A period's due time is the report type's (the Friday of the week at 17:00, Asia/Shanghai),
  unless a city administrator extended it for that county and period (DeadlineExtension).
* A report first submitted within the due minute (17:00:59) is on time; from 17:01 it is late,
  by how much a page says (1 天 3 小时). Late is recorded, never refused.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from core import calendar
from core.reporting.periods import Period
from core.reporting.registry import ReportType


def newest_write(school_year: int) -> dt.datetime | None:
    """The newest moment anything was written in the school year: the audit trail's newest
    event dated inside it (every write leaves one; a write made after the year is not of it).
    Where the clock has left the city's current school year (a demo of 2023–2024 shown in 2026)
    this is how far its data has got: the data's clock."""
    from core.models import AuditEvent

    first, following = calendar.school_year_span(school_year)
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(following, dt.time(0), tzinfo=zone)
    return AuditEvent.objects.filter(at__gte=start, at__lt=end).aggregate(newest=Max("at"))[
        "newest"
    ]


def now() -> dt.datetime:
    """The reports' now: the clock's within the city's current school year, else the data's
    clock (the newest write of that year; before any, the year's first moment, or its last once
    the year is over)."""
    moment = timezone.now()
    school_year = calendar.current_school_year()
    first, following = calendar.school_year_span(school_year)
    if first <= timezone.localdate(moment) < following:
        return moment
    newest = newest_write(school_year)
    if newest is not None:
        return newest
    zone = timezone.get_default_timezone()
    if timezone.localdate(moment) < first:
        return dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    return dt.datetime.combine(following, dt.time(0), tzinfo=zone) - dt.timedelta(microseconds=1)


def today() -> dt.date:
    """The reports' today (Asia/Shanghai): the date of `now`."""
    return timezone.localdate(now())


def current_period(report_type: ReportType, at: dt.datetime | None = None) -> Period:
    """The period the reports' today (or `at`, a `now` already read) is in."""
    return report_type.period_of(timezone.localdate(at or now()))


def extensions(report_type: ReportType, *, county_ids, starts) -> dict[tuple[int, dt.date], object]:
    """{(county id, period start): DeadlineExtension} for these counties and periods."""
    from core.reporting.models import DeadlineExtension

    rows = DeadlineExtension.objects.filter(
        report_type=report_type.key, county_id__in=list(county_ids), period_start__in=list(starts)
    )
    return {(row.county_id, row.period_start): row for row in rows}


def due_at(report_type: ReportType, period: Period, extension=None) -> dt.datetime:
    return extension.due_at if extension is not None else report_type.due_at(period)


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def is_late(submitted_at: dt.datetime, due: dt.datetime) -> bool:
    """Late from the minute after the due minute."""
    return _minute(submitted_at) > _minute(due)


def lateness(
    submitted_at: dt.datetime | None, due: dt.datetime, at: dt.datetime | None = None
) -> dt.timedelta | None:
    """How late a report was submitted — or, not submitted yet, is at the reports' now (`at`, a
    `now` already read) — or None if on time (or not yet due). A report submitted after the
    reports' now (the clock has left the data's school year) counts as submitted then."""
    at = at or now()
    moment = min(submitted_at, at) if submitted_at is not None else at
    if not is_late(moment, due):
        return None
    return _minute(moment) - _minute(due)
