"""A county officer in a real browser imports the registry 学籍 through the pages — template
download, upload, the check run as a job with its progress bar, preview, the import run as a job —
then filters the student list and exports exactly the filtered rows, ID numbers masked. Every
request is served by the site itself and nothing complains in the console."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook

from core import idnumbers
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobRun, JobStatus
from core.models import Student
from tests.core.import_files import xlsx
from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = ["姓名", "身份证号", "性别", "出生日期", "学校标识码", "年级", "学籍状态"]
GRADES = {4: ("四年级", dt.date(2015, 3, 1)), 5: ("五年级", dt.date(2014, 3, 1))}
IMPORTED = 30  # above IMPORT_INLINE_MAX_ROWS (set to 5 below): checked and imported as jobs


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


def registry_sheet(school, count: int = IMPORTED) -> tuple[bytes, list[dict]]:
    """`count` valid students of `school`, half in grade 4 and half in grade 5, named 导入学生01…"""
    rows, students = [HEADER], []
    for n in range(1, count + 1):
        grade = 4 if n <= count // 2 else 5
        label, born = GRADES[grade]
        number = idnumbers.make(school.county.code, born + dt.timedelta(days=n), n)
        gender = "男" if idnumbers.gender(number) == "M" else "女"
        name = f"导入学生{n:02d}"
        rows.append([name, number, gender, "", school.code, label, "在读"])
        students.append({"name": name, "id_number": number, "grade": grade})
    return xlsx(rows), students


class Watch:
    """Everything the page asks for, gets back and complains about."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.requests: list[str] = []
        self.failures: dict[str, int] = {}
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("requestfailed", self._failed)

    def _response(self, response):
        if response.status >= 400:
            self.failures[response.url] = response.status

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} @ {message.location}")

    def _failed(self, request):
        # A link answered by an attachment ends its navigation as "aborted": that is the download.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} {request.failure}")

    def off_site(self) -> list[str]:
        return [
            url
            for url in self.requests
            if not url.startswith(self.origin + "/") and not url.startswith("data:")
        ]


def wait_for_job(page, origin: str, screenshot=None) -> JobRun:
    """On a job page: the progress bar reaches 100 % and the job succeeded."""
    page.wait_for_url(re.compile(re.escape(origin) + r"/jobs/\d+/$"))
    page.wait_for_selector('#job-progress[data-status="succeeded"]', timeout=30_000)
    bar = page.locator("#job-progress [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "100"
    assert "bg-success" in (bar.locator(".progress-bar").get_attribute("class") or "")
    assert page.locator("#job-status").inner_text().strip() == zh("Finished")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    job = JobRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert job.status == JobStatus.SUCCEEDED
    return job


def test_officer_imports_the_registry_and_exports_the_filtered_list(
    live_server, page, screenshots, tmp_path, settings, county_user, school, other_school
):
    # A small threshold: the live server reads settings per request, so 30 rows make two jobs.
    settings.IMPORT_INLINE_MAX_ROWS = 5
    earlier = [StudentFactory(school=school, name="王小明"), StudentFactory(school=school)]
    StudentFactory(school=other_school, name="导入学生99")  # another county's: never shown
    before = Student.objects.count()
    content, students = registry_sheet(school)
    sheet = tmp_path / "长汀镇中心小学学籍.xlsx"
    sheet.write_bytes(content)
    students_title = zh("students")
    assert students_title == "学籍学生"
    assert zh("Import") == "导入" and zh("Export to Excel") == "导出Excel"  # catalogue compiled

    origin = live_server.url
    watch = Watch(page, origin)

    # 1. Log in.
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    # 2. The student list from the sidebar, its Import button, the template.
    page.locator("aside.sidebar").get_by_role("link", name=students_title, exact=True).click()
    page.wait_for_url(origin + "/students/")
    import_link = page.locator("#import-link")
    assert import_link.inner_text().strip() == "导入"
    import_link.click()
    page.wait_for_url(origin + "/students/import/")
    with page.expect_download() as template_download:
        page.locator("#template-link").click()
    template = template_download.value
    assert template.suggested_filename.endswith(".xlsx")
    template_path = tmp_path / "template.xlsx"
    template.save_as(template_path)
    workbook = load_workbook(template_path)
    data = workbook.worksheets[0]
    assert data.title == "学籍"
    headers = [cell.value for cell in data[1]]
    assert headers[:2] == ["姓名", "身份证号"]
    assert {"性别", "出生日期", "学校标识码", "年级", "学籍状态"} <= set(headers)
    assert zh("Instructions") in workbook.sheetnames
    instructions = workbook[zh("Instructions")]
    instruction_text = [c for row in instructions.iter_rows(values_only=True) for c in row if c]
    assert zh("How to fill in this template") == instruction_text[0]
    assert {"姓名", "身份证号", "年级"} <= set(instruction_text)
    workbook.close()

    # 3. Upload 30 rows: more than the inline limit, so the check runs as a job.
    page.set_input_files("#import-form input[type=file]", str(sheet))
    page.screenshot(path=screenshots / "20-import-upload.png", full_page=True)
    page.locator("#import-submit").click()
    check_job = wait_for_job(page, origin, screenshots / "21-import-job.png")
    run = ImportRun.objects.get(job=check_job)
    assert run.status == ImportStatus.PREVIEWED and run.total_rows == IMPORTED

    # 4. Its result is the preview: 30 new rows, no error; confirm.
    page.locator("#job-open").click()
    page.wait_for_url(f"{origin}/students/import/{run.pk}/")
    counts = page.locator("#import-counts")
    assert counts.locator("[data-count=total]").inner_text() == str(IMPORTED)
    assert counts.locator("[data-count=new]").inner_text() == str(IMPORTED)
    assert counts.locator("[data-count=changed]").inner_text() == "0"
    assert counts.locator("[data-count=errors]").inner_text() == "0"
    assert page.locator("#import-errors").count() == 0
    # The rows as read: every one of the 30 to be added, the ID numbers masked.
    sample = page.locator("#import-sample tbody tr")
    assert sample.count() == IMPORTED
    assert {sample.nth(i).get_attribute("data-status") for i in range(IMPORTED)} == {"new"}
    first = sample.first.inner_text()
    assert students[0]["name"] in first and "将新增" in first
    assert idnumbers.mask(students[0]["id_number"]) in first
    for student in students:
        assert student["id_number"] not in page.content()
    page.screenshot(path=screenshots / "22-import-preview.png", full_page=True)
    assert Student.objects.count() == before  # nothing written before the confirmation
    page.locator("#confirm-import").click()

    # 5. The import runs as a job too; its result is the committed run.
    commit_job = wait_for_job(page, origin)
    assert commit_job.kind == "import_commit"
    page.locator("#job-open").click()
    page.wait_for_url(f"{origin}/students/import/{run.pk}/")
    page.wait_for_selector("#import-status[data-status=committed]")
    assert page.locator("#confirm-import").count() == 0
    page.screenshot(path=screenshots / "23-import-done.png", full_page=True)
    assert Student.objects.count() == before + IMPORTED
    assert Student.objects.filter(school=school, name__startswith="导入学生").count() == IMPORTED
    mine = before - 1 + IMPORTED  # the other county's student is not on the list

    def count_text(count: int) -> str:
        with translation.override("zh-hans"):
            return ngettext("%(shown)s row", "%(shown)s rows", count) % {"shown": f"{count:,}"}

    page.locator("aside.sidebar").get_by_role("link", name=students_title, exact=True).click()
    page.wait_for_url(origin + "/students/")
    assert page.locator("#result-count").inner_text().strip() == count_text(mine)

    # 6. Filter: grade 4, names beginning 导入 — 15 of the imported rows; export them.
    page.fill("#id_name", "导入")
    page.select_option("#id_grade", "4")
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/students/\?.*grade=4"))
    wanted = sorted(s["name"] for s in students if s["grade"] == 4)
    assert len(wanted) == IMPORTED // 2
    assert page.locator("#result-count").inner_text().strip() == count_text(len(wanted))
    shown = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert sorted(name.strip() for name in shown) == wanted
    assert "王小明" not in page.locator("table tbody").inner_text()
    export_link = page.locator("#export-link")
    assert export_link.inner_text().strip() == "导出Excel"
    page.screenshot(path=screenshots / "24-export-filtered.png", full_page=True)
    with page.expect_download() as export_download:
        export_link.click()
    export = export_download.value
    assert export.suggested_filename.endswith(".xlsx")
    export_path = tmp_path / "export.xlsx"
    export.save_as(export_path)
    workbook = load_workbook(export_path, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header, body = rows[0], rows[1:]
    assert {"姓名", "身份证号", "性别", "学校", "年级"} <= set(header)
    name_at, id_at, grade_at = header.index("姓名"), header.index("身份证号"), header.index("年级")
    assert sorted(row[name_at] for row in body) == wanted
    assert {row[grade_at] for row in body} == {"四年级"}
    by_name = {s["name"]: s["id_number"] for s in students}
    assert [row[id_at] for row in body] == [idnumbers.mask(by_name[row[name_at]]) for row in body]
    every_cell = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    for number in [*(s["id_number"] for s in students), *(e.id_number for e in earlier)]:
        assert number not in every_cell
    assert not re.search(r"\d{17}[\dX]", every_cell)  # no full ID number at all

    # 7. Everything came from the live server and nothing complained.
    assert watch.requests, "no request recorded"
    assert watch.off_site() == []
    assert watch.failures == {}
    assert watch.errors == []
