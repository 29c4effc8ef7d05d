"""Browser fixtures, a pytest plugin loaded by the root conftest: Playwright drives Chromium.

Playwright's sync API keeps an asyncio loop "running" in the main thread for as long as it is
started, so Django's async-safety check would refuse ORM calls made by tests. The standard
pytest-django + Playwright workaround is to allow them; the live server answers from its own
thread, where no loop runs. Playwright and Chromium live for one test module, not the session: a
later module in the same process (the fault tests, whose code calls `async_to_sync`, which refuses
to run beside a running loop) must not find the loop still running.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


@pytest.fixture(scope="module")
def playwright():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    # A browser set to English: the site must still open in Chinese (the switch changes it).
    context = browser.new_context(
        locale="en-US",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def screenshots():
    """The folder the browser tests write their screenshots to (var/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
