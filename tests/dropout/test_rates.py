"""Dropout rate = dropouts during the year ÷ enrolment at its start; consolidation rate = grade-9
enrolment ÷ the cohort's grade-1 enrolment (the county's baseline for the entry year)."""

from __future__ import annotations

import pytest

from core.reference import school_year_start
from dropout import selectors
from dropout.models import CohortBaseline, SettledRateFigures
from tests.dropout.factories import listed_names
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(school, other_school, township, city_admin):
    """海林市: 40 primary pupils (2 dropped out, 3 graduated), 10 junior in an urban school
    (1 dropped out), 8 enrolled grade-9 (+1 suspended); 东宁市: 20 pupils, none dropped out."""
    junior = SchoolFactory(township=township, kind="junior", locality="urban")
    StudentFactory.create_batch(35, school=school, grade=3)
    StudentFactory.create_batch(2, school=school, grade=4, status="dropped_out")
    StudentFactory.create_batch(3, school=school, grade=6, status="graduated")
    StudentFactory.create_batch(1, school=junior, grade=7, status="dropped_out")
    StudentFactory.create_batch(8, school=junior, grade=9)
    StudentFactory.create_batch(1, school=junior, grade=9, status="suspended")
    StudentFactory.create_batch(4, school=junior, grade=10)  # senior: not compulsory
    StudentFactory.create_batch(20, school=other_school, grade=5)
    school_year_start(school_year=2023, actor=city_admin)  # the year the registry is of
    return junior


def test_dropout_rate_per_county_locality_and_stage(city_admin, county, other_county, registry):
    counties = [county, other_county]
    rates = selectors.dropout_rates(user=city_admin, counties=counties, school_year=2023)
    # Hailin: 3 dropouts over 37 primary (35 + 2; graduates excluded) + 10 junior = 47.
    assert (rates[county.pk].numerator, rates[county.pk].denominator) == (3, 47)
    assert rates[county.pk].value == pytest.approx(3 / 47)
    assert rates[other_county.pk].value == 0.0
    primary = selectors.dropout_rates(
        user=city_admin, counties=counties, school_year=2023, stage="primary"
    )
    assert (primary[county.pk].numerator, primary[county.pk].denominator) == (2, 37)
    junior = selectors.dropout_rates(
        user=city_admin, counties=counties, school_year=2023, stage="junior"
    )
    assert (junior[county.pk].numerator, junior[county.pk].denominator) == (1, 10)
    rural = selectors.dropout_rates(
        user=city_admin, counties=counties, school_year=2023, locality="rural"
    )
    assert (rural[county.pk].numerator, rural[county.pk].denominator) == (2, 37)
    total = selectors.total(rates)
    assert (total.numerator, total.denominator) == (3, 67)
    assert len(listed_names(city_admin, rates[county.pk].numerator_url)) == 3  # the dropouts


def test_consolidation_rate_needs_the_cohort_baseline(city_admin, county, other_county, registry):
    counties = [county, other_county]
    assert selectors.consolidation_rates(user=city_admin, counties=counties, school_year=2023) == {
        county.pk: None,
        other_county.pk: None,
    }
    CohortBaseline.objects.create(county=county, entry_year=2015, grade1_enrolment=10)
    CohortBaseline.objects.create(county=county, entry_year=2014, grade1_enrolment=99)
    rates = selectors.consolidation_rates(user=city_admin, counties=counties, school_year=2023)
    assert (rates[county.pk].numerator, rates[county.pk].denominator) == (8, 10)
    assert rates[county.pk].value == pytest.approx(0.8) and rates[other_county.pk] is None
    assert selectors.total(rates).value == pytest.approx(0.8)  # counties with a baseline only
    last_year = selectors.consolidation_rates(user=city_admin, counties=counties, school_year=2022)
    assert last_year[county.pk].denominator == 99


def test_rates_are_scoped(county_user, county, other_county, registry):
    rates = selectors.dropout_rates(
        user=county_user, counties=[county, other_county], school_year=2023
    )
    assert rates[other_county.pk].denominator == 0 and rates[other_county.pk].value is None
    summary = selectors.summary(user=county_user, school_year=2023)
    assert summary["dropout_rate"] == pytest.approx(3 / 47)
    assert summary["consolidation_rate"] is None


def test_a_past_years_rates_are_settled_when_the_city_starts_the_next_year(
    city_admin, county, other_county, registry, school
):
    """Editing a student after 2024 has started changes 2024's rate, never 2023's: 2023's come
    from the figures settled when 2024 started, on the page and in the API."""
    from django.test import Client
    from rest_framework.test import APIClient

    from core.models import Student

    counties = [county, other_county]
    CohortBaseline.objects.create(county=county, entry_year=2015, grade1_enrolment=10)
    school_year_start(school_year=2024, actor=city_admin)
    kept_figures = SettledRateFigures.objects.get(
        school_year=2023, county=county, locality="", stage=""
    )
    assert (kept_figures.enrolled, kept_figures.dropped_out, kept_figures.grade9_enrolled) == (
        47,
        3,
        8,
    )
    pupil = Student.objects.filter(school=school, grade=3).first()
    pupil.status = "dropped_out"
    pupil.save()
    past = selectors.dropout_rates(user=city_admin, counties=counties, school_year=2023)
    assert (past[county.pk].numerator, past[county.pk].denominator) == (3, 47)
    assert past[county.pk].numerator_url == ""  # the registry no longer shows 2023's rows
    now = selectors.dropout_rates(user=city_admin, counties=counties, school_year=2024)
    assert (now[county.pk].numerator, now[county.pk].denominator) == (4, 47)
    kept = selectors.consolidation_rates(user=city_admin, counties=counties, school_year=2023)
    assert (kept[county.pk].numerator, kept[county.pk].denominator) == (8, 10)

    client = APIClient()
    client.force_authenticate(city_admin)
    for year, rate in ((2023, 3 / 67), (2024, 4 / 67)):
        figures = client.get("/api/v1/dropout/summary/", {"school_year": year}).json()
        assert figures["school_year"] == year
        assert figures["dropout_rate"] == pytest.approx(rate)
    browser = Client()
    browser.force_login(city_admin)
    past_page = browser.get(
        "/dropout/rates/", {"school_year": 2023}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "6.38%" in past_page.content.decode()  # 3 ÷ 47, as it was
    assert 'id="settled-note"' in past_page.content.decode()
    current_page = browser.get("/dropout/rates/", {"school_year": 2024})
    assert "8.51%" in current_page.content.decode()  # 4 ÷ 47
    assert 'id="settled-note"' not in current_page.content.decode()


def test_a_past_year_without_settled_figures_has_no_rate(city_admin, county, registry):
    """2022 was never current on the platform: no figures were kept, so no rate is made up from
    today's registry."""
    rates = selectors.dropout_rates(user=city_admin, counties=[county], school_year=2022)
    assert rates[county.pk].value is None and rates[county.pk].percent == "—"
