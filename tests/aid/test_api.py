"""The aid API: the summary (scoped, filtered, amounts as strings), programmes and standards
(everyone reads, city administrators write, audited), and the ledgers under /api/v1/aid/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from aid.models import AidStandard
from core.models import AuditAction, AuditEvent
from tests.aid.factories import DisbursementFactory, OutOfAreaStudentFactory

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/aid/summary/"


def client_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def paid(programmes, school, other_school):
    DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="500.00")
    DisbursementFactory(
        school=school, programme=programmes["YW-JS-XX"], amount="500.00", category="dibao"
    )
    DisbursementFactory(school=other_school, programme=programmes["GZ-ZXJ"], amount="1000.00")
    DisbursementFactory(
        school=school, programme=programmes["YW-JS-XX"], amount="400.00", school_year=2022
    )


def test_summary_keys_and_scope(county_user, paid, county, other_county):
    data = client_for(county_user).get(SUMMARY).json()
    for key in (
        "total_amount",
        "person_times",
        "formerly_poor",
        "gap_count",
        "below_standard_count",
        "duplicate_count",
        "out_of_area",
        "counties",
    ):
        assert key in data
    assert data["school_year"] == 2023
    assert data["total_amount"] == "1000.00" and data["person_times"] == 2
    assert data["formerly_poor"] == {"amount": "500.00", "amount_wan": "0.05", "person_times": 1}
    assert [c["name"] for c in data["counties"]] == [county.name]
    assert set(data["out_of_area"]) >= {"total", "verified", "receiving", "at_standard"}

    # Another county's id never widens anything: zeros.
    other = client_for(county_user).get(SUMMARY, {"county": other_county.pk}).json()
    assert other["total_amount"] == "0.00" and other["counties"] == []


def test_summary_filters(city_user, paid, county, other_county):
    api = client_for(city_user)
    assert api.get(SUMMARY).json()["total_amount"] == "2000.00"
    assert api.get(SUMMARY, {"county": other_county.pk}).json()["total_amount"] == "1000.00"
    assert api.get(SUMMARY, {"school_year": 2022}).json()["total_amount"] == "400.00"
    data = api.get(SUMMARY, {"category": "formerly_poor"}).json()
    assert data["total_amount"] == "1500.00" and data["person_times"] == 2
    assert api.get(SUMMARY, {"category": "nonsense"}).status_code == 400
    assert APIClient().get(SUMMARY).status_code in (401, 403)


def test_summary_counts_the_checks(city_user, programmes, school, other_school):
    short = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="450")
    DisbursementFactory(
        school=other_school, programme=programmes["YW-FJS-XX"], id_number=short.id_number,
        amount="250",
    )  # fmt: skip
    OutOfAreaStudentFactory(county=school.county)
    data = client_for(city_user).get(SUMMARY).json()
    assert data["below_standard_count"] == 1 and data["duplicate_count"] == 2
    assert data["out_of_area"]["total"] == 1 and data["out_of_area"]["verified"] == 0


def test_programmes_read_by_all_written_by_city_admins(county_user, city_admin, programmes):
    county = client_for(county_user)
    listed = county.get("/api/v1/aid/programmes/").json()
    assert listed["count"] == len(programmes)
    response = county.post("/api/v1/aid/programmes/", {"name": "x", "code": "x", "stage": "senior"})
    assert response.status_code == 403

    admin = client_for(city_admin)
    response = admin.post(
        "/api/v1/aid/programmes/",
        {"name": "普通高中免学杂费", "code": "GZ-MXZF", "stage": "senior", "boarding": "any"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    standard = AidStandard.objects.filter(programme=programmes["GZ-ZXJ"], term="autumn").get()
    response = admin.patch(
        f"/api/v1/aid/standards/{standard.pk}/", {"amount": "1100.00"}, format="json"
    )
    assert response.status_code == 200 and response.json()["amount"] == "1100.00"
    standard.refresh_from_db()
    assert standard.amount == Decimal("1100.00")
    assert AuditEvent.objects.filter(ledger="aid.aidprogramme", action=AuditAction.CREATE).exists()
    event = AuditEvent.objects.get(ledger="aid.aidstandard", action=AuditAction.UPDATE)
    assert event.changes == {"amount": ["1000.00", "1100.00"]} and event.actor == city_admin
    assert county.patch(f"/api/v1/aid/standards/{standard.pk}/", {"amount": "1"}).status_code == 403


def test_ledger_api_filters_and_masks(county_user, paid):
    api = client_for(county_user)
    data = api.get("/api/v1/aid/disbursements/", {"category": "dibao"}).json()
    assert data["count"] == 1 and data["results"][0]["amount"] == "500.00"
    assert "*" in data["results"][0]["id_number"]
    assert api.get("/api/v1/aid/disbursements/", {"school_year": 2022}).json()["count"] == 1
    assert api.get("/api/v1/aid/disbursements/").json()["count"] == 3
