"""The report pages and /api/v1/reports/submissions/: the journey, each button shown to exactly
whoever may press it, refusals in Chinese that change nothing, and the scoping of every door
(a county user reaches nothing of another county's report)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.reporting import services
from core.reporting.models import State, Submission, SubmissionEvent
from core.reporting.types import WEEKLY
from core.scoping import Role
from tests.aid.factories import OutOfAreaStudentFactory
from tests.core.test_reporting import WEEK, at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TYPE_URL = reverse("report-type", args=["weekly"])
PREPARE_URL = reverse("report-prepare", args=["weekly", WEEK.key])
MATRIX_URL = reverse("report-matrix", args=["weekly"])
EXTEND_URL = reverse("report-extend", args=["weekly"])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def action_url(report, action):
    return reverse("report-submission-action", args=[report.pk, action])


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def state_of(report) -> tuple:
    report.refresh_from_db()
    return report.state, report.version, SubmissionEvent.objects.count()


@pytest.fixture
def other_reviewer(other_county):
    return UserFactory(username="dongning-reviewer", role=Role.COUNTY_REVIEWER, scope=other_county)


def make_report(officer, county, **notes):
    return services.submission_prepare(
        actor=officer, report_type=WEEKLY, county=county, period=WEEK, notes=notes, at=at(7, 9)
    )


def test_the_journey_through_the_pages(county, county_user, county_reviewer, city_user, clock):
    clock(at(8, 10))  # Friday of week 36, before 17:00
    OutOfAreaStudentFactory(county=county, verified_on=None)
    officer, reviewer, city = (
        signed_in(county_user),
        signed_in(county_reviewer),
        signed_in(city_user),
    )

    listing = page(officer, TYPE_URL)
    assert f'href="{PREPARE_URL}"' in listing and "填报本期报告" in listing
    assert f'href="{PREPARE_URL}"' not in page(city, TYPE_URL)  # the city prepares nothing
    form = page(officer, PREPARE_URL)
    assert "学生资助" in form and "外地就读未核实" in form
    response = officer.post(
        PREPARE_URL, {"progress": "完成入户核查12户", "problems": "", "version": ""}
    )
    report = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()

    detail = report.get_absolute_url()
    assert action_url(report, "submit") not in page(officer, detail)  # an officer does not submit
    shown = page(reviewer, detail)
    assert action_url(report, "submit") in shown and "完成入户核查12户" in shown
    reviewer.post(action_url(report, "submit"), {"version": report.version})
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert report.snapshot["sections"]["aid"]["out_of_area_not_verified"] == 1

    shown = page(city, detail)
    assert action_url(report, "approve") in shown and action_url(report, "return") in shown
    assert action_url(report, "approve") not in page(reviewer, detail)

    # Returning without any reason: refused on the page, what was typed is kept, nothing changes.
    before = state_of(report)
    response = city.post(action_url(report, "return"), {"version": report.version, "reason": ""})
    assert response.status_code == 200
    assert "请说明退回的原因" in response.content.decode()
    assert state_of(report) == before

    field = "comment__aid__out_of_area_not_verified"
    city.post(
        action_url(report, "return"), {"version": report.version, field: "外地就读人数请核对"}
    )
    report.refresh_from_db()
    assert report.state == State.RETURNED
    shown = page(officer, detail)
    assert "外地就读人数请核对" in shown and 'id="returned-reason"' in shown
    # On top and in the history, the comment names its figure as the report does.
    assert shown.count("学生资助 · 外地就读未核实：外地就读人数请核对") == 2
    assert "外地就读人数请核对" in page(officer, PREPARE_URL)  # beside the figure while correcting

    officer.post(PREPARE_URL, {"progress": "已核对外地就读学生", "version": report.version})
    report.refresh_from_db()
    reviewer.post(action_url(report, "submit"), {"version": report.version})
    report.refresh_from_db()
    city.post(action_url(report, "approve"), {"version": report.version})
    report.refresh_from_db()
    assert report.state == State.APPROVED and report.notes["progress"] == "已核对外地就读学生"

    matrix = page(city, MATRIX_URL)
    assert 'data-period="2023-W36" data-state="approved"' in matrix and "按时" in matrix

    # A row changes after approval: the page says so, and the city may ask for resubmission.
    OutOfAreaStudentFactory(county=county, verified_on=None)
    shown = page(city, detail)
    assert 'id="changed-since-approval"' in shown and action_url(report, "reopen") in shown
    assert 'id="changed-since-approval"' in page(officer, detail)
    assert action_url(report, "reopen") not in page(officer, detail)


def test_a_stale_page_is_refused_and_changes_nothing(
    county, county_user, county_reviewer, city, clock
):
    staff = [UserFactory(username=f"city-{n}", role=Role.CITY_STAFF, scope=city) for n in (1, 2)]
    report = make_report(county_user, county)
    report = services.submission_submit(
        actor=county_reviewer, submission=report, version=report.version, at=at(8, 10)
    )
    read = report.version  # both see the submitted report
    first, second = signed_in(staff[0]), signed_in(staff[1])
    first.post(action_url(report, "approve"), {"version": read})
    before = state_of(report)
    response = second.post(
        action_url(report, "return"), {"version": read, "reason": "请补充"}, follow=True
    )
    assert "在您查看期间，该报告已被" in response.content.decode()
    assert state_of(report) == before and report.state == State.APPROVED


def test_refusals_through_the_api(county, county_user, county_reviewer, city_user, clock):
    api = api_as(county_user)
    response = api.post(
        "/api/v1/reports/submissions/",
        {"report_type": "weekly", "period": WEEK.key, "notes": {"progress": "接口填报"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    report = Submission.objects.get()
    url = f"/api/v1/reports/submissions/{report.pk}/"
    # Approving a draft: 409; an officer submitting: 403; nothing changes.
    before = state_of(report)
    response = api_as(city_user).post(url + "approve/", {"version": report.version}, format="json")
    assert response.status_code == 409 and "草稿" in response.json()["detail"]
    response = api.post(url + "submit/", {"version": report.version}, format="json")
    assert response.status_code == 403 and "审核员" in response.json()["detail"]
    assert state_of(report) == before
    response = api_as(county_reviewer).post(
        url + "submit/", {"version": report.version}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    version = response.json()["version"]
    # Returning without a reason: 400; with a comment on a figure: returned, and it is listed.
    city = api_as(city_user)
    response = city.post(url + "return/", {"version": version, "reason": ""}, format="json")
    assert response.status_code == 400 and "原因" in str(response.json())
    response = city.post(url + "approve/", {"version": version - 1}, format="json")
    assert response.status_code == 409 and response.json()["version"] == version
    response = city.post(
        url + "return/",
        {
            "version": version,
            "comments": [{"section": "dropout", "figure": "cases_open", "text": "请核对"}],
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["events"][0]["comments"] == [
        {"section": "dropout", "figure": "cases_open", "text": "请核对"}
    ]
    listed = city.get("/api/v1/reports/submissions/", {"state": "returned", "period": WEEK.key})
    assert [row["id"] for row in listed.json()["results"]] == [report.pk]
    assert city.get("/api/v1/reports/submissions/", {"state": "approved"}).json()["results"] == []


def listed(api, **filters) -> list[tuple[str, str, str]]:
    response = api.get("/api/v1/reports/submissions/", filters)
    assert response.status_code == 200, response.content
    return [
        (row["county_name"], row["period_key"], row["state"]) for row in response.json()["results"]
    ]


def test_the_api_filters_and_actions_for_the_city(
    county,
    other_county,
    county_user,
    county_reviewer,
    other_county_user,
    other_reviewer,
    city_user,
    clock,
):
    clock(at(20, 9))  # Wednesday of 2023-W38
    reports = {}
    for officer, reviewer, place in (
        (county_user, county_reviewer, county),
        (other_county_user, other_reviewer, other_county),
    ):
        for period in (WEEK, WEEK.next()):
            report = services.submission_prepare(
                actor=officer, report_type=WEEKLY, county=place, period=period
            )
            reports[place.name, period.key] = services.submission_submit(
                actor=reviewer, submission=report, version=report.version
            )
    api = api_as(city_user)
    url = "/api/v1/reports/submissions/{}/{}/"
    # Approve one, return one with a reason only (no comment on a figure), both through the API.
    first = reports["海林市", "2023-W36"]
    response = api.post(url.format(first.pk, "approve"), {"version": first.version}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    other = reports["东宁市", "2023-W37"]
    response = api.post(
        url.format(other.pk, "return"),
        {"version": other.version, "reason": "请补充问题和下一步"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["events"][0]["comment"] == "请补充问题和下一步"
    # Reopen the approved one (a reason is required), then it is back with the county.
    first.refresh_from_db()
    response = api.post(url.format(first.pk, "reopen"), {"version": first.version}, format="json")
    assert response.status_code == 400 and "原因" in str(response.json())
    response = api.post(
        url.format(first.pk, "reopen"),
        {"version": first.version, "reason": "台账已更新，请重新报送"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"

    assert len(listed(api)) == 4
    assert listed(api, report_type="weekly") == listed(api)
    assert listed(api, report_type="nonesuch") == []  # an unknown report: nothing, not all
    assert listed(api, county=county.pk) == [
        ("海林市", "2023-W37", "submitted"),
        ("海林市", "2023-W36", "returned"),
    ]
    assert listed(api, period="2023-W36") == [
        ("海林市", "2023-W36", "returned"),
        ("东宁市", "2023-W36", "submitted"),
    ]
    assert listed(api, state="returned", county=other_county.pk) == [
        ("东宁市", "2023-W37", "returned")
    ]
    # A county user's filters reach its own county only: the other's is no rows, not an error.
    mine = api_as(county_reviewer)
    assert listed(mine, state="submitted") == [("海林市", "2023-W37", "submitted")]
    assert listed(mine, county=other_county.pk, state="returned") == []


# --- Scoping: every door -------------------------------------------------------------------------


def test_another_countys_report_is_not_found_through_any_door(
    county, other_county, county_user, county_reviewer, other_county_user, other_reviewer, clock
):
    mine = make_report(county_user, county)
    theirs = make_report(other_county_user, other_county, progress="东宁市的进展")
    theirs = services.submission_submit(
        actor=other_reviewer, submission=theirs, version=theirs.version, at=at(8, 10)
    )
    me = signed_in(county_reviewer)
    assert me.get(theirs.get_absolute_url()).status_code == 404
    for action in ("submit", "approve", "return", "reopen"):
        before = state_of(theirs)
        response = me.post(action_url(theirs, action), {"version": theirs.version, "reason": "x"})
        assert response.status_code == 404
        assert state_of(theirs) == before
    # The same request on its own report works (the test can fail).
    me.post(action_url(mine, "submit"), {"version": mine.version})
    mine.refresh_from_db()
    assert mine.state == State.SUBMITTED

    listing = page(me, TYPE_URL)
    assert other_county.name not in listing and county.name in listing
    matrix = page(me, MATRIX_URL)  # neither its row nor its place among the not submitted
    assert f'data-county="{other_county.code}"' not in matrix and other_county.name not in matrix
    assert f'data-county="{county.code}"' in matrix
    # Preparing is always one's own county's: the page shows nothing of theirs, and a county
    # named in the API's body is not listened to.
    assert "东宁市的进展" not in page(me, PREPARE_URL)
    assert page(signed_in(other_reviewer), PREPARE_URL).count("东宁市的进展") == 1
    # Their report waits for the city: no to-do item of mine counts it.
    from core.todo import items_for

    assert not [item for item in items_for(county_reviewer) if "待审核" in item.title]

    api = api_as(county_reviewer)
    listed = api.get("/api/v1/reports/submissions/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert (
        api.get("/api/v1/reports/submissions/", {"county": other_county.pk}).json()["results"] == []
    )
    url = f"/api/v1/reports/submissions/{theirs.pk}/"
    assert api.get(url).status_code == 404
    response = api_as(county_user).post(
        "/api/v1/reports/submissions/",
        {
            "report_type": "weekly",
            "period": WEEK.next().key,
            "county": other_county.pk,
            "notes": {"progress": "写给东宁市的"},
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["county"] == county.pk
    assert not Submission.objects.filter(county=other_county, period_key=WEEK.next().key).exists()
    for action in ("submit", "approve", "return", "reopen"):
        before = state_of(theirs)
        assert (
            api.post(url + f"{action}/", {"version": theirs.version}, format="json").status_code
            == 404
        )
        assert state_of(theirs) == before


def test_a_school_officer_sees_no_county_report(county, county_user, school_user, clock):
    report = make_report(county_user, county)
    school = signed_in(school_user)
    assert school.get(report.get_absolute_url()).status_code == 404
    assert school.get(PREPARE_URL).status_code == 403
    assert county.name not in page(school, TYPE_URL).split('id="submission-table"')[-1]
    assert api_as(school_user).get("/api/v1/reports/submissions/").json()["results"] == []
    assert 'id="nav-report-weekly"' not in page(school, reverse("home"))
    assert 'id="nav-report-weekly"' in page(signed_in(county_user), reverse("home"))


def test_only_a_city_admin_extends_a_deadline(county, county_user, city_user, city_admin, clock):
    data = {
        "county": county.pk,
        "period": WEEK.key,
        "due_at": "2023-09-11T17:00",
        "reason": "台风停电",
    }
    for user in (county_user, city_user):
        client = signed_in(user)
        assert EXTEND_URL not in page(client, MATRIX_URL)
        assert client.get(EXTEND_URL).status_code == 403
        assert client.post(EXTEND_URL, data).status_code == 403
    admin = signed_in(city_admin)
    assert f'href="{EXTEND_URL}"' in page(admin, MATRIX_URL)
    response = admin.post(EXTEND_URL, {**data, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not AuditEvent.objects.filter(ledger="core.deadlineextension").exists()
    response = admin.post(EXTEND_URL, data)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(ledger="core.deadlineextension", note="台风停电").exists()
    matrix = page(admin, f"{MATRIX_URL}?first=2023-09-04&last=2023-09-04")
    assert 'data-period="2023-W36"' in matrix and "已延期" in matrix


def test_the_index_and_a_bad_range(county_user, clock):
    client = signed_in(county_user)
    assert client.get(reverse("report-index"))["Location"] == TYPE_URL
    assert client.get(reverse("report-type", args=["nonesuch"])).status_code == 404
    shown = page(client, f"{MATRIX_URL}?first=2023-10-01&last=2023-09-01")
    assert "起始日期晚于截止日期" in shown
