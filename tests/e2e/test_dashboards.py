"""Every area's dashboard and the home page on the demo city, as the city staff and as a county
officer, in Chinese and in English, at 1280 px: every chart draws (or says 暂无数据) with no label
running into another or cut off, no choice
reads "---------", nothing is wider than the window, the English page's headings and labels are
English, and a screenshot of each is kept (var/screenshots/dashboard-*.png). An area that
registers a dashboard is walked without a line here."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from core.areas import areas
from tests.e2e.test_page_fit import CHINESE, SCAN, _data_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "walk-demo-pass-7"
USERS = ("city-staff", "hailin-officer")

# Every chart on the page has drawn (app.js marks it) or is an empty state; the number of each.
CHARTS = """() => {
  const charts = [...document.querySelectorAll('[data-chart]')];
  return {
    charts: charts.length,
    drawn: charts.filter(el => el.dataset.chartReady === 'true').length,
    empty: document.querySelectorAll('[data-chart-empty]').length,
  };
}"""


# The texts of each chart (its SVG: labels, legend, axes) that run into another or are cut off
# ("…", a legend's "1/4" pager); a turned axis label is left out (its box is not its shape).
CLASHES = r"""() => {
  const out = [];
  const upright = t => {
    const m = /matrix\(([^)]+)\)/.exec(t.getAttribute('transform') || '');
    return !m || Math.abs(Number(m[1].split(/[ ,]+/)[1])) < 1e-6;
  };
  for (const chart of document.querySelectorAll('[data-chart]')) {
    const texts = [...chart.querySelectorAll('svg text')].filter(upright)
      .map(t => [t.textContent.trim(), t.getBoundingClientRect()])
      .filter(([text, box]) => text && box.width > 0);
    texts.forEach(([text, a], i) => {
      const cut = /(\.\.\.|…)$/.test(text) || /^\d+\/\d+$/.test(text);
      if (cut) out.push([chart.id, text, 'cut off']);
      texts.slice(i + 1).forEach(([other, b]) => {
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) out.push([chart.id, text, other]);
      });
    });
  }
  return out;
}"""


def _dashboards() -> list[tuple[str, str]]:
    with translation.override("zh-hans"):
        found = [(a.app, a.dashboard_url()) for a in areas()]
    return [("home", "/"), *[(app, url) for app, url in found if url]]


def test_every_dashboard_draws_fits_and_speaks_the_language(live_server, browser, screenshots):
    call_command("seed_demo", students=1500, seed=7, password=PASSWORD, stdout=io.StringIO())
    data = _data_text()
    dashboards = _dashboards()
    assert {"home", "dropout", "aid", "facilities"} <= {app for app, _url in dashboards}
    origin = live_server.url
    found = []
    for username in USERS:
        context = browser.new_context(
            locale="en-US", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(origin + "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_url(origin + "/")
        for language in ("zh-hans", "en"):
            context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
            for app, path in dashboards:
                where = f"{username} {language} {path}"
                response = page.goto(origin + path)
                assert response.status == 200, where
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-chart]')]"
                    ".every(el => el.dataset.chartReady === 'true')"
                )
                charts = page.evaluate(CHARTS)
                if app != "home" and not charts["charts"] + charts["empty"]:
                    found.append((where, "no chart"))
                for chart, text, other in page.evaluate(CLASHES):
                    found.append((where, f"chart {chart}: {text!r} runs into {other!r}"))
                text = page.locator("main").inner_text()
                if "---------" in text or "--------" in page.content():
                    found.append((where, "a choice reads ---------"))
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 1280:
                    found.append((where, f"{width} px wide"))
                if re.search(r"(?<![\d,.])\d{5,}(?![\d,.])", _figures(page)):
                    found.append((where, f"a figure without separators: {_figures(page)}"))
                if language == "en":
                    for tag, label in page.evaluate(SCAN):
                        leftover = [
                            r for r in CHINESE.findall(label) if r.strip("（）") not in data
                        ]
                        if leftover:
                            found.append((where, f"Chinese in {tag}: {label}"))
                page.screenshot(
                    path=screenshots / f"dashboard-{app}-{username}-{language}.png", full_page=True
                )
        context.close()
    assert not found, "\n".join(f"{where}: {what}" for where, what in found)


def _figures(page) -> str:
    """The text of the page's figure cards (where a count is read at a glance)."""
    return " ".join(page.locator(".card .fs-3, .card .fs-2, .card .display-6").all_inner_texts())
