"""The chart builders (core.charts) every area's selectors feed, and what their pages show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from core import charts
from core.links import link


def test_link_leaves_out_empty_filters():
    assert link("student-list") == reverse("student-list")
    assert link("student-list", county=7, school_kind=None, q="") == (
        reverse("student-list") + "?county=7"
    )
    assert link("student-list", q="王 芳") == reverse("student-list") + "?q=%E7%8E%8B+%E8%8A%B3"


def test_bars_carry_each_value_and_the_url_of_its_rows():
    chart = charts.bars(
        categories=["海林市", "东宁市"],
        series=[
            charts.Series("人次", [3, 0], ["/a/?county=1", "/a/?county=2"]),
            charts.Series("跟踪", [1, 2], ["/b/?county=1", "/b/?county=2"], axis=1),
        ],
        category_urls=["/a/?county=1", "/a/?county=2"],
    )
    assert chart["kind"] == "bars" and chart["categories"] == ["海林市", "东宁市"]
    assert [s["data"] for s in chart["series"]] == [[3, 0], [1, 2]]
    assert chart["series"][1]["urls"] == ["/b/?county=1", "/b/?county=2"]
    assert [s["axis"] for s in chart["series"]] == [0, 1]
    assert chart["integer"] is True and chart["empty"] is False


def test_a_series_read_off_rows_takes_each_rows_value_and_url():
    rows = [
        {"name": "海林市", "cases": 4, "url": "/c/?county=1", "open_url": "/o/?county=1"},
        {"name": "东宁市", "cases": 0, "url": "/c/?county=2", "open_url": "/o/?county=2"},
    ]
    assert charts.Series.of("跟踪", rows, "cases") == charts.Series(
        "跟踪", [4, 0], ["/c/?county=1", "/c/?county=2"]
    )
    second = charts.Series.of("跟踪", rows, "cases", "open_url", axis=1)
    assert second.urls == ["/o/?county=1", "/o/?county=2"] and second.axis == 1


def test_a_single_series_labels_open_its_bars_rows():
    chart = charts.bars(categories=["a"], series=[charts.Series("n", [1], ["/rows/"])])
    assert chart["category_urls"] == ["/rows/"]


def test_money_stays_decimal_strings_and_floats_are_refused():
    chart = charts.bars(
        categories=["海林市"],
        series=[charts.Series("万元", [Decimal("196.63")], ["/rows/"])],
        horizontal=True,
    )
    assert chart["kind"] == "hbars" and chart["series"][0]["data"] == ["196.63"]
    assert chart["integer"] is False
    with pytest.raises(TypeError):
        charts.bars(categories=["a"], series=[charts.Series("n", [0.1])])


@pytest.mark.parametrize(
    "categories, data", [([], []), (["海林市"], [0]), (["海林市", "东宁市"], [Decimal("0.00"), 0])]
)
def test_nothing_to_show_is_the_empty_state(categories, data):
    assert charts.bars(categories=categories, series=[charts.Series("n", data)])["empty"] is True


def test_a_series_must_have_one_value_and_url_per_category():
    with pytest.raises(ValueError):
        charts.bars(categories=["a", "b"], series=[charts.Series("n", [1])])
    with pytest.raises(ValueError):
        charts.bars(categories=["a"], series=[charts.Series("n", [1], ["/x/", "/y/"])])


def test_a_pie_leaves_out_empty_slices():
    chart = charts.pie(items=[("低保", Decimal("0.03"), "/a/"), ("特困", 0, "/b/")])
    assert chart["items"] == [{"name": "低保", "value": "0.03", "url": "/a/"}]
    assert charts.pie(items=[("特困", 0, "/b/")])["empty"] is True


@pytest.mark.django_db
def test_a_county_officers_empty_charts_say_no_data(county_client):
    html = county_client.get(reverse("aid-dashboard")).content.decode()
    assert html.count("暂无数据") == 4  # amounts by county, by category, programmes, publicity
    assert 'data-chart="' not in html
    html = county_client.get(reverse("dropout-dashboard")).content.decode()
    assert html.count("暂无数据") == 2
