"""Excel import: template, upload, reading messy sheets, validation, preview, confirm, audit,
hostile files, jobs, the API and scoping — proved on the registry, schools and enrolments."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core import audit, idnumbers, tasks
from core.importing import analysis, keep, lookups, services, write
from core.importing import normalise as norm
from core.importing.base import stored_path
from core.importing.models import ImportRun, ImportStatus
from core.importing.spec import Kind
from core.jobs import JobRun, JobStatus
from core.models import AuditAction, AuditEvent, School, SchoolEnrolment, Student
from tests.core import import_files as files
from tests.core.import_files import REGISTRY_HEADER, registry_row, registry_rows, upload, xlsx
from tests.factories import SchoolEnrolmentFactory, SchoolFactory, StudentFactory

pytestmark = [pytest.mark.long, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and rejected-row workbooks go to a scratch folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def send(client, content: bytes, name: str = "学籍.xlsx", ledger: str = "student"):
    """Upload a file on the ledger's import page; the run it made."""
    response = client.post(reverse(f"{ledger}-import"), {"file": upload(content, name)})
    assert response.status_code == 302, response.content[:500]
    return ImportRun.objects.latest("pk"), response


def confirm(client, run, ledger: str = "student"):
    return client.post(reverse(f"{ledger}-import-confirm", args=[run.pk]))


def imported(client, content: bytes, name: str = "学籍.xlsx", ledger: str = "student"):
    run, _response = send(client, content, name, ledger)
    assert run.status == ImportStatus.PREVIEWED and run.error_total == 0, run.errors or run.message
    confirm(client, run, ledger)
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED, run.message
    return run


def codes(run) -> list[tuple[int, str]]:
    return [(error["row"], error["code"]) for error in run.errors]


# --- Template ----------------------------------------------------------------------------------


def test_template_has_headers_example_dropdowns_instructions_and_schools(county_client, school):
    response = county_client.get(reverse("student-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    data = workbook.worksheets[0]
    headers = [cell.value for cell in data[1]]
    assert headers == [*REGISTRY_HEADER, "户籍所在地"]
    example = [cell.value for cell in data[2]]
    assert example[0] == "张三" and idnumbers.is_valid(example[1])
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    assert {"C2", "F2", "G2"} <= set(lists)  # 性别, 年级, 学籍状态
    sheet_name, cells = lists["F2"].split("!")
    hidden = workbook[sheet_name.strip("'")]
    assert hidden.sheet_state == "hidden"
    grades = [cell.value for row in hidden[cells.replace("$", "")] for cell in row]
    assert grades[:4] == ["幼儿园小班", "幼儿园中班", "幼儿园大班", "一年级"]
    with translation.override("zh-hans"):
        instructions = workbook[gettext("Instructions")[:31]]
        school_sheet = workbook[gettext("School codes")[:31]]
    texts = [row[0].value for row in instructions.iter_rows() if row[0].value]
    assert "身份证号" in texts and "学籍状态" in texts
    assert [row[0].value for row in school_sheet.iter_rows(min_row=2)] == [school.code]


def test_template_as_downloaded_imports_nothing_and_filled_in_imports(county_client, school):
    content = county_client.get(reverse("student-import-template")).content
    run, _response = send(county_client, content)
    assert run.status == ImportStatus.PREVIEWED and run.total_rows == 0 and run.error_total == 0

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for col, value in enumerate(registry_row(school, 7), start=1):
        sheet.cell(row=3, column=col, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = imported(county_client, buffer.getvalue())
    assert run.total_rows == 1 and Student.objects.get().name == "学生7"


# --- The whole way through --------------------------------------------------------------------


def test_registry_import_preview_confirm_audit(county_client, county_user, school):
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 20)])
    run, response = send(county_client, content)
    assert response.url == reverse("student-import-preview", args=[run.pk])
    page = county_client.get(response.url)
    assert page.status_code == 200 and page.context["can_confirm"]
    assert (run.total_rows, run.new_rows, run.changed_rows, run.error_rows) == (20, 20, 0, 0)
    assert run.sheet_name == "学籍" and run.header_row == 1 and len(run.sha256) == 64
    assert not Student.objects.exists()  # a preview writes nothing

    confirm(county_client, run)
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED and run.committed_at and run.actor == county_user
    student = Student.objects.get(name="学生3")
    assert student.county == school.county and student.version == 1
    assert student.grade == 4 and student.status == "enrolled"
    events = AuditEvent.objects.filter(ledger="core.student", action=AuditAction.CREATE)
    assert events.count() == 20
    event = audit.history(student).get()
    assert event.actor == county_user and f"#{run.pk}" in event.note
    # The same record a form save makes, ID number masked.
    assert event.changes == audit.diff({}, audit.snapshot(student))
    assert event.changes["id_number"][1] == student.masked_id != student.id_number
    summary = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"run": run.pk, "new": 20, "changed": 0}


def test_same_file_twice_changes_nothing_the_second_time(county_client, school):
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 30)])
    imported(county_client, content)
    rows, events = Student.objects.count(), AuditEvent.objects.count()
    versions = dict(Student.objects.values_list("pk", "version"))

    again = imported(county_client, content)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 30)
    assert Student.objects.count() == rows == 30
    assert AuditEvent.objects.count() == events
    assert dict(Student.objects.values_list("pk", "version")) == versions


def test_changed_rows_are_updated_counted_versioned_and_audited(county_client, school):
    rows = registry_rows(school, 10)
    imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    rows[2][5] = "五年级"
    rows[4][6] = "休学"
    rows.append(registry_row(school, 10))
    run = imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert (run.new_rows, run.changed_rows, run.unchanged_rows) == (1, 2, 8)
    moved = Student.objects.get(name="学生2")
    assert moved.grade == 5 and moved.version == 2
    update = audit.history(moved).get(action=AuditAction.UPDATE)
    assert update.changes == {"grade": [4, 5]} and f"#{run.pk}" in update.note
    assert Student.objects.get(name="学生4").status == "suspended"


def test_commit_uses_the_previews_reading_of_the_file_and_forgets_it(
    county_client, school, monkeypatch
):
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *registry_rows(school, 12)]))
    kept = keep._kept_sheet_path(run)
    assert kept.exists()

    def read_again(**kwargs):
        raise AssertionError("the commit read the file again")

    monkeypatch.setattr(analysis, "read_sheet", read_again)
    confirm(county_client, run)
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED and Student.objects.count() == 12
    assert not kept.exists()


def test_commit_checks_the_ledger_again_though_it_keeps_the_reading(
    county_client, city_admin, school, other_school
):
    """What depends on the database is checked again at commit: here a student of the file was
    registered meanwhile in another county, out of the officer's scope."""
    rows = registry_rows(school, 5)
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert run.error_total == 0 and keep._kept_sheet_path(run).exists()
    taken = list(rows[3])
    taken[4] = other_school.code
    admin = Client()  # not county_client's: that would log the officer out
    admin.force_login(city_admin)
    imported(admin, xlsx([REGISTRY_HEADER, taken]))
    confirm(county_client, run)
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED and codes(run) == [(5, "refused")]
    assert Student.objects.count() == 1  # only the other county's student


def test_an_altered_kept_reading_is_never_unpickled_and_the_file_is_read_again(
    county_client, school, monkeypatch
):
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *registry_rows(school, 3)]))
    kept = keep._kept_sheet_path(run)
    data = kept.read_bytes()
    kept.write_bytes(data[:32] + data[32:].replace("学生1".encode(), "学生9".encode()))
    unpickled = []
    monkeypatch.setattr(keep.pickle, "loads", lambda payload: unpickled.append(payload))

    confirm(county_client, run)
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED and not unpickled
    assert sorted(Student.objects.values_list("name", flat=True)) == ["学生0", "学生1", "学生2"]


def test_a_reading_that_cannot_be_kept_costs_only_time(
    county_client, school, monkeypatch, tmp_path
):
    monkeypatch.setattr(keep, "_kept_sheet_path", lambda run: tmp_path / "gone" / "x.pickle")
    run = imported(county_client, xlsx([REGISTRY_HEADER, *registry_rows(school, 4)]))
    assert run.new_rows == 4 and Student.objects.count() == 4


def test_1000_rows_with_one_bad_row_at_500_writes_nothing_and_reports_row_500(
    county_client, school
):
    rows = registry_rows(school, 999)
    bad = rows[498]  # Excel row 500: the header is row 1
    bad[1] = bad[1][:17] + ("0" if bad[1][17] != "0" else "1")
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert run.total_rows == 999 and run.error_rows == 1 and run.new_rows == 998
    assert codes(run) == [(500, "id_check")]
    error = run.errors[0]
    assert error["sheet"] == "学籍" and error["column"] == "身份证号"
    with translation.override("zh-hans"):
        assert "校验码" in error["message"]  # the catalogue's message for a bad check character
    assert not run.confirmable
    page = county_client.get(reverse("student-import-preview", args=[run.pk]))
    assert not page.context["can_confirm"]
    response = confirm(county_client, run)
    assert response.status_code == 302
    assert not Student.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED


def test_messy_sheet_title_merged_cells_other_order_fullwidth_and_lower_x(county_client, school):
    """A sheet from another office: title row merged over the columns, a blank line, the
    headers in another order and with variants, full-width digits, a lower-case x, spaces,
    an extra column and a serial-number column."""
    born = dt.date(2012, 5, 17)
    with_x = next(
        number for n in range(1000) if (number := idnumbers.make("231083", born, n)).endswith("X")
    )
    fullwidth = "２３１０８３２０１２０５１７" + with_x[14:-1] + "x"
    assert idnumbers.normalize(fullwidth) == with_x
    before = [["2023年秋季学期在校学生名单"], [], []]
    header = ["序号", "学校名称", "学生姓名", "身份证件号", "出生日期", "性别", "年级", "备注"]
    rows = [
        [
            "1",
            " 长汀镇中心小学 ",
            "李 四",
            fullwidth,
            "2012年5月17日",
            "男" if int(with_x[16]) % 2 else "女",
            "六年级",
            "转入",
        ],
        [
            "2",
            "长汀镇中心小学",
            "王五",
            registry_row(school, 1)[1],
            dt.date(2013, 1, 1),
            registry_row(school, 1)[2],
            "初一",
            "",
        ],
    ]
    content = xlsx([header, *rows], before=before, merge="A1:H1")
    run, _response = send(county_client, content)
    assert run.error_total == 0, run.errors
    assert run.header_row == 4 and run.total_rows == 2
    assert run.ignored_columns == ["序号", "备注"]
    confirm(county_client, run)
    li = Student.objects.get(id_number=with_x)
    assert li.name == "李 四" and li.birth_date == born and li.grade == 6 and li.school == school
    assert Student.objects.get(name="王五").grade == 7


def test_id_numbers_typed_all_in_full_width_digits_import(county_client, school):
    """Full-width digits throughout (a number ending in a digit, not x): found in a walk-through,
    where such a number reached the all-at-once check for clean numbers and failed the import."""
    rows = registry_rows(school, 3)
    number = rows[1][1]
    rows[1][1] = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert rows[1][1] != number and idnumbers.normalize(rows[1][1]) == number
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert run.error_total == 0, run.errors
    confirm(county_client, run)
    assert Student.objects.filter(id_number=number).exists()


def test_errors_report_excel_row_numbers_below_a_title(county_client, school):
    rows = registry_rows(school, 3)
    rows[1][4] = "9999999999"
    content = xlsx([REGISTRY_HEADER, *rows], before=[["名单"], []])
    run, _response = send(county_client, content)
    assert codes(run) == [(5, "school_unknown")]  # title 1, blank 2, header 3, rows 4-6


@pytest.mark.parametrize(
    "written",
    ["2013-03-14", "2013/3/14", "2013.3.14", "2013年3月14日", "20130314", "excel-date", "serial"],
)
def test_dates_in_every_form(county_client, school, written):
    born = dt.date(2013, 3, 14)
    row = registry_row(school, 1, born=born)
    if written == "excel-date":
        row[3] = dt.datetime(2013, 3, 14)  # noqa: DTZ001 - a date cell: Excel has no zones
    elif written == "serial":
        row[3] = (born - dt.date(1899, 12, 30)).days  # a number cell: Excel's day count
    else:
        row[3] = written
    imported(county_client, xlsx([REGISTRY_HEADER, row]))
    assert Student.objects.get().birth_date == born


def test_grade_status_gender_words(county_client, school):
    words = [
        ("1", 1),
        ("1年级", 1),
        ("初一", 7),
        ("初三", 9),
        ("高一", 10),
        ("小班", -3),
        ("大班", -1),
    ]
    rows = []
    for n, (word, _grade) in enumerate(words):
        row = registry_row(school, n, grade=word, status="在籍在读")
        row[2] = "男性" if row[2] == "男" else "女性"
        rows.append(row)
    imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    grades = dict(Student.objects.values_list("name", "grade"))
    assert grades == {f"学生{n}": grade for n, (_word, grade) in enumerate(words)}
    assert set(Student.objects.values_list("status", flat=True)) == {"enrolled"}


def test_birth_date_and_gender_come_from_the_id_when_the_columns_are_absent(county_client, school):
    row = registry_row(school, 3)
    header = ["姓名", "身份证号", "学校标识码", "年级"]
    imported(county_client, xlsx([header, [row[0], row[1], row[4], row[5]]]))
    student = Student.objects.get()
    assert student.birth_date == idnumbers.birth_date(row[1])
    assert student.gender == idnumbers.gender(row[1])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(county_client, school, encoding):
    content = files.csv_bytes([REGISTRY_HEADER, *registry_rows(school, 5)], encoding=encoding)
    run = imported(county_client, content, name="学籍.csv")
    assert run.sheet_name == "学籍" and Student.objects.count() == 5
    assert set(Student.objects.values_list("school", flat=True)) == {school.pk}


def test_every_rule_is_checked_row_by_row(county_client, school, other_school):
    rows = registry_rows(school, 12)
    rows[0][1] = rows[0][1][:17] + ("1" if rows[0][1][17] != "1" else "2")  # check character
    rows[1][3] = "2001-01-01"  # birth date against the ID
    rows[2][2] = "女" if rows[2][2] == "男" else "男"  # gender against the ID
    rows[3][4] = "9999999999"  # no such school
    rows[4][4] = other_school.code  # another county's school
    rows[5][5] = "十三年级"  # not a grade
    rows[7] = list(rows[6])  # the same student twice
    rows[8][0] = ""  # a required cell left empty
    rows[9][3] = "2013-02-30"  # not a real date
    rows[10][6] = "在家"  # not a status
    rows[11][1] = float(rows[11][1][:15] + "000")  # an ID typed into a number cell
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert codes(run) == [
        (2, "id_check"),
        (3, "birth_date"),
        (4, "gender"),
        (5, "school_unknown"),
        (6, "school_unknown"),
        (7, "choice"),
        (9, "duplicate"),
        (10, "required"),
        (11, "date"),
        (12, "choice"),
        (13, "id_number_as_number"),
    ]
    duplicate = next(e for e in run.errors if e["code"] == "duplicate")
    assert "8" in duplicate["message"] and duplicate["column"] == "身份证号"
    assert run.errors[0]["column"] == "身份证号" and run.errors[1]["column"] == "出生日期"
    assert run.error_rows == 11 and run.new_rows == 1


def test_rejected_rows_download_is_masked_without_the_reveal_right(county_client, school):
    rows = registry_rows(school, 5)
    rows[3][4] = "9999999999"
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    response = county_client.get(reverse("student-import-errors", args=[run.pk]))
    assert response.status_code == 200
    table = [
        list(r)
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]
    number = rows[3][1]
    assert len(table) == 6  # every row of the file, at its row number
    assert table[4][0] == rows[3][0] and table[4][1] == idnumbers.mask(number)
    assert table[4][3] == rows[3][3][:4] + "-**-**"  # the birth date by its year only
    assert not any(row[1] in str(table) for row in rows)
    # Masked, it cannot be uploaded again as it is, and the preview says so.
    page = county_client.get(reverse("student-import-preview", args=[run.pk])).content.decode()
    with translation.override("zh-hans"):
        assert "身份证号已隐去" in page and "请在原文件中改正" in page
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, ledger="core.student")
    assert event.actor.username == "hailin-officer" and event.changes["import_run"] == run.pk


def test_rejected_rows_download_has_the_rows_and_an_error_column(
    county_client, county_reviewer, school, client
):
    rows = registry_rows(school, 5)
    rows[3][4] = "9999999999"
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    reviewer = Client()
    reviewer.force_login(county_reviewer)  # may reveal ID numbers: gets the rows as they were
    response = reviewer.get(reverse("student-import-errors", args=[run.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=county_reviewer).exists()
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    with translation.override("zh-hans"):
        assert table[0] == [*REGISTRY_HEADER, gettext("Error description")]
    # Every row of the file, the good ones too, at the row numbers the preview names; the
    # error column filled on the row in error only, quoting the value.
    assert [row[:7] for row in table[1:]] == rows
    assert [row[7] for row in table[1:]] == [None, None, None, table[4][7], None]
    assert table[4][7].startswith("学校标识码“9999999999”：")
    # Corrected in that workbook and uploaded again, it is the whole file: all five rows import
    # (the error column is ignored as an extra column).
    sheet.cell(row=5, column=5, value=school.code)
    buffer = io.BytesIO()
    workbook.save(buffer)
    fixed = imported(county_client, buffer.getvalue())
    assert fixed.new_rows == 5 and fixed.ignored_columns == [table[0][7]]
    assert sorted(Student.objects.values_list("name", flat=True)) == [r[0] for r in rows]


def _sample_table(page: str, table_id: str) -> list[tuple[str, str, str]]:
    """(Excel row, outcome, row text) of a parsed-rows table of the preview page."""
    import re

    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        (number, status, re.sub(r"<[^>]+>|\s+", " ", text))
        for number, status, text in re.findall(
            r'<tr data-row="(\d+)" data-status="(\w+)"[^>]*>(.*?)</tr>', body, re.S
        )
    ]


def test_preview_shows_the_rows_as_read_and_what_changes(county_client, school):
    rows = registry_rows(school, 4)
    imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    rows[1][5] = "六年级"  # changed
    rows[2][0] = "学生  2"  # an inner double space: read as one, so the row is not unchanged
    rows.append(registry_row(school, 9))  # new
    rows.append([*registry_row(school, 10)[:4], "9999999999", "四年级", "在读"])  # in error
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert (run.new_rows, run.changed_rows, run.unchanged_rows, run.error_rows) == (1, 2, 2, 1)
    with translation.override("zh-hans"):
        page = county_client.get(reverse("student-import-preview", args=[run.pk])).content.decode()
    sample = _sample_table(page, "import-sample")
    assert [(number, status) for number, status, _text in sample] == [
        ("2", "unchanged"),
        ("3", "changed"),
        ("4", "changed"),
        ("5", "unchanged"),
        ("6", "new"),
        ("7", "error"),
    ]
    assert "年级：四年级 → 六年级" in sample[1][2] and "六年级" in sample[1][2]
    assert "姓名：学生2 → 学生 2" in sample[2][2]
    assert "将新增" in sample[4][2] and "学生9" in sample[4][2]
    assert "9999999999" in sample[5][2]
    # ID numbers masked, birth dates hidden (pages show ages): nothing rebuilds a number.
    for row in rows:
        assert row[1] not in page and row[3] not in page and f"{row[3][:4]}-**" not in page
    # The birth date column reads 已隐藏 (hidden), not a date nor a mask of one.
    assert idnumbers.mask(rows[4][1]) in sample[4][2] and "已隐藏" in sample[4][2]
    assert "****-**-**" not in page
    assert all(row[1] not in str(run.sample) for row in rows)  # stored masked, too
    # In English the outcomes begin with a capital, as every badge does; the date is Hidden.
    county_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = county_client.get(reverse("student-import-preview", args=[run.pk]))
    sample = _sample_table(english.content.decode(), "import-sample")
    assert "Will be added" in sample[4][2] and "Hidden" in sample[4][2]
    assert "Will change" in sample[1][2] and "Unchanged" in sample[0][2]
    assert "Has errors" in sample[5][2]
    assert not any(word in text for *_, text in sample for word in ("will be", "unchanged"))


def test_preview_lists_changed_rows_beyond_the_first_fifty(county_client, school):
    rows = registry_rows(school, 60)
    imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    rows[55][5] = "五年级"
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    page = county_client.get(reverse("student-import-preview", args=[run.pk])).content.decode()
    assert len(_sample_table(page, "import-sample")) == 50
    changes = _sample_table(page, "import-changes")
    assert [(number, status) for number, status, _text in changes] == [("57", "changed")]


def test_each_error_quotes_the_value_in_the_file_with_id_numbers_masked(county_client, school):
    rows = registry_rows(school, 3)
    rows[0][4] = "9999999999"
    wrong = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")  # a wrong check digit
    rows[1][1] = wrong
    rows[2][1] = idnumbers.mask(rows[2][1])  # copied from a masked page
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    by_row = {error["row"]: error for error in run.errors}
    assert by_row[2]["value"] == "9999999999" and by_row[2]["column"] == "学校标识码"
    assert by_row[3]["value"] == idnumbers.mask(wrong) != wrong
    assert by_row[4]["code"] == "id_number_masked"
    page = county_client.get(reverse("student-import-preview", args=[run.pk])).content.decode()
    assert "“9999999999”" in page and wrong not in page
    api = APIClient()
    api.force_authenticate(run.actor)
    errors = api.get(f"/api/v1/imports/{run.pk}/").json()["errors"]
    assert {error["row"]: error["value"] for error in errors}[2] == "9999999999"


def test_extra_columns_are_listed_and_shown(county_client, school):
    header = [*REGISTRY_HEADER, "联系电话", "备注"]
    rows = [[*row, "13800000000", ""] for row in registry_rows(school, 2)]
    run, _response = send(county_client, xlsx([header, *rows]))
    assert run.ignored_columns == ["联系电话", "备注"]
    page = county_client.get(reverse("student-import-preview", args=[run.pk]))
    assert "联系电话" in page.content.decode()


def test_missing_required_column_refuses_the_file(county_client, school):
    rows = [row[:1] + row[2:] for row in registry_rows(school, 2)]
    run, _response = send(
        county_client, xlsx([[h for h in REGISTRY_HEADER if h != "身份证号"], *rows])
    )
    assert run.status == ImportStatus.REJECTED and run.refusal_code == "missing_columns"
    assert "身份证号" in run.message and not run.stored_file


def test_a_sheet_without_headers_is_refused(county_client, school):
    run, _response = send(county_client, xlsx([["a", "b"], ["1", "2"]]))
    assert run.status == ImportStatus.REJECTED and run.refusal_code == "no_header"


def test_preview_and_commit_run_a_bounded_number_of_queries(
    county_user, school, django_assert_max_num_queries
):
    """No query per row: 300 rows cost the same handful of queries as 3 would."""
    from core.ledgers import STUDENTS

    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 300)])
    run, checked = services.import_run_create(
        ledger=STUDENTS, user=county_user, upload=upload(content)
    )
    with django_assert_max_num_queries(6):
        services.import_run_preview(run=run, spec=STUDENTS.import_spec, checked=checked)
    assert run.new_rows == 300
    assert services.claim_for_commit(run)
    with django_assert_max_num_queries(15):
        services.import_run_commit(run=run, spec=STUDENTS.import_spec)
    assert Student.objects.count() == 300 and AuditEvent.objects.count() == 301


# --- Hostile files -------------------------------------------------------------------------------


def _good_xlsx(school):
    return xlsx([REGISTRY_HEADER, *registry_rows(school, 4)])


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (lambda good: files.zip_bomb(good), "bomb.xlsx", "zip_bomb"),
        (lambda good: files.entity_bomb(good), "laughs.xlsx", "xml_entities"),
        (lambda good: files.HTML_TABLE, "学籍.xlsx", "not_xlsx"),
        (lambda good: files.HTML_TABLE, "学籍.xls", "not_xls"),
        (lambda good: files.HTML_TABLE, "学籍.csv", "not_csv"),
        (lambda good: good, "学籍.csv", "not_csv"),
        (lambda good: files.claims_a_million_rows(good), "million.xlsx", "too_many_rows"),
        (lambda good: files.far_away_cell(good), "far.xlsx", "too_many_rows"),
        (lambda g: files.far_away_cell_disguised(g, "reordered"), "far.xlsx", "too_many_rows"),
        (lambda g: files.far_away_cell_disguised(g, "tab"), "far.xlsx", "too_many_rows"),
        (lambda g: files.far_away_cell_disguised(g, "prefixed"), "far.xlsx", "too_many_rows"),
        (lambda good: good, "学籍.txt", "extension"),
        (lambda good: b"PK\x03\x04 not really a zip", "broken.xlsx", "bad_zip"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_written(county_client, school, make, name, code):
    run, _response = send(county_client, make(_good_xlsx(school)), name)
    assert run.status == ImportStatus.REJECTED and run.refusal_code == code, run.message
    assert run.message and not run.stored_file
    assert not Student.objects.exists()
    page = county_client.get(reverse("student-import-preview", args=[run.pk]))
    assert run.message in page.content.decode()
    assert not page.context["can_confirm"]


def test_zip_bomb_is_refused_by_total_size_too(county_client, school, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 5 * 1024 * 1024
    settings.IMPORT_MAX_ZIP_RATIO = 10_000
    run, _response = send(county_client, files.zip_bomb(_good_xlsx(school), megabytes=8), "b.xlsx")
    assert run.refusal_code == "zip_bomb"


def test_too_large_file_is_refused_before_it_is_stored(county_client, school, settings):
    settings.IMPORT_MAX_BYTES = 1000
    run, _response = send(county_client, _good_xlsx(school))
    assert run.refusal_code == "too_large" and not run.sha256


def test_a_million_row_claim_is_refused_quickly(county_client, school):
    import time

    started = time.monotonic()
    run, _response = send(county_client, files.far_away_cell(_good_xlsx(school)), "far.xlsx")
    assert run.refusal_code == "too_many_rows"
    assert time.monotonic() - started < 5  # the cells in between were never allocated


# --- Scoping -----------------------------------------------------------------------------------


def test_county_user_cannot_import_rows_of_another_county(county_client, school, other_school):
    rows = registry_rows(school, 5)
    rows.append(registry_row(other_school, 99))
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert codes(run) == [(7, "school_unknown")]
    with translation.override("zh-hans"):
        assert run.errors[0]["message"] == gettext(
            "No school with this code or name in your scope."
        )
    confirm(county_client, run)
    assert not Student.objects.exists()


def test_county_user_cannot_take_over_a_student_of_another_county(
    county_client, school, other_school
):
    theirs = StudentFactory(school=other_school)
    row = registry_row(school, 1)
    row[1], row[2], row[3] = theirs.id_number, files.GENDER_LABEL[theirs.gender], theirs.birth_date
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, row]))
    assert codes(run) == [(2, "refused")]
    theirs.refresh_from_db()
    assert theirs.school == other_school


def test_city_admin_imports_for_any_county(admin_client_, school, other_school):
    rows = [*registry_rows(school, 2), registry_row(other_school, 50)]
    imported(admin_client_, xlsx([REGISTRY_HEADER, *rows]))
    assert Student.objects.filter(county=other_school.county).count() == 1
    assert ImportRun.objects.get().county is None


def test_runs_of_others_answer_404(client, county_user, county_reviewer, other_county_user, school):
    client.force_login(county_user)
    run, _response = send(client, _good_xlsx(school))
    for someone in (other_county_user, county_reviewer):
        client.force_login(someone)
        preview = client.get(reverse("student-import-preview", args=[run.pk]))
        if someone == county_reviewer:  # the county's reviewer sees the run, cannot confirm it
            assert preview.status_code == 200 and not preview.context["can_confirm"]
            assert confirm(client, run).status_code == 403
        else:
            assert preview.status_code == 404
            assert confirm(client, run).status_code == 404
            assert client.get(reverse("school-import-preview", args=[run.pk])).status_code == 404
    assert not Student.objects.exists()


def test_only_editors_may_upload(client, city_user, school):
    client.force_login(city_user)
    response = client.post(reverse("student-import"), {"file": upload(_good_xlsx(school))})
    assert response.status_code == 403 and not ImportRun.objects.exists()
    assert client.get(reverse("student-import")).status_code == 200
    assert "import-link" not in client.get(reverse("student-list")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("student-import"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_import_runs_are_listed_per_ledger(county_client, school):
    run, _response = send(county_client, _good_xlsx(school), "我的学籍.xlsx")
    page = county_client.get(reverse("student-import"))
    assert list(page.context["runs"]) == [run] and "我的学籍.xlsx" in page.content.decode()
    assert list(county_client.get(reverse("school-import")).context["runs"]) == []
    assert "import-link" in county_client.get(reverse("student-list")).content.decode()


# --- Jobs ----------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_large_file_is_checked_and_imported_as_a_job(
    county_client, school, settings, celery_worker
):
    """On the real worker (REDIS_URL): the check and the import are jobs it runs."""
    settings.IMPORT_INLINE_MAX_ROWS = 10
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 30)])
    run, response = send(county_client, content)
    job = JobRun.objects.get(kind="import_preview")
    assert response.url == job.get_absolute_url()
    job = celery_worker.wait(job)
    run.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result_url == reverse("student-import-preview", args=[run.pk])
    assert run.status == ImportStatus.PREVIEWED and run.new_rows == 30 and run.job == job

    response = confirm(county_client, run)
    job = JobRun.objects.get(kind="import_commit")
    assert response.url == job.get_absolute_url()
    job = celery_worker.wait(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Student.objects.count() == 30
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED


def test_a_failing_import_job_writes_nothing(
    county_client, school, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        run, _response = send(county_client, xlsx([REGISTRY_HEADER, *registry_rows(school, 30)]))

    def broken(**kwargs):  # fails after the rows are written, before the transaction ends
        raise RuntimeError("disk full")

    monkeypatch.setattr(write, "insert_events", broken)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(county_client, run)
    job = JobRun.objects.get(kind="import_commit")
    assert job.status == JobStatus.FAILED
    assert not Student.objects.exists() and not AuditEvent.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED


def test_confirming_twice_imports_once(county_client, school):
    run = imported(county_client, _good_xlsx(school))
    events = AuditEvent.objects.count()
    confirm(county_client, run)
    assert AuditEvent.objects.count() == events and Student.objects.count() == 4


# --- Schools and enrolments --------------------------------------------------------------------


def test_school_list_import_by_names_and_labels(county_client, county, township, school):
    header = [
        "学校标识码",
        "学校名称",
        "所在县区",
        "乡镇",
        "办学类型",
        "办学性质",
        "城乡",
        "寄宿制",
        "乡镇公办中心园",
    ]
    rows = [
        [
            "2123108350",
            "长汀镇中心幼儿园",
            "海林市",
            "长汀镇",
            "幼儿园",
            "公办",
            "乡村",
            "否",
            "是",
        ],
        ["2123108351", "长汀镇第二小学", "231083", "231083100", "小学", "", "城区", "是", "否"],
        [school.code, "长汀镇中心小学（更名）", "", "", "小学", "公办", "乡村", "否", "否"],
    ]
    run = imported(county_client, xlsx([header, *rows], title="学校"), ledger="school")
    assert (run.new_rows, run.changed_rows) == (2, 1)
    kindergarten = School.objects.get(code="2123108350")
    assert kindergarten.is_central_kindergarten and kindergarten.township == township
    assert kindergarten.county == county
    second = School.objects.get(code="2123108351")
    assert second.boarding and second.locality == "urban" and second.ownership == "public"
    school.refresh_from_db()
    assert school.name == "长汀镇中心小学（更名）" and school.version == 2
    assert school.township == township  # a blank 乡镇 cell keeps what is stored


def test_school_import_checks_scope_and_rules(county_client, other_county, school):
    header = ["学校标识码", "学校名称", "所在县区", "办学类型", "城乡", "乡镇公办中心园"]
    rows = [
        ["2123108660", "东宁某小学", "东宁市", "小学", "乡村", "否"],
        ["2123108361", "某小学", "海林市", "小学", "乡村", "是"],
        ["123", "短码学校", "海林市", "小学", "乡村", "否"],
    ]
    run, _response = send(county_client, xlsx([header, *rows]), ledger="school")
    assert codes(run) == [(2, "scope"), (3, "central_kindergarten"), (4, "code")]


def test_enrolment_import_by_school_and_year(county_client, school):
    SchoolEnrolmentFactory(school=school, school_year=2022, enrolment=100, boarders=10)
    header = ["学校名称", "学年", "在校生数", "寄宿生数"]
    rows = [
        [school.name, "2022-2023", 110, 10],
        [school.name, "2023学年", "120", ""],
        [school.name, 2024, 10, 20],
    ]
    run, _response = send(county_client, xlsx([header, *rows]), ledger="schoolenrolment")
    assert codes(run) == [(4, "boarders")]
    rows.pop()
    run = imported(county_client, xlsx([header, *rows]), ledger="schoolenrolment")
    assert (run.new_rows, run.changed_rows) == (1, 1)
    assert dict(SchoolEnrolment.objects.values_list("school_year", "enrolment")) == {
        2022: 110,
        2023: 120,
    }
    assert SchoolEnrolment.objects.get(school_year=2023).boarders == 0
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.object_repr == f"{school.name} 2022" and event.changes == {"enrolment": [100, 110]}


def test_enrolment_below_the_stored_boarders_is_an_error_of_its_row(county_client, school):
    """A file without the boarders column keeps the stored boarders: an enrolment below them is
    reported on its row at preview, and nothing is written."""
    SchoolEnrolmentFactory(school=school, school_year=2022, enrolment=100, boarders=80)
    header = ["学校名称", "学年", "在校生数"]
    rows = [[school.name, 2023, 50], [school.name, 2022, 50]]
    run, _response = send(county_client, xlsx([header, *rows]), ledger="schoolenrolment")
    assert codes(run) == [(3, "boarders")]
    with translation.override("zh-hans"):
        assert "80" in run.errors[0]["message"]
    confirm(county_client, run, "schoolenrolment")
    assert SchoolEnrolment.objects.get().enrolment == 100
    assert not SchoolEnrolment.objects.filter(school_year=2023).exists()

    imported(county_client, xlsx([header, [school.name, 2022, 90]]), ledger="schoolenrolment")
    stored = SchoolEnrolment.objects.get()
    assert (stored.enrolment, stored.boarders) == (90, 80)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes == {"enrolment": [100, 90]}


def test_ambiguous_school_name_asks_for_the_code(admin_client_, school, other_township):
    SchoolFactory(township=other_township, name=school.name)
    rows = [registry_row(school, 1)]
    rows[0][4] = school.name
    run, _response = send(admin_client_, xlsx([REGISTRY_HEADER, *rows]))
    assert codes(run) == [(2, "school_ambiguous")]


# --- API -----------------------------------------------------------------------------------------


@pytest.fixture
def api(county_user):
    client = APIClient()
    client.force_authenticate(county_user)
    return client


def test_api_lists_importable_ledgers_with_template_links(api):
    ledgers = {item["ledger"]: item for item in api.get("/api/v1/imports/ledgers/").json()}
    assert {"core.student", "core.school", "core.schoolenrolment"} <= set(ledgers)
    student = ledgers["core.student"]
    assert student["template_url"].endswith(reverse("api-import-template", args=["core.student"]))
    assert student["natural_key"] == ["id_number"]
    grade = next(c for c in student["columns"] if c["field"] == "grade")
    assert grade["header"] == "年级" and "一年级" in grade["choices"] and grade["required"]


def test_api_upload_preview_confirm(api, school):
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 6)])
    response = api.post("/api/v1/imports/", {"ledger": "students", "file": upload(content)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "previewed" and body["errors"] == []
    assert body["counts"] == {"total": 6, "new": 6, "changed": 0, "unchanged": 0, "errors": 0}
    assert api.get(f"/api/v1/imports/{body['id']}/").json()["counts"]["new"] == 6

    response = api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "committed"
    assert Student.objects.count() == 6
    assert api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 409


def test_api_errors_and_refusals(api, school, other_school, other_county_user, city_user):
    rows = [*registry_rows(school, 2), registry_row(other_school, 9)]
    response = api.post(
        "/api/v1/imports/",
        {"ledger": "core.student", "file": upload(xlsx([REGISTRY_HEADER, *rows]))},
    )
    body = response.json()
    assert body["counts"]["errors"] == 1
    assert body["errors"][0]["row"] == 4 and body["errors"][0]["code"] == "school_unknown"
    assert body["errors"][0]["sheet"] == "学籍" and body["errors"][0]["column"] == "学校标识码"
    assert api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 400
    assert not Student.objects.exists()

    refused = api.post("/api/v1/imports/", {"ledger": "students", "file": upload(files.HTML_TABLE)})
    assert refused.status_code == 400 and refused.json()["refusal_code"] == "not_xlsx"
    assert (
        api.post("/api/v1/imports/", {"ledger": "regions", "file": upload(b"x")}).status_code == 400
    )

    other = APIClient()
    other.force_authenticate(other_county_user)
    assert other.get(f"/api/v1/imports/{body['id']}/").status_code == 404
    assert other.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 404
    staff = APIClient()
    staff.force_authenticate(city_user)
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 1)])
    assert (
        staff.post("/api/v1/imports/", {"ledger": "students", "file": upload(content)}).status_code
        == 403
    )


# --- The scoping check, for every importable ledger ---------------------------------------------


def _importable():
    from core.ledger import all_ledgers

    return sorted(
        ledger.label
        for ledger in all_ledgers()
        if ledger.import_spec is not None
        and any(
            column.kind == Kind.SCHOOL
            or (column.kind == Kind.REGION and column.levels == ("county",))
            for column in ledger.import_spec.columns
        )
    )


def _example_row(spec, school):
    """The spec's example row, its school, county and township columns naming `school`'s."""
    row = []
    for column in spec.columns:
        value = column.example
        if column.kind == Kind.SCHOOL:
            value = school.code
        elif column.kind == Kind.REGION and column.levels == ("county",):
            value = school.county.code
        elif column.kind == Kind.REGION and column.levels == ("township",):
            value = school.township.code
        row.append(value)
    return row


@pytest.mark.parametrize("label", _importable())
def test_import_refuses_rows_of_another_county_for_every_ledger(
    county_client, school, other_school, label
):
    from core.ledger import REGISTRY

    ledger = REGISTRY[label]
    spec = ledger.import_spec
    header = [column.header for column in spec.columns]
    before = spec.model._base_manager.count()
    content = xlsx([header, _example_row(spec, other_school)], title=spec.title())
    run, _response = send(county_client, content, ledger=ledger.name)
    assert {error["code"] for error in run.errors} & {"school_unknown", "scope", "refused"}, (
        run.errors
    )
    confirm(county_client, run, ledger=ledger.name)
    assert spec.model._base_manager.count() == before
    if spec.model._meta.app_label == "core":  # the control: the same row in one's own county
        content = xlsx([header, _example_row(spec, school)], title=spec.title())
        run, _response = send(county_client, content, ledger=ledger.name)
        assert run.error_total == 0, run.errors


# --- The fast paths agree with the plain ones ---------------------------------------------------


def test_many_keys_path_classifies_and_scopes_the_same(
    county_client, school, other_school, monkeypatch
):
    """Above LOOKUP_CHUNK keys, PostgreSQL fetches the stored rows by joining a COPied key
    table (elsewhere: chunked IN lists); the outcome is the same."""
    monkeypatch.setattr(lookups, "LOOKUP_CHUNK", 5)
    rows = registry_rows(school, 20)
    imported(county_client, xlsx([REGISTRY_HEADER, *rows]))
    theirs = StudentFactory(school=other_school)
    rows[3][5] = "六年级"
    rows.append(registry_row(school, 20))
    row = registry_row(school, 21)
    row[1], row[2], row[3] = theirs.id_number, files.GENDER_LABEL[theirs.gender], theirs.birth_date
    rows.append(row)
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, *rows]))
    assert (run.new_rows, run.changed_rows, run.unchanged_rows) == (1, 1, 19)
    assert codes(run) == [(23, "refused")]


@given(
    born=st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2030, 12, 31)),
    sequence=st.integers(0, 999),
    last=st.sampled_from("0123456789X"),
    month_day=st.sampled_from(["0230", "0229", "1301", "0100", "0431", "1231"]),
    broken=st.booleans(),
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_vectorised_id_check_agrees_with_idnumbers_validate(
    born, sequence, last, month_day, broken
):
    number = f"231083{born:%Y%m%d}{sequence:03d}"
    number = (number[:10] + month_day + number[14:]) if broken else number
    candidates = [number + last, number + idnumbers.check_char(number)]
    verdicts = dict(norm.check_clean_id_numbers(candidates))
    for index, candidate in enumerate(candidates):
        assert verdicts[index] == idnumbers.is_valid(candidate), candidate


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_api_large_file_is_checked_as_a_job(api, school, settings, celery_worker):
    settings.IMPORT_INLINE_MAX_ROWS = 2
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, 5)])
    response = api.post("/api/v1/imports/", {"ledger": "students", "file": upload(content)})
    assert response.status_code == 202 and response.json()["job_url"]
    celery_worker.wait(JobRun.objects.get(kind="import_preview"))
    body = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert body["status"] == "previewed" and body["counts"]["new"] == 5
    response = api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert response.status_code == 202
    assert celery_worker.wait(JobRun.objects.get(kind="import_commit")).status == "succeeded"
    assert api.get(f"/api/v1/imports/{body['id']}/").json()["status"] == "committed"
    assert Student.objects.count() == 5


def test_old_excel_xls_imports(county_client, school):
    """A real .xls (BIFF8, written by xlwt; see the file's title row and date cells)."""
    content = (Path(__file__).parent / "data" / "registry.xls").read_bytes()
    run = imported(county_client, content, name="学籍.xls")
    assert run.header_row == 2 and run.total_rows == 3
    student = Student.objects.get(name="学生1")
    assert student.birth_date == dt.date(2013, 1, 2) and student.school == school


def test_an_xls_sheet_beyond_the_cell_limit_is_refused_before_it_is_read(
    county_client, school, settings, monkeypatch
):
    """An .xls is not scanned before reading as an .xlsx is: its sheet's reach is checked before
    any cell becomes a Python object."""
    settings.IMPORT_MAX_CELLS = 20  # the file's sheet spans 5 rows × 7 columns
    made = []
    monkeypatch.setattr(
        "python_calamine.CalamineSheet.to_python", lambda *a, **k: made.append(1) or []
    )
    content = (Path(__file__).parent / "data" / "registry.xls").read_bytes()
    run, _response = send(county_client, content, name="学籍.xls")
    assert run.status == ImportStatus.REJECTED and run.refusal_code == "too_many_cells"
    assert not made and not Student.objects.exists()


def test_uploaded_files_are_deleted_after_the_keeping_period_and_the_record_stays(
    county_client, school, settings
):
    settings.IMPORT_KEEP_FILES_DAYS = 30
    good = xlsx([REGISTRY_HEADER, *registry_rows(school, 3)])
    bad_rows = registry_rows(school, 2, start=10)
    bad_rows[0][1] = "231083201301010011"  # a wrong check character
    old_left, _response = send(county_client, good)
    old_bad, _response = send(county_client, xlsx([REGISTRY_HEADER, *bad_rows]))
    recent, _response = send(county_client, good)
    month_ago = timezone.now() - dt.timedelta(days=31)
    ImportRun.objects.filter(pk__in=[old_left.pk, old_bad.pk]).update(created_at=month_ago)
    files_before = {
        run.pk: [stored_path(run.stored_file), keep._kept_sheet_path(run)]
        for run in (old_left, recent)
    }
    old_errors = stored_path(old_bad.errors_file)
    assert all(path.exists() for paths in files_before.values() for path in paths)

    assert tasks.forget_old_import_files() == 2
    for run in (old_left, old_bad, recent):
        run.refresh_from_db()
    assert not any(path.exists() for path in files_before[old_left.pk]) and not old_errors.exists()
    assert (old_left.stored_file, old_bad.stored_file, old_bad.errors_file) == ("", "", "")
    assert old_left.sha256 and old_left.new_rows == 3 and old_bad.error_total == 1
    assert all(path.exists() for path in files_before[recent.pk]) and recent.confirmable

    page = county_client.get(reverse("student-import-preview", args=[old_left.pk]))
    assert not page.context["can_confirm"] and 'id="file-deleted"' in page.content.decode()
    assert county_client.get(reverse("student-import-errors", args=[old_bad.pk])).status_code == 404
    confirm(county_client, old_left)
    assert not Student.objects.exists()
    assert tasks.forget_old_import_files() == 0


def test_a_blank_cell_keeps_what_is_stored(county_client, school):
    """A second file without the household region (a column left blank) updates the grade and
    leaves the region as it was: the preview does not offer to empty it."""
    header = [*REGISTRY_HEADER, "户籍所在地"]
    rows = [[*registry_row(school, n), school.county.code] for n in range(3)]
    imported(county_client, xlsx([header, *rows]))
    assert Student.objects.filter(household_region=school.county).count() == 3
    rows[0][5] = "五年级"
    for row in rows:
        row[-1] = None
    run, _response = send(county_client, xlsx([header, *rows]))
    assert (run.new_rows, run.changed_rows, run.unchanged_rows) == (0, 1, 2)
    confirm(county_client, run)
    moved = Student.objects.get(name="学生0")
    assert moved.grade == 5 and moved.household_region == school.county
    assert audit.history(moved).get(action=AuditAction.UPDATE).changes == {"grade": [4, 5]}
    assert Student.objects.filter(household_region=school.county).count() == 3
