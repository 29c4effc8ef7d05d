"""The data of every chart on the pages, built from plain data a selector hands over.

A selector gives the labels, the series and the URL of the rows behind each bar or slice; these
builders return what `static/js/app.js` draws, and a template shows it with
`{% include "core/_chart.html" with chart=… id="…" %}` (the element and its json_script block).
What every chart does follows from here and the one script, so an area inherits it:

- every category is labelled (the script never skips a label; it turns them when crowded);
- a bar, a slice or a category label opens the rows behind it;
- a chart with nothing to show (no category, or every value 0 — a county officer's chart of a
  programme with no rows yet) is the empty state 暂无数据, not an empty frame;
- small values stay visible beside a tall one (each bar carries its value and a minimum height;
  a 0 draws no bar), counts get whole-number ticks, money stays a decimal string ("196.63");
- a chart of places is drawn by county, or — for a scope of one county (a county officer's, or
  one county chosen), where a single bar would say nothing — by that county's townships
  (`places`): the selector groups its rows by the field `places` names and links each bar to
  the rows of its township.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

BAR_KINDS = ("bars", "hbars")


def places(user, counties) -> tuple[str, list]:
    """What a chart of places over `counties` is drawn by: ("county", the counties), or for one
    county ("township", its townships the user sees, by code)."""
    from core.models import Region, RegionLevel

    counties = list(counties)
    if len(counties) != 1:
        return "county", counties
    townships = Region.objects.visible_to(user).filter(
        parent=counties[0], level=RegionLevel.TOWNSHIP
    )
    return "township", list(townships.order_by("code"))


@dataclass(frozen=True)
class Series:
    """One series of bars: a value per category, and the URL of each value's rows."""

    name: str
    data: Sequence[int | Decimal | str]  # counts, or money as Decimal / decimal strings
    urls: Sequence[str] = ()
    axis: int = 0  # 1: read against a second value axis (a figure of another magnitude)

    @classmethod
    def of(cls, name: str, rows: Sequence[Mapping], value: str, url: str = "url", axis: int = 0):
        """The series read off a selector's rows (dicts, one per category): each row's `value`,
        its bar opening the row's `url`."""
        return cls(name, [row[value] for row in rows], [row[url] for row in rows], axis)


def _value(value) -> int | str:
    """A value as the chart's JSON carries it: an int, or a decimal string (never a float)."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"chart values are ints or decimals, not {type(value).__name__}")
    if isinstance(value, int):
        return value
    return str(Decimal(str(value)))


def _is_zero(value) -> bool:
    return Decimal(str(value)) == 0


def bars(
    *,
    categories: Sequence,
    series: Sequence[Series],
    horizontal: bool = False,
    category_urls: Sequence[str] = (),
) -> dict:
    """Bars per category, one colour per series (a legend when there are several).

    `category_urls`: what a category's label opens (default: the only series' URLs). Horizontal
    bars suit long labels (programmes, classifications).
    """
    categories = [str(c) for c in categories]
    for s in series:
        if len(s.data) != len(categories) or (s.urls and len(s.urls) != len(categories)):
            raise ValueError(f"series {s.name!r} does not have one value per category")
    if category_urls and len(category_urls) != len(categories):
        raise ValueError("category_urls does not have one URL per category")
    if not category_urls and len(series) == 1:
        category_urls = series[0].urls
    values = [v for s in series for v in s.data]
    return {
        "kind": "hbars" if horizontal else "bars",
        "categories": categories,
        "series": [
            {
                "name": str(s.name),
                "data": [_value(v) for v in s.data],
                "urls": list(s.urls),
                "axis": s.axis,
            }
            for s in series
        ],
        "category_urls": list(category_urls),
        "integer": all(isinstance(v, int) for v in values),
        "empty": not categories or all(_is_zero(v) for v in values),
    }


def pie(*, items: Sequence[tuple[str, int | Decimal | str, str]]) -> dict:
    """Slices (name, value, URL of its rows); a slice of 0 is left out."""
    shown = [
        {"name": str(name), "value": _value(value), "url": url}
        for name, value, url in items
        if not _is_zero(value)
    ]
    return {"kind": "pie", "items": shown, "empty": not shown}
