"""Read-side queries of student aid: the three checks, the dashboard and the summary API.

Every function takes the user and starts from `visible_to(user)`; each check is one set-based
query (no query per row). Money comes back as Decimal quantized to fen.

Rules implemented here:

* A student's stage comes from the grade, and for grades 10–12 from the school kind: kindergarten
  classes → preschool, 1–6 → primary, 7–9 → junior, 10–12 → vocational at a vocational school,
  else senior high. The registry does not say which pupils board, so the school's boarding flag
  stands for every pupil of the school (a boarding school's pupils count as boarders).
* Eligible 应助 (for a school year and term): an enrolled registry student whose ID number is on
  the current roster — the newest roster version of each county — as a child of a
  poverty-alleviated household, or of a monitored household whose risk is not eliminated; or
  who was aided in the previous term in an aid category (formerly registered poor, monitored,
  低保, 特困, disabled) — aid, once granted, is expected to continue. The roster is matched across
  all counties (a child registered in one county may study in another; the school's county
  pays), but only the student's row is shown, never the roster row.
  Only students whose stage (and boarding) has an active programme, checked for the gap list,
  with a standard for the term, are eligible.
* Gap 应助未助 = eligible minus anyone with a disbursement in that school year and term (any
  programme): a NOT EXISTS anti-join.
* Below standard = a disbursement whose amount is under its programme's standard for its year and
  term.
* Paid by two counties = the same ID number paid in one school year and term by more than one
  county. A county sees its own rows of such pairs and the name of the other county, never the
  other county's row.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from aid.models import (
    AidProgramme,
    AidStandard,
    BoardingRule,
    Channel,
    CheckKind,
    CheckNote,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
    Stage,
    fen,
    wan,
)
from core import calendar, charts, todo
from core.calendar import Term
from core.links import link
from core.models import (
    HouseholdCategory,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    SchoolKind,
    Student,
    StudentStatus,
)

AID_CATEGORIES = (
    RecipientCategory.FORMERLY_POOR,
    RecipientCategory.MONITORED,
    RecipientCategory.DIBAO,
    RecipientCategory.TEKUN,
    RecipientCategory.DISABLED,
)

# --- Periods -----------------------------------------------------------------------------------


def latest_period(user) -> tuple[int, str]:
    """The newest (school year, term) with a disbursement the user sees, else with a standard,
    else today's."""
    return calendar.latest_term(
        Disbursement.objects.visible_to(user), AidStandard.objects.visible_to(user)
    )


def latest_school_year(user) -> int:
    return latest_period(user)[0]


# --- Stages ------------------------------------------------------------------------------------


def stage_of(grade: int, school_kind: str) -> str:
    if grade < 1:
        return Stage.PRESCHOOL
    if grade <= 6:
        return Stage.PRIMARY
    if grade <= 9:
        return Stage.JUNIOR
    return Stage.VOCATIONAL if school_kind == SchoolKind.VOCATIONAL else Stage.SENIOR


STAGE_FILTERS = {
    Stage.PRESCHOOL: Q(grade__lt=1),
    Stage.PRIMARY: Q(grade__gte=1, grade__lte=6),
    Stage.JUNIOR: Q(grade__gte=7, grade__lte=9),
    Stage.SENIOR: Q(grade__gte=10) & ~Q(school__kind=SchoolKind.VOCATIONAL),
    Stage.VOCATIONAL: Q(grade__gte=10, school__kind=SchoolKind.VOCATIONAL),
}
BOARDING_FILTERS = {
    BoardingRule.ANY: Q(),
    BoardingRule.BOARDERS: Q(school__boarding=True),
    BoardingRule.DAY: Q(school__boarding=False),
}


def stage_expression():
    """The stage of a registry student, in SQL (same rule as stage_of)."""
    return Case(
        When(grade__lt=1, then=Value(Stage.PRESCHOOL.value)),
        When(grade__lte=6, then=Value(Stage.PRIMARY.value)),
        When(grade__lte=9, then=Value(Stage.JUNIOR.value)),
        When(school__kind=SchoolKind.VOCATIONAL, then=Value(Stage.VOCATIONAL.value)),
        default=Value(Stage.SENIOR.value),
        output_field=CharField(),
    )


def programmes_due(school_year: int, term: str) -> list[dict]:
    """The active gap-checked programmes with a standard for the term (a handful of rows)."""
    rows = (
        AidStandard.objects.filter(
            school_year=school_year,
            term=term,
            programme__active=True,
            programme__counts_for_gap=True,
        )
        .exclude(programme__stage=Stage.OTHER)
        .select_related("programme")
        .order_by("programme__sort_order", "programme_id")
    )
    return [
        {
            "programme": row.programme,
            "stage": row.programme.stage,
            "boarding": row.programme.boarding,
            "amount": fen(row.amount),
        }
        for row in rows
    ]


def expected_programmes(due: list[dict], stage: str, boarding: bool) -> list[dict]:
    """The programmes of `due` that pay a student of this stage at a (non-)boarding school."""
    wanted = {BoardingRule.ANY, BoardingRule.BOARDERS if boarding else BoardingRule.DAY}
    return [item for item in due if item["stage"] == stage and item["boarding"] in wanted]


# --- The roster --------------------------------------------------------------------------------


def current_roster_ids():
    """ID numbers on the current roster (the newest version of each county) whose household is
    poverty-alleviated, or monitored with the risk not eliminated."""
    current = RosterVersion.objects.newest().values("pk")
    return (
        RosterChild.objects.filter(roster_version_id__in=current)
        .filter(
            Q(household_category=HouseholdCategory.POVERTY_ALLEVIATED)
            | Q(household_category=HouseholdCategory.MONITORED, risk_eliminated=False)
        )
        .order_by()
        .values("id_number")
    )


def aided_before_ids(school_year: int, term: str):
    """ID numbers aided in the previous term in an aid category (any county)."""
    year, previous = calendar.previous_term(school_year, term)
    return (
        Disbursement.objects.filter(school_year=year, term=previous, category__in=AID_CATEGORIES)
        .order_by()
        .values("id_number")
    )


# --- Check 1: eligible but not aided 应助未助 -----------------------------------------------------


def _notes(check: str, **where):
    """The officer's note on a check row (the outer row gives county and ID number; at most
    one note matches: the constraints say so)."""
    return CheckNote.objects.filter(
        county_id=OuterRef("county_id"), check_kind=check, id_number=OuterRef("id_number"), **where
    ).order_by()


def gap_list(*, user, school_year: int, term: str):
    """Eligible students without any disbursement for the term (see the module docstring).

    Annotated with `stage`, `boarding` (the school's flag) and the officer's `reason`.
    One query; `programmes_due` is a second, tiny one.
    """
    due = programmes_due(school_year, term)
    rules: dict[str, set] = defaultdict(set)  # stage → the boarding rules with a programme
    for item in due:
        rules[item["stage"]].add(item["boarding"])
    stage_q = Q() if due else Q(pk__in=[])  # no programme due: nobody is eligible
    for stage, boarding in rules.items():
        whole = (
            BoardingRule.ANY in boarding or {BoardingRule.BOARDERS, BoardingRule.DAY} <= boarding
        )
        stage_q |= STAGE_FILTERS[stage] & (Q() if whole else BOARDING_FILTERS[next(iter(boarding))])
    eligible_ids = current_roster_ids().union(aided_before_ids(school_year, term))
    paid = Disbursement.objects.filter(
        id_number=OuterRef("id_number"), school_year=school_year, term=term
    )
    notes = _notes(CheckKind.GAP, school_year=school_year, term=term, programme__isnull=True)
    return (
        Student.objects.visible_to(user)
        .filter(status=StudentStatus.ENROLLED)
        .filter(stage_q)
        .filter(id_number__in=eligible_ids)
        .filter(~Exists(paid))
        .annotate(
            stage=stage_expression(),
            boarding=F("school__boarding"),
            reason=Subquery(notes.values("reason")[:1]),
        )
        .select_related("school", "county")
        .order_by("county__code", "school__code", "grade", "name", "pk")
    )


# --- Check 2: below the standard ---------------------------------------------------------------


def standard_subquery():
    return AidStandard.objects.filter(
        programme_id=OuterRef("programme_id"),
        school_year=OuterRef("school_year"),
        term=OuterRef("term"),
    ).values("amount")[:1]


def below_standard(*, user, school_year: int | None = None, term: str | None = None):
    """Disbursements under their programme's standard for their year and term (with `standard`,
    `shortfall`, `reason`)."""
    rows = Disbursement.objects.visible_to(user)
    if school_year:
        rows = rows.filter(school_year=school_year)
    if term:
        rows = rows.filter(term=term)
    notes = _notes(
        CheckKind.BELOW_STANDARD,
        school_year=OuterRef("school_year"),
        term=OuterRef("term"),
        programme_id=OuterRef("programme_id"),
    )
    return (
        rows.annotate(standard=Subquery(standard_subquery()))
        .filter(amount__lt=F("standard"))
        .annotate(
            shortfall=F("standard") - F("amount"),
            reason=Subquery(notes.values("reason")[:1]),
        )
        .select_related("school", "county", "programme")
        .order_by("county__code", "school__code", "name", "pk")
    )


# --- Check 3: paid by two counties -------------------------------------------------------------


def cross_county_duplicates(*, user, school_year: int | None = None, term: str | None = None):
    """The user's disbursements whose student was also paid by another county in the same
    school year and term (with `other_county` — one name — `other_counties`, `reason`)."""
    rows = Disbursement.objects.visible_to(user)
    if school_year:
        rows = rows.filter(school_year=school_year)
    if term:
        rows = rows.filter(term=term)
    elsewhere = Disbursement.objects.filter(
        id_number=OuterRef("id_number"),
        school_year=OuterRef("school_year"),
        term=OuterRef("term"),
    ).exclude(county_id=OuterRef("county_id"))
    other_counties = (
        elsewhere.order_by()
        .values("id_number")
        .annotate(n=Count("county_id", distinct=True))
        .values("n")
    )
    notes = _notes(
        CheckKind.DUPLICATE,
        school_year=OuterRef("school_year"),
        term=OuterRef("term"),
        programme__isnull=True,
    )
    return (
        rows.filter(Exists(elsewhere))
        .annotate(
            other_county=Subquery(elsewhere.order_by("county__code").values("county__name")[:1]),
            other_counties=Subquery(other_counties[:1], output_field=IntegerField()),
            reason=Subquery(notes.values("reason")[:1]),
        )
        .select_related("school", "county", "programme")
        .order_by("county__code", "id_number", "programme__sort_order", "pk")
    )


# --- Out-of-area coverage ----------------------------------------------------------------------


def ratio(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def out_of_area_coverage(*, user, county_ids=None) -> dict:
    """Verified ÷ all, receiving ÷ verified, at standard ÷ receiving; the not-verified count is
    the "no one missed" 无遗漏 figure."""
    rows = OutOfAreaStudent.objects.visible_to(user)
    if county_ids is not None:
        rows = rows.filter(county_id__in=county_ids)
    verified = Q(verified_on__isnull=False)
    receiving = verified & Q(receives_aid=True)
    figures = rows.aggregate(
        total=Count("pk"),
        verified=Count("pk", filter=verified),
        receiving=Count("pk", filter=receiving),
        at_standard=Count("pk", filter=receiving & Q(meets_standard=True)),
        follow_up=Count("pk", filter=Q(follow_up_needed=True)),
    )
    figures["not_verified"] = figures["total"] - figures["verified"]
    figures["verified_rate"] = ratio(figures["verified"], figures["total"])
    figures["receiving_rate"] = ratio(figures["receiving"], figures["verified"])
    figures["at_standard_rate"] = ratio(figures["at_standard"], figures["receiving"])
    return figures


# --- Dashboard and summary ---------------------------------------------------------------------


def _money_cell(amount: Decimal, person_times: int, url: str) -> dict:
    return {"amount": fen(amount), "wan": wan(amount), "person_times": person_times, "url": url}


def summary(*, user, county=None, school_year: int | None = None, category: str = "") -> dict:
    """Every figure of the aid dashboard for the user's scope, each with the link to its rows.

    `county` narrows to one county (a Region the user sees, else nothing: an invalid filter never
    widens); `category` narrows the disbursement figures. `school_year` defaults to the newest
    with payments. The gap count covers both terms of the school year (each term's in `gaps`).
    Figures come from rows: one grouped query over disbursements, one per check (two for the
    gaps), one for out-of-area students, one for publicity.
    """
    school_year = school_year or latest_school_year(user)
    counties = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code")
    if county is not None:
        counties = counties.filter(pk=getattr(county, "pk", county))
    counties = list(counties)
    county_ids = [c.pk for c in counties]
    county_param = county_ids[0] if county is not None and county_ids else None
    base = {"school_year": school_year, "county": county_param}

    rows = Disbursement.objects.visible_to(user).filter(
        school_year=school_year, county_id__in=county_ids
    )
    if category:
        rows = rows.filter(category=category)
        base["category"] = category
    grouped = (
        rows.values("county_id", "category", "programme_id", "term")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    by = {
        key: defaultdict(lambda: [Decimal("0.00"), 0]) for key in ("county", "cat", "prog", "term")
    }
    total = [Decimal("0.00"), 0]
    for row in grouped:
        amount = fen(row["amount"])
        for key, value in (
            ("county", row["county_id"]),
            ("cat", row["category"]),
            ("prog", row["programme_id"]),
            ("term", row["term"]),
        ):
            by[key][value][0] += amount
            by[key][value][1] += row["n"]
        total[0] += amount
        total[1] += row["n"]

    list_name = "disbursement-list"
    programmes = list(AidProgramme.objects.visible_to(user).order_by("sort_order", "pk"))
    by_county = [
        {"county": c, "name": c.name, "id": c.pk}
        | _money_cell(*by["county"][c.pk], link(list_name, **(base | {"county": c.pk})))
        for c in counties
    ]
    by_category = [
        {"key": value, "name": str(label)}
        | _money_cell(*by["cat"][value], link(list_name, **(base | {"category": value})))
        for value, label in RecipientCategory.choices
        if not category or value == category
    ]
    by_programme = [
        {"key": p.pk, "name": p.name}
        | _money_cell(*by["prog"][p.pk], link(list_name, **(base | {"programme": p.pk})))
        for p in programmes
        if by["prog"][p.pk][1]
    ]
    by_term = [
        {"key": value, "name": str(label)}
        | _money_cell(*by["term"][value], link(list_name, **(base | {"term": value})))
        for value, label in Term.choices
    ]
    # The chart of places: by county, or for one county by the paying schools' townships.
    places_by, places = charts.places(user, counties)
    if places_by == "county":
        by_place = by_county
    else:
        per_township = {
            row["school__township_id"]: row
            for row in rows.values("school__township_id")
            .annotate(amount=Sum("amount"), n=Count("pk"))
            .order_by()
        }
        by_place = [
            {"name": t.name, "id": t.pk}
            | _money_cell(
                fen(per_township.get(t.pk, {}).get("amount") or 0),
                per_township.get(t.pk, {}).get("n", 0),
                link(list_name, **(base | {"township": t.pk})),
            )
            for t in places
        ]
    poor = by["cat"][RecipientCategory.FORMERLY_POOR]
    formerly_poor = _money_cell(
        *poor, link(list_name, **(base | {"category": RecipientCategory.FORMERLY_POOR}))
    )

    # The checks, for both terms of the school year.
    check_base = {"school_year": school_year, "county": county_param}
    gaps, below, duplicates = [], 0, 0
    for term, label in Term.choices:
        found = gap_list(user=user, school_year=school_year, term=term).filter(
            county_id__in=county_ids
        )
        gaps.append(
            {
                "term": term,
                "name": str(label),
                "count": found.count(),
                "url": link("aid-gap-list", **(check_base | {"term": term})),
            }
        )
    below = (
        below_standard(user=user, school_year=school_year).filter(county_id__in=county_ids).count()
    )
    duplicates = (
        cross_county_duplicates(user=user, school_year=school_year)
        .filter(county_id__in=county_ids)
        .count()
    )

    coverage = out_of_area_coverage(user=user, county_ids=county_ids)
    ooa_list = "outofareastudent-list"
    coverage_links = {
        "total_url": link(ooa_list, county=county_param),
        "verified_url": link(ooa_list, county=county_param, verified="true"),
        "not_verified_url": link(ooa_list, county=county_param, verified="false"),
        "receiving_url": link(ooa_list, county=county_param, verified="true", receives_aid="true"),
        "at_standard_url": link(
            ooa_list,
            county=county_param,
            verified="true",
            receives_aid="true",
            meets_standard="true",
        ),
    }

    publicity_rows = PublicityActivity.objects.visible_to(user).filter(
        calendar.in_school_year("held_on", school_year), county_id__in=county_ids
    )
    per_channel = {
        row["channel"]: row
        for row in publicity_rows.values("channel")
        .annotate(n=Count("pk"), reach=Sum("reach"))
        .order_by()
    }
    publicity = [
        {
            "key": value,
            "name": str(label),
            "count": per_channel.get(value, {}).get("n", 0),
            "reach": per_channel.get(value, {}).get("reach") or 0,
            "url": link(
                "publicityactivity-list",
                channel=value,
                school_year=school_year,
                county=county_param,
            ),
        }
        for value, label in Channel.choices
    ]

    return {
        "school_year": school_year,
        "county": county_param,
        "category": category,
        "total": _money_cell(*total, link(list_name, **base)),
        "formerly_poor": formerly_poor,
        "by_county": by_county,
        "places_by": places_by,
        "by_place": by_place,
        "by_category": by_category,
        "by_programme": by_programme,
        "by_term": by_term,
        "gaps": gaps,
        "gap_count": sum(g["count"] for g in gaps),
        "below_standard_count": below,
        "below_standard_url": link("aid-below-standard", **check_base),
        "duplicate_count": duplicates,
        "duplicate_url": link("aid-duplicates", **check_base),
        "out_of_area": coverage | coverage_links,
        "publicity": publicity,
    }


def summary_json(figures: dict) -> dict:
    """The summary as the API returns it: amounts as decimal strings ("1966300.00")."""

    def money(cell: dict) -> dict:
        return {
            "amount": str(cell["amount"]),
            "amount_wan": str(cell["wan"]),
            "person_times": cell["person_times"],
        }

    ooa = figures["out_of_area"]
    rate = lambda value: None if value is None else str(value)  # noqa: E731
    return {
        "school_year": figures["school_year"],
        "county": figures["county"],
        "category": figures["category"] or None,
        "total_amount": str(figures["total"]["amount"]),
        "total_amount_wan": str(figures["total"]["wan"]),
        "person_times": figures["total"]["person_times"],
        "formerly_poor": {
            "amount": str(figures["formerly_poor"]["amount"]),
            "amount_wan": str(figures["formerly_poor"]["wan"]),
            "person_times": figures["formerly_poor"]["person_times"],
        },
        "gap_count": figures["gap_count"],
        "gaps_by_term": {g["term"]: g["count"] for g in figures["gaps"]},
        "below_standard_count": figures["below_standard_count"],
        "duplicate_count": figures["duplicate_count"],
        "out_of_area": {
            "total": ooa["total"],
            "verified": ooa["verified"],
            "receiving": ooa["receiving"],
            "at_standard": ooa["at_standard"],
            "not_verified": ooa["not_verified"],
            "verified_rate": rate(ooa["verified_rate"]),
            "receiving_rate": rate(ooa["receiving_rate"]),
            "at_standard_rate": rate(ooa["at_standard_rate"]),
        },
        "counties": [
            {"id": row["id"], "name": row["name"], **money(row)} for row in figures["by_county"]
        ],
        "categories": [{"key": row["key"], **money(row)} for row in figures["by_category"]],
        "programmes": [
            {"id": row["key"], "name": row["name"], **money(row)} for row in figures["by_programme"]
        ],
        "terms": [{"key": row["key"], **money(row)} for row in figures["by_term"]],
        "publicity": [
            {"channel": row["key"], "count": row["count"], "reach": row["reach"]}
            for row in figures["publicity"]
        ],
    }


def chart_data(figures: dict) -> dict:
    """The dashboard's charts (core.charts): 万元 as decimal strings, never floats."""
    counties, programmes = figures["by_place"], figures["by_programme"]
    return {
        "counties": charts.bars(
            categories=[row["name"] for row in counties],
            series=[charts.Series.of(_("Amount (10,000 yuan)"), counties, "wan")],
        ),
        "categories": charts.pie(
            items=[(row["name"], row["wan"], row["url"]) for row in figures["by_category"]]
        ),
        "programmes": charts.bars(
            categories=[row["name"] for row in programmes],
            series=[charts.Series.of(_("Person-times"), programmes, "person_times")],
            horizontal=True,
        ),
        "publicity": charts.pie(
            items=[(row["name"], row["count"], row["url"]) for row in figures["publicity"]]
        ),
    }


def dashboard_years(user) -> list[int]:
    years = set(
        Disbursement.objects.visible_to(user).values_list("school_year", flat=True).distinct()
    )
    years |= set(
        AidStandard.objects.visible_to(user).values_list("school_year", flat=True).distinct()
    )
    return sorted(years, reverse=True) or [latest_school_year(user)]


# --- To-do list --------------------------------------------------------------------------------


@todo.register
def aid_todo(user) -> list[todo.TodoItem]:
    """Eligible students not aided in the newest term and without a reason; out-of-area students
    not verified yet."""
    if not (user and user.is_authenticated):
        return []
    school_year, term = latest_period(user)
    unexplained = (
        gap_list(user=user, school_year=school_year, term=term).filter(reason__isnull=True).count()
    )
    not_verified = OutOfAreaStudent.objects.visible_to(user).filter(verified_on__isnull=True)
    return [
        todo.TodoItem(
            title=_("Eligible students not aided in %(term)s %(year)s, without a reason")
            % {"term": Term(term).label, "year": calendar.school_year_label(school_year)},
            count=unexplained,
            url=link("aid-gap-list", school_year=school_year, term=term, noted="false"),
            level="warning",
        ),
        todo.TodoItem(
            title=_("Students studying elsewhere not verified yet"),
            count=not_verified.count(),
            url=link("outofareastudent-list", verified="false"),
            level="info",
        ),
    ]
