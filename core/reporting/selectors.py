"""The read side of periodic reports: live figures, the snapshot beside them, the completeness and
timeliness matrix, rates, the counties not yet submitted, and the to-do items.

Every query starts from `visible_to(user)`: a county's people see its own submissions, row and
rate only; the city sees every county (the same counties for everyone, in code order).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, RegionLevel
from core.reporting import deadlines
from core.reporting.models import NOT_STARTED, Action, State, Submission, SubmissionEvent
from core.reporting.periods import Cadence, Period, late_by, period_of, periods_between
from core.reporting.registry import ReportType, report_types
from core.scoping import COUNTY_ROLES, county_of, sees_everything
from core.todo import TodoItem, register

SUBMITTED_STATES = (State.SUBMITTED, State.APPROVED)  # what the city has had (on time or late)
COLOURS = {
    NOT_STARTED: "secondary",
    State.DRAFT: "info",
    State.SUBMITTED: "primary",
    State.RETURNED: "warning",
    State.APPROVED: "success",
}


def counties(user, report_type: ReportType):
    """The counties owing the report that the user sees (a county user: its own)."""
    owed = report_type.counties().values("pk")
    return list(
        Region.objects.visible_to(user)
        .filter(level=RegionLevel.COUNTY, pk__in=owed)
        .order_by("code")
    )


def submissions(user, report_type: ReportType | None = None):
    rows = Submission.objects.visible_to(user).select_related("county")
    return rows.filter(report_type=report_type.key) if report_type is not None else rows


def period_of_submission(report_type: ReportType, submission: Submission) -> Period:
    return Period(submission.period_start, submission.period_end, report_type.cadence)


# --- Figures -------------------------------------------------------------------------------------


def live_figures(report_type: ReportType, *, user, county, period: Period) -> list[dict]:
    """Each section's figures for the county and period, computed from the rows now."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "figures": list(section.figures(user=user, county=county, period=period)),
        }
        for section in report_type.sections()
    ]


def _values(sections: list[dict]) -> dict[str, dict[str, object]]:
    return {s["key"]: {f.key: f.value for f in s["figures"]} for s in sections}


@dataclass
class FigureRow:
    section: str
    key: str
    label: str
    live: object
    submitted: object  # the snapshot's value (None: no snapshot, or not in it)
    previous: object  # last period's (its snapshot, else computed)
    url: str
    in_snapshot: bool
    comments: list
    typed: str = ""  # a refused return form's comment on it, shown again

    @property
    def changed(self) -> bool:
        return self.in_snapshot and self.live != self.submitted

    @property
    def field_name(self) -> str:
        """The return form's input for a comment on this figure."""
        return f"comment__{self.section}__{self.key}"


def previous_values(report_type: ReportType, *, user, county, period: Period) -> dict:
    """Last period's figures: as submitted when it was, else computed from the rows."""
    before = period.previous()
    earlier = (
        submissions(user, report_type)
        .filter(county=county, period_start=before.start, state__in=SUBMITTED_STATES)
        .first()
    )
    if earlier is not None and earlier.snapshot:
        return earlier.snapshot.get("sections", {})
    return _values(live_figures(report_type, user=user, county=county, period=before))


def latest_comments(submission: Submission) -> tuple[SubmissionEvent | None, dict]:
    """The newest return (or request to resubmit) and its comments {(section, figure): [text]}."""
    event = (
        submission.events.filter(action__in=(Action.RETURNED, Action.REOPENED))
        .select_related("actor")
        .prefetch_related("comments")
        .first()
    )
    comments: dict[tuple[str, str], list[str]] = {}
    if event is not None:
        for comment in event.comments.all():
            comments.setdefault((comment.section, comment.figure), []).append(comment.text)
    return event, comments


def figure_table(
    report_type: ReportType, *, user, county, period: Period, submission=None
) -> list[dict]:
    """The detail page's sections: each figure live, as submitted, and last period's."""
    live = live_figures(report_type, user=user, county=county, period=period)
    previous = previous_values(report_type, user=user, county=county, period=period)
    snapshot = (submission.snapshot or {}) if submission is not None else {}
    frozen = snapshot.get("sections", {})
    comments = latest_comments(submission)[1] if submission is not None else {}
    sections = []
    for section in live:
        key = section["key"]
        rows = [
            FigureRow(
                section=key,
                key=figure.key,
                label=figure.label,
                live=figure.value,
                submitted=frozen.get(key, {}).get(figure.key),
                previous=previous.get(key, {}).get(figure.key),
                url=figure.url,
                in_snapshot=figure.key in frozen.get(key, {}),
                comments=comments.get((key, figure.key), []),
            )
            for figure in section["figures"]
        ]
        sections.append(
            {
                "key": key,
                "title": section["title"],
                "rows": rows,
                "comments": comments.get((key, ""), []),
                "comment_field": f"comment__{key}__",
            }
        )
    return sections


def changes_since_approval(sections: list[dict], submission: Submission) -> list[FigureRow]:
    """The figures whose live value differs from the approved snapshot (none unless approved)."""
    if submission is None or submission.state != State.APPROVED:
        return []
    return [row for section in sections for row in section["rows"] if row.changed]


# --- Timeliness ----------------------------------------------------------------------------------


def legend() -> list[tuple[str, str, str]]:
    """(state, label, colour) of the matrix's colours."""
    states = [(NOT_STARTED, _("Not started"))] + [(s.value, s.label) for s in State]
    return [(state, label, COLOURS[state]) for state, label in states]


@dataclass
class Cell:
    county: Region
    period: Period
    state: str
    due: dt.datetime
    submission: Submission | None
    late: dt.timedelta | None  # submitted late by (or, not submitted and past due, late by now)
    extended: bool
    now: dt.datetime  # the reports' now the cell was read at (core.reporting.deadlines.now)

    @property
    def state_label(self) -> str:
        if self.state == NOT_STARTED:
            return _("Not started")
        return State(self.state).label

    @property
    def colour(self) -> str:
        return COLOURS[self.state]

    @property
    def submitted(self) -> bool:
        return self.submission is not None and self.submission.first_submitted_at is not None

    @property
    def is_due(self) -> bool:
        """Counts for the rates: its due time has passed, or it was submitted anyway."""
        return self.submitted or self.due <= self.now

    @property
    def on_time(self) -> bool:
        return self.submitted and self.late is None

    @property
    def timeliness(self) -> str:
        if self.submitted:
            if self.late is None:
                return _("on time")
            return _("late by %(delay)s") % {"delay": late_by(self.late)}
        if self.late is not None:
            return _("overdue by %(delay)s") % {"delay": late_by(self.late)}
        return _("due %(time)s") % {"time": timezone.localtime(self.due).strftime("%m-%d %H:%M")}

    @property
    def url(self) -> str:
        if self.submission is not None:
            return self.submission.get_absolute_url()
        return ""


def current_period(report_type: ReportType, at: dt.datetime | None = None) -> Period:
    """The period the reports' today is in: the clock's within the city's current school year,
    the data's once the clock has left it (core.reporting.deadlines)."""
    return deadlines.current_period(report_type, at)


def default_range(
    report_type: ReportType, at: dt.datetime | None = None
) -> tuple[dt.date, dt.date]:
    """The term of the current period, up to the current period."""
    current = current_period(report_type, at)
    return period_of(Cadence.TERM, current.start).start, current.end


def cells(
    user, report_type: ReportType, *, first: dt.date, last: dt.date, at: dt.datetime | None = None
) -> dict:
    """The matrix: {"periods": [...], "rows": [{"county", "cells": [Cell], rate figures}],
    "current", "now"}, as of the reports' now (`at`, a deadlines.now() already read).

    Periods run from `first` to `last`, never past the current period (nothing is owed yet).
    """
    now = at or deadlines.now()
    current = current_period(report_type, now)
    periods = [p for p in periods_between(report_type.cadence, first, last) if p <= current]
    owed = counties(user, report_type)
    starts = [p.start for p in periods]
    found = {
        (s.county_id, s.period_start): s
        for s in submissions(user, report_type).filter(period_start__in=starts)
    }
    extended = deadlines.extensions(report_type, county_ids=[c.pk for c in owed], starts=starts)
    rows = []
    for county in owed:
        row_cells = []
        for period in periods:
            submission = found.get((county.pk, period.start))
            extension = extended.get((county.pk, period.start))
            due = deadlines.due_at(report_type, period, extension)
            submitted_at = submission.first_submitted_at if submission is not None else None
            late = deadlines.lateness(submitted_at, due, now)
            row_cells.append(
                Cell(
                    county=county,
                    period=period,
                    state=submission.state if submission is not None else NOT_STARTED,
                    due=due,
                    submission=submission,
                    late=late,
                    extended=extension is not None,
                    now=now,
                )
            )
        due_cells = [c for c in row_cells if c.is_due]
        on_time = sum(1 for c in due_cells if c.on_time)
        rows.append(
            {
                "county": county,
                "cells": row_cells,
                "due": len(due_cells),
                "submitted": sum(1 for c in due_cells if c.submitted),
                "on_time": on_time,
                "late": sum(1 for c in due_cells if c.submitted and not c.on_time),
                "rate": (on_time / len(due_cells)) if due_cells else None,
                "rate_percent": f"{on_time * 100 / len(due_cells):.1f}%" if due_cells else "—",
            }
        )
    return {"periods": periods, "rows": rows, "current": current, "now": now}


def not_submitted(
    user, report_type: ReportType, period: Period | None = None, at: dt.datetime | None = None
) -> list[Cell]:
    """The counties (in the user's scope) that have not submitted the period (default: the
    current one): not started, a draft, or returned and not yet submitted again."""
    at = at or deadlines.now()
    period = period or current_period(report_type, at)
    matrix = cells(user, report_type, first=period.start, last=period.start, at=at)
    return [
        row["cells"][0]
        for row in matrix["rows"]
        if row["cells"] and row["cells"][0].state not in SUBMITTED_STATES
    ]


# --- To-do ---------------------------------------------------------------------------------------


def county_todo(user, report_type: ReportType) -> list[TodoItem]:
    county_id = county_of(user)
    now = deadlines.now()
    first, last = default_range(report_type, now)
    matrix = cells(user, report_type, first=first, last=last, at=now)
    mine = [row for row in matrix["rows"] if row["county"].pk == county_id]
    if not mine:
        return []
    today = timezone.localdate(now)
    open_cells = [c for c in mine[0]["cells"] if c.state not in SUBMITTED_STATES]
    due_today = [c for c in open_cells if timezone.localdate(c.due) == today and c.late is None]
    overdue = [c for c in open_cells if c.late is not None and c.state != State.RETURNED]
    returned = [c for c in mine[0]["cells"] if c.state == State.RETURNED]
    matrix_url = reverse("report-matrix", args=[report_type.key])
    list_url = reverse("report-type", args=[report_type.key])
    return [
        TodoItem(
            title=_("%(report)s due today") % {"report": report_type.title},
            count=len(due_today),
            url=list_url,
            level="warning",
        ),
        TodoItem(
            title=_("%(report)s overdue") % {"report": report_type.title},
            count=len(overdue),
            url=matrix_url,
            level="danger",
        ),
        TodoItem(
            title=_("%(report)s returned for correction") % {"report": report_type.title},
            count=len(returned),
            url=f"{list_url}?state={State.RETURNED}",
            level="danger",
        ),
    ]


@register
def reports_todo(user) -> list[TodoItem]:
    """County people: the report due today, overdue, returned for correction; the city: the
    submissions waiting for approval."""
    items: list[TodoItem] = []
    if not (user and user.is_authenticated):
        return items
    for report_type in report_types():
        if getattr(user, "role", None) in COUNTY_ROLES:
            items.extend(county_todo(user, report_type))
        elif sees_everything(user):
            waiting = submissions(user, report_type).filter(state=State.SUBMITTED).count()
            items.append(
                TodoItem(
                    title=_("%(report)s waiting for approval") % {"report": report_type.title},
                    count=waiting,
                    url=reverse("report-type", args=[report_type.key])
                    + f"?state={State.SUBMITTED}",
                    level="warning",
                )
            )
    return items
