"""The import pages in a new user's words: full-width punctuation in what is built from pieces,
a bad birth date said plainly without a useless "****-**-**", and a committed file's page saying
what was done (已新增), not what would be."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.importing.models import ImportRun, ImportStatus
from core.models import Student
from tests.core.import_files import REGISTRY_HEADER, registry_row, upload, xlsx
from tests.core.test_chinese_pages import ascii_punctuation, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send(client, rows, title="学籍"):
    response = client.post(reverse("student-import"), {"file": upload(xlsx(rows, title=title))})
    assert response.status_code == 302
    return ImportRun.objects.latest("pk"), response["Location"]


def test_the_upload_and_checked_file_pages_have_full_width_punctuation(county_client, school):
    run, preview = send(county_client, [REGISTRY_HEADER, registry_row(school, 1)])
    text = "".join(visible_text(county_client.get(preview).content.decode()))
    assert "工作表「学籍」，表头在第 1 行" in text
    upload_page = "".join(
        visible_text(county_client.get(reverse("student-import")).content.decode())
    )
    assert "姓名（学生姓名）" in upload_page
    assert "县（市、区）" in "".join(
        visible_text(county_client.get(reverse("school-import")).content.decode())
    )
    assert not ascii_punctuation(
        county_client, [reverse("student-import"), reverse("school-import"), preview]
    )


def test_a_bad_birth_date_is_said_plainly_without_quoting_a_mask(county_client, school):
    """An impossible date and one that disagrees with the ID number: the message says what is
    wrong and the format; no value of the cell (it would help rebuild the number) is quoted."""
    impossible = registry_row(school, 1)
    impossible[3] = "2013-02-30"
    disagreeing = registry_row(school, 2)
    disagreeing[3] = "2012-05-06"
    run, preview = send(county_client, [REGISTRY_HEADER, impossible, disagreeing])
    html = county_client.get(preview).content.decode()
    errors = html[html.index('id="import-errors"') :]
    errors = errors[: errors.index("</table>")]
    assert "****-**-**" not in errors  # a mask quoted as "the value in the file" says nothing
    assert "2013-02-30" not in html and "2012-05-06" not in html
    messages = {error["row"]: error["message"] for error in run.errors}
    assert "日期不存在" in messages[2] and "2023-09-01" in messages[2]
    assert "出生日期与身份证号中的出生日期（第7至14位）不一致" in messages[3]
    assert "2012-03-01" in messages[3]
    assert not Student.objects.exists()


def test_a_committed_files_page_says_what_was_added(county_client, school):
    run, preview = send(county_client, [REGISTRY_HEADER, registry_row(school, 1)])
    before = " ".join(visible_text(county_client.get(preview).content.decode()))
    assert "将新增" in before and "已新增" not in before
    county_client.post(reverse("student-import-confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED
    after = " ".join(visible_text(county_client.get(preview).content.decode()))
    assert "已新增" in after and "将新增" not in after and "将被修改" not in after
    assert Student.objects.filter(name="学生1").exists()


def test_an_english_preview_says_its_errors_and_changes_in_english(county_client, school):
    """An officer with the English interface: each error and each change line is an English
    sentence; Chinese is left only where the file has it (its headers, sheet and names)."""
    rows = [registry_row(school, n) for n in range(1, 5)]
    run, _preview = send(county_client, [REGISTRY_HEADER, *rows])
    county_client.post(reverse("student-import-confirm", args=[run.pk]))
    county_client.cookies["django_language"] = "en"
    rows[0][5] = "六年级"  # a change: grade
    rows[1][6] = "辍学"  # a change: status
    rows[2][4] = "9999999999"  # no such school
    rows[3][3] = "2013-02-30"  # no such day
    run, preview = send(county_client, [REGISTRY_HEADER, *rows])
    html = county_client.get(preview).content.decode()
    errors = re.findall(r'<tr data-row="\d+" data-code="[a-z_]+">(.*?)</tr>', html, re.S)
    messages = [re.findall(r"<td[^>]*>(.*?)</td>", error, re.S)[-1] for error in errors]
    assert messages == [
        "No school with this code or name in your scope.",
        "Not a real date (no such day in the calendar): write it as 2023-09-01.",
    ]
    changes = [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<div class="text-nowrap" data-change="[^"]*">(.*?)</div>', html)
    ]
    assert changes == ["Grade: Grade 4 → Grade 6", "Status: Enrolled → Dropped out"]
    assert not re.search(r"[\u3400-\u9fff]", " ".join(messages + changes))


def test_a_chinese_preview_names_each_change_by_its_field(county_client, school):
    rows = [registry_row(school, n) for n in range(1, 3)]
    run, _preview = send(county_client, [REGISTRY_HEADER, *rows])
    county_client.post(reverse("student-import-confirm", args=[run.pk]))
    rows[0][4] = "9999999999"
    rows[1][5] = "六年级"
    run, preview = send(county_client, [REGISTRY_HEADER, *rows])
    text = "".join(visible_text(county_client.get(preview).content.decode()))
    assert "年级：四年级 → 六年级" in text
