"""The area's own pages and API views reach nothing of another county (the generic ledger doors
are tests/core/test_scoping.py's): each test shows the other county's rows are not shown or not
changed, and that the same request works on the user's own rows (the test can fail).
tests/core/test_scoping_endpoints.py names these tests in ELSEWHERE."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from rest_framework.test import APIClient

from core.models import AuditEvent
from facilities.models import FundingNote, FundingRate, Rectification, ToiletFinding
from tests.facilities.factories import (
    FundingAllocationFactory,
    FundingRateFactory,
    ImprovementProjectFactory,
    RectificationFactory,
    ToiletInspectionFactory,
)
from tests.factories import SchoolEnrolmentFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def rows(*models) -> dict:
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def photo(name="after.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def both(school, other_school, township, other_township):
    """In each county: a central kindergarten, an enrolment under-funded by its allocation, a
    project, an open rectification; the city's quotas."""
    FundingRateFactory()
    made = {}
    for place, town in ((school, township), (other_school, other_township)):
        SchoolFactory(
            township=town,
            kind="kindergarten",
            is_central_kindergarten=True,
            name=f"{town.name}中心幼儿园",
        )
        SchoolEnrolmentFactory(school=place, school_year=2023, enrolment=150, boarders=0)
        FundingAllocationFactory(school=place, school_year=2023, amount=Decimal("1000.00"))
        ImprovementProjectFactory(school=place, name=f"{place.name}宿舍项目")
        made[place.county_id] = RectificationFactory(
            finding__inspection=ToiletInspectionFactory(school=place),
            responsible_unit=f"{place.name}后勤",
        )
    return made


READ_PAGES = [
    "facilities-dashboard",
    "facilities-network",
    "facilities-coverage",
    "facilities-funding",
    "facilities-underfunded",
    "facilities-maintenance-gaps",
]


@pytest.mark.parametrize("name", READ_PAGES)
def test_pages_show_a_county_only_itself(
    name, both, county_user, city_user, school, other_school, other_township, other_county
):
    city_page = signed_in(city_user).get(reverse(name)).content.decode()
    theirs = (other_school.name, other_township.name, other_county.name)
    assert any(name in city_page for name in theirs)
    page = signed_in(county_user).get(reverse(name), {"county": other_county.pk})
    assert page.status_code in (200, 404)
    html = page.content.decode()
    assert not any(name in html for name in theirs)
    mine = signed_in(county_user).get(reverse(name)).content.decode()
    assert any(name in mine for name in (school.name, school.township.name, school.county.name))


EXPORTS = [
    "facilities-coverage-export",
    "facilities-funding-export",
    "facilities-underfunded-export",
    "facilities-maintenance-gaps-export",
]


def _cells(response) -> set[str]:
    book = load_workbook(io.BytesIO(response.content))
    return {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value}


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_hold_a_county_only_itself(
    name, both, county_user, city_user, other_school, other_township, school
):
    theirs = {other_school.name, other_township.name}
    assert theirs & _cells(signed_in(city_user).get(reverse(name)))
    cells = _cells(signed_in(county_user).get(reverse(name)))
    assert not theirs & cells
    assert {school.name, school.township.name} & cells


@pytest.mark.parametrize("name", ["facilities-api-summary", "facilities-api-funding"])
def test_summary_and_funding_api_answer_nothing_of_another_county(
    name, both, county_user, city_user, other_county
):
    url = reverse(name)
    nowhere = api_as(city_user).get(url, {"county": 987654, "year": 2023}).json()
    assert api_as(city_user).get(url, {"county": other_county.pk, "year": 2023}).json() != nowhere
    asked = api_as(county_user).get(url, {"county": other_county.pk, "year": 2023})
    assert asked.status_code == 200
    assert asked.json() == api_as(county_user).get(url, {"county": 987654, "year": 2023}).json()
    assert other_county.name not in asked.content.decode()


def test_a_reason_cannot_be_given_for_another_countys_school(
    both, county_user, school, other_school
):
    client = signed_in(county_user)
    before = rows(FundingNote, AuditEvent)
    theirs = {"school": other_school.pk, "school_year": 2023, "reason": "越权说明"}
    assert client.post(reverse("facilities-funding-note"), theirs).status_code == 404
    assert rows(FundingNote, AuditEvent) == before
    mine = {**theirs, "school": school.pk, "reason": "分批拨付"}
    assert client.post(reverse("facilities-funding-note"), mine).status_code == 302
    assert FundingNote.objects.get().school == school


def test_a_finding_cannot_be_recorded_on_another_countys_inspection(
    both, county_user, school, other_school
):
    client = signed_in(county_user)
    theirs = ToiletInspectionFactory(school=other_school)
    data = {
        "block": "东侧厕所",
        "toilet_type": "flush",
        "problem": "odour",
        "responsible_unit": "后勤处",
        "deadline": "2023-08-30",
    }
    before = rows(ToiletFinding, Rectification)
    url = reverse("facilities-finding-record", args=[theirs.pk])
    assert client.post(url, data).status_code == 404
    assert rows(ToiletFinding, Rectification) == before
    mine = ToiletInspectionFactory(school=school)
    response = client.post(reverse("facilities-finding-record", args=[mine.pk]), data)
    assert response.status_code == 302
    assert ToiletFinding.objects.filter(inspection=mine).count() == 1


def test_another_countys_rectification_cannot_be_moved(
    both, county_user, other_county, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    theirs = both[other_county.pk]
    before = rows(Rectification)
    page = reverse("facilities-rectification-step", args=[theirs.pk])
    data = {"step": "start", "measures": "维修"}
    assert signed_in(county_user).post(page, data).status_code == 404
    api = f"/api/v1/facilities/rectifications/{theirs.pk}/step/"
    assert api_as(county_user).post(api, data, format="json").status_code == 404
    assert rows(Rectification) == before
    mine = both[school.county_id]
    response = api_as(county_user).post(
        f"/api/v1/facilities/rectifications/{mine.pk}/step/", data, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rectifying"
    response = signed_in(county_user).post(
        reverse("facilities-rectification-step", args=[mine.pk]), {"step": "submit"}
    )
    assert response.status_code == 200  # refused: no after photo yet
    assert Rectification.objects.get(pk=mine.pk).status == "rectifying"


def test_quotas_are_read_by_everyone_and_changed_by_city_admins_only(
    county_user, city_admin, school_user
):
    rate = FundingRateFactory()
    for user in (county_user, school_user):
        client = signed_in(user)
        assert client.get(reverse("facilities-rates")).status_code == 200
        assert api_as(user).get("/api/v1/facilities/rates/").json()["results"][0]["primary"] == (
            "650.00"
        )
        assert api_as(user).get(f"/api/v1/facilities/rates/{rate.pk}/").status_code == 200
        data = {
            "effective_from": 2024,
            "primary": "700",
            "junior": "900",
            "boarder_supplement": "200",
        }
        assert client.get(reverse("facilities-rate-create")).status_code == 403
        assert client.post(reverse("facilities-rate-create"), data).status_code == 403
        url = reverse("facilities-rate-update", args=[rate.pk])
        assert client.post(url, {**data, "effective_from": 2016}).status_code == 403
        assert api_as(user).delete(f"/api/v1/facilities/rates/{rate.pk}/").status_code == 405
        assert api_as(user).post("/api/v1/facilities/rates/", data).status_code == 403
        assert api_as(user).put(f"/api/v1/facilities/rates/{rate.pk}/", data).status_code == 403
    assert list(FundingRate.objects.values_list("effective_from", "primary")) == [
        (2016, Decimal("650.00"))
    ]
    admin = signed_in(city_admin)
    data = {"effective_from": 2024, "primary": "700", "junior": "900", "boarder_supplement": "200"}
    assert admin.post(reverse("facilities-rate-create"), data).status_code == 302
    assert FundingRate.objects.count() == 2
