"""Dropout control in a real browser: a county officer imports a roster sheet; a city admin starts
a round and watches it finish; the officer opens the suspected dropout's case, logs a home visit
with a photo and resolves it; after the next round confirms, the county reviewer closes it.

With REDIS_URL set (CI) the rounds run on a real Celery worker started here against the test
database; without it, tasks run in the web process (the embedded default).
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from PIL import Image

from core.models import RosterVersion
from dropout.models import CaseStatus, DropoutCase, ScreeningRound
from tests.dropout.test_imports import roster_row, roster_sheet
from tests.factories import DEMO_PASSWORD, StudentFactory

# `redis`: with a real broker the rounds go to the real worker (the `celery_worker` fixture),
# not run in process.
pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def log_in(page, origin, user):
    page.goto(origin + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")


def log_out(page):
    page.locator("#user-menu").click()
    page.locator("#logout").click()
    page.wait_for_url("**/login/**")


def start_round(page, origin, name):
    page.goto(origin + "/dropout/")
    page.locator("#start-round").click()
    page.wait_for_url(origin + "/dropout/rounds/start/")
    page.fill("#id_name", name)
    # The counties are boxes with 全选 above them: it ticks them all, and clears them again.
    boxes = page.locator("#id_counties input[name=counties]")
    page.locator("#id_counties").get_by_label("全选").check()
    assert boxes.count() >= 1 and all(box.is_checked() for box in boxes.all())
    page.locator("#id_counties").get_by_label("全选").uncheck()
    assert not any(box.is_checked() for box in boxes.all())
    page.locator("#id_counties").get_by_label("海林市", exact=True).check()
    several = boxes.count() > 1  # 全选 reads half-ticked when only some are
    assert page.locator("#id_counties_all").evaluate("el => el.indeterminate") == several
    page.locator("form.ledger-form button[type=submit]").click()
    page.wait_for_url("**/jobs/*/")
    # The job page polls until the round is done, then links to it.
    page.locator("#job-progress[data-status=succeeded]").wait_for(timeout=60_000)
    page.locator("#job-open").click()
    page.wait_for_url("**/dropout/rounds/*/")


def test_a_suspected_dropout_from_roster_to_closed_case(
    live_server,
    page,
    screenshots,
    celery_worker,
    tmp_path,
    county_user,
    county_reviewer,
    city_admin,
    school,
    township,
):
    origin = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    at_school = roster_row("231083", "王小明")
    missing = roster_row("231083", "赵小军")
    StudentFactory(school=school, id_number=at_school[1], name="王小明", birth_date=school_day())
    sheet = tmp_path / "海林市监测名单.xlsx"
    sheet.write_bytes(roster_sheet([at_school, missing]))
    photo = tmp_path / "家访.jpg"
    Image.new("RGB", (320, 240), "skyblue").save(photo, format="JPEG")

    # 1. The county officer imports the rural-revitalization office's sheet.
    log_in(page, origin, county_user)
    page.goto(origin + "/roster/")
    page.locator("#import-link").click()
    page.locator("#import-form input[type=file]").set_input_files(str(sheet))
    page.locator("#import-submit").click()
    page.locator("#confirm-import").wait_for()
    page.screenshot(path=screenshots / "dropout-01-roster-preview.png", full_page=True)
    page.locator("#confirm-import").click()
    page.locator("#import-status[data-status=committed]").wait_for()
    assert RosterVersion.objects.get().children.count() == 2
    log_out(page)

    # 2. The city admin starts a round and watches it finish.
    log_in(page, origin, city_admin)
    start_round(page, origin, "2023年秋季第一轮排查")
    assert page.locator("#figure-person-times").inner_text().strip() == "2"
    assert page.locator("tr[data-class=suspected] .class-count").inner_text().strip() == "1"
    assert page.locator("#figure-cases-opened").inner_text().strip() == "1"
    page.screenshot(path=screenshots / "dropout-02-round.png", full_page=True)
    log_out(page)

    # 3. The officer opens the case, logs a home visit with a photo, and resolves it.
    log_in(page, origin, county_user)
    page.goto(origin + "/dropout/")
    page.locator("#figure-cases-open").click()
    page.locator("table tbody").get_by_role("link", name="赵小军").click()
    page.wait_for_url("**/dropout/cases/*/")
    today = timezone.localdate().isoformat()
    page.fill("#case-action-form input[name=date]", today)
    page.locator("#case-action-form select[name=kind]").select_option("home_visit")
    page.fill("#case-action-form textarea[name=note]", "入户家访，家长同意孩子返校。")
    page.locator("#case-action-form input[name=files]").set_input_files(str(photo))
    page.locator("#case-action-submit").click()
    page.locator("#case-actions img").wait_for()
    assert "入户家访" in page.locator("#case-actions").inner_text()
    page.locator("#case-resolve-form select[name=outcome]").select_option("returned")
    page.locator("#case-resolve-form select[name=return_school]").select_option(str(school.pk))
    page.fill("#case-resolve-form input[name=return_date]", today)
    page.locator("#case-resolve-submit").click()
    page.locator("#case-awaiting").wait_for()
    page.screenshot(path=screenshots / "dropout-03-case-resolved.png", full_page=True)
    case = DropoutCase.objects.get()
    assert case.status == CaseStatus.RESOLVED
    log_out(page)

    # The provincial registry's next import shows the child back at school.
    StudentFactory(school=school, id_number=missing[1], name="赵小军", birth_date=school_day())

    # 4. The next round confirms it; the county reviewer closes the case.
    log_in(page, origin, city_admin)
    start_round(page, origin, "2023年秋季第二轮排查")
    assert page.locator("#figure-cases-confirmed").count() == 1
    log_out(page)
    log_in(page, origin, county_reviewer)
    page.goto(origin + case.get_absolute_url())
    page.locator("#case-confirmed").wait_for()
    page.locator("#case-close").click()
    page.locator("#case-closed").wait_for()
    page.screenshot(path=screenshots / "dropout-04-case-closed.png", full_page=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer
    assert ScreeningRound.objects.filter(status="finished").count() == 2
    assert not errors


def school_day():
    import datetime as dt

    return dt.date(2013, 3, 14)  # roster_row's default birth date: school age this year
