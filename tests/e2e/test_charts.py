"""Charts in a real browser, as the city staff and a county officer see them: every county is
named on the axis, a bar opens the rows behind it (dropout's charts too), a round's chart keeps
its small classes readable, and a chart with nothing to show says 暂无数据."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from core.scoping import Role
from dropout.models import Classification
from tests.dropout.factories import run_round
from tests.factories import (
    DEMO_PASSWORD,
    CountyFactory,
    RosterChildFactory,
    RosterVersionFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Mudanjiang's other eight counties (海林市 and 东宁市 are the fixtures').
OTHER_COUNTIES = [
    ("231002", "东安区"),
    ("231003", "阳明区"),
    ("231004", "爱民区"),
    ("231005", "西安区"),
    ("231025", "林口县"),
    ("231081", "绥芬河市"),
    ("231084", "宁安市"),
    ("231085", "穆棱市"),
]

# The centre of one bar, from the chart's own layout (the page's ECharts instance).
BAR_CENTRE = """([id, series, index]) => {
  const el = document.getElementById(id);
  const layout = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(series)
    .getData().getItemLayout(index);
  const box = el.getBoundingClientRect();
  return [box.left + layout.x + layout.width / 2, box.top + layout.y + layout.height / 2];
}"""


def _texts(page, chart_id: str) -> list[str]:
    page.wait_for_selector(f"#{chart_id}[data-chart-ready] svg")
    return [t.strip() for t in page.locator(f"#{chart_id} svg text").all_text_contents()]


def _log_in(page, origin, user):
    page.goto(origin + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")


def _click_bar(page, chart_id: str, series: int, index: int):
    x, y = page.evaluate(BAR_CENTRE, [chart_id, series, index])
    page.mouse.click(x, y)


@pytest.fixture
def screened(city, county, other_county, township, other_township, school, city_admin):
    """A round over 海林市 (one child enrolled, two not) and 东宁市 (one not enrolled)."""
    for code, name in OTHER_COUNTIES:
        CountyFactory(code=code, name=name, parent=city)
    mine = RosterVersionFactory(county=county)
    enrolled = RosterChildFactory(roster_version=mine, township=township, name="在读儿童")
    StudentFactory(
        school=school, id_number=enrolled.id_number, name=enrolled.name,
        birth_date=enrolled.birth_date,
    )  # fmt: skip
    RosterChildFactory(roster_version=mine, township=township, name="海林失学")
    RosterChildFactory(roster_version=mine, township=township, name="海林失学二")
    theirs = RosterVersionFactory(county=other_county)
    RosterChildFactory(roster_version=theirs, township=other_township, name="东宁失学")
    return run_round(city_admin)


def test_every_county_is_labelled_and_a_bar_opens_its_rows(
    live_server, page, screenshots, city_user, screened
):
    page.set_default_timeout(30_000)  # ten counties' pages on a loaded machine (CI, xdist)
    origin = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, origin, city_user)

    # The home page: a card per area, its figures leading to their rows, and the county chart.
    _texts(page, "home-chart")
    page.screenshot(path=screenshots / "charts-00-home.png", full_page=True)
    open_cases = page.locator("[data-area=dropout] [data-figure='2'] a")
    assert open_cases.inner_text() == "3"  # 海林市 2, 东宁市 1
    open_cases.click()
    page.wait_for_url("**/cases/?**")
    assert page.locator("table tbody tr").count() == 3

    # The dashboard's person-times chart names all ten counties, none skipped.
    page.goto(origin + reverse("dropout-dashboard"))
    texts = _texts(page, "chart-person-times")
    names = ["东安区", "阳明区", "爱民区", "西安区", "林口县", "绥芬河市", "海林市", "宁安市",
             "穆棱市", "东宁市"]  # fmt: skip
    assert [t for t in texts if t in names] == names
    assert "3" in texts and "1" in texts  # each bar carries its value (海林市 3, 东宁市 1)
    assert _texts(page, "chart-cases").count("海林市") == 1
    page.screenshot(path=screenshots / "charts-01-dropout-dashboard.png", full_page=True)

    # 海林市's bar opens its three screened children.
    _click_bar(page, "chart-person-times", 0, names.index("海林市"))
    page.wait_for_url("**/results/?**")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert {"在读儿童", "海林失学", "海林失学二"} <= set(" ".join(rows.all_inner_texts()).split())

    # The cases chart is clickable too: 海林市's open cases are its two suspected children.
    page.goto(origin + reverse("dropout-dashboard"))
    _texts(page, "chart-cases")
    _click_bar(page, "chart-cases", 1, names.index("海林市"))
    page.wait_for_url("**/cases/?**")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2 and "海林失学" in rows.first.inner_text() + rows.last.inner_text()

    # The round's chart: every class named, each non-empty class with its value, clickable.
    page.goto(origin + screened.get_absolute_url())
    texts = _texts(page, "round-chart")
    with translation.override("zh-hans"):  # the page's language, whatever a test before chose
        labels = [str(c.label) for c in Classification]
    assert [t for t in texts if t in labels] == labels
    page.screenshot(path=screenshots / "charts-02-round-detail.png", full_page=True)
    suspected = list(Classification).index(Classification.SUSPECTED)
    _click_bar(page, "round-chart", 0, suspected)
    page.wait_for_url("**/results/?**")
    assert page.locator("table tbody tr").count() == 3
    assert errors == []


def test_a_chart_with_nothing_to_show_says_no_data(live_server, page, screenshots, city):
    """A county officer of a county with no roster and no payments: 暂无数据, no empty frame."""
    county = CountyFactory(code="231002", name="东安区", parent=city)
    officer = UserFactory(username="dongan-officer", role=Role.COUNTY_OFFICER, scope=county)
    origin = live_server.url
    _log_in(page, origin, officer)

    page.goto(origin + reverse("dropout-dashboard"))
    empty = page.locator("#chart-person-times")
    assert empty.inner_text().strip() == "暂无数据" and empty.locator("svg").count() == 0
    assert page.locator("#chart-cases").inner_text().strip() == "暂无数据"

    page.goto(origin + reverse("aid-dashboard"))
    for chart in ("aid-chart-counties", "aid-chart-categories", "aid-chart-programmes"):
        assert page.locator(f"#{chart}").inner_text().strip() == "暂无数据"
    page.screenshot(path=screenshots / "charts-03-empty-state.png", full_page=True)
