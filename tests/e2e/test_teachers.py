"""The training import in a real browser: a county officer imports the training platform's export
with one teacher the roster does not know, sees that row's error and no way to confirm, fixes the
ID number, imports again, confirms, and the dashboard's continuing-education coverage of rural
teachers moves from 33.3% to 100.0%."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from teachers.models import TrainingRecord
from tests.factories import DEMO_PASSWORD
from tests.teachers.factories import (
    TeacherFactory,
    TrainingProgrammeFactory,
    TrainingRecordFactory,
    teacher_id,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
HEADER = ["学员姓名", "身份证号码", "培训项目名称", "获得学时", "考核结果", "证书编号"]


def _sheet(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "学时导出"
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return str(path)


def _coverage(page, origin) -> str:
    page.goto(origin + "/teachers/?school_year=2023")
    value = page.locator("#figure-coverage").inner_text()
    return f"{value} {page.locator('#figure-coverage-detail').inner_text()}"


def _upload(page, origin, path):
    page.goto(origin + "/teachers/training/import/")
    page.set_input_files("#import-form input[type=file]", path)
    page.locator("#import-submit").click()
    page.wait_for_url(re.compile(re.escape(origin) + r"/teachers/training/import/\d+/$"))


def test_an_officer_fixes_an_unknown_teacher_and_the_coverage_moves(
    live_server, page, screenshots, tmp_path, county_user, school
):
    programme = TrainingProgrammeFactory()
    covered = TeacherFactory(school=school, name="周老师")
    TrainingRecordFactory(teacher=covered, programme=programme)
    second = TeacherFactory(school=school, name="吴老师")
    third = TeacherFactory(school=school, name="郑老师")
    typo = teacher_id(school.county.code)  # well-formed, on no roster
    origin = live_server.url

    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")
    assert _coverage(page, origin) == "33.3% 3人中已覆盖1人"

    rows = [
        ["吴老师", second.id_number, programme.name, "80", "合格", "JX-2"],
        ["郑老师", typo, programme.name, "76", "合格", "JX-3"],
    ]
    _upload(page, origin, _sheet(tmp_path / "学时导出.xlsx", rows))
    error = page.locator("#import-errors tbody tr")
    assert error.count() == 1
    assert error.first.get_attribute("data-row") == "3"
    assert "名册中没有此身份证号的教师" in error.first.inner_text()
    assert page.locator("#confirm-import").count() == 0
    page.screenshot(path=screenshots / "teachers-import-error.png", full_page=True)
    assert not TrainingRecord.objects.filter(teacher__in=[second, third]).exists()

    rows[1][1] = third.id_number  # the officer corrects the number in the sheet
    _upload(page, origin, _sheet(tmp_path / "学时导出（改）.xlsx", rows))
    assert page.locator("#import-errors").count() == 0
    page.locator("#confirm-import").click()
    page.wait_for_selector("#import-status[data-status=committed]", timeout=30_000)
    assert TrainingRecord.objects.filter(teacher__in=[second, third], completed=True).count() == 2

    assert _coverage(page, origin) == "100.0% 3人中已覆盖3人"
    page.screenshot(path=screenshots / "teachers-coverage.png", full_page=True)
