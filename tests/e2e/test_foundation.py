"""A county officer in a real browser: log in, overview, own schools only, a masked student ID,
English and back — with every request served by the site itself and no console error."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from core import idnumbers
from core.models import School, Student
from tests.factories import DEMO_PASSWORD, SchoolFactory, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return str(text)


class Watch:
    """Everything the page asks for, gets back and complains about."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.requests: list[str] = []
        self.responses: dict[str, int] = {}
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))

    def _response(self, response):
        self.responses[response.url] = response.status

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} @ {message.location}")

    def off_site(self) -> list[str]:
        # data: URLs (Bootstrap's inline SVGs) never leave the machine.
        return [
            url
            for url in self.requests
            if not url.startswith(self.origin + "/") and not url.startswith("data:")
        ]

    def status_of(self, path_part: str) -> list[int]:
        return [status for url, status in self.responses.items() if path_part in url]


def test_county_officer_journey(live_server, page, screenshots, county_user, school, other_school):
    # Rows first: the live server reads them from its own thread, so they must be committed.
    township, other_township = school.township, other_school.township
    own = [school, *(SchoolFactory(township=township) for _ in range(3))]
    foreign = [other_school, *(SchoolFactory(township=other_township) for _ in range(2))]
    student = StudentFactory(school=school, name="王小明")
    own_names = [s.name for s in own]
    foreign_names = [s.name for s in foreign]
    schools_title = zh(School._meta.verbose_name_plural)
    students_title = zh(Student._meta.verbose_name_plural)
    with translation.override("zh-hans"):
        count_text = ngettext("%(shown)s row", "%(shown)s rows", len(own)) % {
            "shown": f"{len(own):,}"
        }
        overview, log_in = gettext("Overview"), gettext("Log in")
    assert overview == "概览" and log_in == "登录"  # the catalogue is compiled

    origin = live_server.url
    watch = Watch(page, origin)

    # 1. The site sends an anonymous visitor to the Chinese log-in page.
    page.goto(origin + "/")
    assert re.search(r"/login/\?next=/$", page.url)
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=screenshots / "01-login.png", full_page=True)
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()

    # 2. The overview, then the school list from the sidebar: own county's schools only.
    page.wait_for_url(origin + "/")
    assert "概览" in page.locator("h1").inner_text()
    assert "海林市" in page.locator("h1").inner_text()
    assert page.locator("#figure-schools").inner_text() == str(len(own))
    page.screenshot(path=screenshots / "02-home.png", full_page=True)

    page.locator("aside.sidebar").get_by_role("link", name=schools_title, exact=True).click()
    page.wait_for_url(origin + "/schools/")
    assert page.locator("h1").inner_text() == schools_title
    table = page.locator("table tbody")
    table_text = table.inner_text()
    for name in own_names:
        assert name in table_text
    for name in [*foreign_names, "东宁市"]:
        assert name not in table_text
    for name in foreign_names:
        assert name not in page.content()
    assert table.locator("tr").count() == len(own)
    assert page.locator("#result-count").inner_text().strip() == count_text
    page.screenshot(path=screenshots / "03-school-list.png", full_page=True)

    # 3. A student, reached from the student list by name: the ID number is masked everywhere.
    page.locator("aside.sidebar").get_by_role("link", name=students_title, exact=True).click()
    page.wait_for_url(origin + "/students/")
    assert idnumbers.mask(student.id_number) in page.locator("table tbody").inner_text()
    assert student.id_number not in page.content()
    page.screenshot(path=screenshots / "04-student-list.png", full_page=True)

    page.locator("table tbody").get_by_role("link", name=student.name, exact=True).click()
    page.wait_for_url(f"{origin}/students/{student.pk}/")
    masked = idnumbers.mask(student.id_number)
    assert masked != student.id_number
    assert page.locator("#field-id_number").inner_text().strip() == masked
    assert student.id_number not in page.content()
    assert page.locator("#reveal-id").count() == 0  # a county officer may not reveal IDs
    page.screenshot(path=screenshots / "05-student-detail.png", full_page=True)

    # 4. English from the navbar, on the same page; then back to Chinese.
    page.locator('button[data-language="en"]').click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url == f"{origin}/students/{student.pk}/"
    breadcrumbs = page.locator("nav[aria-label=breadcrumb]").inner_text()
    assert "Overview" in breadcrumbs and "students" in breadcrumbs.lower()
    assert "概览" not in page.content()
    assert "学籍学生" not in page.content()
    assert page.locator("#field-id_number").inner_text().strip() == masked
    page.screenshot(path=screenshots / "06-student-detail-english.png", full_page=True)

    page.locator("aside.sidebar").get_by_role("link", name="Overview").click()
    page.wait_for_url(origin + "/")
    assert "Overview" in page.locator("h1").inner_text()
    assert "概览" not in page.content()
    page.screenshot(path=screenshots / "07-home-english.png", full_page=True)

    page.locator('button[data-language="zh-hans"]').click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert "概览" in page.locator("h1").inner_text()
    assert "Overview" not in page.content()
    page.screenshot(path=screenshots / "08-home-chinese-again.png", full_page=True)

    # 5. Everything came from the live server, the styles loaded, and nothing complained.
    assert watch.requests, "no request recorded"
    assert watch.off_site() == []
    assert watch.status_of("/static/vendor/bootstrap-5.3.9/bootstrap.min.css") == [200]
    assert watch.status_of("/static/vendor/bootstrap-icons-1.13.2/fonts/bootstrap-icons.woff2") == [
        200
    ]
    assert watch.status_of("/static/css/app.css") == [200]
    assert watch.status_of("/static/js/app.js") == [200]
    failed = {url: status for url, status in watch.responses.items() if status >= 400}
    assert failed == {}
    assert [error for error in watch.errors if "/favicon.ico" not in error] == []
    # Browsers ask for /favicon.ico when the page names no icon: a 404 in every page's console.
    assert watch.errors == [], "no favicon: base.html needs <link rel=icon> to a static file"
