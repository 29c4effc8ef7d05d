"""Read side of school conditions: kindergarten coverage, projects, the funding table, the
look-back's rectifications, maintenance gaps, the dashboard, the summary API and the to-do items.

Every query starts from `visible_to(user)`; figures are counted from rows, never typed in.

Rules implemented here:

* **Coverage** 每个乡镇至少一所公办中心园: a township is covered when a public kindergarten of
  the township has the central-kindergarten flag (core.School). Closing it (the row deleted or
  the flag removed) or moving it to another township uncovers the township at once. A township
  the county marked exempt (KindergartenExemption) is counted apart, neither covered nor missing.
  Coverage is a county matter: a school officer sees none.
* **Funding** 生均公用经费 for a school and school year (its SchoolEnrolment row), with the city's
  quotas in force that year (FundingRate)::

      computed = Σ stage quota × funded pupils of the stage + supplement × boarders

  A **rural** primary, junior middle or nine-year school or teaching point with fewer than 100
  pupils (but at least one) is funded as 100 不足100人按100人核定; urban schools,
  kindergartens and special-education schools are funded as enrolled. Primary schools and
  teaching points are at the primary quota, junior middle schools at the junior one,
  kindergartens at the kindergarten quota and special-education schools 特殊教育学校 at the
  special-education quota, each when the city sets one (else they are not in the table). A
  **nine-year school**'s funded pupils are split between the two quotas in the proportion of its
  enrolled registry students in grades 7–9 to grades 1–9 (the junior share rounded half up to
  whole pupils, the rest primary; without registry students, all primary) — the floor of 100 is
  split the same way. Complete middle schools, senior high and vocational schools are outside
  these quotas. Every boarder brings the
  boarder supplement (200 yuan per year unless the city sets another). It is SQL, Decimal
  money, no row-by-row Python: one grouped count of the nine-year schools' registry grades
  (run when the table is built), then the table itself, which looks each school's two counts up
  (a correlated count per row ran eight times a row: Django repeats an annotation wherever
  another builds on it).
* **Under-funded**: a school whose allocation (FundingAllocation) is below its computed amount.
  A school with no allocation yet is "not allocated", not under-funded.
* **Rectifications**: open = not yet verified and closed; overdue = open past its deadline
  (today after the deadline); closed within the deadline = closed on or before it.
* **Maintenance**: a school is listed when its latest entry of the kind is more than `days` days
  before the day of the check (or it has none): an entry exactly `days` days before still counts.
  The day of the check is the data's (`maintenance_day`): today within the city's current school
  year, the newest day of the log once the clock has left that year.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils.translation import gettext as _

from core import areas, calendar, charts, todo
from core.links import link
from core.models import (
    Locality,
    Ownership,
    Region,
    RegionLevel,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    StudentStatus,
)
from core.scoping import school_of
from facilities.models import (
    FUND_SOURCES,
    ZERO,
    FundingAllocation,
    FundingNote,
    FundingRate,
    ImprovementProject,
    KindergartenExemption,
    MaintenanceEntry,
    MaintenanceKind,
    ProjectKind,
    ProjectStatus,
    Rectification,
    RectificationStatus,
    ToiletFinding,
    fen,
    wan,
)

SMALL_SCHOOL_FLOOR = 100  # 农村小规模学校不足100人按100人核定
FLOORED_KINDS = (
    SchoolKind.PRIMARY,
    SchoolKind.TEACHING_POINT,
    SchoolKind.JUNIOR,
    SchoolKind.NINE_YEAR,
)
PRIMARY_KINDS = (SchoolKind.PRIMARY, SchoolKind.TEACHING_POINT)
MONEY = DecimalField(max_digits=16, decimal_places=2)


def maintenance_days() -> int:
    """Days allowed without a daily inspection or a waste clearing (the check's default)."""
    return areas.setting("FACILITIES_MAINTENANCE_DAYS", 30)


# --- Years ------------------------------------------------------------------------------------


def funding_years(user) -> list[int]:
    years = set(
        SchoolEnrolment.objects.visible_to(user).values_list("school_year", flat=True).distinct()
    )
    years |= set(FundingRate.objects.visible_to(user).values_list("effective_from", flat=True))
    return sorted(years)


def latest_funding_year(user) -> int:
    """The newest school year with enrolment rows and quotas in force, else the current year."""
    rated = FundingRate.objects.visible_to(user).order_by("effective_from").first()
    years = [
        year for year in funding_years(user) if rated is not None and year >= rated.effective_from
    ]
    return max(years) if years else calendar.current_school_year()


def project_years(user) -> list[int]:
    return sorted(
        set(
            ImprovementProject.objects.visible_to(user)
            .values_list("school_year", flat=True)
            .distinct()
        )
    )


# --- Coverage ---------------------------------------------------------------------------------


def _counties(user, county=None):
    rows = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY)
    if school_of(user) is not None:
        return rows.none()
    if county is not None:
        rows = rows.filter(pk=county.pk)
    return rows.order_by("code")


def townships(user, county=None):
    """The townships in the user's scope, each with its kindergartens counted from the school
    rows: central (public, flagged), other public, private, and teaching points; exempt or not."""
    schools = School.objects.visible_to(user).filter(township_id=OuterRef("pk"))
    kg = Q(kind=SchoolKind.KINDERGARTEN)

    def count(condition):
        return Coalesce(
            Subquery(
                schools.filter(condition)
                .order_by()
                .values("township_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    rows = Region.objects.visible_to(user).filter(level=RegionLevel.TOWNSHIP)
    if school_of(user) is not None:
        rows = rows.none()  # annotated all the same: callers read the counts
    if county is not None:
        rows = rows.filter(county_id=county.pk)
    return (
        rows.annotate(
            central=count(kg & Q(ownership=Ownership.PUBLIC, is_central_kindergarten=True)),
            other_public=count(kg & Q(ownership=Ownership.PUBLIC, is_central_kindergarten=False)),
            private=count(kg & Q(ownership=Ownership.PRIVATE)),
            teaching_points=count(Q(kind=SchoolKind.TEACHING_POINT)),
            exempt=Exists(
                KindergartenExemption.objects.visible_to(user).filter(township_id=OuterRef("pk"))
            ),
        )
        .select_related("county")
        .order_by("code")
    )


def uncovered_townships(user, county=None):
    """Townships without a public central kindergarten that are not exempt."""
    return townships(user, county).filter(central=0, exempt=False)


def coverage(user, county=None) -> dict:
    """Per county: townships, covered, not covered (and exempt), each linking to its rows."""
    by_county = {}
    for row in townships(user, county).values("county_id", "central", "exempt"):
        entry = by_county.setdefault(row["county_id"], {"townships": 0, "covered": 0, "exempt": 0})
        entry["townships"] += 1
        if row["exempt"]:
            entry["exempt"] += 1
        elif row["central"]:
            entry["covered"] += 1
    counties = []
    for region in _counties(user, county):
        entry = by_county.get(region.pk, {"townships": 0, "covered": 0, "exempt": 0})
        missing = entry["townships"] - entry["covered"] - entry["exempt"]
        counties.append(
            {
                "id": region.pk,
                "name": region.name,
                **entry,
                "missing": missing,
                "url": link("facilities-coverage", county=region.pk),
                "missing_url": link("facilities-coverage", county=region.pk, missing="1"),
            }
        )
    total = {
        key: sum(c[key] for c in counties) for key in ("townships", "covered", "exempt", "missing")
    }
    return {
        "counties": counties,
        **total,
        "url": link("facilities-coverage", county=getattr(county, "pk", None)),
        "missing_url": link("facilities-coverage", county=getattr(county, "pk", None), missing="1"),
    }


def network(user, county=None) -> list[dict]:
    """The county–township–village preschool network 县乡村三级学前教育网络: per county its
    county-seat kindergartens (in no township or an urban one), per township its central
    kindergarten(s), other kindergartens and teaching points."""
    schools = (
        School.objects.visible_to(user)
        .filter(Q(kind=SchoolKind.KINDERGARTEN) | Q(kind=SchoolKind.TEACHING_POINT))
        .select_related("township")
        .order_by("code")
    )
    if county is not None:
        schools = schools.filter(county_id=county.pk)
    by_township: dict = {}
    for school in schools:
        by_township.setdefault(school.township_id, []).append(school)
    result = []
    for region in _counties(user, county):
        entries = []
        for township in townships(user, region):
            entries.append({"township": township, "schools": by_township.get(township.pk, [])})
        result.append(
            {
                "county": region,
                "county_schools": [
                    s for s in by_township.get(None, []) if s.county_id == region.pk
                ],
                "townships": entries,
            }
        )
    return result


# --- Funding ----------------------------------------------------------------------------------


def rate_for(user, school_year: int) -> FundingRate | None:
    """The quotas in force in a school year: the newest row from that year or before."""
    return (
        FundingRate.objects.visible_to(user)
        .filter(effective_from__lte=school_year)
        .order_by("-effective_from")
        .first()
    )


class _PerSchool(Func):
    """A school's figure from a JSON object {school id: figure} passed as one parameter (0 for a
    school not in it): a hash look-up per row, where a correlated count of the registry would
    run again wherever the expression is repeated (Django inlines annotations it builds on)."""

    arg_joiner = "::jsonb ->> "
    template = "COALESCE((%(expressions)s)::integer, 0)"
    output_field = IntegerField()

    def __init__(self, figures: dict, school="school_id"):
        super().__init__(
            Value(json.dumps({str(k): v for k, v in figures.items()})),
            Cast(F(school), CharField()),
        )


def _nine_year_registry(user, enrolment_rows) -> tuple[dict, dict]:
    """The enrolled registry students of the nine-year schools among `enrolment_rows`: grades
    7–9 and grades 1–9 per school, counted in one grouped query over the visible registry."""
    counts = (
        Student.objects.visible_to(user)
        .filter(
            status=StudentStatus.ENROLLED,
            grade__gte=1,
            grade__lte=9,
            school__kind=SchoolKind.NINE_YEAR,
            school_id__in=enrolment_rows.order_by().values("school_id"),
        )
        .order_by()
        .values("school_id")
        .annotate(junior=Count("pk", filter=Q(grade__gte=7)), compulsory=Count("pk"))
        .values_list("school_id", "junior", "compulsory")
    )
    junior, compulsory = {}, {}
    for school_id, in_junior, in_compulsory in counts:
        junior[school_id], compulsory[school_id] = in_junior, in_compulsory
    return junior, compulsory


def funding_table(user, school_year: int, *, rate: FundingRate | None = None):
    """Each school's funding in a school year (one row per SchoolEnrolment), computed by the rule
    in this module's docstring: `funded`, `primary_funded`, `junior_funded`, `preschool_funded`,
    `special_funded`, `computed`, `allocated` (None: not allocated), `variance` (allocated −
    computed) and the officer's `reason`. No quotas in force: no rows."""
    rate = rate or rate_for(user, school_year)
    rows = SchoolEnrolment.objects.visible_to(user).filter(school_year=school_year)
    if rate is None:  # the same columns, no rows
        rows = rows.none()
        rate = FundingRate(primary=ZERO, junior=ZERO, boarder_supplement=ZERO)
    kinds = [*FLOORED_KINDS]
    if rate.preschool is not None:
        kinds.append(SchoolKind.KINDERGARTEN)
    if rate.special_education is not None:
        kinds.append(SchoolKind.SPECIAL)
    rows = rows.filter(school__kind__in=kinds)
    floored = Q(
        school__locality=Locality.RURAL,
        school__kind__in=FLOORED_KINDS,
        enrolment__gt=0,
        enrolment__lt=SMALL_SCHOOL_FLOOR,
    )
    nine_year = Q(school__kind=SchoolKind.NINE_YEAR)
    junior, compulsory = _nine_year_registry(user, rows)
    allocations = (
        FundingAllocation.objects.visible_to(user)
        .filter(school_id=OuterRef("school_id"), school_year=school_year)
        .order_by()
    )
    notes = (
        FundingNote.objects.visible_to(user)
        .filter(school_id=OuterRef("school_id"), school_year=school_year)
        .order_by()
    )
    rows = rows.annotate(
        funded=Case(
            When(floored, then=Value(SMALL_SCHOOL_FLOOR)),
            default=F("enrolment"),
            output_field=IntegerField(),
        ),
        registry_junior=Case(
            When(nine_year, then=_PerSchool(junior)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        registry_compulsory=Case(
            When(nine_year, then=_PerSchool(compulsory)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).annotate(
        junior_funded=Case(
            When(school__kind=SchoolKind.JUNIOR, then=F("funded")),
            When(
                nine_year,
                then=Coalesce(
                    Cast(
                        Round(
                            Cast(F("funded") * F("registry_junior"), MONEY)
                            / NullIf(F("registry_compulsory"), 0)
                        ),
                        IntegerField(),
                    ),
                    0,
                ),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        preschool_funded=Case(
            When(school__kind=SchoolKind.KINDERGARTEN, then=F("funded")),
            default=Value(0),
            output_field=IntegerField(),
        ),
        special_funded=Case(
            When(school__kind=SchoolKind.SPECIAL, then=F("funded")),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    rows = rows.annotate(
        primary_funded=Case(
            When(school__kind__in=PRIMARY_KINDS, then=F("funded")),
            When(nine_year, then=F("funded") - F("junior_funded")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    preschool_quota = rate.preschool if rate.preschool is not None else Decimal("0.00")
    special_quota = (
        rate.special_education if rate.special_education is not None else Decimal("0.00")
    )
    rows = rows.annotate(
        computed=Cast(
            F("primary_funded") * Value(rate.primary, MONEY)
            + F("junior_funded") * Value(rate.junior, MONEY)
            + F("preschool_funded") * Value(preschool_quota, MONEY)
            + F("special_funded") * Value(special_quota, MONEY)
            + F("boarders") * Value(rate.boarder_supplement, MONEY),
            MONEY,
        ),
        allocated=Subquery(allocations.values("amount")[:1], output_field=MONEY),
        allocation_id=Subquery(allocations.values("pk")[:1]),
        reason=Subquery(notes.values("reason")[:1]),
    ).annotate(
        variance=Cast(F("allocated") - F("computed"), MONEY),
    )
    return rows.select_related("school", "school__township", "county").order_by(
        "county__code", "school__code"
    )


def underfunded(user, school_year: int):
    """The schools allocated less than computed (the check list), largest shortfall first."""
    return (
        funding_table(user, school_year)
        .filter(allocated__isnull=False, allocated__lt=F("computed"))
        .order_by("variance", "school__code")
    )


def funding_totals(user, school_year: int, county=None) -> dict:
    rows = funding_table(user, school_year)
    if county is not None:
        rows = rows.filter(county_id=county.pk)
    by_county = {
        row["county_id"]: row
        for row in rows.order_by()
        .values("county_id")
        .annotate(
            schools=Count("pk"),
            computed_sum=Sum("computed"),
            allocated_sum=Sum("allocated"),
            under=Count("pk", filter=Q(allocated__isnull=False, allocated__lt=F("computed"))),
            small=Count("pk", filter=Q(funded__gt=F("enrolment"))),
            boarders_sum=Sum("boarders"),
        )
    }
    return by_county


# --- Projects ---------------------------------------------------------------------------------


def projects(user, school_year=None, county=None):
    rows = ImprovementProject.objects.visible_to(user)
    if school_year is not None:
        rows = rows.filter(school_year=school_year)
    if county is not None:
        rows = rows.filter(county_id=county.pk)
    return rows


def _project_figures(rows, *, school_year, county) -> dict:
    year = school_year
    county_id = getattr(county, "pk", None)
    totals = rows.aggregate(
        count=Count("pk"),
        budget=Sum("budget"),
        beds=Sum("beds_added"),
        beds_left_behind=Sum("beds_left_behind"),
        **{name: Sum(name) for name in FUND_SOURCES},
    )
    by_status = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    by_kind = dict(rows.order_by().values_list("kind").annotate(n=Count("pk")))
    boarding_or_remote = rows.filter(Q(school__boarding=True) | Q(remote=True))
    apart = boarding_or_remote.aggregate(n=Count("pk"), budget=Sum("budget"))
    return {
        "count": totals["count"],
        "url": link("improvementproject-list", school_year=year, county=county_id),
        "budget": fen(totals["budget"]),
        "budget_wan": wan(totals["budget"]),
        "funds": {name.removeprefix("fund_"): fen(totals[name]) for name in FUND_SOURCES},
        "by_status": [
            {
                "status": status.value,
                "name": str(status.label),
                "count": by_status.get(status.value, 0),
                "url": link(
                    "improvementproject-list", school_year=year, county=county_id, status=status
                ),
            }
            for status in ProjectStatus
        ],
        "by_kind": [
            {
                "kind": kind.value,
                "name": str(kind.label),
                "count": by_kind.get(kind.value, 0),
                "url": link(
                    "improvementproject-list", school_year=year, county=county_id, kind=kind
                ),
            }
            for kind in ProjectKind
        ],
        "beds_added": totals["beds"] or 0,
        "beds_left_behind": totals["beds_left_behind"] or 0,
        "boarding_or_remote": {
            "count": apart["n"],
            "budget": fen(apart["budget"]),
            "url": link(
                "improvementproject-list",
                school_year=year,
                county=county_id,
                boarding_or_remote="true",
            ),
        },
    }


# --- Rectifications ---------------------------------------------------------------------------


def open_rectifications(user):
    return Rectification.objects.visible_to(user).exclude(status=RectificationStatus.CLOSED)


def overdue_rectifications(user, today: dt.date | None = None):
    today = today or calendar.today()
    return open_rectifications(user).filter(deadline__lt=today)


def _rectification_counts(rows, today: dt.date) -> dict:
    return rows.aggregate(
        findings=Count("pk"),
        open=Count("pk", filter=~Q(status=RectificationStatus.CLOSED)),
        overdue=Count("pk", filter=~Q(status=RectificationStatus.CLOSED) & Q(deadline__lt=today)),
        submitted=Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        closed_in_time=Count(
            "pk",
            filter=Q(status=RectificationStatus.CLOSED, closed_on__lte=F("deadline")),
        ),
    )


# --- Maintenance ------------------------------------------------------------------------------


def maintained_schools(user):
    """The schools whose toilets are kept in the maintenance log: public schools of every kind
    (the look-back covers public schools and kindergartens)."""
    return School.objects.visible_to(user).filter(ownership=Ownership.PUBLIC)


def maintenance_day() -> dt.date:
    """The day the maintenance check counts back from unless asked for another: the day the
    data is about, not the clock's. Today, while today is in the city's current school year
    (core.calendar.current_school_year); when the clock has left that year (a demo of 2023–2024
    shown in 2026), the newest day of the city's maintenance log in that year — a fact of the
    city's data, the same for every user, like the reports' current period — or, before anyone
    logged anything, the year's last day (its first, if the year has not begun)."""
    today = calendar.today()
    first, following = calendar.school_year_span(calendar.current_school_year())
    if first <= today < following:
        return today
    # Only the newest date is read, city-wide: which day the log has reached is the city's.
    newest = MaintenanceEntry.objects.filter(
        done_on__gte=first, done_on__lt=min(following, today + dt.timedelta(days=1))
    ).aggregate(newest=Max("done_on"))["newest"]
    if newest is not None:
        return newest
    return first if today < first else following - dt.timedelta(days=1)


def maintenance_gaps(user, *, days: int, as_of: dt.date | None = None):
    """Schools whose latest daily inspection or waste clearing is more than `days` days before
    `as_of` (default the data's day, `maintenance_day`), or who have none: annotated with both
    latest dates and which is missing (`no_inspection`, `no_waste`)."""
    as_of = as_of or maintenance_day()
    cutoff = as_of - dt.timedelta(days=days)
    entries = MaintenanceEntry.objects.visible_to(user).filter(
        school_id=OuterRef("pk"), done_on__lte=as_of
    )

    def latest(kind):
        return Subquery(
            entries.filter(kind=kind)
            .order_by()
            .values("school_id")
            .annotate(last=Max("done_on"))
            .values("last")[:1]
        )

    rows = maintained_schools(user).annotate(
        last_inspection=latest(MaintenanceKind.INSPECTION),
        last_waste=latest(MaintenanceKind.WASTE),
    )
    rows = rows.annotate(
        no_inspection=Case(
            When(Q(last_inspection__isnull=True) | Q(last_inspection__lt=cutoff), then=True),
            default=False,
        ),
        no_waste=Case(
            When(Q(last_waste__isnull=True) | Q(last_waste__lt=cutoff), then=True),
            default=False,
        ),
    )
    return (
        rows.filter(Q(no_inspection=True) | Q(no_waste=True))
        .select_related("county", "township")
        .order_by("county__code", "code")
    )


# --- The dashboard and the summary ------------------------------------------------------------


def summary(user, *, county=None, school_year: int | None = None) -> dict:
    """Every figure of the dashboard and the summary API for the user's scope, each with the URL
    of its rows. Money is Decimal (the API writes it as decimal strings)."""
    school_year = school_year or latest_funding_year(user)
    county_id = getattr(county, "pk", None)
    today = calendar.today()
    cover = coverage(user, county)

    project_rows = projects(user, school_year, county)
    project_figures = _project_figures(project_rows, school_year=school_year, county=county)
    per_county_projects = {
        row["county_id"]: row
        for row in project_rows.order_by()
        .values("county_id")
        .annotate(n=Count("pk"), budget_sum=Sum("budget"))
    }

    funding_by_county = funding_totals(user, school_year, county)
    computed = fen(sum((r["computed_sum"] or 0 for r in funding_by_county.values()), Decimal(0)))
    allocated = fen(sum((r["allocated_sum"] or 0 for r in funding_by_county.values()), Decimal(0)))
    under = sum(r["under"] for r in funding_by_county.values())

    rect_rows = Rectification.objects.visible_to(user)
    if county is not None:
        rect_rows = rect_rows.filter(county_id=county_id)
    rects = _rectification_counts(rect_rows, today)
    per_county_rects = {
        row["county_id"]: row
        for row in rect_rows.order_by()
        .values("county_id")
        .annotate(
            open_n=Count("pk", filter=~Q(status=RectificationStatus.CLOSED)),
            overdue_n=Count(
                "pk", filter=~Q(status=RectificationStatus.CLOSED) & Q(deadline__lt=today)
            ),
            closed_n=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        )
    }

    days = maintenance_days()
    schools = maintained_schools(user)
    as_of = maintenance_day()
    gaps = maintenance_gaps(user, days=days, as_of=as_of)
    if county is not None:
        schools, gaps = schools.filter(county_id=county_id), gaps.filter(county_id=county_id)
    flags = list(gaps.order_by().values_list("no_inspection", "no_waste"))
    gap_counts = {
        "schools": len(flags),
        "no_inspection": sum(1 for inspection, _waste in flags if inspection),
        "no_waste": sum(1 for _inspection, waste in flags if waste),
    }
    school_count = schools.count()

    counties = []
    for entry in cover["counties"] if cover["counties"] else _county_rows(user, county):
        cid = entry["id"]
        fund = funding_by_county.get(cid, {})
        proj = per_county_projects.get(cid, {})
        rect = per_county_rects.get(cid, {})
        counties.append(
            {
                "id": cid,
                "name": entry["name"],
                "townships": entry.get("townships", 0),
                "townships_without_central_kindergarten": entry.get("missing", 0),
                "projects": proj.get("n", 0),
                "budget": fen(proj.get("budget_sum")),
                "computed": fen(fund.get("computed_sum")),
                "allocated": fen(fund.get("allocated_sum")),
                "underfunded_schools": fund.get("under", 0),
                "rectifications_open": rect.get("open_n", 0),
                "rectifications_overdue": rect.get("overdue_n", 0),
                "rectifications_closed": rect.get("closed_n", 0),
                "urls": {
                    "coverage": entry.get("missing_url", ""),
                    "projects": link(
                        "improvementproject-list", school_year=school_year, county=cid
                    ),
                    "funding": link("facilities-funding", school_year=school_year, county=cid),
                    "underfunded": link(
                        "facilities-underfunded", school_year=school_year, county=cid
                    ),
                    "open": link("rectification-list", county=cid, open="true"),
                    "overdue": link("rectification-list", county=cid, overdue="true"),
                },
            }
        )

    return {
        "school_year": school_year,
        "school_year_label": calendar.school_year_label(school_year),
        "county": county,
        "coverage_shown": school_of(user) is None,
        "townships": cover["townships"],
        "townships_covered": cover["covered"],
        "townships_exempt": cover["exempt"],
        "townships_without_central_kindergarten": cover["missing"],
        "coverage_url": cover["url"],
        "missing_url": cover["missing_url"],
        "projects": project_figures,
        "funding": {
            "computed": computed,
            "allocated": allocated,
            "variance": fen(allocated - computed),
            "computed_wan": wan(computed),
            "allocated_wan": wan(allocated),
            "schools": sum(r["schools"] for r in funding_by_county.values()),
            "small_schools": sum(r["small"] for r in funding_by_county.values()),
            "boarders": sum(r["boarders_sum"] or 0 for r in funding_by_county.values()),
            "underfunded_schools": under,
            "url": link("facilities-funding", school_year=school_year, county=county_id),
            "underfunded_url": link(
                "facilities-underfunded", school_year=school_year, county=county_id
            ),
            "rate": rate_for(user, school_year),
        },
        "rectifications": {
            **rects,
            "url": link("rectification-list", county=county_id),
            "open_url": link("rectification-list", county=county_id, open="true"),
            "overdue_url": link("rectification-list", county=county_id, overdue="true"),
            "closed_url": link("rectification-list", county=county_id, status="closed"),
            "closed_in_time_url": link(
                "rectification-list", county=county_id, status="closed", in_time="true"
            ),
            "findings_url": link("toiletfinding-list", county=county_id),
        },
        "maintenance": {
            "days": days,
            "schools": school_count,
            "gaps": gap_counts["schools"],
            "kept": school_count - gap_counts["schools"],
            "no_inspection": gap_counts["no_inspection"],
            "no_waste": gap_counts["no_waste"],
            "url": link("facilities-maintenance-gaps", county=county_id, days=days),
            "log_url": link("maintenanceentry-list", county=county_id),
        },
        "counties": counties,
    }


def _county_rows(user, county):
    return [{"id": c.pk, "name": c.name} for c in _counties(user, county)]


def chart_data(figures: dict) -> dict:
    """The dashboard's charts from the summary (categories, values and the rows behind each)."""
    counties = figures["counties"]
    names = [c["name"] for c in counties]
    projects_ = figures["projects"]
    rect = figures["rectifications"]
    result = {
        "projects_by_kind": charts.bars(
            categories=[k["name"] for k in projects_["by_kind"]],
            series=[
                charts.Series(
                    _("Projects"),
                    [k["count"] for k in projects_["by_kind"]],
                    [k["url"] for k in projects_["by_kind"]],
                )
            ],
            horizontal=True,
        ),
        "projects_by_status": charts.pie(
            items=[(s["name"], s["count"], s["url"]) for s in projects_["by_status"]]
        ),
        "funding": charts.bars(
            categories=names,
            series=[
                charts.Series(
                    _("Computed (yuan)"),
                    [c["computed"] for c in counties],
                    [c["urls"]["funding"] for c in counties],
                ),
                charts.Series(
                    _("Allocated (yuan)"),
                    [c["allocated"] for c in counties],
                    [c["urls"]["funding"] for c in counties],
                ),
            ],
            category_urls=[c["urls"]["funding"] for c in counties],
        ),
        "rectifications": charts.pie(
            items=[
                (_("Open, within the deadline"), rect["open"] - rect["overdue"], rect["open_url"]),
                (_("Overdue"), rect["overdue"], rect["overdue_url"]),
                (
                    _("Closed within the deadline"),
                    rect["closed_in_time"],
                    rect["closed_in_time_url"],
                ),
                (
                    _("Closed after the deadline"),
                    rect["closed"] - rect["closed_in_time"],
                    rect["closed_url"],
                ),
            ]
        ),
    }
    if figures["coverage_shown"]:
        result["coverage"] = charts.bars(
            categories=names,
            series=[
                charts.Series(
                    _("Townships with a central kindergarten"),
                    [
                        c["townships"] - c["townships_without_central_kindergarten"]
                        for c in counties
                    ],
                    [link("facilities-coverage", county=c["id"]) for c in counties],
                ),
                charts.Series(
                    _("Townships without one"),
                    [c["townships_without_central_kindergarten"] for c in counties],
                    [c["urls"]["coverage"] for c in counties],
                ),
            ],
            category_urls=[link("facilities-coverage", county=c["id"]) for c in counties],
        )
    return result


# --- To-do ------------------------------------------------------------------------------------


@todo.register
def todo_items(user) -> list[todo.TodoItem]:
    """Townships without a central kindergarten, overdue rectifications, rectifications awaiting
    verification (for those who verify) and schools behind on maintenance."""
    items = []
    if school_of(user) is None:
        missing = uncovered_townships(user).count()
        items.append(
            todo.TodoItem(
                _("Townships without a public central kindergarten"),
                missing,
                link("facilities-coverage", missing="1"),
                "danger",
            )
        )
        items.append(
            todo.TodoItem(
                _("Rectifications awaiting verification"),
                open_rectifications(user).filter(status=RectificationStatus.SUBMITTED).count(),
                link("rectification-list", status=RectificationStatus.SUBMITTED),
                "warning",
            )
        )
    items.append(
        todo.TodoItem(
            _("Overdue toilet rectifications"),
            overdue_rectifications(user).count(),
            link("rectification-list", overdue="true"),
            "danger",
        )
    )
    days = maintenance_days()
    items.append(
        todo.TodoItem(
            _("Schools without a toilet inspection or waste clearing in %(days)s days")
            % {"days": days},
            maintenance_gaps(user, days=days).count(),
            link("facilities-maintenance-gaps", days=days),
            "warning",
        )
    )
    return items


__all__ = ["ToiletFinding"]
