"""An API client with a token follows every link the import API gives: the run, its preview, the
error workbook and the job are API resources (JSON, or a file through the API), not pages that
need a browser session; the pages' links are kept under names that say so."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from knox.models import AuthToken
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core import idnumbers
from core.importing.models import ImportRun
from core.jobs import JobRun, JobStatus
from core.models import AuditAction, AuditEvent
from tests.core.import_files import REGISTRY_HEADER, registry_row, registry_rows, upload, xlsx

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def token_client(user) -> APIClient:
    """Signed in as an API client is: a knox token, no session."""
    _token, key = AuthToken.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_an_api_client_follows_the_runs_preview_and_error_workbook_links(
    county_user, school, other_school
):
    api = token_client(county_user)
    rows = [*registry_rows(school, 2), registry_row(other_school, 9)]
    bad_number = rows[2][1]
    answer = api.post(
        "/api/v1/imports/", {"ledger": "students", "file": upload(xlsx([REGISTRY_HEADER, *rows]))}
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    run = ImportRun.objects.get(pk=body["id"])
    api_run = f"http://testserver/api/v1/imports/{run.pk}/"
    assert body["url"] == body["preview_url"] == api_run
    assert body["confirm_url"] == api_run + "confirm/"
    assert body["errors_url"] == api_run + "errors/"
    # The pages, for a person in a browser, under names that say so.
    assert body["preview_page_url"] == "http://testserver" + reverse(
        "student-import-preview", args=[run.pk]
    )
    assert body["errors_page_url"] == "http://testserver" + reverse(
        "student-import-errors", args=[run.pk]
    )
    assert body["job_url"] is None and body["job_page_url"] is None

    # The preview is JSON the token opens …
    preview = api.get(body["preview_url"])
    assert preview.status_code == 200 and preview["Content-Type"] == "application/json"
    assert preview.json()["counts"]["errors"] == 1
    # … and so is the error workbook: every row, an error column, the ID numbers masked.
    workbook = api.get(body["errors_url"])
    assert workbook.status_code == 200 and workbook["Content-Type"] == XLSX
    assert "attachment" in workbook["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "学生0" in text and "学生1" in text and "学生9" in text
    assert idnumbers.mask(bad_number) in text and bad_number not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == county_user and event.changes["import_run"] == run.pk
    # The page link is what the token could not open: it answers with the log-in page.
    assert api.get(body["errors_page_url"]).status_code == 302


def test_the_error_workbook_through_the_api_is_the_callers_only(
    county_user, other_county_user, school, other_school
):
    api = token_client(county_user)
    rows = [registry_row(school, 1), registry_row(other_school, 2)]
    body = api.post(
        "/api/v1/imports/", {"ledger": "students", "file": upload(xlsx([REGISTRY_HEADER, *rows]))}
    ).json()
    other = token_client(other_county_user)
    answer = other.get(body["errors_url"])
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # A run without errors has no workbook: no link, and the endpoint says 404.
    clean = api.post(
        "/api/v1/imports/",
        {"ledger": "students", "file": upload(xlsx([REGISTRY_HEADER, registry_row(school, 3)]))},
    ).json()
    assert clean["errors_url"] is None
    assert api.get(f"/api/v1/imports/{clean['id']}/errors/").status_code == 404


def test_a_job_is_an_api_resource_with_its_file(county_user, other_county_user, media_root):
    folder = media_root / "jobs"
    folder.mkdir(parents=True)
    (folder / "job-x.xlsx").write_bytes(b"PK-the-export")
    job = JobRun.objects.create(
        kind="ledger_export",
        title="学籍导出",
        actor=county_user,
        county=county_user.scope,
        status=JobStatus.SUCCEEDED,
        progress=100,
        result_file="jobs/job-x.xlsx",
        result={"download_name": "学籍.xlsx"},
    )
    api = token_client(county_user)
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded" and body["progress"] == 100
    assert body["url"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    assert body["download_url"] == f"http://testserver/api/v1/jobs/{job.pk}/download/"
    assert body["page_url"] == "http://testserver" + reverse("job-detail", args=[job.pk])
    download = api.get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"PK-the-export"
    assert "attachment" in download["Content-Disposition"]
    # Another county's user: no job, no file.
    other = token_client(other_county_user)
    assert other.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404
    # A job still running has no file yet.
    running = JobRun.objects.create(
        kind="ledger_export", title="进行中", actor=county_user, status=JobStatus.RUNNING
    )
    assert api.get(f"/api/v1/jobs/{running.pk}/").json()["download_url"] is None
    assert api.get(f"/api/v1/jobs/{running.pk}/download/").status_code == 404


def test_an_import_run_checked_as_a_job_links_the_jobs_api_resource(county_user, school):
    api = token_client(county_user)
    body = api.post(
        "/api/v1/imports/",
        {"ledger": "students", "file": upload(xlsx([REGISTRY_HEADER, registry_row(school, 1)]))},
    ).json()
    run = ImportRun.objects.get(pk=body["id"])
    run.job = JobRun.objects.create(
        kind="import_preview", title="检查", actor=county_user, status=JobStatus.QUEUED
    )
    run.save(update_fields=["job"])
    body = api.get(body["url"]).json()
    assert body["job_url"] == f"http://testserver/api/v1/jobs/{run.job_id}/"
    assert body["job_page_url"] == "http://testserver" + reverse("job-detail", args=[run.job_id])
    assert api.get(body["job_url"]).json()["status"] == "queued"
