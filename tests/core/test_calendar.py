"""The school calendar (core.calendar): school years start on 1 September, autumn then spring
term, ages 周岁 counted on 31 August, and the school-age rule's birth window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core import calendar
from core.calendar import Term
from core.models import SchoolEnrolment, Student
from core.reference import (
    SchoolAgeRule,
    SchoolYearStart,
    school_age_rule_add,
    school_year_start,
)
from tests.aid.factories import AidStandardFactory
from tests.factories import SchoolEnrolmentFactory, StudentFactory

D = dt.date


# --- School years ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (D(2024, 8, 31), 2023),  # the last day of 2023–2024
        (D(2024, 9, 1), 2024),  # the first day of 2024–2025
        (D(2024, 1, 1), 2023),
        (D(2023, 12, 31), 2023),
        (D(2024, 2, 29), 2023),
    ],
)
def test_the_school_year_of_a_day_starts_on_1_september(day, year):
    assert calendar.school_year_of(day) == year
    first, following = calendar.school_year_span(year)
    assert first <= day < following
    assert (first, following) == (D(year, 9, 1), D(year + 1, 9, 1))


@pytest.mark.django_db
def test_today_is_the_date_in_china_not_on_the_server(monkeypatch):
    # 31 August 2024, 17:00 UTC is already 1 September 01:00 in Asia/Shanghai.
    late = dt.datetime(2024, 8, 31, 17, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert calendar.today() == D(2024, 9, 1)
    assert calendar.current_school_year() == 2024
    assert calendar.term_of(calendar.today()) == (2024, Term.AUTUMN)


@pytest.mark.django_db
def test_the_current_school_year_is_the_citys_not_the_clocks(city_admin, county_user, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 2, 4, tzinfo=dt.UTC))
    assert calendar.current_school_year() == 2026  # nothing started yet: today's
    with pytest.raises(ValidationError):
        school_year_start(school_year=2028, actor=city_admin)  # beyond next year by the clock
    school_year_start(school_year=2023, actor=city_admin)  # the year the city's data is in
    assert calendar.current_school_year() == 2023
    for wrong in (2023, 2022, 2025):  # again, back, or skipping a year
        with pytest.raises(ValidationError):
            school_year_start(school_year=wrong, actor=city_admin)
    with pytest.raises(PermissionDenied):
        school_year_start(school_year=2024, actor=county_user)
    assert calendar.current_school_year() == 2023
    school_year_start(school_year=2024, actor=city_admin)
    assert calendar.current_school_year() == 2024
    assert list(SchoolYearStart.objects.values_list("school_year", "started_by")) == [
        (2024, city_admin.pk),
        (2023, city_admin.pk),
    ]


def test_school_year_label_and_names():
    assert calendar.school_year_label(2023) == "2023–2024"
    assert calendar.school_year_named(2023) == 2023
    assert calendar.school_year_named(2023, 2024) == 2023
    assert calendar.school_year_named(2023, 2025) is None
    assert calendar.school_year_named(2023, 2023) is None


@pytest.mark.django_db
def test_in_school_year_takes_1_september_and_leaves_the_next(school):
    for born in (D(2016, 8, 31), D(2016, 9, 1), D(2017, 8, 31), D(2017, 9, 1)):
        StudentFactory(school=school, birth_date=born)
    inside = Student.objects.filter(calendar.in_school_year("birth_date", 2016))
    assert sorted(inside.values_list("birth_date", flat=True)) == [D(2016, 9, 1), D(2017, 8, 31)]


@pytest.mark.django_db
def test_latest_school_year_is_the_first_queryset_with_rows_else_the_current(school, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 5, 4, tzinfo=dt.UTC))
    rows = SchoolEnrolment.objects.all()
    assert calendar.latest_school_year(rows) == 2025  # nothing yet: the current school year
    SchoolEnrolmentFactory(school=school, school_year=2021)
    SchoolEnrolmentFactory(school=school, school_year=2022)
    assert calendar.latest_school_year(rows.none(), rows) == 2022
    assert calendar.latest_school_year(rows.filter(school_year=2021), rows) == 2021


# --- Terms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (D(2023, 8, 31), (2022, Term.SPRING)),
        (D(2023, 9, 1), (2023, Term.AUTUMN)),
        (D(2024, 1, 31), (2023, Term.AUTUMN)),
        (D(2024, 2, 29), (2023, Term.AUTUMN)),
        (D(2024, 3, 1), (2023, Term.SPRING)),
        (D(2024, 8, 31), (2023, Term.SPRING)),
    ],
)
def test_term_of_a_day(day, period):
    assert calendar.term_of(day) == period


def test_terms_in_order_autumn_then_spring_then_the_next_autumn():
    assert [value for value, _label in Term.choices] == ["autumn", "spring"]
    assert sorted(Term.values) == Term.values  # ordering by the value is calendar order
    assert calendar.previous_term(2023, Term.SPRING) == (2023, Term.AUTUMN)
    assert calendar.previous_term(2023, Term.AUTUMN) == (2022, Term.SPRING)
    # Walking back day by day through a year meets every term once, newest first.
    seen = []
    day = D(2024, 8, 31)
    while day >= D(2022, 9, 1):
        period = calendar.term_of(day)
        if not seen or seen[-1] != period:
            seen.append(period)
        day -= dt.timedelta(days=1)
    assert seen == [(2023, "spring"), (2023, "autumn"), (2022, "spring"), (2022, "autumn")]
    assert all(calendar.previous_term(*a) == b for a, b in zip(seen, seen[1:], strict=False))


@pytest.mark.django_db
def test_latest_term_prefers_spring_of_the_newest_year(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 10, 1, 4, tzinfo=dt.UTC))
    standards = AidStandardFactory._meta.model.objects.all()
    assert calendar.latest_term(standards) == (2025, Term.AUTUMN)  # none: today's term
    AidStandardFactory(school_year=2022, term=Term.SPRING)
    AidStandardFactory(school_year=2023, term=Term.AUTUMN)
    assert calendar.latest_term(standards) == (2023, Term.AUTUMN)
    AidStandardFactory(school_year=2023, term=Term.SPRING)
    assert calendar.latest_term(standards.none(), standards) == (2023, Term.SPRING)


# --- Ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "years"),
    [
        (D(2017, 8, 31), D(2023, 8, 31), 6),  # the birthday itself counts
        (D(2017, 9, 1), D(2023, 8, 31), 5),
        (D(2016, 2, 29), D(2017, 2, 28), 0),  # a leap-day child is a year older on 1 March …
        (D(2016, 2, 29), D(2017, 3, 1), 1),
        (D(2016, 2, 29), D(2020, 2, 28), 3),
        (D(2016, 2, 29), D(2020, 2, 29), 4),  # … or on 29 February when there is one
    ],
)
def test_age_on_a_day(born, day, years):
    assert calendar.age_on(born, day) == years
    assert calendar.age(born, on=day) == years


def test_age_in_china_on_a_day_counted_by_the_clock(monkeypatch):
    """A day near midnight UTC is already the next day in China."""
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2024, 3, 13, 16, 30, tzinfo=dt.UTC))
    assert calendar.age(None) is None
    assert calendar.age(D(2013, 3, 14), on=calendar.today()) == 11  # already 14 March in China
    assert calendar.age(D(2013, 3, 15), on=calendar.today()) == 10


@pytest.mark.django_db
def test_age_defaults_to_the_current_school_years_reference_day_not_the_clock(monkeypatch):
    """Data of 2023–2024 read in December 2026: a child born in 2008 is 15 on 31 August 2023
    (of school age, as the round said), not the 18 of the clock."""
    from core.reference import SchoolYearStart

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC))
    SchoolYearStart.objects.create(school_year=2023)
    assert calendar.age(D(2008, 1, 10)) == 15
    assert calendar.age_day() == D(2023, 8, 31)


def test_reference_day_is_31_august_before_the_school_year():
    assert calendar.reference_date(2023) == D(2023, 8, 31)
    assert calendar.age_in_school_year(D(2017, 8, 31), 2023) == 6
    assert calendar.age_in_school_year(D(2017, 9, 1), 2023) == 5


# --- The school-age rule -----------------------------------------------------------------------


def _in_window(born, window):
    after, until = window
    return after < born <= until


@pytest.mark.django_db
def test_school_age_window_boundaries():
    window = calendar.school_age_birth_window(2023)
    assert window == (D(2007, 8, 31), D(2017, 8, 31))
    assert _in_window(D(2017, 8, 31), window)  # 6 on 31 August 2023
    assert not _in_window(D(2017, 9, 1), window)  # 5
    assert _in_window(D(2007, 9, 1), window)  # 15
    assert not _in_window(D(2007, 8, 31), window)  # 16
    # The window holds exactly the children aged 6..15 on the reference day.
    day = D(2006, 1, 1)
    while day < D(2019, 1, 1):
        assert _in_window(day, window) == (6 <= calendar.age_in_school_year(day, 2023) <= 15)
        day += dt.timedelta(days=1)


@pytest.mark.django_db
def test_the_school_age_rule_is_the_citys_in_force_from_a_school_year(city_admin):
    assert calendar.school_age_range(2023) == (6, 15)  # before the city sets one
    school_age_rule_add(
        rule=SchoolAgeRule(effective_from=2024, age_min=3, age_max=17), actor=city_admin
    )
    assert calendar.school_age_range(2023) == (6, 15)  # an earlier year keeps its rule
    assert calendar.school_age_range(2024) == (3, 17)
    assert calendar.school_age_range(2030) == (3, 17)
    assert calendar.school_age_birth_window(2024) == (D(2006, 8, 31), D(2021, 8, 31))


def test_birth_window_from_a_leap_day():
    # Children aged 0..3 on 29 February 2024 were born after 29 February 2020 and on or before
    # 29 February 2024: four years back from a leap day is a leap day.
    assert calendar.birth_window(D(2024, 2, 29), 0, 3) == (D(2020, 2, 29), D(2024, 2, 29))
    # One year back from 29 February is 28 February.
    assert calendar.years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)
    after, until = calendar.birth_window(D(2024, 2, 29), 1, 1)
    assert (after, until) == (D(2022, 2, 28), D(2023, 2, 28))
    born_on_28th = D(2023, 2, 28)
    assert _in_window(born_on_28th, (after, until))
    assert calendar.age_on(born_on_28th, D(2024, 2, 29)) == 1
