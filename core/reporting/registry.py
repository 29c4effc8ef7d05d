"""Periodic report types and their sections, declared like ledgers (docs/areas.md).

A report type (`ReportType`) is what the counties owe the city each period: its cadence, its due
time, which counties owe it and the fields the officer writes (progress, problems, next steps).
Its figures are never typed in: each *section* (`Section`), declared by an area in
`<app>/reports.py`, computes the county's figures for the period from the area's rows
(`figures(*, user, county, period) -> list[Figure]`, a selector starting from `visible_to`). The
weekly county report 周报 is core's (core/reporting/types.py); dropout and aid add their
sections to it, and a later area adds its own with no edit of core. An area may declare a report
type of its own the same way (the flood-recovery daily report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.areas import areas, registry
from core.reporting.periods import Cadence, Period, local_datetime, period_of

TYPES: dict[str, ReportType] = registry["report_types"]
SECTIONS: dict[str, list[Section]] = registry["report_sections"]


@dataclass(frozen=True)
class Figure:
    """One figure of a section: a count (or a short text, such as a round's name)."""

    key: str  # stable inside its section: the snapshot and the comments name it
    label: str
    value: int | str | None
    url: str = ""  # the rows behind it, in the user's scope


@dataclass(frozen=True)
class Section:
    report: str  # the report type's key
    key: str  # stable: the area's label, e.g. "dropout"
    title: str  # lazy, translated
    figures: Callable  # figures(*, user, county, period) -> list[Figure]
    area: str = ""  # app label (sections are shown in sidebar order); default: the key

    @property
    def order(self) -> tuple:
        by_app = {area.app: area.order for area in areas()}
        return (by_app.get(self.area or self.key, 1000), self.key)


@dataclass(frozen=True)
class TextField:
    """A field the county officer writes (progress, problems, next steps)."""

    key: str
    label: str  # lazy, translated
    required: bool = False


@dataclass(frozen=True)
class ReportType:
    key: str  # in URLs and the API: "weekly"
    title: str  # lazy, translated
    cadence: str  # Cadence
    due_time: dt.time  # Asia/Shanghai
    due_days: int = 0  # days after the period's first day (or last day, `due_from_end`)
    due_from_end: bool = False
    fields: tuple[TextField, ...] = ()
    # The counties that owe it: owed_by() -> a Region queryset (default: every county).
    owed_by: Callable | None = None
    description: str = ""
    order: int = 100

    def period_of(self, day: dt.date) -> Period:
        return period_of(self.cadence, day)

    def due_at(self, period: Period) -> dt.datetime:
        """The period's due time (before any extension)."""
        anchor = period.end if self.due_from_end else period.start
        return local_datetime(anchor + dt.timedelta(days=self.due_days), self.due_time)

    def sections(self) -> list[Section]:
        return sorted(SECTIONS.get(self.key, []), key=lambda section: section.order)

    def counties(self):
        from core.models import Region, RegionLevel

        if self.owed_by is not None:
            return self.owed_by()
        return Region.objects.filter(level=RegionLevel.COUNTY).order_by("code")


def register_type(report_type: ReportType) -> ReportType:
    if report_type.key in TYPES:
        raise ValueError(f"report type {report_type.key} registered twice")
    if report_type.cadence not in Cadence.values:
        raise ValueError(f"report type {report_type.key}: unknown cadence {report_type.cadence}")
    TYPES[report_type.key] = report_type
    return report_type


def register_section(section: Section) -> Section:
    sections = SECTIONS.setdefault(section.report, [])
    if any(existing.key == section.key for existing in sections):
        raise ValueError(f"section {section.key} of {section.report} registered twice")
    sections.append(section)
    return section


def area_section(area: str, title, figures: Callable, *, report: str = "weekly") -> Section:
    """Register an area's section of a report (the weekly one unless named), keyed by the area's
    app label: `WEEKLY = area_section("aid", gettext_lazy("Student aid"), figures)`."""
    return register_section(Section(report=report, key=area, title=title, figures=figures))


def report_types() -> list[ReportType]:
    return sorted(TYPES.values(), key=lambda t: (t.order, t.key))


def get_type(key: str) -> ReportType | None:
    return TYPES.get(key)
