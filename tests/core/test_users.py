"""City administrators manage users from a page of the app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import User
from core.scoping import Role

pytestmark = pytest.mark.django_db


def test_only_city_admins_manage_users(client, county_user, city_user):
    for user in (county_user, city_user):
        client.force_login(user)
        assert client.get(reverse("user-list")).status_code == 403


def test_create_set_scope_deactivate_and_reset(admin_client_, county, other_county, city):
    response = admin_client_.post(
        reverse("user-create"),
        {
            "username": "linkou-officer2",
            "full_name": "赵六",
            "role": Role.COUNTY_OFFICER,
            "scope": county.pk,
            "is_active": "on",
            "password": "a-long-fine-pass-77",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="linkou-officer2")
    assert user.check_password("a-long-fine-pass-77") and user.scope == county

    response = admin_client_.post(
        reverse("user-update", args=[user.pk]),
        {"full_name": "赵六", "role": Role.COUNTY_OFFICER, "scope": other_county.pk},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.scope == other_county and not user.is_active

    response = admin_client_.post(
        reverse("user-password", args=[user.pk]),
        {"new_password1": "another-fine-pass-88", "new_password2": "another-fine-pass-88"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-fine-pass-88")


def test_county_role_needs_a_county_scope(admin_client_, city):
    response = admin_client_.post(
        reverse("user-create"),
        {
            "username": "x",
            "role": Role.COUNTY_OFFICER,
            "scope": city.pk,
            "password": "a-long-fine-pass-77",
        },
    )
    assert response.status_code == 200
    assert "县" in " ".join(response.context["form"].errors["scope"])
    assert not User.objects.filter(username="x").exists()
