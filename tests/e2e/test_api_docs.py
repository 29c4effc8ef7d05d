"""A signed-in user opens the API docs in a real browser: Swagger UI draws the operations of the
schema, served by the site itself, and the Content Security Policy refuses nothing."""

from __future__ import annotations

import pytest

from tests.e2e.test_import_export import Watch
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_the_operations(live_server, page, screenshots, county_user, township):
    origin = live_server.url
    watch = Watch(page, origin)
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    page.goto(origin + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    # The whole schema is loaded (every path, the token endpoint too) …
    schema = page.evaluate("fetch('/api/schema/?format=json').then((r) => r.json())")
    assert "/api/v1/auth/token/" in schema["paths"] and "/api/v1/students/" in schema["paths"]
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/aid/check-notes/" in paths
    page.screenshot(path=screenshots / "60-api-docs.png", full_page=False)

    # … and "Try it out" works: the request goes out under the CSP, signed in. (Swagger UI draws
    # only the first dozen operations of the schema's one tag: see the closing note of issue 11.)
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
