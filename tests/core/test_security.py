"""Security baseline: Argon2, production settings refuse a development key, check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, **env):
    # The browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE for the test process; not for this one.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings_production", **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_the_development_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings_production"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "x" * 40 + "-secure-enough",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_settings_hash_passwords_with_argon2():
    """The suite hashes with MD5 for speed (config.settings_test); the product never does."""
    import importlib

    real = importlib.import_module("config.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in hasher for hasher in real.PASSWORD_HASHERS)
    production = _run(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        SECRET_KEY="k" * 20 + "x" * 40 + "-secure-enough",
    )
    assert production.stdout.strip().splitlines()[-1] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
def test_a_user_saved_under_the_real_hashers_has_an_argon2_password_that_logs_in(
    county_user, client, settings
):
    import importlib

    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    county_user.set_password("Real-Password-2026")
    county_user.save()
    county_user.refresh_from_db()
    assert county_user.password.startswith("argon2$")
    from django.urls import reverse

    answer = client.post(
        reverse("login"), {"username": county_user.username, "password": "Real-Password-2026"}
    )
    assert answer.status_code == 302 and answer.wsgi_request.user.is_authenticated


# --- Log-in throttling (django-axes) -----------------------------------------------------------

ADDRESS = "203.0.113.7"  # TEST-NET-3: a realistic client address, not the test client's 127.0.0.1


def _login(username, password, address=ADDRESS, **headers):
    from django.test import Client
    from django.urls import reverse

    client = Client(REMOTE_ADDR=address, **headers)
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_lockout_per_address_across_user_names(county, settings):
    """24 wrong passwords spread over 6 user names from one address are slowed down."""
    from tests.factories import DEMO_PASSWORD, UserFactory

    users = [UserFactory(username=f"officer-{n}", scope=county) for n in range(7)]
    per_user = settings.AXES_FAILURE_LIMIT - 1  # never enough to lock one user name
    statuses = [
        _login(user.username, "wrong").status_code for user in users[:6] for _ in range(per_user)
    ]
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert len(statuses) == 24 >= limit
    # Each failure is told as one until the address reaches its limit; from then on it is locked.
    assert set(statuses[: limit - 1]) == {200} and set(statuses[limit - 1 :]) == {429}
    response = _login(users[6].username, DEMO_PASSWORD)
    assert response.status_code == 429 and "锁定" in response.content.decode()
    # The same user from another address is not affected.
    assert _login(users[6].username, DEMO_PASSWORD, address="198.51.100.20").status_code == 302
    # An office behind one address gets more tries than one user name does.
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


@pytest.mark.django_db
def test_address_limit_is_not_reset_by_the_attackers_own_log_in(county, settings):
    from tests.factories import DEMO_PASSWORD, UserFactory

    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    own = UserFactory(username="own-account", scope=county)
    victims = [UserFactory(username=f"victim-{n}", scope=county) for n in range(3)]
    for n, victim in enumerate(victims):
        _login(victim.username, "wrong")
        _login(victim.username, "wrong")
        if n < 2:  # 2 and 4 failures so far: below the address's limit
            assert _login(own.username, DEMO_PASSWORD).status_code == 302
    assert _login(victims[0].username, DEMO_PASSWORD).status_code == 429


@pytest.mark.django_db
def test_lockout_per_user_name_still_holds(county_user, settings):
    from tests.factories import DEMO_PASSWORD

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(county_user.username, "wrong")
    assert _login(county_user.username, DEMO_PASSWORD).status_code == 429


@pytest.mark.django_db
def test_api_token_login_is_throttled_too(county_user, settings):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from tests.factories import DEMO_PASSWORD

    api = APIClient(REMOTE_ADDR=ADDRESS)
    url = "/api/v1/auth/token/"
    statuses = [
        api.post(url, {"username": county_user.username, "password": "x"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = api.post(url, {"username": county_user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_counts(county_user, settings):
    from tests.factories import DEMO_PASSWORD

    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(county_user.username, "wrong", proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, " + ADDRESS)
    # Locked at the client's address, not at the proxy's (which all users share).
    assert (
        _login(county_user.username, DEMO_PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ADDRESS)
    ).status_code == 429
    assert (
        _login(county_user.username, DEMO_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    ).status_code == 302


# --- API schema and docs -----------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_and_docs_refuse_anonymous_users(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/api/docs/?script=").status_code == 302


@pytest.mark.django_db
def test_docs_render_their_schema_under_the_csp(client, county_user):
    """The Swagger page loads its start-up script from a URL: the CSP forbids inline scripts."""
    import re

    client.force_login(county_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/auth/token/" in schema.content
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    start = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()
