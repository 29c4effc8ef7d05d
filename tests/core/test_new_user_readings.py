"""What a new user read wrongly (issue 11, the walk's last findings): counts grouped by thousands
(20,005, not 20005) on dashboard figures and list counts, in both languages; a school year shown
as its span (2023–2024), never a bare 2023, in lists, tables and detail pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation

from tests.dropout.factories import run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, SchoolEnrolmentFactory

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_dashboard_figure_reads_its_count_grouped_by_thousands(language):
    html = render(
        '{% load cards %}{% figure label="Students" value=n url="/students/" id="f" %}'
        "{% endfigure %}"
        '{% figure label="Amount" value=amount id="g" %}{% endfigure %}'
        '{% figure label="Rate" value="12.50%" id="h" %}{% endfigure %}',
        language,
        n=20005,
        amount=__import__("decimal").Decimal("12345.60"),
    )
    assert 'id="f">20,005</a>' in html and "20005" not in html
    assert 'id="g">12,345.60</span>' in html
    assert 'id="h">12.50%</span>' in html  # what is not a number is shown as given


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "共 20,005 条"), ("en", "20,005 rows")]
)
def test_a_lists_count_is_grouped_by_thousands(language, expected):
    html = render(
        '{% include "core/_filter_form.html" %}', language, result_count=20005, list_url="/x/"
    )
    count = _text(html.split('id="result-count"', 1)[1].split("</p>", 1)[0].split(">", 1)[1])
    assert count == expected


def test_the_users_list_counts_in_the_same_words(admin_client_):
    page = admin_client_.get(reverse("user-list")).content.decode()
    assert re.search(r'id="result-count">共 \d+ 个用户<', page)


def test_a_school_year_reads_as_its_span_in_lists_tables_and_detail_pages(
    admin_client_, city_admin, county, township, school
):
    RosterChildFactory(roster_version=RosterVersionFactory(county=county), township=township)
    screening_round = run_round(city_admin)
    listing = admin_client_.get(reverse("screeninground-list")).content.decode()
    table = _text(listing.split("<table", 1)[1].split("</table>", 1)[0])
    assert "2023–2024" in table and not re.search(r"(?<![\d–])2023(?![\d–-])", table)
    detail = admin_client_.get(
        reverse("screeninground-detail", args=[screening_round.pk])
    ).content.decode()
    assert "2023–2024学年累计" in detail
    SchoolEnrolmentFactory(school=school, school_year=2023)
    enrolments = admin_client_.get(reverse("schoolenrolment-list")).content.decode()
    assert "2023–2024" in _text(enrolments.split("<table", 1)[1].split("</table>", 1)[0])
    school_page = admin_client_.get(school.get_absolute_url()).content.decode()
    assert "<td>2023–2024</td>" in school_page
    enrolment = school.enrolments.get()
    row_page = admin_client_.get(
        reverse("schoolenrolment-detail", args=[enrolment.pk])
    ).content.decode()
    assert re.search(r'id="field-school_year">\s*2023–2024\s*<', row_page)
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_a_school_year_column_of_an_export_reads_as_its_span(admin_client_, school):
    from io import BytesIO

    from openpyxl import load_workbook

    SchoolEnrolmentFactory(school=school, school_year=2023)
    answer = admin_client_.get(reverse("schoolenrolment-export"))
    sheet = load_workbook(
        BytesIO(b"".join(answer.streaming_content) if answer.streaming else answer.content)
    ).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "2023–2024" in values and 2023 not in values


def _empty_choice(page: str, name: str) -> str:
    """The text of the empty choice of the drop-down `name` on a page."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    empty = re.search(r'<option value=""[^>]*>(.*?)</option>', select.group(1), re.S)
    return _text(empty.group(1)) if empty else ""


def test_a_filters_empty_choice_names_what_it_leaves_unfiltered(city_client, settings):
    page = city_client.get(reverse("student-list")).content.decode()
    assert _empty_choice(page, "county") == "全部县区"
    assert _empty_choice(page, "school") == "全部学校"
    assert _empty_choice(page, "status") == "全部学籍状态"
    assert _empty_choice(page, "grade") == "全部年级"
    assert "---------" not in page and "不限</option>" not in page.split('id="id-search')[0]
    rounds = city_client.get(reverse("screeninground-list")).content.decode()
    assert _empty_choice(rounds, "school_year") == "全部学年"
    # The aid dashboard's county filter too.
    aid = city_client.get(reverse("aid-dashboard")).content.decode()
    assert _empty_choice(aid, "county") == "全部县区"
    city_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = city_client.get(reverse("student-list")).content.decode()
    assert _empty_choice(page, "county") == "All counties"
    assert _empty_choice(page, "school") == "All schools"
    assert _empty_choice(page, "status") == "All statuses"
    assert _empty_choice(city_client.get(reverse("aid-dashboard")).content.decode(), "county") == (
        "All counties"
    )


def test_the_roster_lists_version_filters_read_apart_and_its_count_says_what_it_counts(
    county_client, county, township
):
    older = RosterVersionFactory(county=county, label="2023年春季名单")
    newer = RosterVersionFactory(county=county, label="2023年秋季名单")
    RosterChildFactory.create_batch(2, roster_version=older, township=township)
    RosterChildFactory.create_batch(3, roster_version=newer, township=township)
    page = county_client.get(reverse("rosterchild-list")).content.decode()
    labels = [_text(m) for m in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)]
    assert "名单版本" in labels and "旧版本" in labels and "版本" not in labels
    assert _empty_choice(page, "roster_version") == "每县最新版本"
    assert _empty_choice(page, "all_versions") == "不列出"

    def count(query: str = "") -> str:
        listing = county_client.get(reverse("rosterchild-list") + query).content.decode()
        return _text(listing.split('id="result-count">', 1)[1].split("</p>", 1)[0])

    assert count() == "各县最新版本 3 人"
    assert count(f"?roster_version={older.pk}") == "本版本 2 人"
    assert count("?all_versions=true") == "全部版本共 5 条（同一儿童每个版本各计一次）"
    detail = county_client.get(older.get_absolute_url()).content.decode()
    assert re.search(r'id="version-children">.*本版本 2 人</a>', detail, re.S)


def test_the_enrolment_list_filters_by_the_one_school_year_drop_down_and_history_reads_spans(
    admin_client_, city_admin, school
):
    from core.models import AuditAction, AuditEvent

    enrolment = SchoolEnrolmentFactory(school=school, school_year=2023)
    page = admin_client_.get(reverse("schoolenrolment-list")).content.decode()
    select = re.search(r'<select[^>]*name="school_year"[^>]*>(.*?)</select>', page, re.S)
    assert select and "2023–2024</option>" in select.group(1)
    assert _empty_choice(page, "school_year") == "全部学年"
    AuditEvent.objects.create(
        actor=city_admin,
        action=AuditAction.UPDATE,
        ledger="core.schoolenrolment",
        object_id=str(enrolment.pk),
        object_repr=str(enrolment),
        changes={"school_year": [2023, 2024]},
    )
    log = _text(admin_client_.get(reverse("audit-log")).content.decode())
    assert "2023–2024 → 2024–2025" in log and "2023 → 2024" not in log
