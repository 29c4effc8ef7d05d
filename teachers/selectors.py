"""Read side of teacher staffing: plans against hires, the special-post service, staffing against
the standard, training coverage, the check lists, the dashboard, the summary API and the to-do.

Every query starts from `visible_to(user)`; figures are counted from rows, never typed in.

Rules implemented here:

* **On the roster in a year** (`on_roster`): hired by the end of the year (or no hiring date) and
  not left or retired by then (no leaving date, or one after 31 December). A teacher who left
  mid-year is not counted that year. A teacher is **rural** when their school is rural
  (core.School.locality, the school they are at now: a teacher moved from an urban to a rural
  school counts as rural, with every record they have).
* **Plans vs hires** 计划/招聘/到岗 by county and channel for a year: posts = Σ the plans' posts;
  hired = roster rows naming a plan of the year; on duty = those hired who reported for duty
  到岗 and have not left; vacant = posts − hired.
* **Special-post service** 特岗服务期: three years from the hiring year (hired in 2020: service
  ends in 2023). In a year: *completing* = hired three years before and still on the roster;
  *cohort* = every special-post teacher whose service ended that year or before; *stayed* 留任 =
  of the cohort, on the roster and now on the establishment 在编; *left* = of the cohort, left by
  the end of the year. Retention rate = stayed ÷ cohort.
* **Staffing against the standard** 编制标准 (`staffing`): a school's pupils are its enrolled
  registry students (core.Student), by stage (grades 1–6 primary, 7–9 junior middle, 10–12 senior
  high); its classes are the grades it has pupils in (a small school keeps one class per grade);
  its teachers are those in post (on leave does not teach). Teachers required = ⌈Σ pupils of a
  stage ÷ the stage's pupils per teacher⌉ (primary 19, junior middle 13.5, senior high 12.5 by the
  city's standard). **Small-school rule** 小规模学校按班师比: a teaching point, or a school with
  fewer pupils than the standard's threshold (100), is staffed by its classes as well — it needs
  at least ⌈classes × teachers per class⌉ (1.5) — so a village school of 40 pupils in six grades
  needs 9 teachers, not 3. Short by = required − in post, when above 0. Kindergartens, vocational
  and special-education schools are outside the standard.
* **Subjects without a teacher**: a school's stages need Chinese, mathematics, English, PE, music
  and art (a teaching point: Chinese and mathematics); junior middle and senior high add physics,
  chemistry, biology, ethics and law, history and geography. A subject is covered by a teacher in
  post of it at the school.
* **Training coverage** 全员继续教育覆盖率 for a year: rural teachers on the roster that year who
  completed a full-staff continuing-education programme of the year ÷ rural teachers on the
  roster that year (target 100%).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Ceil, Coalesce, Greatest
from django.utils.translation import gettext as _

from core import calendar, charts, todo
from core.links import link
from core.models import Locality, Region, RegionLevel, School, SchoolKind, Student, StudentStatus
from core.scoping import school_of
from teachers.models import (
    GONE,
    SERVICE_YEARS,
    Channel,
    Employment,
    ProgrammeKind,
    RecruitmentPlan,
    StaffingStandard,
    Subject,
    Teacher,
    TeacherStatus,
    TrainingProgramme,
    TrainingRecord,
)

# --- Years ------------------------------------------------------------------------------------


def years(user) -> list[int]:
    """The years with plans or programmes the user sees, newest first."""
    found = set(
        RecruitmentPlan.objects.visible_to(user).values_list("year", flat=True).distinct()
    ) | set(TrainingProgramme.objects.visible_to(user).values_list("year", flat=True).distinct())
    return sorted(found, reverse=True)


def latest_year(user) -> int:
    """The newest year with plans or programmes, else this calendar year."""
    found = years(user)
    return found[0] if found else calendar.today().year


def _end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def on_roster(year: int, prefix: str = "") -> Q:
    """Teachers on the roster in `year`: hired by its end and not gone by then."""
    return on_roster_on(_end(year), prefix)


def on_roster_on(end: dt.date, prefix: str = "") -> Q:
    """Teachers on the roster on the day `end`: hired by then and not gone by then."""
    return (Q(**{f"{prefix}hired_on__isnull": True}) | Q(**{f"{prefix}hired_on__lte": end})) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": end})
    )


def teachers(user, county=None):
    rows = Teacher.objects.visible_to(user)
    if county is not None:
        rows = rows.filter(county_id=county.pk)
    return rows


# --- Plans against hires ------------------------------------------------------------------------


def plans_vs_hires(user, year: int, county=None) -> list[dict]:
    """Posts, hired, on duty and vacant per (county, channel) of the year's plans."""
    plans = RecruitmentPlan.objects.visible_to(user).filter(year=year)
    if county is not None:
        plans = plans.filter(county_id=county.pk)
    posts = {
        (row["county_id"], row["channel"]): row["posts_sum"]
        for row in plans.order_by().values("county_id", "channel").annotate(posts_sum=Sum("posts"))
    }
    hires = teachers(user, county).filter(plan__year=year)
    hired = {
        (row["plan__county_id"], row["plan__channel"]): row
        for row in hires.order_by()
        .values("plan__county_id", "plan__channel")
        .annotate(
            n=Count("pk"),
            on_duty=Count("pk", filter=Q(reported_on__isnull=False) & ~Q(status__in=GONE)),
        )
    }
    names = dict(
        Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).values_list("pk", "name")
    )
    labels = dict(Channel.choices)
    rows = []
    for key in sorted(set(posts) | set(hired), key=lambda k: (names.get(k[0], ""), k[1])):
        county_id, channel = key
        got = hired.get(key, {})
        n = got.get("n", 0)
        rows.append(
            {
                "county_id": county_id,
                "county": names.get(county_id, ""),
                "channel": channel,
                "channel_label": str(labels.get(channel, channel)),
                "posts": posts.get(key, 0),
                "hired": n,
                "on_duty": got.get("on_duty", 0),
                "vacant": max(posts.get(key, 0) - n, 0),
                "plans_url": link(
                    "recruitmentplan-list", year=year, county=county_id, channel=channel
                ),
                "hires_url": link(
                    "teacher-list", county=county_id, channel=channel, hired_year=year
                ),
            }
        )
    return rows


def _totals(rows: list[dict], channel: str | None = None) -> dict:
    chosen = [r for r in rows if channel is None or r["channel"] == channel]
    return {name: sum(r[name] for r in chosen) for name in ("posts", "hired", "on_duty", "vacant")}


def plans_by_channel(rows: list[dict], year: int, county_id=None) -> list[dict]:
    result = []
    for channel, label in Channel.choices:
        total = _totals(rows, channel)
        if not any(total.values()):
            continue
        result.append(
            {
                "channel": channel,
                "label": str(label),
                "planned": total["posts"],
                "hired": total["hired"],
                "on_duty": total["on_duty"],
                "vacant": total["vacant"],
                "url": link("recruitmentplan-list", year=year, county=county_id, channel=channel),
            }
        )
    return result


# --- Special-post service -----------------------------------------------------------------------


def special_post_service(user, year: int, county=None) -> list[dict]:
    """Per county: special-post teachers completing service in `year`, the cohort whose service
    ended by then, those of it who stayed on the establishment and who left, the retention rate."""
    end = _end(year)
    rows = teachers(user, county).filter(channel=Channel.SPECIAL_POST, hired_on__isnull=False)
    cohort = Q(hired_on__year__lte=year - SERVICE_YEARS)
    gone = Q(left_on__isnull=False, left_on__lte=end)
    grouped = {
        row["county_id"]: row
        for row in rows.order_by()
        .values("county_id")
        .annotate(
            serving=Count(
                "pk", filter=Q(hired_on__year__gt=year - SERVICE_YEARS) & on_roster(year)
            ),
            completing=Count("pk", filter=Q(hired_on__year=year - SERVICE_YEARS) & on_roster(year)),
            cohort=Count("pk", filter=cohort),
            stayed=Count("pk", filter=cohort & ~gone & Q(employment=Employment.ESTABLISHMENT)),
            left=Count("pk", filter=cohort & gone),
        )
    }
    result = []
    for county_row in _counties(user, county):
        got = grouped.get(county_row.pk, {})
        cohort_n, stayed = got.get("cohort", 0), got.get("stayed", 0)
        result.append(
            {
                "id": county_row.pk,
                "name": county_row.name,
                "serving": got.get("serving", 0),
                "completing": got.get("completing", 0),
                "cohort": cohort_n,
                "stayed": stayed,
                "left": got.get("left", 0),
                "retention_rate": _rate(stayed, cohort_n),
                "url": link("teacher-list", county=county_row.pk, channel=Channel.SPECIAL_POST),
            }
        )
    return result


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- Staffing against the standard --------------------------------------------------------------

STANDARD_KINDS = (
    SchoolKind.PRIMARY,
    SchoolKind.TEACHING_POINT,
    SchoolKind.JUNIOR,
    SchoolKind.NINE_YEAR,
    SchoolKind.COMPLETE_MIDDLE,
    SchoolKind.SENIOR,
)


def standard_for(user, year: int) -> StaffingStandard | None:
    """The standard in force in `year` (the newest from that year or before)."""
    rows = StaffingStandard.objects.visible_to(user).filter(effective_from__lte=year)
    return rows.order_by("-effective_from").first()


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("school_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def staffing(user, year: int | None = None, *, standard: StaffingStandard | None = None):
    """The schools under the standard with pupils (by stage), classes, teachers in post, teachers
    required and how many short (see the module's rules). A queryset of School, annotated."""
    year = year or latest_year(user)
    standard = standard or standard_for(user, year) or StaffingStandard()
    enrolled = Student.objects.visible_to(user).filter(
        school=OuterRef("pk"), status=StudentStatus.ENROLLED
    )
    dec = DecimalField(max_digits=12, decimal_places=4)
    rows = (
        School.objects.visible_to(user)
        .filter(kind__in=STANDARD_KINDS)
        .annotate(
            primary_pupils=_count(enrolled.filter(grade__gte=1, grade__lte=6)),
            junior_pupils=_count(enrolled.filter(grade__gte=7, grade__lte=9)),
            senior_pupils=_count(enrolled.filter(grade__gte=10, grade__lte=12)),
            classes=Coalesce(
                Subquery(
                    enrolled.filter(grade__gte=1)
                    .order_by()
                    .values("school_id")
                    .annotate(n=Count("grade", distinct=True))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            teachers=_count(
                Teacher.objects.visible_to(user)
                .filter(school=OuterRef("pk"), status=TeacherStatus.IN_POST)
                .filter(on_roster(year))
            ),
        )
        .annotate(pupils=F("primary_pupils") + F("junior_pupils") + F("senior_pupils"))
        .filter(pupils__gt=0)
    )
    by_ratio = Ceil(
        ExpressionWrapper(
            Cast("primary_pupils", dec) / Value(standard.primary, output_field=dec)
            + Cast("junior_pupils", dec) / Value(standard.junior, output_field=dec)
            + Cast("senior_pupils", dec) / Value(standard.senior, output_field=dec),
            output_field=dec,
        )
    )
    by_classes = Ceil(
        ExpressionWrapper(
            Cast("classes", dec) * Value(standard.teachers_per_class, output_field=dec),
            output_field=dec,
        )
    )
    small = Q(kind=SchoolKind.TEACHING_POINT) | Q(pupils__lt=standard.small_school_pupils)
    rows = rows.annotate(
        small=Case(When(small, then=Value(True)), default=Value(False)),
        required=Case(
            When(small, then=Greatest(by_ratio, by_classes)),
            default=by_ratio,
            output_field=IntegerField(),
        ),
    ).annotate(short=Greatest(F("required") - F("teachers"), Value(0), output_field=IntegerField()))
    return rows.select_related("county").order_by("county__code", "code")


def short_of_teachers(user, year: int | None = None):
    """Schools with fewer teachers in post than the standard requires."""
    return staffing(user, year).filter(short__gt=0)


PRIMARY_SUBJECTS = (
    Subject.CHINESE,
    Subject.MATHS,
    Subject.ENGLISH,
    Subject.PE,
    Subject.MUSIC,
    Subject.ART,
)
SECONDARY_SUBJECTS = PRIMARY_SUBJECTS + (
    Subject.PHYSICS,
    Subject.CHEMISTRY,
    Subject.BIOLOGY,
    Subject.POLITICS,
    Subject.HISTORY,
    Subject.GEOGRAPHY,
)
TEACHING_POINT_SUBJECTS = (Subject.CHINESE, Subject.MATHS)


def subjects_needed(kind: str) -> tuple[str, ...]:
    if kind == SchoolKind.TEACHING_POINT:
        return TEACHING_POINT_SUBJECTS
    if kind == SchoolKind.PRIMARY:
        return PRIMARY_SUBJECTS
    return SECONDARY_SUBJECTS


def _has(subject: str) -> str:
    return f"has_{subject}"


def missing_subjects(user, year: int | None = None):
    """Schools under the standard without a teacher in post of a subject their stages need; each
    row carries `missing` (the subjects' names, 、-separated)."""
    year = year or latest_year(user)
    in_post = Teacher.objects.visible_to(user).filter(
        school=OuterRef("pk"), status=TeacherStatus.IN_POST
    )
    flags = {_has(s): Exists(in_post.filter(subject=s)) for s in SECONDARY_SUBJECTS}
    rows = School.objects.visible_to(user).filter(kind__in=STANDARD_KINDS).annotate(**flags)
    lacking = Q()
    for kind in STANDARD_KINDS:
        need = Q()
        for subject in subjects_needed(kind):
            need |= Q(**{_has(subject): False})
        lacking |= Q(kind=kind) & need
    return rows.filter(lacking).select_related("county").order_by("county__code", "code")


def missing_text(school) -> str:
    labels = dict(Subject.choices)
    return "、".join(
        str(labels[s]) for s in subjects_needed(school.kind) if not getattr(school, _has(s), True)
    )


# --- Training coverage --------------------------------------------------------------------------


def continuing_programmes(user, year: int):
    """The year's full-staff continuing-education programmes (city reference data)."""
    return TrainingProgramme.objects.visible_to(user).filter(
        kind=ProgrammeKind.CONTINUING, year=year
    )


def rural_teachers(user, year: int, county=None):
    """Rural teachers on the roster in `year`."""
    return teachers(user, county).filter(school__locality=Locality.RURAL).filter(on_roster(year))


def _completed(user, year: int):
    ids = list(continuing_programmes(user, year).values_list("pk", flat=True))
    return Exists(
        TrainingRecord.objects.visible_to(user).filter(
            teacher=OuterRef("pk"), programme_id__in=ids, completed=True
        )
    )


def coverage_by(user, year: int, county=None, *, by: str = "county_id") -> dict:
    """{group: {"rural_teachers": n, "covered": n}} per `by` (county_id or school_id)."""
    rows = rural_teachers(user, year, county).annotate(done=_completed(user, year))
    return {
        row[by]: {"rural_teachers": row["n"], "covered": row["covered"]}
        for row in rows.order_by()
        .values(by)
        .annotate(n=Count("pk"), covered=Count("pk", filter=Q(done=True)))
    }


def coverage(user, year: int, county=None) -> dict:
    """Covered, rural teachers and the rate for the scope (the rate None without rural teachers)."""
    groups = coverage_by(user, year, county)
    total = sum(g["rural_teachers"] for g in groups.values())
    covered = sum(g["covered"] for g in groups.values())
    return {"covered": covered, "rural_teachers": total, "rate": _rate(covered, total)}


def uncovered(user, year: int | None = None):
    """Rural teachers on the roster in the year who have not completed its continuing education,
    with the hours recorded in it (None: no record)."""
    year = year or latest_year(user)
    ids = list(continuing_programmes(user, year).values_list("pk", flat=True))
    hours = (
        TrainingRecord.objects.visible_to(user)
        .filter(teacher=OuterRef("pk"), programme_id__in=ids)
        .order_by("-hours")
        .values("hours")[:1]
    )
    return (
        rural_teachers(user, year)
        .exclude(_completed(user, year))
        .annotate(hours=Subquery(hours))
        .select_related("school", "county")
        .order_by("county__code", "school__code", "name")
    )


def national_training(user, year: int, county=None) -> dict:
    """国培 participation: {county_id: teachers with a record of a national programme}."""
    records = TrainingRecord.objects.visible_to(user).filter(
        programme__kind=ProgrammeKind.NATIONAL, programme__year=year
    )
    if county is not None:
        records = records.filter(county_id=county.pk)
    return {
        row["county_id"]: row["n"]
        for row in records.order_by()
        .values("county_id")
        .annotate(n=Count("teacher", distinct=True))
    }


# --- The dashboard and the summary API ----------------------------------------------------------


def _counties(user, county=None):
    rows = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code")
    if school_of(user) is not None:
        rows = rows.filter(pk=user.scope_id)
    if county is not None:
        rows = rows.filter(pk=county.pk)
    return list(rows)


def summary(user, *, county=None, year: int | None = None) -> dict:
    """Every figure of the dashboard and the summary API for the user's scope and year, each with
    the URL of its rows."""
    year = year or latest_year(user)
    county_id = getattr(county, "pk", None)
    roster = teachers(user, county).filter(on_roster(year))
    per_county_roster = {
        row["county_id"]: row
        for row in roster.order_by()
        .values("county_id")
        .annotate(n=Count("pk"), rural=Count("pk", filter=Q(school__locality=Locality.RURAL)))
    }
    plan_rows = plans_vs_hires(user, year, county)
    special = _totals(plan_rows, Channel.SPECIAL_POST)
    cover_groups = coverage_by(user, year, county)
    cover = coverage(user, year, county)
    national = national_training(user, year, county)
    service = {row["id"]: row for row in special_post_service(user, year, county)}
    short_rows = short_of_teachers(user, year)
    if county is not None:
        short_rows = short_rows.filter(county_id=county_id)
    short_by_county = {
        row["county_id"]: row
        for row in short_rows.order_by().values("county_id").annotate(n=Count("pk"), s=Sum("short"))
    }
    counties = []
    for region in _counties(user, county):
        cid = region.pk
        got = per_county_roster.get(cid, {})
        cov = cover_groups.get(cid, {"rural_teachers": 0, "covered": 0})
        sp = _totals([r for r in plan_rows if r["county_id"] == cid], Channel.SPECIAL_POST)
        short = short_by_county.get(cid, {})
        counties.append(
            {
                "id": cid,
                "name": region.name,
                "teachers": got.get("n", 0),
                "rural_teachers": got.get("rural", 0),
                "special_post": {
                    "planned": sp["posts"],
                    "hired": sp["hired"],
                    "on_duty": sp["on_duty"],
                },
                "training_coverage": {
                    "covered": cov["covered"],
                    "rural_teachers": cov["rural_teachers"],
                    "rate": _rate(cov["covered"], cov["rural_teachers"]),
                },
                "national_training": national.get(cid, 0),
                "special_post_retention_rate": service.get(cid, {}).get("retention_rate"),
                "schools_short_of_teachers": short.get("n", 0),
                "teachers_short": short.get("s") or 0,
                "urls": {
                    "teachers": link("teacher-list", county=cid),
                    "rural": link("teacher-list", county=cid, locality=Locality.RURAL),
                    "plans": link("recruitmentplan-list", county=cid, year=year),
                    "uncovered": link("teachers-uncovered", county=cid, year=year),
                    "short": link("teachers-short", county=cid, year=year),
                    "national": link("trainingrecord-list", county=cid, year=year, kind="national"),
                },
            }
        )
    short_total = sum(c["schools_short_of_teachers"] for c in counties)
    return {
        "year": year,
        "year_label": calendar.school_year_label(year),
        "county": county,
        "teachers": sum(c["teachers"] for c in counties),
        "rural_teachers": sum(c["rural_teachers"] for c in counties),
        "special_post": {
            "planned": special["posts"],
            "hired": special["hired"],
            "on_duty": special["on_duty"],
            "vacant": special["vacant"],
            "url": link(
                "recruitmentplan-list", year=year, county=county_id, channel=Channel.SPECIAL_POST
            ),
            "hires_url": link(
                "teacher-list", county=county_id, channel=Channel.SPECIAL_POST, hired_year=year
            ),
        },
        "plans": plans_by_channel(plan_rows, year, county_id),
        "plan_rows": plan_rows,
        "service": list(service.values()),
        "training_coverage": {
            **cover,
            "rate_text": "—" if cover["rate"] is None else f"{cover['rate']}%",
            "url": link("trainingrecord-list", county=county_id, year=year, kind="continuing"),
            "uncovered_url": link("teachers-uncovered", county=county_id, year=year),
        },
        "national_training": sum(national.values()),
        "schools_short_of_teachers": short_total,
        "teachers_short": sum(c["teachers_short"] for c in counties),
        "short_url": link("teachers-short", county=county_id, year=year),
        "missing_subjects_url": link("teachers-missing-subjects", county=county_id, year=year),
        "teachers_url": link("teacher-list", county=county_id),
        "rural_url": link("teacher-list", county=county_id, locality=Locality.RURAL),
        "counties": counties,
    }


def chart_data(figures: dict) -> dict:
    """The dashboard's charts from the summary (categories, values and the rows behind each)."""
    counties = figures["counties"]
    names = [c["name"] for c in counties]
    plans = figures["plans"]
    return {
        "plans": charts.bars(
            categories=[p["label"] for p in plans],
            series=[
                charts.Series(
                    _("Planned"), [p["planned"] for p in plans], [p["url"] for p in plans]
                ),
                charts.Series(_("Hired"), [p["hired"] for p in plans], [p["url"] for p in plans]),
                charts.Series(
                    _("On duty"), [p["on_duty"] for p in plans], [p["url"] for p in plans]
                ),
            ],
        ),
        "coverage": charts.bars(
            categories=names,
            series=[
                charts.Series(
                    _("Covered"),
                    [c["training_coverage"]["covered"] for c in counties],
                    [c["urls"]["rural"] for c in counties],
                ),
                charts.Series(
                    _("Not covered"),
                    [
                        c["training_coverage"]["rural_teachers"] - c["training_coverage"]["covered"]
                        for c in counties
                    ],
                    [c["urls"]["uncovered"] for c in counties],
                ),
            ],
            category_urls=[c["urls"]["teachers"] for c in counties],
        ),
        "short": charts.bars(
            categories=names,
            series=[
                charts.Series(
                    _("Schools short of teachers"),
                    [c["schools_short_of_teachers"] for c in counties],
                    [c["urls"]["short"] for c in counties],
                )
            ],
        ),
    }


# --- To-do ------------------------------------------------------------------------------------


@todo.register
def todo_items(user) -> list[todo.TodoItem]:
    """Rural teachers without the year's continuing education, and schools short of teachers."""
    year = latest_year(user)
    return [
        todo.TodoItem(
            _("Rural teachers without this year's continuing education"),
            uncovered(user, year).count(),
            link("teachers-uncovered", year=year),
            "warning",
        ),
        todo.TodoItem(
            _("Schools short of teachers"),
            short_of_teachers(user, year).count(),
            link("teachers-short", year=year),
            "warning",
        ),
    ]
