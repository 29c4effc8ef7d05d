"""Each status says whose status it is, and people are labelled 姓名: a case is 办理状态, a
round 轮次状态, a job 任务状态, only a student's registry status is 学籍状态; a person's name
is 姓名 while a school's or a round's stays 名称 — on detail pages, list columns, filters and
forms alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from dropout import services
from tests.aid.factories import DisbursementFactory
from tests.dropout.factories import run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory, id_for

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def labels(html: str) -> list[str]:
    """The field labels of a detail page (<dt>) in order."""
    return [_text(m) for m in re.findall(r"<dt[^>]*>(.*?)</dt>", html, re.S)]


def headers(html: str) -> list[str]:
    """The column headers of the page's tables."""
    return [_text(m) for m in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]


def filter_and_form_labels(html: str) -> list[str]:
    """The labels of the page's filter and form fields (without the required-field mark)."""
    return [_text(m).rstrip(" *") for m in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)]


@pytest.fixture
def case(county, township, county_user):
    return services.case_open(
        id_number=id_for("231083", dt.date(2012, 2, 2)),
        name="村里报告",
        township=township,
        actor=county_user,
    )


@pytest.fixture
def screening_round(city_admin, county, township):
    RosterChildFactory(roster_version=RosterVersionFactory(county=county), township=township)
    return run_round(city_admin)


def test_a_case_shows_its_handling_status_and_the_childs_name(client, county_user, case):
    client.force_login(county_user)
    page = client.get(case.get_absolute_url()).content.decode()
    shown = labels(page)
    assert "办理状态" in shown and "姓名" in shown
    assert "学籍状态" not in shown and "名称" not in shown
    listing = client.get(reverse("dropoutcase-list")).content.decode()
    assert {"姓名", "办理状态"} <= set(headers(listing))
    assert {"姓名", "办理状态"} <= set(filter_and_form_labels(listing))
    assert "学籍状态" not in headers(listing) + filter_and_form_labels(listing)
    form = client.get(reverse("dropout-case-open")).content.decode()
    assert "姓名" in filter_and_form_labels(form) and "名称" not in filter_and_form_labels(form)


def test_a_round_shows_its_round_status_and_its_name(admin_client_, screening_round):
    listing = admin_client_.get(reverse("screeninground-list")).content.decode()
    assert {"轮次状态", "名称"} <= set(headers(listing))  # a round has a 名称, not a 姓名
    assert "学籍状态" not in headers(listing) and "姓名" not in headers(listing)
    assert "轮次状态" in filter_and_form_labels(listing)
    dashboard = admin_client_.get(reverse("dropout-dashboard")).content.decode()
    round_table = dashboard.split('id="round-list"', 1)[1].split("</table>", 1)[0]
    assert "轮次状态" in headers(round_table)
    results = admin_client_.get(reverse("screeningresult-list")).content.decode()
    assert "姓名" in headers(results) and "名称" not in headers(results)


def test_jobs_show_their_job_status(admin_client_, screening_round):
    listing = admin_client_.get(reverse("job-list")).content.decode()
    assert "任务状态" in headers(listing) and "学籍状态" not in headers(listing)


def test_a_student_keeps_the_registry_status_and_schools_keep_their_name(city_client, school):
    student = StudentFactory(school=school, name="学籍学生")
    page = city_client.get(student.get_absolute_url()).content.decode()
    assert "学籍状态" in labels(page) and "姓名" in labels(page)
    schools = city_client.get(reverse("school-list")).content.decode()
    assert "名称" in headers(schools) and "姓名" not in headers(schools)


def test_roster_and_aid_rows_name_the_person(county_client, county, township, school):
    RosterChildFactory(roster_version=RosterVersionFactory(county=county), township=township)
    DisbursementFactory(school=school)
    for url in (reverse("rosterchild-list"), reverse("disbursement-list")):
        page = county_client.get(url).content.decode()
        assert "姓名" in headers(page), url
        assert "名称" not in headers(page), url
        assert "姓名" in filter_and_form_labels(page), url
