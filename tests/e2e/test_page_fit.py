"""A new user at 1280 px, in Chinese and in English, on the demo city: every ledger's list and
detail page fits the window, each page's <title> says what its heading says, and the English
pages' headings, labels, buttons and table headers hold no Chinese but data (names of people,
schools, regions, the Chinese headers an import file must have)."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from core.ledger import all_ledgers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "fit-demo-pass-7"
CHINESE = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\u3002\uff1a\uff1b\u3001]+")

# Each element's own text, without the parts marked as Chinese data (lang="zh-Hans").
SCAN = r"""() => {
  const out = [];
  const own = el => { const c = el.cloneNode(true);
    c.querySelectorAll('[lang^=zh]').forEach(e => e.remove());
    return c.textContent.replace(/\s+/g, ' ').trim(); };
  const sel = 'th, label, button, h1, h2, h3, .alert, .form-text, .invalid-feedback, dt';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[lang^=zh]')) continue;
    out.push([el.tagName, own(el)]);
  }
  return out;
}"""


def _data_text() -> str:
    """Every text value of the project's rows: what a page may show in Chinese as data."""
    values = []
    for model in apps.get_models():
        if model._meta.app_label not in ("core", "dropout", "aid"):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                values.extend(v for v in row if v)
    return "\x00".join(values)


def _pages() -> list[str]:
    pages = ["/", "/jobs/"]
    for ledger in all_ledgers():
        pages.append(reverse(ledger.url_name("list")))
        row = ledger.model.objects.order_by("pk").last()
        if row is not None:
            pages.append(reverse(ledger.url_name("detail"), args=[row.pk]))
        if ledger.import_spec is not None:
            pages.append(reverse(ledger.url_name("import")))
    return pages


def test_every_ledger_page_fits_1280_px_and_english_pages_are_english(live_server, browser):
    call_command("seed_demo", students=1500, seed=7, password=PASSWORD, stdout=io.StringIO())
    data = _data_text()
    pages = _pages()
    origin = live_server.url
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(origin + "/login/")
    page.fill("#id_username", "city-admin")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(origin + "/")
    too_wide, untitled, chinese, lowercase = [], [], [], []
    for language in ("zh-hans", "en"):
        context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
        for path in pages:
            response = page.goto(origin + path)
            assert response.status == 200, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 1280:
                too_wide.append((language, path, width))
            heading = page.locator("main h1").first.inner_text().strip()
            title = page.title().rsplit(" · ", 1)[0]  # less the platform's name
            if not (heading.startswith(title) or title.startswith(heading)) or not title:
                untitled.append((language, path, page.title(), heading))
            if language != "en":
                continue
            for tag, text in page.evaluate(SCAN):
                leftover = [run for run in CHINESE.findall(text) if run.strip("（）") not in data]
                if leftover:
                    chinese.append((path, tag, text))
                if tag in ("TH", "LABEL", "DT", "H1", "H2", "H3") and re.match(r"[a-z]", text):
                    lowercase.append((path, tag, text))
    context.close()
    assert not too_wide, f"pages wider than a 1280 px window: {too_wide}"
    assert not untitled, f"pages whose <title> does not say what their heading says: {untitled}"
    assert not chinese, f"Chinese on English pages that is not data: {chinese}"
    assert not lowercase, f"English headers and labels beginning in lowercase: {lowercase}"
