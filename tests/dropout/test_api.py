"""The API of dropout control: the summary, starting a round, and working a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dropout.models import CaseStatus, DropoutCase, ScreeningRound
from tests.dropout.factories import run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory

pytestmark = pytest.mark.django_db

KEYS = {
    "rounds",
    "person_times",
    "suspected_open",
    "cases_open",
    "cases_overdue",
    "dropout_rate",
    "consolidation_rate",
    "counties",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def roster(county, township, other_township):
    mine = RosterVersionFactory(county=county)
    RosterChildFactory(roster_version=mine, township=township, name="海林失学")
    theirs = RosterVersionFactory(county=other_township.county)
    RosterChildFactory(roster_version=theirs, township=other_township, name="东宁失学")
    return mine


def test_summary_is_scoped(city_admin, county_user, roster, county, other_county):
    run_round(city_admin)
    city = api(city_admin).get("/api/v1/dropout/summary/").json()
    assert set(city) >= KEYS
    assert (city["rounds"], city["person_times"], city["suspected_open"]) == (1, 2, 2)
    assert (city["cases_open"], city["school_year"]) == (2, 2023)
    assert {c["code"] for c in city["counties"]} == {"231083", "231086"}

    mine = api(county_user).get("/api/v1/dropout/summary/").json()
    assert (mine["person_times"], mine["cases_open"]) == (1, 1)
    assert [c["code"] for c in mine["counties"]] == ["231083"]
    assert mine["counties"][0]["suspected_open"] == 1

    one = api(city_admin).get("/api/v1/dropout/summary/", {"county": "231086"}).json()
    assert [c["code"] for c in one["counties"]] == ["231086"] and one["person_times"] == 1
    by_id = api(city_admin).get("/api/v1/dropout/summary/", {"county": other_county.pk}).json()
    assert by_id["person_times"] == 1
    refused = api(county_user).get("/api/v1/dropout/summary/", {"county": "231086"})
    assert refused.status_code == 404
    other_year = api(city_admin).get("/api/v1/dropout/summary/", {"school_year": 2022}).json()
    assert (other_year["rounds"], other_year["person_times"]) == (0, 0)
    assert api(city_admin).get("/api/v1/dropout/summary/", {"school_year": "x"}).status_code == 400
    assert APIClient().get("/api/v1/dropout/summary/").status_code in (401, 403)


def test_a_city_admin_starts_a_round_through_the_api(
    city_admin, county_user, roster, county, django_capture_on_commit_callbacks, jobs_in_process
):
    refused = api(county_user).post(
        "/api/v1/dropout/rounds/", {"name": "x", "school_year": 2023}, format="json"
    )
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api(city_admin).post(
            "/api/v1/dropout/rounds/",
            {"name": "接口排查", "school_year": 2023, "counties": [county.pk],
             "screening_date": "2023-09-15"},
            format="json",
        )  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    screening_round = ScreeningRound.objects.get()
    # The job through the API (what a token opens), and apart from it the job's page.
    job = screening_round.job_id
    assert body["job_url"] == f"http://testserver/api/v1/jobs/{job}/"
    assert body["job_page_url"] == "http://testserver" + reverse("job-detail", args=[job])
    assert api(city_admin).get(body["job_url"]).json()["status"] == "succeeded"
    assert screening_round.status == "finished"
    detail = api(county_user).get(f"/api/v1/dropout/rounds/{screening_round.pk}/").json()
    assert detail["person_times"] == 1 and detail["status"] == "finished"
    bad = api(city_admin).post("/api/v1/dropout/rounds/", {"school_year": 2023}, format="json")
    assert bad.status_code == 400


def test_results_are_filtered_like_the_page(city_admin, county_user, roster):
    screening_round = run_round(city_admin)
    rows = api(county_user).get(
        "/api/v1/dropout/results/", {"round": screening_round.pk, "classification": "suspected"}
    )
    body = rows.json()
    assert body["count"] == 1 and body["results"][0]["name"] == "海林失学"
    assert "*" in body["results"][0]["id_number"]  # masked


def test_a_case_is_worked_through_the_api(
    city_admin, county_user, county_reviewer, roster, school, other_county_user
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = DropoutCase.objects.get(name="海林失学")
    base = f"/api/v1/dropout/cases/{case.pk}"
    assert api(other_county_user).get(f"{base}/").status_code == 404
    assert (
        api(other_county_user)
        .post(f"{base}/actions/", {"date": "2023-09-16", "kind": "other", "note": "x"})
        .status_code
        == 404
    )
    made = api(county_user).post(
        f"{base}/actions/", {"date": "2023-09-16", "kind": "phone_call", "note": "电话联系家长"}
    )
    assert made.status_code == 201 and made.json()["kind"] == "phone_call"
    bad = api(county_user).post(f"{base}/resolve/", {"outcome": "returned"}, format="json")
    assert bad.status_code == 400 and "return_school" in bad.json()
    resolved = api(county_user).post(
        f"{base}/resolve/",
        {"outcome": "returned", "return_school": school.pk, "return_date": "2023-09-20"},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == CaseStatus.RESOLVED
    assert api(county_reviewer).post(f"{base}/close/").status_code == 400  # not confirmed yet
    StudentFactory(school=school, id_number=case.id_number, name=case.name)
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    assert api(county_user).post(f"{base}/close/").status_code == 403
    closed = api(county_reviewer).post(f"{base}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == CaseStatus.CLOSED
    assert api(county_user).patch(f"{base}/", {"status": "open"}).status_code == 405


def test_ledgers_are_all_under_the_dropout_prefix(county_user):
    for prefix in (
        "rounds", "results", "cases", "case-actions", "out-of-city", "exemptions",
        "responsibility", "grade6-checks", "cohort-baselines",
    ):  # fmt: skip
        assert api(county_user).get(f"/api/v1/dropout/{prefix}/").status_code == 200, prefix


def test_a_case_opened_by_hand_is_closed_through_the_api_with_what_was_checked(
    county_user, county_reviewer, township
):
    from tests.factories import id_for

    opened = api(county_user).post(
        "/api/v1/dropout/cases/",
        {"id_number": id_for("231083", dt.date(2012, 2, 2)), "name": "村里报告",
         "township": township.pk},
        format="json",
    )  # fmt: skip
    assert opened.status_code == 201, opened.content
    base = f"/api/v1/dropout/cases/{opened.json()['id']}"
    resolved = api(county_user).post(f"{base}/resolve/", {"outcome": "moved_away"}, format="json")
    assert resolved.status_code == 200
    refused = api(county_reviewer).post(f"{base}/close/", {"close_note": ""}, format="json")
    assert refused.status_code == 400 and "close_note" in refused.json()
    assert DropoutCase.objects.get().status == CaseStatus.RESOLVED
    closed = api(county_reviewer).post(
        f"{base}/close/", {"close_note": "派出所证明已随父母迁往外省。"}, format="json"
    )
    assert closed.status_code == 200
    body = closed.json()
    assert body["status"] == CaseStatus.CLOSED
    assert body["close_note"] == "派出所证明已随父母迁往外省。"
