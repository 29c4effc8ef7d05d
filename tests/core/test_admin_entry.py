"""Someone who may not use Django's admin and opens /admin/ gets the site's own pages: its log-in
when not signed in, and when signed in a page in the site's layout saying, in Chinese, whom the
admin is for, with the way back — never Django's stock admin log-in in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import User
from core.scoping import Role
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
STOCK = ("Django", "administration", "Log in | ", 'id="login-form"')


def test_not_signed_in_the_admin_sends_to_the_sites_own_log_in(client):
    answer = client.get("/admin/", follow=True)
    assert answer.redirect_chain[-1][0] == reverse("login") + "?next=/admin/"
    html = answer.content.decode()
    assert answer.status_code == 200 and "登录" in html
    assert not any(word in html for word in STOCK)


def test_a_county_officer_reads_whom_the_admin_is_for_and_the_way_back(client, county_user):
    client.force_login(county_user)
    answer = client.get("/admin/", follow=True)
    assert answer.status_code == 403
    html = answer.content.decode()
    assert "后台管理仅供市局系统管理员使用" in html and "您的账号无权打开" in html
    assert 'href="/">返回概览</a>' in html
    assert 'id="error-page"' in html  # the site's layout
    assert not any(word in html for word in STOCK)
    # The stock form's POST gets the same answer, and signs no one in.
    answer = client.post(
        "/admin/login/", {"username": county_user.username, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 403 and "后台管理仅供市局系统管理员使用" in answer.content.decode()


def test_in_english_too(client, county_user, settings):
    client.force_login(county_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/", follow=True).content.decode()
    assert "The admin is for the city's system administrators" in html
    assert "后台" not in html


def test_an_admin_account_still_opens_the_admin_and_is_sent_nowhere_else(city):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True, scope=city)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    answer = client.get("/admin/login/", {"next": "/admin/core/user/"})
    assert answer.status_code == 302 and answer["Location"] == "/admin/core/user/"
    answer = client.get("/admin/login/", {"next": "https://elsewhere.example/"})
    assert answer.status_code == 302 and answer["Location"] == "/admin/"


def test_a_city_admin_opens_the_admin_and_keeps_the_schedules_there(admin_client_, city_admin):
    """The design's city administrator keeps the schedules in the admin: /admin/ opens (not the
    refusal) and lists the periodic tasks; users and their rights stay on the user pages."""
    assert city_admin.is_staff and not city_admin.is_superuser
    index = admin_client_.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "后台管理仅供市局系统管理员使用" not in html
    assert reverse("admin:django_celery_beat_periodictask_changelist") in html
    tasks = admin_client_.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert tasks.status_code == 200
    assert admin_client_.get(reverse("admin:core_user_changelist")).status_code == 403


def test_a_city_admin_made_on_the_user_pages_opens_the_admin_and_loses_it_with_the_role(
    admin_client_, city, county
):
    answer = admin_client_.post(
        reverse("user-create"),
        {
            "username": "new-city-admin",
            "full_name": "钱七",
            "role": Role.CITY_ADMIN,
            "scope": city.pk,
            "is_active": "on",
            "password": "a-long-fine-pass-77",
        },
    )
    assert answer.status_code == 302
    made = User.objects.get(username="new-city-admin")
    assert made.is_staff and not made.is_superuser
    client = Client()
    client.force_login(made)
    assert client.get("/admin/").status_code == 200
    answer = admin_client_.post(
        reverse("user-update", args=[made.pk]),
        {"full_name": "钱七", "role": Role.COUNTY_OFFICER, "scope": county.pk, "is_active": "on"},
    )
    assert answer.status_code == 302
    made.refresh_from_db()
    assert not made.is_staff
    assert client.get("/admin/", follow=True).status_code == 403
