"""A city administrator reads the audit trail and a student's history in a real browser at
1280 × 800: Chinese names, no horizontal scroll, no name wrapped one character per line."""

from __future__ import annotations

import pytest

from core import audit
from core.models import AuditAction, AuditEvent
from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The lines a cell's text takes (a name wrapped one character per line takes as many as it has).
ONE_LINE_CELLS = """
(selector) => [...document.querySelectorAll(selector)].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
  return {text: cell.innerText, lines: tops.size};
})
"""
FITS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def page_1280(browser):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_audit_trail_fits_1280_and_reads_in_chinese(
    live_server, page_1280, screenshots, city_admin, county, other_county, school
):
    city_admin.full_name = "徐璐妍"
    city_admin.save()
    student = StudentFactory(school=school, name="欧阳小明")
    audit.record_create(city_admin, student)
    before = audit.snapshot(student)
    student.status = "dropped_out"
    student.save()
    audit.record_update(city_admin, student, before)
    many = [county.code, other_county.code] * 10
    for n in range(1, 4):
        AuditEvent.objects.create(
            actor=city_admin,
            action=AuditAction.CREATE,
            ledger="dropout.screeninground",
            object_repr=f"2023年秋季学期第{n}轮控辍保学排查",
            county=county,
            changes={"counties": [None, many], "roster_versions": [None, list(range(40))]},
            note="screened=557 opened=0 confirmed=0 refuted=0" * 5,
        )
    AuditEvent.objects.create(
        actor=city_admin,
        action=AuditAction.EXPORT,
        ledger="core.student",
        changes={"rows": 20010},
        note=f"county={county.pk}&status=dropped_out&school_kind=primary&grade=6&sort=-name" * 3,
    )

    page = page_1280
    origin = live_server.url
    page.goto(origin + "/login/")
    page.fill("#id_username", city_admin.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    page.goto(origin + "/audit/")
    assert page.locator("h1").inner_text() == "操作日志"
    scroll_width, inner_width = page.evaluate(FITS)
    assert scroll_width <= inner_width
    table = page.locator("#audit-events tbody").inner_text()
    assert "排查轮次" in table and "学生" in table
    assert "学籍状态：在读 → 辍学" in table
    assert "县区：海林市、东宁市" in table
    assert "core.student" not in table and "dropout.screeninground" not in table
    assert student.id_number not in page.content()
    # user, action and county: one line each; the ledger and row names keep whole words.
    for column in (2, 3, 6):
        cells = page.evaluate(ONE_LINE_CELLS, f"#audit-events tbody td:nth-child({column})")
        assert cells and all(cell["lines"] == 1 for cell in cells), cells
    for column in (4, 5):
        cells = page.evaluate(ONE_LINE_CELLS, f"#audit-events tbody td:nth-child({column})")
        assert all(cell["lines"] <= max(1, len(cell["text"]) // 3) for cell in cells), cells
    page.screenshot(path=screenshots / "audit-log-1280.png", full_page=True)

    page.goto(f"{origin}/students/{student.pk}/")
    page.locator("#history-tab").click()
    history = page.locator("#tab-history")
    history.wait_for()
    assert "学籍状态：在读 → 辍学" in history.inner_text()
    scroll_width, inner_width = page.evaluate(FITS)
    assert scroll_width <= inner_width
    assert student.id_number not in page.content()
    page.screenshot(path=screenshots / "student-history-1280.png", full_page=True)
