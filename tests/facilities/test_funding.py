"""The funding rule 生均公用经费: a rural school under 100 pupils is funded as 100, each boarder
adds the supplement, a nine-year school is split between the quotas by its registry grades;
Decimal money; allocations, the under-funded list and its reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from facilities import selectors, services
from facilities.models import FundingRate
from tests.facilities.factories import FundingAllocationFactory, FundingRateFactory
from tests.factories import SchoolEnrolmentFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(db):
    return FundingRateFactory()  # 650 primary, 850 junior, +200 per boarder (from 2016)


def row_of(user, school, year=2023):
    return selectors.funding_table(user, year).get(school=school)


@pytest.mark.parametrize(
    ("enrolment", "funded"), [(99, 100), (100, 100), (101, 101), (1, 100), (0, 0)]
)
def test_a_rural_primary_school_under_100_pupils_is_funded_as_100(
    rate, township, city_user, enrolment, funded
):
    school = SchoolFactory(township=township, kind="primary", locality="rural")
    SchoolEnrolmentFactory(school=school, enrolment=enrolment, boarders=0)
    row = row_of(city_user, school)
    assert row.funded == funded
    assert row.computed == Decimal("650.00") * funded
    assert isinstance(row.computed, Decimal)


@pytest.mark.parametrize(("enrolment", "funded"), [(99, 99), (100, 100), (101, 101)])
def test_an_urban_school_is_funded_as_enrolled(rate, township, city_user, enrolment, funded):
    school = SchoolFactory(township=township, kind="junior", locality="urban")
    SchoolEnrolmentFactory(school=school, enrolment=enrolment, boarders=0)
    row = row_of(city_user, school)
    assert (row.funded, row.junior_funded, row.primary_funded) == (funded, funded, 0)
    assert row.computed == Decimal("850.00") * funded


def test_boarders_add_the_supplement_on_top_of_the_floor(rate, township, city_user):
    school = SchoolFactory(township=township, kind="junior", locality="rural", boarding=True)
    SchoolEnrolmentFactory(school=school, enrolment=60, boarders=45)
    row = row_of(city_user, school)
    # 100 funded × 850 + 45 boarders × 200
    assert row.computed == Decimal("94000.00")


def test_a_teaching_point_is_a_rural_primary_school_for_the_floor(rate, township, city_user):
    point = SchoolFactory(township=township, kind="teaching_point", locality="rural")
    SchoolEnrolmentFactory(school=point, enrolment=12, boarders=0)
    assert row_of(city_user, point).computed == Decimal("65000.00")


def test_a_nine_year_school_is_split_by_its_registry_grades(rate, township, city_user):
    school = SchoolFactory(township=township, kind="nine_year", locality="rural", boarding=True)
    for grade in (1, 2, 3, 7, 8, 9, 9, 9):  # 3 of 8 in grades 1–6, 5 in 7–9
        StudentFactory(school=school, grade=grade)
    SchoolEnrolmentFactory(school=school, enrolment=80, boarders=10)
    row = row_of(city_user, school)
    # funded as 100; junior share 5/8 → 62.5 → 63 (half up), primary 37
    assert (row.funded, row.junior_funded, row.primary_funded) == (100, 63, 37)
    assert row.computed == 37 * Decimal("650") + 63 * Decimal("850") + 10 * Decimal("200")

    big = SchoolFactory(township=township, kind="nine_year", locality="urban")
    SchoolEnrolmentFactory(school=big, enrolment=300, boarders=0)  # no registry rows
    assert (row_of(city_user, big).junior_funded, row_of(city_user, big).primary_funded) == (
        0,
        300,
    )


def test_the_quotas_in_force_are_the_newest_from_that_year_on(rate, township, city_user):
    FundingRateFactory(effective_from=2024, primary=Decimal("700.00"), junior=Decimal("900.00"))
    school = SchoolFactory(township=township, kind="primary", locality="urban")
    SchoolEnrolmentFactory(school=school, school_year=2023, enrolment=200, boarders=0)
    SchoolEnrolmentFactory(school=school, school_year=2024, enrolment=200, boarders=0)
    assert row_of(city_user, school, 2023).computed == Decimal("130000.00")
    assert row_of(city_user, school, 2024).computed == Decimal("140000.00")
    assert not selectors.funding_table(city_user, 2015).exists()  # no quotas then


def test_kindergartens_are_in_the_table_only_with_a_kindergarten_quota(rate, township, city_user):
    kg = SchoolFactory(township=township, kind="kindergarten", locality="rural")
    SchoolEnrolmentFactory(school=kg, enrolment=40, boarders=0)
    assert not selectors.funding_table(city_user, 2023).filter(school=kg).exists()
    FundingRate.objects.filter(pk=rate.pk).update(preschool=Decimal("500.00"))
    row = row_of(city_user, kg)
    assert (row.funded, row.computed) == (40, Decimal("20000.00"))  # no floor for kindergartens


def test_special_education_schools_are_funded_at_their_quota_once_the_city_sets_one(
    rate, township, city_user
):
    special = SchoolFactory(township=township, kind="special", locality="rural", name="特教学校")
    SchoolEnrolmentFactory(school=special, enrolment=40, boarders=10)
    assert not selectors.funding_table(city_user, 2023).filter(school=special).exists()
    FundingRate.objects.filter(pk=rate.pk).update(special_education=Decimal("6000.00"))
    row = row_of(city_user, special)
    # As enrolled (the floor of 100 is the small rural schools'), plus the boarders' supplement.
    assert (row.funded, row.special_funded, row.primary_funded) == (40, 40, 0)
    assert row.computed == Decimal("242000.00")  # 40 × 6,000 + 10 × 200


def test_a_special_education_quota_of_zero_is_refused(city_admin):
    rate = FundingRate(
        effective_from=2023,
        primary=Decimal("650"),
        junior=Decimal("850"),
        special_education=Decimal("0"),
    )
    with pytest.raises(ValidationError) as refused:
        services.funding_rate_save(rate=rate, actor=city_admin)
    assert "special_education" in refused.value.message_dict
    assert not FundingRate.objects.exists()


def test_allocations_and_the_under_funded_list(rate, township, city_user, county_user):
    low = SchoolFactory(township=township, kind="primary", locality="urban", name="少拨小学")
    full = SchoolFactory(township=township, kind="primary", locality="urban", name="足额小学")
    none = SchoolFactory(township=township, kind="primary", locality="urban", name="未拨小学")
    for school in (low, full, none):
        SchoolEnrolmentFactory(school=school, enrolment=200, boarders=0)  # 130,000.00
    FundingAllocationFactory(school=low, amount=Decimal("120000.00"))
    FundingAllocationFactory(school=full, amount=Decimal("130000.00"))
    under = list(selectors.underfunded(county_user, 2023))
    assert [row.school for row in under] == [low]
    assert under[0].variance == Decimal("-10000.00")
    figures = selectors.summary(county_user, school_year=2023)
    assert figures["funding"]["computed"] == Decimal("390000.00")
    assert figures["funding"]["allocated"] == Decimal("250000.00")
    assert figures["funding"]["underfunded_schools"] == 1


def test_a_reason_on_an_under_funded_school_shows_on_its_row(rate, township, county_user):
    school = SchoolFactory(township=township, kind="primary", locality="urban")
    SchoolEnrolmentFactory(school=school, enrolment=200, boarders=0)
    FundingAllocationFactory(school=school, amount=Decimal("1.00"))
    services.funding_note_save(
        school=school, school_year=2023, reason="第二批资金12月到位", actor=county_user
    )
    assert selectors.underfunded(county_user, 2023).get().reason == "第二批资金12月到位"
    services.funding_note_save(school=school, school_year=2023, reason="", actor=county_user)
    assert selectors.underfunded(county_user, 2023).get().reason is None


@pytest.mark.parametrize("value", ["0", "-650"])
def test_a_quota_of_zero_or_below_is_refused_and_nothing_is_written(city_admin, value):
    rate = FundingRate(effective_from=2023, primary=Decimal(value), junior=Decimal("850"))
    with pytest.raises(ValidationError) as refused:
        services.funding_rate_save(rate=rate, actor=city_admin)
    assert "primary" in refused.value.message_dict
    assert not FundingRate.objects.exists()


def test_the_quota_page_refuses_zero_in_chinese_and_keeps_the_input(client, city_admin):
    client.force_login(city_admin)
    data = {"effective_from": 2023, "primary": "0", "junior": "850", "boarder_supplement": "200"}
    response = client.post(reverse("facilities-rate-create"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "850" in html and ("确保该值大于或等于" in html or "定额须大于零" in html)
    assert not FundingRate.objects.exists()


def test_only_city_admins_change_quotas(county_user):
    rate = FundingRate(effective_from=2023, primary=Decimal("650"), junior=Decimal("850"))
    with pytest.raises(PermissionDenied):
        services.funding_rate_save(rate=rate, actor=county_user)
    assert not FundingRate.objects.exists()


def test_an_allocation_for_another_countys_school_is_refused(
    rate, county_user, other_school, school
):
    from rest_framework.test import APIClient

    from facilities.models import FundingAllocation

    api = APIClient()
    api.force_authenticate(county_user)
    data = {"school": other_school.pk, "school_year": 2023, "amount": "5000.00"}
    response = api.post("/api/v1/facilities/allocations/", data, format="json")
    assert response.status_code == 400
    assert not FundingAllocation.objects.exists()
    response = api.post(
        "/api/v1/facilities/allocations/", {**data, "school": school.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["amount"] == "5000.00"
