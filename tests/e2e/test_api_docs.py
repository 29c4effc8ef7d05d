"""A signed-in user opens the API docs in a real browser: Swagger UI draws every operation of the
schema, each programme area's under its own tag named in the user's language, served by the site
itself, and the Content Security Policy refuses nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from core import areas
from tests.e2e.test_import_export import Watch
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _operations(schema) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }


def _drawn(section) -> set[tuple[str, str]]:
    """(method, path) of every operation drawn in a tag's section."""
    pairs = section.evaluate(
        """(s) => Array.from(s.querySelectorAll('.opblock')).map((o) => [
            o.querySelector('.opblock-summary-method').innerText.trim(),
            o.querySelector('.opblock-summary-path').dataset.path,
        ])"""
    )
    return {tuple(pair) for pair in pairs}


def test_api_docs_draw_every_operation_under_its_areas_tag(
    live_server, page, screenshots, county_user, township
):
    origin = live_server.url
    watch = Watch(page, origin)
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    page.goto(origin + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    schema = page.evaluate("fetch('/api/schema/?format=json').then((r) => r.json())")
    wanted = _operations(schema)
    assert ("POST", "/api/v1/auth/token/") in wanted and ("GET", "/api/v1/students/") in wanted

    # One tag per area, named as its sidebar entry (in Chinese), and core's own tags in Chinese.
    tags = [tag["name"] for tag in schema["tags"]]
    shown = [text.strip() for text in page.locator("h3.opblock-tag").all_inner_texts()]
    assert [name.split("\n")[0] for name in shown] == tags
    for area in areas.areas():
        if any(path.startswith(f"/api/v1/{area.prefix}/") for _method, path in wanted):
            with translation.override("zh-hans"):  # the site's language: 学生资助, 控辍保学…
                assert str(area.title) in tags
    assert "v1" not in tags
    assert all(any("\u4e00" <= char <= "\u9fff" for char in tag) for tag in tags), tags

    # Each tag, opened, draws all of its operations: every operation of the schema is drawn.
    drawn: set[tuple[str, str]] = set()
    for tag in tags:
        heading = page.locator(f'h3.opblock-tag[data-tag="{tag}"]')
        heading.click()
        section = page.locator(".opblock-tag-section", has=heading)
        section.locator(".opblock").first.wait_for()
        ours = _drawn(section)
        expected = {
            (method, path)
            for path, operations in schema["paths"].items()
            for method, operation in ((m.upper(), o) for m, o in operations.items())
            if method.lower() in METHODS and tag in operation.get("tags", [])
        }
        assert ours == expected, tag
        drawn |= ours
        heading.click()  # folded again
    assert drawn == wanted and len(drawn) == len(wanted) > 100
    page.screenshot(path=screenshots / "60-api-docs.png", full_page=False)

    # "Try it out" works: the request goes out under the CSP, signed in.
    aid = page.locator('h3.opblock-tag[data-tag="学生资助"]')
    aid.click()
    operation = page.locator(
        '.opblock-get:has(.opblock-summary-path[data-path="/api/v1/aid/check-notes/"])'
    ).first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert '"count"' in operation.locator(".live-responses-table").inner_text()
    assert watch.off_site() == []
    assert watch.failures == {}
    assert watch.errors == []
