"""Grade-6 spot checks 六年级学籍实地检查: an inspector counts a school's grade-6 pupils on site;
the registry's count is filled from the registry when the check is saved (and kept: an edit does
not recount it), a count that differs must name the pupils, and the dashboard counts the checks
and those with a discrepancy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import StudentStatus
from dropout.models import Grade6SpotCheck
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(school, neighbour_school):
    """Four enrolled grade-6 pupils of `school`; others that must not be counted."""
    enrolled = StudentFactory.create_batch(4, school=school, grade=6)
    StudentFactory(school=school, grade=5)  # another grade
    StudentFactory(school=school, grade=6, status=StudentStatus.DROPPED_OUT)
    StudentFactory(school=school, grade=6, status=StudentStatus.TRANSFERRED_OUT)
    StudentFactory(school=neighbour_school, grade=6)  # another school
    return enrolled


def form(school, **data):
    return {
        "school": school.pk,
        "date": "2023-10-10",
        "inspector": "孙督学",
        "present_count": 4,
        "discrepancy_names": "",
        "explanation": "",
        **data,
    }


def test_the_registry_count_is_the_schools_enrolled_grade_6(county_client, school, pupils):
    response = county_client.post(reverse("grade6spotcheck-create"), form(school))
    assert response.status_code == 302
    check = Grade6SpotCheck.objects.get()
    assert check.registry_count == 4 and check.present_count == 4 and check.discrepancy == 0
    page = county_client.get(check.get_absolute_url()).content.decode()
    assert "孙督学" in page and "长汀镇中心小学" in page


def test_a_count_that_differs_must_name_the_pupils(county_client, school, pupils):
    response = county_client.post(reverse("grade6spotcheck-create"), form(school, present_count=3))
    assert response.status_code == 200
    assert "请填写人数差异涉及的学生姓名。" in response.content.decode()
    assert not Grade6SpotCheck.objects.exists()

    named = form(school, present_count=3, discrepancy_names="王小明", explanation="随父母外出务工")
    assert county_client.post(reverse("grade6spotcheck-create"), named).status_code == 302
    check = Grade6SpotCheck.objects.get()
    assert (check.registry_count, check.present_count, check.discrepancy) == (4, 3, 1)


def test_the_count_is_the_registrys_on_the_day_of_the_check(county_client, school, pupils):
    county_client.post(reverse("grade6spotcheck-create"), form(school))
    check = Grade6SpotCheck.objects.get()
    StudentFactory(school=school, grade=6)  # enrols after the check
    edit = {**form(school, inspector="李督学"), "row_version": check.version}
    assert (
        county_client.post(reverse("grade6spotcheck-update", args=[check.pk]), edit).status_code
        == 302
    )
    check.refresh_from_db()
    assert check.inspector == "李督学" and check.registry_count == 4  # not recounted

    other = SchoolFactory(township=school.township, code="2123108399", name="长汀镇第二小学")
    StudentFactory.create_batch(2, school=other, grade=6)
    moved = {**form(other, present_count=2), "row_version": check.version}
    assert (
        county_client.post(reverse("grade6spotcheck-update", args=[check.pk]), moved).status_code
        == 302
    )
    check.refresh_from_db()
    assert check.school == other and check.registry_count == 2  # another school: counted again


def test_the_dashboard_counts_checks_and_discrepancies(
    county_user, school, neighbour_school, pupils
):
    Grade6SpotCheck.objects.create(
        school=school, date=dt.date(2023, 10, 9), inspector="孙督学", present_count=4
    )
    differing = Grade6SpotCheck.objects.create(
        school=school,
        date=dt.date(2023, 10, 20),
        inspector="李督学",
        present_count=3,
        discrepancy_names="王小明",
    )
    api = APIClient()
    api.force_authenticate(county_user)
    figures = api.get("/api/v1/dropout/summary/").json()
    assert figures["spot_checks"] == 2 and figures["spot_check_discrepancies"] == 1

    listed = api.get("/api/v1/dropout/grade6-checks/", {"with_discrepancy": "true"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [differing.pk]
