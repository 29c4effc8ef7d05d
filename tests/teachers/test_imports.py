"""The imports of teacher staffing through core's pipeline: the personnel sheet (messy headers,
ID numbers, schools by code) and the training platform's export (teachers by ID number on the
user's roster, programmes by name), with the rows' rules and the neutral refusal across counties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core import idnumbers
from core.importing.models import ImportRun, ImportStatus
from teachers.models import Employment, Teacher, TeacherStatus, TrainingRecord
from tests.core.import_files import upload, xlsx
from tests.teachers.factories import TeacherFactory, TrainingProgrammeFactory, teacher_id

pytestmark = pytest.mark.django_db

# The personnel office's sheet: its own headers (variants and spaces), a title row above them.
PERSONNEL = [
    "教职工姓名",
    "公民身份号码",
    "性 别",
    "学校代码",
    "学段",
    "主教学科",
    "编制情况",
    "现聘职称",
    "学历",
    "参加工作时间",
    "人员状态",
    "离职日期",
]


def send(client, url_name: str, content: bytes, name="名册.xlsx") -> ImportRun:
    response = client.post(reverse(url_name), {"file": upload(content, name)})
    assert response.status_code == 302, response.content[:500]
    return ImportRun.objects.latest("pk")


def person(school, name="赵敏", *, number=None, **over):
    number = number or teacher_id(school.county.code)
    sex = "男" if idnumbers.gender(number) == "M" else "女"
    row = {
        "name": name,
        "id": number,
        "sex": sex,
        "school": school.code,
        "stage": "小学",
        "subject": "数学",
        "employment": "特岗教师",
        "title": "小学二级",
        "qualification": "大学本科",
        "hired": "2021-09-01",
        "status": "在职",
        "left": "",
    }
    row.update(over)
    return list(row.values())


def test_the_personnel_sheet_is_imported_with_its_own_headers(county_client, school):
    numbers = [teacher_id(school.county.code) for _ in range(2)]
    content = xlsx(
        [
            PERSONNEL,
            person(school, "赵敏", number=numbers[0]),
            person(
                school,
                "钱伟",
                number=numbers[1],
                employment="在编",
                status="退休",
                left="2023-07-31",
            ),
        ],
        title="教职工花名册",
        before=[["长汀镇中心小学教职工花名册（2023年）"]],
    )
    run = send(county_client, "teacher-import", content)
    assert run.status == ImportStatus.PREVIEWED and run.error_total == 0, run.errors
    county_client.post(reverse("teacher-import-confirm", args=[run.pk]))
    first, second = (Teacher.objects.get(id_number=n) for n in numbers)
    assert (first.name, first.school, first.subject, first.employment) == (
        "赵敏",
        school,
        "maths",
        Employment.SPECIAL_POST,
    )
    assert first.birth_date == idnumbers.birth_date(numbers[0]) and first.title == "second"
    assert (second.status, second.left_on) == (TeacherStatus.RETIRED, dt.date(2023, 7, 31))
    again = send(county_client, "teacher-import", content)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)


def test_the_personnel_sheets_bad_rows_are_named(county_client, school, other_school):
    held = TeacherFactory(school=other_school)
    content = xlsx(
        [
            PERSONNEL,
            person(school, number="231083199004121234"),  # a wrong check character
            person(other_school),  # a school of another county
            person(school, number=held.id_number),  # held in another county
            person(school, status="离职"),  # left, without the date
            person(school),
        ]
    )
    run = send(county_client, "teacher-import", content)
    by_row = {error["row"]: error for error in run.errors}
    assert set(by_row) == {2, 3, 4, 5}
    assert by_row[3]["code"] == "school_unknown"
    assert by_row[4]["code"] == "refused" and other_school.name not in by_row[4]["message"]
    assert "请填写教师离职或退休的日期" in by_row[5]["message"]
    assert run.new_rows == 1
    county_client.post(reverse("teacher-import-confirm", args=[run.pk]))
    assert Teacher.objects.count() == 1  # nothing written while rows are in error


# The training platform's export.
PLATFORM = ["学员姓名", "身份证号码", "培训项目名称", "获得学时", "考核结果", "证书编号"]


def test_the_training_export_is_imported_and_its_unknown_teacher_is_named(
    county_client, school, other_school
):
    programme = TrainingProgrammeFactory(max_hours=Decimal("120"))
    mine = TeacherFactory(school=school, name="孙丽")
    theirs = TeacherFactory(school=other_school)
    gone = TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 1, 5))
    rows = [
        PLATFORM,
        ["孙丽", mine.id_number, programme.name, "80", "合格", "JX-1"],
        ["外县", theirs.id_number, programme.name, "80", "合格", "JX-2"],
        ["离职", gone.id_number, programme.name, "80", "合格", "JX-3"],
        ["孙丽", mine.id_number, "不存在的培训", "80", "合格", "JX-4"],
        ["孙丽", mine.id_number, programme.name, "130", "合格", "JX-5"],
    ]
    run = send(county_client, "trainingrecord-import", xlsx(rows, title="学时导出"), "学时.xlsx")
    by_row = {error["row"]: error for error in run.errors}
    assert by_row[3]["message"] == "名册中没有此身份证号的教师。", run.errors
    assert "离职" in by_row[4]["message"] and "早于培训项目开始日期" in by_row[4]["message"]
    assert by_row[5]["code"] == "programme"
    assert "超过该项目的学时上限" in by_row[6]["message"]
    assert not run.confirmable
    fixed = send(county_client, "trainingrecord-import", xlsx(rows[:2]), "学时.xlsx")
    assert fixed.error_total == 0 and fixed.new_rows == 1
    county_client.post(reverse("trainingrecord-import-confirm", args=[fixed.pk]))
    record = TrainingRecord.objects.get()
    assert (record.teacher, record.programme, record.hours, record.completed) == (
        mine,
        programme,
        Decimal("80.0"),
        True,
    )
    assert record.school == school and record.certificate == "JX-1"
