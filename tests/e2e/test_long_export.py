"""A county officer exports more rows than the inline limit in a real browser: the job page
comes back at once, before the export is written; its bar is seen moving as the real Celery
worker writes the rows; then the download, with every row and ID numbers masked."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from openpyxl import load_workbook

from core import idnumbers
from core.jobs import JobRun, JobStatus
from core.models import Student
from tests.e2e.test_import_export import Watch
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROWS = 8000  # seconds of writing on the worker, even on a quiet machine: the bar polls every 1 s
BORN = dt.date(2014, 3, 1)


def students(school, count: int) -> list[Student]:
    rows = []
    for n in range(count):
        born = BORN + dt.timedelta(days=n // 500)
        number = idnumbers.make(school.county.code, born, n % 500 + 1)
        rows.append(
            Student(
                county=school.county,
                school=school,
                name=f"导出学生{n:04d}",
                id_number=number,
                gender=idnumbers.gender(number),
                birth_date=born,
                grade=4,
            )
        )
    return Student.objects.bulk_create(rows)


def test_a_big_export_answers_at_once_and_its_bar_moves(
    live_server, page, screenshots, tmp_path, settings, county_user, school, celery_worker
):
    settings.EXPORT_MAX_ROWS_INLINE = 100  # the live server reads it per request
    numbers = {s.id_number for s in students(school, ROWS)}
    origin = live_server.url
    watch = Watch(page, origin)
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")
    page.goto(origin + "/students/")

    started = time.monotonic()
    page.locator("#export-link").click()
    page.wait_for_url(re.compile(re.escape(origin) + r"/jobs/\d+/$"))
    answered = time.monotonic() - started
    job = JobRun.objects.get()
    first = page.locator("#job-progress").get_attribute("data-status")
    assert first in (JobStatus.QUEUED, JobStatus.RUNNING), first  # the page came before the file
    assert answered < 5, f"the export page took {answered:.1f} s"
    page.screenshot(path=screenshots / "70-export-job-started.png", full_page=True)

    # Watch the bar while the worker writes: it shows values between 0 and 100 % on the way.
    seen, messages = [], set()
    deadline = time.monotonic() + 300  # a loaded machine writes 20,010 rows slowly
    while time.monotonic() < deadline:
        box = page.locator("#job-progress")
        status = box.get_attribute("data-status")
        seen.append(int(box.locator("[role=progressbar]").get_attribute("aria-valuenow")))
        if page.locator("#job-message").count():
            messages.add(page.locator("#job-message").inner_text().strip())
        if status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            break
        if 0 < seen[-1] < 100 and not any(0 < value < 100 for value in seen[:-1]):
            page.screenshot(path=screenshots / "71-export-job-progress.png", full_page=True)
        page.wait_for_timeout(150)
    assert status == JobStatus.SUCCEEDED, JobRun.objects.get(pk=job.pk).error
    moving = sorted({value for value in seen if 0 < value < 100})
    assert len(moving) >= 2, f"the bar showed only {sorted(set(seen))}"
    assert seen == sorted(seen)  # it never goes back
    assert any(re.fullmatch(rf"已写入 \d+ / {ROWS} 行", message) for message in messages), messages

    # Finished: polling stops, the bar is full and the file is offered.
    bar = page.locator("#job-progress [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "100"
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    page.screenshot(path=screenshots / "72-export-job-done.png", full_page=True)
    with page.expect_download() as download:
        page.locator("#job-download").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header, body = rows[0], rows[1:]
    assert len(body) == ROWS
    id_at = header.index("身份证号")
    assert {row[id_at] for row in body} == {idnumbers.mask(number) for number in numbers}
    assert watch.off_site() == [] and watch.failures == {} and watch.errors == []
