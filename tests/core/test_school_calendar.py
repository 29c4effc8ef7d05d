"""The city's school calendar (issue 11, points 10 and 11): the current school year is the one the
city's data is in until a city administrator starts the next; the school-age rule is reference
data a city administrator edits, with its history kept and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core import calendar
from core.models import AuditEvent
from core.reference import SchoolAgeRule, SchoolYearStart
from tests.factories import SchoolEnrolmentFactory

pytestmark = pytest.mark.django_db

LATE_2026 = dt.datetime(2026, 12, 2, 4, tzinfo=dt.UTC)


@pytest.fixture
def clock_in_2026(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: LATE_2026)


@pytest.fixture
def data_of_2023(db):
    return SchoolYearStart.objects.create(school_year=2023)  # as the demo city seeds it


def zh(client, url, **kwargs):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def test_the_to_do_list_follows_the_citys_school_year_not_the_clock(
    clock_in_2026, data_of_2023, county_client, school
):
    SchoolEnrolmentFactory(school=school, school_year=2022)
    items = county_client.get(reverse("home")).context["todo_items"]
    urls = [item.url for item in items]
    assert reverse("schoolenrolment-list") + "?school_year=2023" in urls
    assert not any("2026" in url for url in urls)
    with translation.override("zh-hans"):
        page = zh(county_client, reverse("home")).content.decode()
    assert "2023" in page and "2026学年" not in page


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_city_admin_starts_the_next_school_year_and_everyone_sees_it(
    clock_in_2026, data_of_2023, city_admin, county_user
):
    admin_client_, county_client = signed_in(city_admin), signed_in(county_user)
    page = zh(admin_client_, reverse("school-calendar")).content.decode()
    assert 'id="current-year">2023–2024<' in page
    assert "开始2024–2025学年" in page and 'id="calendar-ahead"' in page
    response = admin_client_.post(reverse("school-year-start"), {"school_year": "2024"})
    assert response.status_code == 302
    assert calendar.current_school_year() == 2024
    event = AuditEvent.objects.get(ledger="core.schoolyearstart")
    assert event.action == "create" and event.actor.role == "city_admin"
    # A second click on the same, now stale, page starts nothing more.
    admin_client_.post(reverse("school-year-start"), {"school_year": "2024"})
    assert list(SchoolYearStart.objects.values_list("school_year", flat=True)) == [2024, 2023]
    shown = zh(county_client, reverse("school-calendar")).content.decode()
    assert 'id="current-year">2024–2025<' in shown
    assert 'id="start-year"' not in shown and 'id="age-rule-form"' not in shown
    assert (
        county_client.post(reverse("school-year-start"), {"school_year": "2025"}).status_code == 403
    )
    assert calendar.current_school_year() == 2024


def test_the_school_age_rule_is_edited_by_a_city_admin_and_keeps_its_history(
    data_of_2023, city_admin, county_user
):
    admin_client_, county_client = signed_in(city_admin), signed_in(county_user)
    page = zh(admin_client_, reverse("school-calendar")).content.decode()
    assert "6" in page and 'id="age-rule-form"' in page
    response = admin_client_.post(
        reverse("school-age-rule-create"),
        {"effective_from": "2024", "age_min": "6", "age_max": "16", "note": "延长至16周岁"},
    )
    assert response.status_code == 302
    assert calendar.school_age_range(2023) == (6, 15)  # the year in progress keeps its rule
    assert calendar.school_age_range(2024) == (6, 16)
    rule = SchoolAgeRule.objects.get()
    assert rule.set_by == city_admin
    event = AuditEvent.objects.get(ledger="core.schoolagerule")
    assert event.action == "create" and event.changes["age_max"] == [None, 16]

    # Bad input: a clear message, nothing written.
    for bad, message in (
        ({"effective_from": "2024", "age_min": "6", "age_max": "15"}, "已有自该学年起的规则"),
        ({"effective_from": "2023", "age_min": "12", "age_max": "6"}, "最大年龄不能小于最小年龄"),
        ({"effective_from": "2019", "age_min": "6", "age_max": "15"}, "请选择列出的学年"),
    ):
        refused = admin_client_.post(
            reverse("school-age-rule-create"), bad, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert refused.status_code == 200 and message in refused.content.decode()
    assert SchoolAgeRule.objects.count() == 1

    history = zh(county_client, reverse("school-calendar")).content.decode()
    assert "延长至16周岁" in history and "6–16" in history  # read by everyone, history kept
    refused = county_client.post(
        reverse("school-age-rule-create"),
        {"effective_from": "2025", "age_min": "6", "age_max": "18"},
    )
    assert refused.status_code == 403 and SchoolAgeRule.objects.count() == 1


def test_the_dropout_dashboard_reads_the_rule_of_its_school_year(
    data_of_2023, city_client, city_admin
):
    SchoolAgeRule.objects.create(effective_from=2023, age_min=7, age_max=14, set_by=city_admin)
    page = zh(city_client, reverse("dropout-dashboard")).content.decode()
    assert "年满 7 至 14 周岁" in page


def test_one_school_year_control_on_both_dashboards(data_of_2023, city_client):
    """The dropout dashboard, its rates page and the aid dashboard offer the same drop-down of
    school years labelled 2023–2024 (no free number field)."""
    for name in ("dropout-dashboard", "dropout-rates", "aid-dashboard"):
        page = zh(city_client, reverse(name))
        html = page.content.decode()
        assert '<select name="school_year"' in html, name
        assert '<option value="2023" selected>2023–2024</option>' in html, name
        assert 'type="number" name="school_year"' not in html, name
    refused = zh(city_client, reverse("dropout-dashboard"), data={"school_year": "1999"})
    assert "请选择列出的学年" in refused.content.decode()
    assert refused.context["data"]["school_year"] == 2023
