"""API tokens (django-rest-knox): each log-in gets a new token that expires; log-out, a password
change and deactivation revoke them; the owner and city administrators list and revoke them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.tokens import reference
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"  # TEST-NET-3: a realistic client address, not the test client's 127.0.0.1
NEW_PASSWORD = "another-fine-pass-88"


def api_login(user, password=DEMO_PASSWORD, address=ADDRESS):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}
    )


def new_token(user) -> str:
    response = api_login(user)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_as(token) -> APIClient:
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def works(token) -> bool:
    status = api_as(token).get("/api/v1/schools/").status_code
    assert status in (200, 401), status
    return status == 200


def suffix(token: str) -> str:
    return token[:15][-4:]  # knox keeps the first 15 characters as the token's key


# --- Log-in, expiry ----------------------------------------------------------------------------


def test_login_gives_a_token_that_expires_after_the_setting(county_user, school, settings):
    before = timezone.now()
    response = api_login(county_user)
    assert response.status_code == 200
    body = response.json()
    expiry = dt.datetime.fromisoformat(body["expiry"])
    ttl = dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert settings.API_TOKEN_TTL_HOURS == 12
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert works(body["token"])
    # Twelve hours later the same token is refused.
    AuthToken.objects.filter(user=county_user).update(expiry=timezone.now() - dt.timedelta(1))
    assert not works(body["token"])


def test_token_lifetime_follows_the_setting(county_user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=1)}
    expiry = dt.datetime.fromisoformat(api_login(county_user).json()["expiry"])
    assert expiry - timezone.now() < dt.timedelta(hours=1, minutes=1)


def test_each_login_gives_a_new_token(county_user, school):
    first, second = new_token(county_user), new_token(county_user)
    assert first != second
    assert works(first) and works(second)
    assert AuthToken.objects.filter(user=county_user).count() == 2


def test_wrong_password_gets_no_token(county_user):
    response = api_login(county_user, password="wrong")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_inactive_user_gets_no_token(county_user):
    county_user.is_active = False
    county_user.save()
    assert api_login(county_user).status_code == 400


def test_old_never_expiring_tokens_are_gone(county_user):
    response = APIClient(REMOTE_ADDR=ADDRESS).get(
        "/api/v1/schools/", HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567"
    )
    assert response.status_code == 401


# --- Revoked on log-out, password change, deactivation -----------------------------------------


def test_api_logout_revokes_the_token_used(county_user, school):
    first, second = new_token(county_user), new_token(county_user)
    assert api_as(first).post("/api/v1/auth/logout/").status_code == 204
    assert not works(first) and works(second)
    assert api_as(second).post("/api/v1/auth/logout-all/").status_code == 204
    assert not works(second)
    assert not AuthToken.objects.exists()


def test_web_logout_revokes_every_token_of_the_user(client, county_user, other_county_user, school):
    mine, theirs = new_token(county_user), new_token(other_county_user)
    client.force_login(county_user)
    assert client.post(reverse("logout")).status_code == 302
    assert not works(mine)
    assert works(theirs)
    event = AuditEvent.objects.get(ledger="core.user", object_id=str(county_user.pk))
    assert event.actor == county_user and suffix(mine) in str(event.changes)


def test_password_change_by_the_user_revokes_tokens(client, county_user, school):
    token = new_token(county_user)
    client.force_login(county_user)
    url = reverse("account-password")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    county_user.refresh_from_db()
    assert county_user.check_password(NEW_PASSWORD)
    assert not works(token)
    # The session that changed the password stays signed in.
    assert client.get(reverse("home")).status_code == 200


def test_password_set_by_a_city_admin_revokes_tokens(admin_client_, county_user, school):
    token = new_token(county_user)
    response = admin_client_.post(
        reverse("user-password", args=[county_user.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not works(token)


def test_password_set_anywhere_else_revokes_tokens(county_user, school):
    """Django admin, `manage.py changepassword`, a shell: every saved new password."""
    token = new_token(county_user)
    county_user.set_password(NEW_PASSWORD)
    county_user.save()
    assert not works(token)


def test_saving_a_user_without_a_new_password_keeps_tokens(county_user, school):
    token = new_token(county_user)
    county_user.full_name = "王五"
    county_user.save()
    county_user.save(update_fields=["last_login"])
    assert works(token)


def test_deactivation_revokes_tokens(admin_client_, county_user, county, school):
    token = new_token(county_user)
    response = admin_client_.post(
        reverse("user-update", args=[county_user.pk]),
        {"full_name": "王五", "role": county_user.role, "scope": county.pk},  # is_active off
    )
    assert response.status_code == 302
    county_user.refresh_from_db()
    assert not county_user.is_active
    assert not AuthToken.objects.filter(user=county_user).exists()
    assert not works(token)


# --- A user's own tokens -----------------------------------------------------------------------


def test_user_lists_own_tokens_without_the_secret(client, county_user, other_county_user):
    mine, theirs = new_token(county_user), new_token(other_county_user)
    stored = AuthToken.objects.get(user=county_user)
    client.force_login(county_user)
    page = client.get(reverse("account-tokens")).content.decode()
    assert suffix(mine) in page
    assert mine not in page and mine[:15] not in page and stored.digest not in page
    assert suffix(theirs) not in page
    assert timezone.localtime(stored.expiry).strftime("%Y-%m-%d %H:%M") in page
    # The user menu leads there.
    assert reverse("account-tokens") in client.get(reverse("home")).content.decode()


def test_user_revokes_own_token(client, county_user, school):
    first, second = new_token(county_user), new_token(county_user)
    client.force_login(county_user)
    url = reverse("account-token-revoke")
    key = reference(AuthToken.objects.get(token_key=first[:15]))
    assert client.get(url, {"token": key}).status_code == 405
    response = client.post(url, {"token": key})
    assert response.status_code == 302 and response.url == reverse("account-tokens")
    assert not works(first) and works(second)
    event = AuditEvent.objects.get(ledger="core.user", object_id=str(county_user.pk))
    assert event.actor == county_user and suffix(first) in str(event.changes)
    assert suffix(second) not in str(event.changes)
    response = client.post(url, {"token": "all"})
    assert not works(second)


def test_revoking_needs_the_csrf_token(county_user):
    token = new_token(county_user)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)
    client.force_login(county_user)
    key = reference(AuthToken.objects.get())
    assert client.post(reverse("account-token-revoke"), {"token": key}).status_code == 403
    assert works(token)


def test_county_user_cannot_revoke_anothers_token(client, county_user, other_county_user, school):
    theirs = new_token(other_county_user)
    key = reference(AuthToken.objects.get(user=other_county_user))
    client.force_login(county_user)
    assert client.post(reverse("account-token-revoke"), {"token": key}).status_code == 404
    assert client.get(reverse("user-tokens", args=[other_county_user.pk])).status_code == 403
    response = client.post(
        reverse("user-token-revoke", args=[other_county_user.pk]), {"token": key}
    )
    assert response.status_code == 403
    assert works(theirs)


def test_anonymous_is_sent_to_login(client, county_user):
    for url in (reverse("account-tokens"), reverse("account-password")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- City administrators -----------------------------------------------------------------------


def test_city_admin_lists_and_revokes_any_users_tokens(
    admin_client_, city_admin, county_user, other_county_user, school
):
    first, second = new_token(county_user), new_token(county_user)
    theirs = new_token(other_county_user)
    users = admin_client_.get(reverse("user-list")).content.decode()
    assert reverse("user-tokens", args=[county_user.pk]) in users

    page = admin_client_.get(reverse("user-tokens", args=[county_user.pk])).content.decode()
    assert suffix(first) in page and suffix(second) in page and suffix(theirs) not in page
    assert first not in page

    key = reference(AuthToken.objects.get(token_key=first[:15]))
    url = reverse("user-token-revoke", args=[county_user.pk])
    # A token of another user through this user's page: not found.
    theirs_key = reference(AuthToken.objects.get(user=other_county_user))
    assert admin_client_.post(url, {"token": theirs_key}).status_code == 404
    response = admin_client_.post(url, {"token": key})
    assert response.status_code == 302
    assert response.url == reverse("user-tokens", args=[county_user.pk])
    assert not works(first) and works(second) and works(theirs)
    event = AuditEvent.objects.get(ledger="core.user", object_id=str(county_user.pk))
    assert event.actor == city_admin

    admin_client_.post(url, {"token": "all"})
    assert not works(second) and works(theirs)
