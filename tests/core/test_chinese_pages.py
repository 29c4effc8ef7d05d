"""The Chinese pages as a new user reads them, over the demo city: full-width punctuation in the
text built from pieces (not only in the catalogue), a round page that reads as sentences, and the
demo's 2023 data dated 2023."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.checklists import all_checks
from core.ledger import all_ledgers
from core.models import User
from core.reference import SchoolYearStart

pytestmark = [pytest.mark.long, pytest.mark.django_db]

HAN = r"[\u3400-\u9fff]"
# ASCII , : ; ( ) ! ? (or a full stop) touching a Chinese character: "县区: 东安区",
# "姓名 (学生姓名)" once the space is gone, "至 2017-08-31). ". A date, a file name or a code
# between Chinese words is not punctuation.
ASCII_BESIDE_CHINESE = re.compile(
    rf"(?<={HAN})\s?[,:;()!?]|[,:;()!?]\s?(?={HAN})|(?<={HAN})\.(?![\w])|\)\.\s*(?={HAN})"
)


class _VisibleText(HTMLParser):
    """The text a reader sees (and the titles and placeholders a pointer or an empty field
    shows), without scripts, styles and the charts' JSON."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


def main_pages(user) -> list[str]:
    """Every ledger's list, new, import, detail and edit pages (the first row the user sees), the
    check lists, the dashboards, every round's page and a case's page."""
    from dropout.models import DropoutCase, ScreeningRound

    urls = [
        reverse("home"),
        reverse("dropout-dashboard"),
        reverse("dropout-rates"),
        reverse("dropout-coverage"),
        reverse("aid-dashboard"),
        reverse("school-calendar"),
        reverse("job-list"),
    ]
    for ledger in all_ledgers():
        for page in ("list", "create", "import"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(ledger.url_name(page)))
        row = ledger.model.objects.visible_to(user).order_by("pk").first()
        for page in ("detail", "update") if row is not None else ():
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(ledger.url_name(page), args=[row.pk]))
    urls += [reverse(check.url_name) for check in all_checks()]
    urls += [r.get_absolute_url() for r in ScreeningRound.objects.visible_to(user)]
    urls += [c.get_absolute_url() for c in DropoutCase.objects.visible_to(user)[:2]]
    return urls


def ascii_punctuation(client, urls) -> list[tuple[str, str]]:
    found = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 403:  # not this role's page
            continue
        assert response.status_code == 200, url
        found += [
            (url, text)
            for text in visible_text(response.content.decode())
            if ASCII_BESIDE_CHINESE.search(text)
        ]
    return found


def test_the_check_finds_ascii_punctuation_beside_chinese_and_nothing_else():
    for bad in (
        "县区: 东安区",
        "姓名 (学生姓名)",
        "工作表 学籍, 表头行 1",
        "(出生日期 2007-09-01 至 2017-08-31). 排查对象",
        "请填写!",
    ):
        assert ASCII_BESIDE_CHINESE.search(bad), bad
    for good in (
        "县区：东安区",
        "姓名（也可写作：学生姓名）",
        "排查日期 2023-09-15 · 发起人：徐璐妍",
        "学生导入模板.xlsx",
        "2023–2024学年",
    ):
        assert not ASCII_BESIDE_CHINESE.search(good), good


def test_main_pages_in_chinese_have_full_width_punctuation(demo_city):
    """City staff, a county officer and a county reviewer walk every main page in Chinese."""
    for username in ("city-admin", "hailin-officer", "hailin-reviewer"):
        user = User.objects.get(username=username)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        found = ascii_punctuation(client, main_pages(user))
        assert not found, f"{username}: ASCII punctuation in Chinese text: {found[:10]}"


def test_the_round_page_reads_as_sentences_with_each_countys_version(demo_city):
    """The finish is counted in words (not "screened=557 opened=0"), each county's roster
    version is named with its county, and the chart has a title."""
    from dropout.models import ScreeningRound

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="city-admin"))
    first = ScreeningRound.objects.order_by("screening_date").first()
    text = "\n".join(visible_text(client.get(first.get_absolute_url()).content.decode()))
    assert "screened=" not in text and "opened=" not in text
    assert "排查儿童数：557" in text and "新建跟踪数：6" in text
    assert "本轮排查结论分布" in text  # the chart's title
    for county in first.counties.all():
        assert text.count(f"{county.name} · 2023年秋季学期") == 2  # the list and the history
    assert "县区：东安区、阳明区" in text and "（出生日期 2007-09-01 至 2017-08-31）。" in text


def test_the_demos_2023_data_is_dated_2023_not_the_day_it_was_seeded(demo_city):
    from dropout.models import ScreeningRound

    local = timezone.localtime
    for screening_round in ScreeningRound.objects.all():
        assert local(screening_round.finished_at).date() == screening_round.screening_date
        assert local(screening_round.created_at).date() == screening_round.screening_date
    assert local(SchoolYearStart.objects.get(school_year=2023).started_at).date() == dt.date(
        2023, 9, 1
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="city-admin"))
    first = ScreeningRound.objects.order_by("screening_date").first()
    text = " ".join(visible_text(client.get(first.get_absolute_url()).content.decode()))
    assert "完成时间：2023-09-15" in text
    assert str(timezone.localdate().year) + "-" not in text.replace("2023-", "")
    # Seeding is over: the clock is the real one again.
    assert abs(timezone.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
