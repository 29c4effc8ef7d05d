"""403, 404 and 400 answer with the site's own page, in the user's language, not a bare one."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_another_countys_row_is_a_chinese_not_found_page_with_the_layout(
    county_client, other_school
):
    response = county_client.get(reverse("school-detail", args=[other_school.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="error-page" data-status="404"' in page
    assert "页面不存在" in page and "管辖范围" in page
    assert 'id="user-menu"' in page  # the navigation bar and the user's menu are there
    assert "Not Found" not in page and other_school.name not in page


def test_a_forbidden_action_is_a_chinese_page_saying_why(city_client, school):
    response = city_client.get(reverse("school-update", args=[school.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-status="403"' in page and "无权" in page
    assert "403 Forbidden" not in page


def test_the_error_pages_follow_the_chosen_language(county_client, other_school):
    county_client.cookies["django_language"] = "en"
    page = county_client.get(reverse("school-detail", args=[other_school.pk])).content.decode()
    assert "Page not found" in page and "页面不存在" not in page


def test_an_anonymous_visitor_is_offered_the_log_in(client):
    page = client.get("/no-such-page/").content.decode()
    assert 'data-status="404"' in page and reverse("login") in page
