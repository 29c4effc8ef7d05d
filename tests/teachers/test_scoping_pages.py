"""The area's own pages and API views reach nothing of another county (the generic ledger doors
are tests/core/test_scoping.py's): each test shows the other county's rows are not shown or not
changed, and that the same request works on the user's own rows (the test can fail).
tests/core/test_scoping_endpoints.py names these tests in ELSEWHERE."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import AuditAction, AuditEvent
from teachers.models import StaffingStandard, TrainingProgramme
from tests.factories import StudentFactory
from tests.teachers.factories import (
    RecruitmentPlanFactory,
    TeacherFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def both(school, other_school):
    """In each county: a rural primary school of 40 pupils with one Chinese teacher, not covered
    by the year's continuing education (short of teachers, missing subjects); a special-post
    plan; the year's programme."""
    TrainingProgrammeFactory()
    made = {}
    for place in (school, other_school):
        for grade in range(1, 5):
            StudentFactory.create_batch(10, school=place, grade=grade)
        made[place.county_id] = TeacherFactory(school=place, name=f"{place.name}教师")
        RecruitmentPlanFactory(county=place.county, posts=5)
    return made


READ_PAGES = [
    "teachers-dashboard",
    "teachers-short",
    "teachers-missing-subjects",
    "teachers-uncovered",
]


@pytest.mark.parametrize("name", READ_PAGES)
def test_pages_show_a_county_only_itself(
    name, both, county_user, city_user, school, other_school, other_county
):
    query = {"year": 2023}
    city_page = signed_in(city_user).get(reverse(name), query).content.decode()
    theirs = (other_school.name, other_county.name)
    assert any(name in city_page for name in theirs)
    page = signed_in(county_user).get(reverse(name), {**query, "county": other_county.pk})
    assert page.status_code in (200, 404)
    html = page.content.decode()
    assert not any(name in html for name in theirs)
    mine = signed_in(county_user).get(reverse(name), query).content.decode()
    assert any(name in mine for name in (school.name, school.county.name))


EXPORTS = ["teachers-short-export", "teachers-missing-subjects-export", "teachers-uncovered-export"]


def _cells(response) -> set[str]:
    book = load_workbook(io.BytesIO(response.content))
    return {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value}


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_hold_a_county_only_itself(
    name, both, county_user, city_user, other_school, school
):
    theirs = {other_school.name}
    assert theirs & _cells(signed_in(city_user).get(reverse(name), {"year": 2023}))
    cells = _cells(signed_in(county_user).get(reverse(name), {"year": 2023}))
    assert not theirs & cells
    assert {school.name} & cells


def test_the_summary_answers_nothing_of_another_county(both, county_user, city_user, other_county):
    url = reverse("teachers-api-summary")
    nowhere = api_as(city_user).get(url, {"county": 987654, "year": 2023}).json()
    theirs = api_as(city_user).get(url, {"county": other_county.pk, "year": 2023}).json()
    assert theirs != nowhere and theirs["teachers"] == 1
    asked = api_as(county_user).get(url, {"county": other_county.pk, "year": 2023})
    assert asked.status_code == 200
    assert asked.json() == api_as(county_user).get(url, {"county": 987654, "year": 2023}).json()
    assert asked.json()["teachers"] == 0
    assert other_county.name not in asked.content.decode()
    mine = api_as(county_user).get(url, {"year": 2023}).json()
    assert mine["teachers"] == 1 and mine["special_post"]["planned"] == 5


def test_another_countys_teacher_is_not_revealed(both, settings, county_user, other_county, school):
    settings.ID_REVEAL_ROLES = {"county_officer"}
    client = signed_in(county_user)
    theirs = both[other_county.pk]
    assert client.post(reverse("teacher-reveal-id", args=[theirs.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
    mine = both[school.county_id]
    response = client.post(reverse("teacher-reveal-id", args=[mine.pk]))
    assert response.status_code == 200 and mine.id_number in response.content.decode()


STANDARD = {
    "effective_from": 2024,
    "primary": "18",
    "junior": "13",
    "senior": "12",
    "small_school_pupils": 100,
    "teachers_per_class": "1.5",
}
PROGRAMME = {
    "name": "2024年全员继续教育",
    "kind": "continuing",
    "year": 2024,
    "starts_on": "2024-03-01",
    "ends_on": "2024-11-30",
    "hours_required": "72",
    "max_hours": "120",
}


@pytest.mark.parametrize(
    ("model", "pages", "api", "data", "existing"),
    [
        (
            StaffingStandard,
            "standard",
            "standards",
            STANDARD,
            lambda: StaffingStandard.objects.get(),
        ),
        (
            TrainingProgramme,
            "programme",
            "programmes",
            PROGRAMME,
            lambda: TrainingProgrammeFactory(),
        ),
    ],
)
def test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only(
    model, pages, api, data, existing, county_user, city_admin, school_user
):
    row = existing()
    before = model.objects.count()
    for user in (county_user, school_user):
        client = signed_in(user)
        assert client.get(reverse(f"teachers-{pages}s")).status_code == 200
        assert api_as(user).get(f"/api/v1/teachers/{api}/").json()["count"] == before
        assert api_as(user).get(f"/api/v1/teachers/{api}/{row.pk}/").status_code == 200
        assert client.get(reverse(f"teachers-{pages}-create")).status_code == 403
        assert client.post(reverse(f"teachers-{pages}-create"), data).status_code == 403
        url = reverse(f"teachers-{pages}-update", args=[row.pk])
        assert client.post(url, data).status_code == 403
        assert api_as(user).delete(f"/api/v1/teachers/{api}/{row.pk}/").status_code == 405
        assert api_as(user).post(f"/api/v1/teachers/{api}/", data).status_code == 403
        assert api_as(user).put(f"/api/v1/teachers/{api}/{row.pk}/", data).status_code == 403
    assert model.objects.count() == before
    admin = signed_in(city_admin)
    assert admin.post(reverse(f"teachers-{pages}-create"), data).status_code == 302
    assert model.objects.count() == before + 1
    assert model.objects.filter(set_by=city_admin).count() == 1


def test_the_dashboard_shows_the_service_and_national_training(both, county_user, school):
    import datetime as dt

    TeacherFactory(
        school=school,
        channel="special_post",
        employment="establishment",
        hired_on=dt.date(2019, 9, 1),
    )
    page = signed_in(county_user).get(reverse("teachers-dashboard"), {"school_year": 2023})
    html = page.content.decode()
    row = html[html.index('id="teachers-service"') :]
    row = row[row.index(f'data-county="{school.county_id}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells == ["0", "0", "1", "1", "0", "100.0%"]
    assert 'id="teachers-national"' in html
