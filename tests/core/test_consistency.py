"""One way of showing the same thing everywhere (issue 11, point 10): grades by their names, the
roster as it stands, roster versions dated by their data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.dropout.factories import run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory

pytestmark = pytest.mark.django_db


def cells(html: str) -> list[str]:
    return [text.strip() for text in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return sorted(row.record.name for row in response.context["table"].paginated_rows)


def test_the_roster_list_shows_each_countys_newest_version_unless_asked(
    county_client, county, township
):
    spring = RosterVersionFactory(county=county, label="2023年春季学期名单")
    child = RosterChildFactory(roster_version=spring, township=township, name="于雪颖")
    RosterChildFactory(roster_version=spring, township=township, name="只在春季名单")
    autumn = RosterVersionFactory(county=county, label="2023年秋季学期名单")
    RosterChildFactory(
        roster_version=autumn, township=township, name="于雪颖", id_number=child.id_number
    )
    assert listed(county_client, "/roster/") == ["于雪颖"]  # once, from the autumn list
    assert listed(county_client, "/roster/?all_versions=true") == [
        "于雪颖",
        "于雪颖",
        "只在春季名单",
    ]
    assert listed(county_client, f"/roster/?roster_version={spring.pk}") == [
        "于雪颖",
        "只在春季名单",
    ]
    page = county_client.get("/roster/").content.decode()
    assert "每县最新版本" in page  # the version filter says what is shown when none is chosen


def test_a_roster_version_is_named_with_the_date_of_its_list_not_of_its_loading(county):
    version = RosterVersionFactory(
        county=county, label="2023年秋季学期名单", as_of=dt.date(2023, 9, 1)
    )
    assert str(version) == "2023年秋季学期名单（2023-09-01）"
    assert version.created_at.date() != dt.date(2023, 9, 1)


def test_results_show_grades_by_name_as_the_registry_does(
    city_admin, city_client, county, township, school
):
    version = RosterVersionFactory(county=county)
    sixth = RosterChildFactory(roster_version=version, township=township, name="六年级学生")
    StudentFactory(
        school=school,
        id_number=sixth.id_number,
        name=sixth.name,
        birth_date=sixth.birth_date,
        grade=6,
    )
    screening_round = run_round(city_admin, counties=[county])
    with translation.override("zh-hans"):
        results = city_client.get(
            reverse("screeningresult-list") + f"?round={screening_round.pk}",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
        registry = city_client.get(
            reverse("student-list"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "六年级" in cells(results) and "6" not in cells(results)
    assert "六年级" in cells(registry)
