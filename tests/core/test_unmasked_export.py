"""Exports are masked; a user with the reveal right may ask for the ID numbers in full (issue 11,
point 11): a POST to the export (never a link), refused to anyone else, audited as a reveal — at
once or as a job."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core import idnumbers
from core.jobs import JobRun, JobStatus
from core.models import AuditAction, AuditEvent
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def id_cells(content: bytes) -> list[str]:
    sheet = load_workbook(BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("身份证号")
    return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def students(school, other_school):
    mine = StudentFactory(school=school, name="本县学生")
    StudentFactory(school=other_school, name="外县学生")
    return mine


def test_a_reviewer_exports_the_id_numbers_in_full_and_it_is_audited_as_a_reveal(
    county_reviewer, students
):
    client = signed_in(county_reviewer)
    page = client.get(reverse("student-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="export-unmasked"' in page and "导出（含完整身份证号）" in page
    masked = client.get(reverse("student-export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert id_cells(masked.content) == [idnumbers.mask(students.id_number)]
    assert AuditEvent.objects.get().action == AuditAction.EXPORT

    full = client.post(reverse("student-export") + "?name=本县", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert full.status_code == 200 and full["Cache-Control"] == "no-store"
    assert id_cells(full.content) == [students.id_number]  # the county's row only, in full
    event = AuditEvent.objects.filter(action=AuditAction.REVEAL).get()
    assert event.actor == county_reviewer and event.ledger == "core.student"
    assert event.changes["rows"] == 1 and event.changes["id_numbers"] == "full"
    assert "name=" in event.note


def test_an_officer_without_the_reveal_right_is_refused_and_nothing_is_written(
    county_user, students
):
    client = signed_in(county_user)
    page = client.get(reverse("student-list")).content.decode()
    assert 'id="export-unmasked"' not in page and 'id="export-link"' in page
    refused = client.post(reverse("student-export"))
    assert refused.status_code == 403
    assert not AuditEvent.objects.exists() and not JobRun.objects.exists()


def test_a_big_unmasked_export_runs_as_a_job_with_the_numbers_in_full(
    county_reviewer, students, school, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_MAX_ROWS_INLINE = 1
    second = StudentFactory(school=school, name="本县学生二")
    client = signed_in(county_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("student-export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    download = client.get(reverse("job-download", args=[job.pk]))
    cells = id_cells(b"".join(download.streaming_content))
    assert sorted(cells) == sorted([students.id_number, second.id_number])
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, changes__rows=2).exists()
    assert str(students.id_number) not in job.params.get("query", "")  # never in the job's URL


def test_a_check_list_export_may_be_unmasked_too(county_reviewer, county_user, students):
    from core.checklists import all_checks

    check = next(iter(all_checks()))
    url = reverse(f"{check.url_name}-export")
    assert signed_in(county_user).post(url).status_code == 403
    assert signed_in(county_reviewer).post(url).status_code in (200, 302)
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=county_reviewer).exists()
