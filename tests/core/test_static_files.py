"""The test settings' WhiteNoise (tests/static_files.py) serves what the real one serves, and
scans the static files once per process, not once per test client."""

from __future__ import annotations

from django.conf import settings
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware as RealWhiteNoiseMiddleware

from tests import static_files


def _served(middleware, path: str):
    response = middleware(RequestFactory().get(path))
    return response.status_code, dict(response.headers)


def test_the_tests_whitenoise_serves_what_the_real_one_serves(monkeypatch):
    assert "tests.static_files.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    real = RealWhiteNoiseMiddleware(lambda request: None)
    first = static_files.WhiteNoiseMiddleware(lambda request: None)
    scans = []
    monkeypatch.setattr(
        RealWhiteNoiseMiddleware, "add_files", lambda *args, **kwargs: scans.append(args)
    )
    again = static_files.WhiteNoiseMiddleware(lambda request: "not static")
    assert scans == []  # the second one took the first one's files
    assert set(again.files) == set(first.files) == set(real.files)
    assert "/static/favicon.svg" in real.files
    for path in ("/static/favicon.svg", "/static/admin/css/base.css"):
        assert _served(again, path) == _served(real, path)
    assert again(RequestFactory().get("/cases/")) == "not static"


def test_a_changed_setting_is_scanned_again(settings, tmp_path):
    before = static_files.WhiteNoiseMiddleware(lambda request: None)
    (tmp_path / "only-here.txt").write_text("x")
    settings.STATIC_ROOT = tmp_path
    after = static_files.WhiteNoiseMiddleware(lambda request: None)
    assert "/static/only-here.txt" in after.files
    assert "/static/only-here.txt" not in before.files
