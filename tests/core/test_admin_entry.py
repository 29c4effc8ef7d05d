"""Someone who may not use Django's admin and opens /admin/ gets the site's own pages: its log-in
when not signed in, and when signed in a page in the site's layout saying, in Chinese, whom the
admin is for, with the way back — never Django's stock admin log-in in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

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
