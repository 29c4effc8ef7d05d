"""The school calendar: school years, terms, ages and the school-age rule, in one place.

* A school year is named by the calendar year it starts in and starts on 1 September: 2023 is
  1 September 2023 – 31 August 2024 (shown as 2023–2024).
* It has two terms, autumn (September–February) then spring (March–August).
* Ages are full years 周岁; the age that decides a school year (compulsory school age, the stage
  of a child whose grade is unknown) is the age on 31 August before it starts, the reference day.
* The current school year is the city's (core.reference.SchoolYearStart): the newest one a city
  administrator started, whatever the clock says; before the city has started one, today's.
* Compulsory school age is the city's rule in force for the school year (core.reference.
  SchoolAgeRule, kept with its history); 6 through 15 on the reference day until the city sets one.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

START_MONTH = 9  # a school year starts on 1 September …
SPRING_MONTH = 3  # … and its spring term on 1 March


def today() -> dt.date:
    """Today's date where the platform is used (Asia/Shanghai), not the server's."""
    return timezone.localdate()


# --- School years ------------------------------------------------------------------------------


def school_year_of(day: dt.date) -> int:
    """The school year a day belongs to: 31 August 2024 is in 2023, 1 September 2024 in 2024."""
    return day.year if day.month >= START_MONTH else day.year - 1


def current_school_year() -> int:
    """The school year the platform's data is in: the newest one the city started (reference
    data a city administrator keeps), else — before the first — the school year of today."""
    from core.reference import SchoolYearStart

    started = SchoolYearStart.objects.order_by("-school_year").values_list("school_year", flat=True)
    return started.first() or school_year_of(today())


def school_year_closed(school_year: int) -> bool:
    """Has the city started a later school year? Then this one is over on the platform: what
    the areas settled for it when the next one started is its data for good."""
    from core.reference import SchoolYearStart

    return SchoolYearStart.objects.filter(school_year__gt=school_year).exists()


def school_year_choices(*years: int, newest_first: bool = True) -> list[tuple[int, str]]:
    """The school years a school-year control offers: the given ones (the years of the rows
    behind a page) and the current one, each labelled 2023–2024."""
    chosen = sorted({int(y) for y in years if y} | {current_school_year()}, reverse=newest_first)
    return [(year, school_year_label(year)) for year in chosen]


def school_year_start(school_year: int) -> dt.date:
    return dt.date(school_year, START_MONTH, 1)


def school_year_span(school_year: int) -> tuple[dt.date, dt.date]:
    """(first day, first day of the next school year): days d with first <= d < next."""
    return school_year_start(school_year), school_year_start(school_year + 1)


def in_school_year(field: str, school_year: int) -> models.Q:
    """A filter for rows whose date `field` falls in the school year."""
    first, following = school_year_span(school_year)
    return models.Q(**{f"{field}__gte": first, f"{field}__lt": following})


def school_year_label(school_year: int) -> str:
    """2023 → "2023–2024"."""
    return f"{school_year}–{school_year + 1}"


def is_school_year_field(field) -> bool:
    """Is a model field a school year (shown as its label, 2023–2024, wherever it is shown)?"""
    return getattr(field, "name", None) == "school_year" and isinstance(field, models.IntegerField)


def school_year_named(start: int, end: int | None = None) -> int | None:
    """The school year written as its start year (2023) or as its two years (2023, 2024); None
    when the two years are not consecutive."""
    if end is not None and end != start + 1:
        return None
    return start


def latest_school_year(*querysets) -> int:
    """What a dashboard shows when no year is asked for: the newest school year of the first
    queryset that has rows (each with a `school_year` field), else the current one."""
    for queryset in querysets:
        year = queryset.order_by("-school_year").values_list("school_year", flat=True).first()
        if year is not None:
            return year
    return current_school_year()


# --- Terms -------------------------------------------------------------------------------------


class Term(models.TextChoices):
    """学期. Declared in calendar order (autumn, then spring, of one school year); the values also
    sort in that order."""

    AUTUMN = "autumn", _("Autumn term")
    SPRING = "spring", _("Spring term")


def term_of(day: dt.date) -> tuple[int, str]:
    """(school year, term) of a day: September–February is the autumn term of the school year
    starting that September, March–August the spring term of the one that started before."""
    school_year = school_year_of(day)
    if SPRING_MONTH <= day.month < START_MONTH:
        return school_year, Term.SPRING
    return school_year, Term.AUTUMN


def current_term() -> tuple[int, str]:
    """The term the platform is in: today's term when the city's current school year is
    today's; a current year the clock has passed is in its spring term, one it has not reached
    (started early) in its autumn term."""
    year = current_school_year()
    clock_year, term = term_of(today())
    if clock_year == year:
        return year, term
    return year, Term.SPRING if clock_year > year else Term.AUTUMN


def latest_term(*querysets) -> tuple[int, str]:
    """The newest (school year, term) of the first queryset that has rows (each with
    `school_year` and `term` fields), else the current term."""
    for queryset in querysets:
        row = queryset.order_by("-school_year", "-term").values("school_year", "term").first()
        if row:
            return row["school_year"], row["term"]
    return current_term()


def previous_term(school_year: int, term: str) -> tuple[int, str]:
    """The term before: spring 2023 → autumn 2023, autumn 2023 → spring 2022."""
    if term == Term.SPRING:
        return school_year, Term.AUTUMN
    return school_year - 1, Term.SPRING


# --- Ages --------------------------------------------------------------------------------------


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years of age 周岁 on a day. Someone born on 29 February turns a year older on
    1 March in a year without one."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age(born: dt.date | None, *, on: dt.date | None = None) -> int | None:
    """Age 周岁 on a day; None without a birth date. Pages show this instead of the birth date,
    which together with the masked ID number would give the number away. The day is the one the
    data is about (`age_day`), by default the current school year's reference day — never the
    clock's today: a 2023 roster read in 2026 shows the ages its rule was applied to."""
    if born is None:
        return None
    return age_on(born, on or reference_date(current_school_year()))


def age_day(row=None) -> dt.date:
    """The day a row's age is counted on: the day its data is about, as its model says
    (`age_day`: a round's result on the round's reference day, a roster child on its version's),
    else the current school year's reference day."""
    day = getattr(row, "age_day", None)
    return day or reference_date(current_school_year())


def reference_date(school_year: int) -> dt.date:
    """The day ages are counted on for a school year: 31 August of the year it starts."""
    return school_year_start(school_year) - dt.timedelta(days=1)


def age_in_school_year(born: dt.date, school_year: int) -> int:
    """The age that counts for a school year: the age on its reference day."""
    return age_on(born, reference_date(school_year))


# --- The school-age rule -----------------------------------------------------------------------


def school_age_range(school_year: int | None = None) -> tuple[int, int]:
    """Compulsory-education ages, inclusive, of the city's rule in force for the school year
    (the current one by default): the rule with the latest start not after it; 6 through 15
    before the city has set any."""
    from core.reference import DEFAULT_SCHOOL_AGES, SchoolAgeRule

    year = current_school_year() if school_year is None else school_year
    rule = (
        SchoolAgeRule.objects.filter(effective_from__lte=year)
        .order_by("-effective_from")
        .values_list("age_min", "age_max")
        .first()
    )
    return tuple(rule) if rule else DEFAULT_SCHOOL_AGES


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February becomes 28 February in a year without one."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_window(day: dt.date, age_min: int, age_max: int) -> tuple[dt.date, dt.date]:
    """(after, until): children aged age_min..age_max on `day` were born after `after` and on or
    before `until`.

    Aged `min`..`max` on the reference day R ⇔ born in (R − (max+1) years, R − min years]: on
    31 August 2023, a child born on 31 August 2017 is 6 (in), one born on 1 September 2017 is 5;
    one born on 1 September 2007 is 15 (in), one born on 31 August 2007 is 16.
    """
    return years_before(day, age_max + 1), years_before(day, age_min)


def school_age_birth_window(school_year: int) -> tuple[dt.date, dt.date]:
    """The birth window of the school-age rule in force for a school year."""
    low, high = school_age_range(school_year)
    return birth_window(reference_date(school_year), low, high)


def term_span(school_year: int, term: str) -> tuple[dt.date, dt.date]:
    """The first day of a term and the first day after it: the autumn term runs from 1 September
    to the end of February, the spring term from 1 March to the end of August."""
    if term == Term.SPRING:
        return dt.date(school_year + 1, SPRING_MONTH, 1), dt.date(school_year + 1, START_MONTH, 1)
    return dt.date(school_year, START_MONTH, 1), dt.date(school_year + 1, SPRING_MONTH, 1)
