"""Read-side queries of dropout control: round figures, rates, the dashboard and its JSON twin.

Every function takes the user and starts from `visible_to(user)`; every figure comes with the
link to the rows behind it (a list page with the filters that select exactly those rows, where
the list can express it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar, charts
from core.links import link
from core.models import (
    Locality,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    Student,
    StudentStatus,
)
from core.todo import TodoItem, register
from dropout.filters import ScreeningResultFilterSet
from dropout.models import (
    CASE_CLASSES,
    CaseStatus,
    Classification,
    CohortBaseline,
    DropoutCase,
    Grade6SpotCheck,
    Responsibility,
    ResponsibilityLine,
    RoundStatus,
    ScreeningResult,
    ScreeningRound,
    SettledRateFigures,
)

PRIMARY_GRADES = (1, 2, 3, 4, 5, 6)
JUNIOR_GRADES = (7, 8, 9)
COMPULSORY_GRADES = PRIMARY_GRADES + JUNIOR_GRADES
STAGES = {"primary": PRIMARY_GRADES, "junior": JUNIOR_GRADES, "": COMPULSORY_GRADES}


def visible_counties(user, county=None):
    counties = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code")
    if county is not None:
        counties = counties.filter(pk=county.pk)
    return list(counties)


# --- Rounds ------------------------------------------------------------------------------------


def previous_round(screening_round: ScreeningRound | None) -> ScreeningRound | None:
    """The finished round before this one (by screening date, then start) sharing a county."""
    if screening_round is None:
        return None
    earlier = Q(screening_date__lt=screening_round.screening_date) | Q(
        screening_date=screening_round.screening_date, pk__lt=screening_round.pk
    )
    county_ids = list(screening_round.counties.values_list("pk", flat=True))
    return (
        ScreeningRound.objects.filter(earlier, status=RoundStatus.FINISHED)
        .filter(
            pk__in=ScreeningRound.counties.through.objects.filter(region_id__in=county_ids).values(
                "screeninground_id"
            )
        )
        .order_by("-screening_date", "-pk")
        .first()
    )


def _result_count(user, **params) -> int:
    """Rows of the result list under these filters: the same FilterSet as the linked page."""
    request = SimpleNamespace(user=user, GET=params)
    filterset = ScreeningResultFilterSet(
        params, queryset=ScreeningResult.objects.visible_to(user), request=request
    )
    return filterset.qs.count()


def round_figures(*, screening_round: ScreeningRound, user) -> dict:
    """What a round found, as the user may see it: person-times, classes, counties, changes."""
    results = ScreeningResult.objects.visible_to(user).filter(round=screening_round)
    rid = screening_round.pk
    counts = defaultdict(int)
    per_county = defaultdict(lambda: defaultdict(int))
    for row in results.order_by().values("county_id", "classification").annotate(n=Count("id")):
        counts[row["classification"]] += row["n"]
        per_county[row["county_id"]][row["classification"]] += row["n"]
    person_times = sum(counts.values())
    classes = [
        {
            "value": c.value,
            "label": c.label,
            "count": counts[c.value],
            "url": link("screeningresult-list", round=rid, classification=c.value),
            "out_of_school": c in CASE_CLASSES,
        }
        for c in Classification
    ]
    visible = {c.pk for c in visible_counties(user)}
    round_counties = [c for c in screening_round.counties.all() if c.pk in visible]
    county_rows = [
        {
            "county": county,
            "total": sum(per_county[county.pk].values()),
            "url": link("screeningresult-list", round=rid, county=county.pk),
            "cells": [
                {
                    "count": per_county[county.pk][c.value],
                    "url": link(
                        "screeningresult-list", round=rid, county=county.pk, classification=c.value
                    ),
                }
                for c in Classification
            ],
        }
        for county in sorted(round_counties, key=lambda c: c.code)
    ]
    previous = previous_round(screening_round)
    changes = None
    if previous is not None and screening_round.status == RoundStatus.FINISHED:
        changes = {
            "previous": previous,
            "new_suspected": _result_count(user, round=rid, change="new_suspected"),
            "new_suspected_url": link("screeningresult-list", round=rid, change="new_suspected"),
            "resolved": _result_count(user, round=rid, change="resolved"),
            "resolved_url": link("screeningresult-list", round=rid, change="resolved"),
        }
    cases = DropoutCase.objects.visible_to(user)
    versions = RosterVersion.objects.visible_to(user).filter(rounds=screening_round)
    children = RosterChild.objects.visible_to(user).filter(roster_version__in=versions)
    after, until = screening_round.birth_window()
    school_age = children.filter(birth_date__gt=after, birth_date__lte=until)
    covered = {v.county_id for v in screening_round.roster_versions.all()}
    return {
        "person_times": person_times,
        "person_times_url": link("screeningresult-list", round=rid),
        "classes": classes,
        "out_of_school": sum(counts[c] for c in CASE_CLASSES),
        "out_of_school_url": link("screeningresult-list", round=rid, out_of_school="true"),
        "needs_confirmation": results.filter(needs_confirmation=True).count(),
        "needs_confirmation_url": link(
            "screeningresult-list", round=rid, needs_confirmation="true"
        ),
        "county_rows": county_rows,
        "changes": changes,
        "cases_opened": cases.filter(opened_in_round=screening_round).count(),
        "cases_opened_url": link("dropoutcase-list", opened_in_round=rid),
        "cases_confirmed": cases.filter(confirmed_in_round=screening_round).count(),
        "cases_confirmed_url": link("dropoutcase-list", confirmed_in_round=rid),
        "versions": list(versions.select_related("county").order_by("county__code")),
        "roster_children": children.count(),
        "not_school_age": children.count() - school_age.count(),
        "risk_eliminated": school_age.filter(
            household_category="monitored", risk_eliminated=True
        ).count(),
        "counties_without_roster": [c for c in round_counties if c.pk not in covered],
        "birth_after": after + dt.timedelta(days=1),
        "birth_until": until,
        # Horizontal: the classes' names are long, and one class (enrolled locally) dwarfs the
        # others, whose bars keep their value and a minimum height.
        "chart": charts.bars(
            categories=[c["label"] for c in classes],
            series=[charts.Series.of(_("Person-times"), classes, "count")],
            horizontal=True,
        ),
    }


def cumulative(*, user, school_year: int, county=None) -> dict:
    """The finished rounds of a school year and their person-times, as the bulletin reports."""
    rounds = ScreeningRound.objects.visible_to(user).filter(
        school_year=school_year, status=RoundStatus.FINISHED
    )
    results = ScreeningResult.objects.visible_to(user).filter(
        round__school_year=school_year, round__status=RoundStatus.FINISHED
    )
    if county is not None:
        rounds = rounds.filter(counties=county)
        results = results.filter(county=county)
    return {
        "school_year": school_year,
        "rounds": rounds.count(),
        "person_times": results.count(),
        "rounds_url": link(
            "screeninground-list",
            school_year=school_year,
            status=RoundStatus.FINISHED,
            county=getattr(county, "pk", None),
        ),
        "person_times_url": link(
            "screeningresult-list", school_year=school_year, county=getattr(county, "pk", None)
        ),
    }


def latest_school_year(user) -> int:
    """The school year of the newest finished round the user sees, else the current one."""
    finished = ScreeningRound.objects.visible_to(user).filter(status=RoundStatus.FINISHED)
    return calendar.latest_school_year(finished)


def school_years(user) -> list[int]:
    """The school years the area has figures for: its rounds' and its settled figures'."""
    rounds = ScreeningRound.objects.visible_to(user).values_list("school_year", flat=True)
    kept = SettledRateFigures.objects.visible_to(user).values_list("school_year", flat=True)
    return sorted(set(rounds.distinct()) | set(kept.distinct()))


def latest_rounds(*, user, school_year: int, counties) -> dict[int, ScreeningRound]:
    """Each county's newest finished round of the school year."""
    latest = {}
    rounds = ScreeningRound.objects.visible_to(user).filter(
        school_year=school_year, status=RoundStatus.FINISHED
    )
    for county in counties:
        found = rounds.filter(counties=county).order_by("-screening_date", "-pk").first()
        if found is not None:
            latest[county.pk] = found
    return latest


# --- Rates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    numerator_url: str = ""
    denominator_url: str = ""

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.2f}%"


def _students(user, *, county=None, locality: str = "", grades=COMPULSORY_GRADES):
    students = Student.objects.visible_to(user).filter(grade__in=grades)
    if county is not None:
        students = students.filter(county=county)
    if locality:
        students = students.filter(school__locality=locality)
    return students


def registry_figures(students, *, locality: str = "", stage: str = "") -> dict[int, dict]:
    """Per county, from registry rows: the enrolment at the start of the year (every student of
    the stage except those who graduated: a child who dropped out or transferred out during the
    year was enrolled at its start), its dropouts (status dropped out), and the enrolled grade-9
    students of the locality (the consolidation rate's numerator)."""
    if locality:
        students = students.filter(school__locality=locality)
    rows = (
        students.filter(grade__in=STAGES[stage])
        .exclude(status=StudentStatus.GRADUATED)
        .order_by()
        .values("county_id")
        .annotate(
            enrolled=Count("id"),
            dropped_out=Count("id", filter=Q(status=StudentStatus.DROPPED_OUT)),
        )
    )
    figures = defaultdict(lambda: {"enrolled": 0, "dropped_out": 0, "grade9_enrolled": 0})
    for row in rows:
        figures[row["county_id"]].update(enrolled=row["enrolled"], dropped_out=row["dropped_out"])
    grade9 = (
        students.filter(grade=9, status=StudentStatus.ENROLLED)
        .order_by()
        .values("county_id")
        .annotate(n=Count("id"))
    )
    for row in grade9:
        figures[row["county_id"]]["grade9_enrolled"] = row["n"]
    return dict(figures)


def settled(school_year: int) -> bool:
    """Are a school year's rates settled? Once the city has started a later school year, yes:
    they come from the figures kept when the next one started (none kept: no rate). Until then
    the year's data is the registry as it stands."""
    return calendar.school_year_closed(school_year)


def _figures(*, user, school_year: int, locality: str = "", stage: str = "") -> dict[int, dict]:
    """Per county: the figures a school year's rates come from — the registry as it stands for
    the current year, the settled figures for any other."""
    if not settled(school_year):
        return registry_figures(Student.objects.visible_to(user), locality=locality, stage=stage)
    rows = SettledRateFigures.objects.visible_to(user).filter(
        school_year=school_year, locality=locality, stage=stage
    )
    return {
        row["county_id"]: row
        for row in rows.values("county_id", "enrolled", "dropped_out", "grade9_enrolled")
    }


def dropout_rates(
    *, user, counties, school_year: int, locality: str = "", stage: str = ""
) -> dict[int, Rate]:
    """Dropout rate 辍学率 per county = dropouts during the year ÷ enrolment at its start.

    From the school year's registry figures (`registry_figures`): the registry as it stands
    while the year is the current one, the figures settled when the city started the next one
    afterwards (so a past year's rate never moves). Primary is grades 1–6, junior middle 7–9,
    compulsory both. Only the current year's figures link to the registry rows behind them.
    """
    figures = _figures(user=user, school_year=school_year, locality=locality, stage=stage)
    live = not settled(school_year)
    rates = {}
    for county in counties:
        row = figures.get(county.pk, {"enrolled": 0, "dropped_out": 0})
        rates[county.pk] = Rate(
            numerator=row["dropped_out"],
            denominator=row["enrolled"],
            numerator_url=link(
                "student-list",
                county=county.pk,
                status=StudentStatus.DROPPED_OUT,
                locality=locality,
            )
            if live
            else "",
            denominator_url=link("student-list", county=county.pk, locality=locality)
            if live
            else "",
        )
    return rates


def consolidation_rates(
    *, user, counties, school_year: int, locality: str = ""
) -> dict[int, Rate | None]:
    """Consolidation rate 巩固率 per county = grade-9 enrolment ÷ that cohort's grade-1 enrolment.

    The grade-9 enrolment is the school year's enrolled grade-9 students (the registry while the
    year is current, its settled figures afterwards); the cohort entered grade 1 eight years
    earlier, and its grade-1 enrolment is the county's cohort baseline for that entry year (None
    when the county has no baseline).
    """
    entry_year = school_year - 8
    figures = _figures(user=user, school_year=school_year, locality=locality)
    live = not settled(school_year)
    baselines = dict(
        CohortBaseline.objects.visible_to(user)
        .filter(entry_year=entry_year, locality=locality)
        .values_list("county_id", "grade1_enrolment")
    )
    rates: dict[int, Rate | None] = {}
    for county in counties:
        if county.pk not in baselines:
            rates[county.pk] = None
            continue
        rates[county.pk] = Rate(
            numerator=figures.get(county.pk, {}).get("grade9_enrolled", 0),
            denominator=baselines[county.pk],
            numerator_url=link(
                "student-list",
                county=county.pk,
                grade=9,
                status=StudentStatus.ENROLLED,
                locality=locality,
            )
            if live
            else "",
            denominator_url=link(
                "cohortbaseline-list", county=county.pk, entry_year=entry_year, locality=locality
            ),
        )
    return rates


def total(rates: dict) -> Rate | None:
    present = [rate for rate in rates.values() if rate is not None]
    if not present:
        return None
    return Rate(
        numerator=sum(r.numerator for r in present),
        denominator=sum(r.denominator for r in present),
    )


def rates_table(*, user, school_year: int, county=None) -> dict:
    """Both rates per county, by urban/rural and by stage, with their formulas."""
    counties = visible_counties(user, county)
    rows = []
    for locality in ("", Locality.RURAL, Locality.URBAN):
        for stage in ("", "primary", "junior"):
            per_county = dropout_rates(
                user=user,
                counties=counties,
                school_year=school_year,
                locality=locality,
                stage=stage,
            )
            rows.append(
                {
                    "kind": "dropout",
                    "locality": locality,
                    "locality_label": Locality(locality).label if locality else _("All"),
                    "stage": stage,
                    "stage_label": {
                        "": _("Compulsory education"),
                        "primary": _("Primary"),
                        "junior": _("Junior middle"),
                    }[stage],
                    "cells": [per_county[c.pk] for c in counties],
                    "total": total(per_county),
                }
            )
    consolidation = []
    for locality in ("", Locality.RURAL, Locality.URBAN):
        per_county = consolidation_rates(
            user=user, counties=counties, school_year=school_year, locality=locality
        )
        consolidation.append(
            {
                "locality": locality,
                "locality_label": Locality(locality).label if locality else _("All"),
                "cells": [per_county[c.pk] for c in counties],
                "total": total(per_county),
            }
        )
    kept = SettledRateFigures.objects.visible_to(user).filter(school_year=school_year)
    return {
        "school_year": school_year,
        "entry_year": school_year - 8,
        "current_school_year": calendar.current_school_year(),
        "settled": settled(school_year),
        "settled_on": max((row.created_at for row in kept), default=None),
        "counties": counties,
        "dropout": rows,
        "consolidation": consolidation,
    }


# --- Responsibility coverage -------------------------------------------------------------------


def coverage(*, user, county=None) -> dict:
    """Townships with, and without, a government-line and an education-line responsible person."""
    townships = Region.objects.visible_to(user).filter(level=RegionLevel.TOWNSHIP)
    if county is not None:
        townships = townships.filter(county=county)
    lines = defaultdict(set)
    rows = (
        Responsibility.objects.visible_to(user)
        .filter(school__isnull=True)
        .values_list("township_id", "line")
    )
    for township_id, line in rows:
        lines[township_id].add(line)
    missing = []
    total_ = 0
    for township in townships.select_related("parent").order_by("code"):
        total_ += 1
        has = lines[township.pk]
        lacks = [
            ResponsibilityLine(line).label
            for line in (ResponsibilityLine.GOVERNMENT, ResponsibilityLine.EDUCATION)
            if line not in has
        ]
        if lacks:
            missing.append(
                {
                    "township": township,
                    "county": township.parent,
                    "lacks": lacks,
                    "url": link("responsibility-list", township=township.pk),
                    "add_url": reverse("responsibility-create"),
                }
            )
    return {
        "townships": total_,
        "covered": total_ - len(missing),
        "missing": missing,
    }


# --- Cases -------------------------------------------------------------------------------------


def overdue_cases(user, county=None):
    cases = DropoutCase.objects.visible_to(user).filter(
        status=CaseStatus.OPEN, due_on__lt=timezone.localdate()
    )
    return cases.filter(county=county) if county is not None else cases


@register
def overdue_cases_todo(user) -> list[TodoItem]:
    """Suspected-dropout cases past their due date (the follow-up is late)."""
    count = overdue_cases(user).count()
    return [
        TodoItem(
            title=_("Overdue suspected-dropout cases"),
            count=count,
            url=link("dropoutcase-list", overdue="true"),
            level="danger",
        )
    ]


@register
def confirmed_cases_todo(user) -> list[TodoItem]:
    """Resolved cases a round confirmed: the county reviewer may close them now."""
    from core.scoping import Role

    if getattr(user, "role", None) != Role.COUNTY_REVIEWER:
        return []
    count = (
        DropoutCase.objects.visible_to(user)
        .filter(status=CaseStatus.RESOLVED, confirmed_in_round__isnull=False)
        .count()
    )
    return [
        TodoItem(
            title=_("Suspected-dropout cases confirmed and ready to close"),
            count=count,
            url=link("dropoutcase-list", status=CaseStatus.RESOLVED, confirmed="true"),
            level="warning",
        )
    ]


@register
def hand_opened_cases_todo(user) -> list[TodoItem]:
    """Resolved cases opened by hand that no round confirmed: no round will (it confirms only
    children it screens), so the county reviewer verifies the outcome and closes them."""
    from core.scoping import Role

    if getattr(user, "role", None) != Role.COUNTY_REVIEWER:
        return []
    count = (
        DropoutCase.objects.visible_to(user)
        .filter(
            status=CaseStatus.RESOLVED,
            confirmed_in_round__isnull=True,
            opened_in_round__isnull=True,
        )
        .count()
    )
    return [
        TodoItem(
            title=_("Suspected-dropout cases opened by hand, resolved: verify and close them"),
            count=count,
            url=link(
                "dropoutcase-list",
                status=CaseStatus.RESOLVED,
                confirmed="false",
                opened_by_hand="true",
            ),
            level="warning",
        )
    ]


# --- The dashboard and the summary -------------------------------------------------------------


def _county_figures(*, user, school_year: int, counties) -> dict[int, dict]:
    """Per county: rounds, person-times, suspected in the latest round, open and overdue cases."""
    ids = [c.pk for c in counties]
    figures = {
        pk: {
            "rounds": 0,
            "person_times": 0,
            "suspected_open": 0,
            "out_of_school": 0,
            "cases_open": 0,
            "cases_overdue": 0,
        }
        for pk in ids
    }
    rounds = ScreeningRound.objects.visible_to(user).filter(
        school_year=school_year, status=RoundStatus.FINISHED
    )
    through = ScreeningRound.counties.through.objects.filter(
        screeninground__in=rounds.values("pk"), region_id__in=ids
    )
    for row in through.values("region_id").annotate(n=Count("screeninground_id")):
        figures[row["region_id"]]["rounds"] = row["n"]
    results = ScreeningResult.objects.visible_to(user).filter(
        round__school_year=school_year, round__status=RoundStatus.FINISHED, county_id__in=ids
    )
    for row in results.order_by().values("county_id").annotate(n=Count("id")):
        figures[row["county_id"]]["person_times"] = row["n"]
    latest = latest_rounds(user=user, school_year=school_year, counties=counties)
    if latest:
        condition = Q()
        for county_id, found in latest.items():
            condition |= Q(county_id=county_id, round=found)
        grouped = (
            results.filter(condition, classification__in=CASE_CLASSES)
            .order_by()
            .values("county_id", "classification")
            .annotate(n=Count("id"))
        )
        for row in grouped:
            figures[row["county_id"]]["out_of_school"] += row["n"]
            if row["classification"] == Classification.SUSPECTED:
                figures[row["county_id"]]["suspected_open"] += row["n"]
    cases = DropoutCase.objects.visible_to(user).filter(county_id__in=ids)
    today = timezone.localdate()
    grouped_cases = (
        cases.exclude(status=CaseStatus.CLOSED)
        .order_by()
        .values("county_id")
        .annotate(
            n=Count("id"), overdue=Count("id", filter=Q(status=CaseStatus.OPEN, due_on__lt=today))
        )
    )
    for row in grouped_cases:
        figures[row["county_id"]]["cases_open"] = row["n"]
        figures[row["county_id"]]["cases_overdue"] = row["overdue"]
    for pk in ids:
        figures[pk]["latest_round"] = latest.get(pk)
    return figures


def summary(*, user, county=None, school_year: int | None = None) -> dict:
    """The figures of the dashboard as JSON-ready values (see api.SummaryView)."""
    data = dashboard(user=user, county=county, school_year=school_year)
    keys = (
        "rounds",
        "person_times",
        "suspected_open",
        "out_of_school",
        "cases_open",
        "cases_overdue",
    )

    def rate_value(rate):
        return None if rate is None else rate.value

    return {
        "school_year": data["school_year"],
        **{key: data[key] for key in keys},
        "dropout_rate": rate_value(data["dropout_rate"]),
        "consolidation_rate": rate_value(data["consolidation_rate"]),
        "responsibility": {
            "townships": data["coverage"]["townships"],
            "covered": data["coverage"]["covered"],
            "missing": len(data["coverage"]["missing"]),
        },
        "spot_checks": data["spot_checks"],
        "spot_check_discrepancies": data["spot_check_discrepancies"],
        "counties": [
            {
                "id": row["county"].pk,
                "code": row["county"].code,
                "name": row["county"].name,
                **{key: row[key] for key in keys},
                "dropout_rate": rate_value(row["dropout_rate"]),
                "consolidation_rate": rate_value(row["consolidation_rate"]),
            }
            for row in data["county_rows"]
        ],
    }


def _chart_rows(*, user, school_year: int, counties, county_rows) -> tuple[str, list[dict]]:
    """The dashboard charts' bars: the county rows, or for one county its townships (the
    figures of each township's rows, linked to them; core.charts.places)."""
    kind, places = charts.places(user, counties)
    if kind == "county":
        return kind, [{"name": row["county"].name, **row} for row in county_rows]
    county = counties[0]
    latest = county_rows[0]["latest_round"] if county_rows else None
    results = ScreeningResult.objects.visible_to(user).filter(
        round__school_year=school_year, round__status=RoundStatus.FINISHED, county=county
    )
    person_times = dict(
        results.order_by().values_list("township_id").annotate(n=Count("id")).order_by()
    )
    suspected = (
        dict(
            results.filter(round=latest, classification=Classification.SUSPECTED)
            .values_list("township_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        if latest
        else {}
    )
    today = timezone.localdate()
    cases = {
        row["township_id"]: row
        for row in DropoutCase.objects.visible_to(user)
        .filter(county=county)
        .exclude(status=CaseStatus.CLOSED)
        .values("township_id")
        .annotate(
            n=Count("id"), overdue=Count("id", filter=Q(status=CaseStatus.OPEN, due_on__lt=today))
        )
        .order_by()
    }
    rows = []
    for township in places:
        t = township.pk
        person_times_url = link("screeningresult-list", township=t, school_year=school_year)
        rows.append(
            {
                "name": township.name,
                "person_times": person_times.get(t, 0),
                "person_times_url": person_times_url,
                "suspected_open": suspected.get(t, 0),
                "suspected_open_url": link(
                    "screeningresult-list",
                    round=latest.pk,
                    township=t,
                    classification=Classification.SUSPECTED,
                )
                if latest
                else "",
                "cases_open": cases.get(t, {}).get("n", 0),
                "cases_open_url": link("dropoutcase-list", township=t, not_closed="true"),
                "cases_overdue": cases.get(t, {}).get("overdue", 0),
                "cases_overdue_url": link("dropoutcase-list", township=t, overdue="true"),
            }
        )
    return kind, rows


def dashboard(*, user, county=None, school_year: int | None = None) -> dict:
    """Everything the area's landing page shows, for the user's scope (or one county in it)."""
    school_year = school_year or latest_school_year(user)
    counties = visible_counties(user, county)
    per_county = _county_figures(user=user, school_year=school_year, counties=counties)
    dropout = dropout_rates(user=user, counties=counties, school_year=school_year)
    consolidation = consolidation_rates(user=user, counties=counties, school_year=school_year)
    county_rows = []
    for c in counties:
        figures = per_county[c.pk]
        latest = figures["latest_round"]
        county_rows.append(
            {
                "county": c,
                **figures,
                "rounds_url": link(
                    "screeninground-list",
                    county=c.pk,
                    school_year=school_year,
                    status=RoundStatus.FINISHED,
                ),
                "person_times_url": link(
                    "screeningresult-list", county=c.pk, school_year=school_year
                ),
                "suspected_open_url": link(
                    "screeningresult-list",
                    round=latest.pk,
                    county=c.pk,
                    classification=Classification.SUSPECTED,
                )
                if latest
                else "",
                "cases_open_url": link("dropoutcase-list", county=c.pk, not_closed="true"),
                "cases_overdue_url": link("dropoutcase-list", county=c.pk, overdue="true"),
                "dropout_rate": dropout[c.pk],
                "consolidation_rate": consolidation[c.pk],
            }
        )
    cum = cumulative(user=user, school_year=school_year, county=county)
    coverage_ = coverage(user=user, county=county)
    checks = Grade6SpotCheck.objects.visible_to(user)
    if county is not None:
        checks = checks.filter(county=county)
    from django.db.models import F

    discrepancies = checks.exclude(present_count=F("registry_count"))
    county_param = getattr(county, "pk", None)
    latest_ids = {r["latest_round"].pk for r in county_rows if r["latest_round"]}
    chart_by, chart_rows = _chart_rows(
        user=user, school_year=school_year, counties=counties, county_rows=county_rows
    )
    return {
        "school_year": school_year,
        "county": county,
        "rounds": cum["rounds"],
        "rounds_url": cum["rounds_url"],
        "person_times": cum["person_times"],
        "person_times_url": cum["person_times_url"],
        "suspected_open": sum(r["suspected_open"] for r in county_rows),
        # One link for the total when every county's latest round is the same round.
        "suspected_open_url": link(
            "screeningresult-list",
            round=latest_ids.pop(),
            county=county_param,
            classification=Classification.SUSPECTED,
        )
        if len(latest_ids) == 1
        else "",
        "out_of_school": sum(r["out_of_school"] for r in county_rows),
        "cases_open": sum(r["cases_open"] for r in county_rows),
        "cases_open_url": link("dropoutcase-list", county=county_param, not_closed="true"),
        "cases_overdue": sum(r["cases_overdue"] for r in county_rows),
        "cases_overdue_url": link("dropoutcase-list", county=county_param, overdue="true"),
        "dropout_rate": total(dropout),
        "consolidation_rate": total(consolidation),
        "rates_url": link("dropout-rates", school_year=school_year, county=county_param),
        "coverage": coverage_,
        "coverage_url": reverse("dropout-coverage"),
        "spot_checks": checks.count(),
        "spot_checks_url": link("grade6spotcheck-list", county=county_param),
        "spot_check_discrepancies": discrepancies.count(),
        "spot_check_discrepancies_url": link(
            "grade6spotcheck-list", county=county_param, with_discrepancy="true"
        ),
        "county_rows": county_rows,
        "rounds_list": list(
            ScreeningRound.objects.visible_to(user)
            .filter(school_year=school_year)
            .order_by("screening_date", "pk")
        ),
        "chart_by": chart_by,
        "chart_cases": charts.bars(
            categories=[r["name"] for r in chart_rows],
            series=[
                charts.Series(
                    _("Suspected in the latest round"),
                    [r["suspected_open"] for r in chart_rows],
                    # A place without a finished round has no result list to open: its
                    # dashboard row says so.
                    [r["suspected_open_url"] or r["person_times_url"] for r in chart_rows],
                ),
                charts.Series(
                    _("Open cases"),
                    [r["cases_open"] for r in chart_rows],
                    [r["cases_open_url"] for r in chart_rows],
                ),
                charts.Series(
                    _("Overdue cases"),
                    [r["cases_overdue"] for r in chart_rows],
                    [r["cases_overdue_url"] for r in chart_rows],
                ),
            ],
            category_urls=[r["cases_open_url"] for r in chart_rows],
        ),
        "chart_person_times": charts.bars(
            categories=[r["name"] for r in chart_rows],
            series=[
                charts.Series(
                    _("Person-times"),
                    [r["person_times"] for r in chart_rows],
                    [r["person_times_url"] for r in chart_rows],
                )
            ],
        ),
    }
