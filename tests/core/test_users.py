"""City administrators manage users from a page of the app."""

from __future__ import annotations

import re

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


def _errors_shown(response) -> list[str]:
    """Every error message the page shows: under a field or above the form."""
    html = response.content.decode()
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', html) + re.findall(
        r'<div class="alert alert-danger" role="alert">(.*?)</div></div>', html, flags=re.S
    )


def test_the_user_form_speaks_the_projects_chinese_not_djangos(admin_client_, school):
    html = admin_client_.get(reverse("user-create")).content.decode()
    assert "登录时使用" in html and "未启用的用户不能登录" in html
    assert "电子邮箱" in html
    # Django's stock wording: the user name's rules, is_active's help and the dashes
    assert "150个字符或者更少" not in html and "指明用户是否被认为是活跃的" not in html
    assert "---------" not in html
    assert (
        "请选择角色" in html and "请选择市或县区" in html and "无（仅学校填报员须选学校）" in html
    )


@pytest.mark.parametrize(
    "role, scope_of, school_of, message",
    [
        (Role.COUNTY_OFFICER, "city", None, "县区角色的管辖范围必须是一个县区。"),
        (Role.SCHOOL_OFFICER, "county", None, "学校填报员须指定所在学校。"),
        (Role.COUNTY_OFFICER, "county", "school", "只有学校填报员才指定学校。"),
        (Role.CITY_STAFF, None, None, "请选择市或县区。"),
    ],
)
def test_a_refused_user_form_says_each_reason_once(
    admin_client_, city, county, school, role, scope_of, school_of, message
):
    chosen = {"city": city, "county": county, None: None}[scope_of]
    response = admin_client_.post(
        reverse("user-create"),
        {
            "username": "newcomer",
            "role": role,
            "scope": chosen.pk if chosen else "",
            "school": school.pk if school_of else "",
            "password": "a-long-fine-pass-77",
        },
    )
    assert response.status_code == 200
    assert _errors_shown(response) == [message]
    assert not User.objects.filter(username="newcomer").exists()


def test_a_school_of_another_county_is_refused_with_both_counties_named(
    admin_client_, county, other_county, other_school
):
    response = admin_client_.post(
        reverse("user-create"),
        {
            "username": "wrong-school",
            "role": Role.SCHOOL_OFFICER,
            "scope": county.pk,
            "school": other_school.pk,
            "password": "a-long-fine-pass-77",
        },
    )
    assert response.status_code == 200
    assert _errors_shown(response) == [
        f"{other_school.name}属于{other_county}，不属于所选的{county}："
        f"请选择{county}的学校，或将管辖范围改为{other_county}。"
    ]
    assert not User.objects.filter(username="wrong-school").exists()


def test_a_school_officer_of_the_chosen_county_or_the_city_is_created(
    admin_client_, city, county, school
):
    for username, scope in (("same-county", county), ("city-chosen", city)):
        response = admin_client_.post(
            reverse("user-create"),
            {
                "username": username,
                "role": Role.SCHOOL_OFFICER,
                "scope": scope.pk,
                "school": school.pk,
                "is_active": "on",
                "password": "a-long-fine-pass-77",
            },
        )
        assert response.status_code == 302, _errors_shown(response)
        assert User.objects.get(username=username).scope == county


def test_each_school_option_names_its_county_for_the_drop_down_to_follow(
    admin_client_, county, other_county, school, other_school
):
    html = admin_client_.get(reverse("user-create")).content.decode()
    assert 'data-follows="scope"' in html
    assert re.search(rf'<option value="{school.pk}" data-parent="{county.pk}"', html)
    assert re.search(rf'<option value="{other_school.pk}" data-parent="{other_county.pk}"', html)
    assert re.search(rf'<option value="{county.pk}" data-narrows="true"', html)


def test_the_user_list_filters_by_role_scope_and_name(
    admin_client_, city_admin, county_user, county_reviewer, other_county_user, county
):
    county_reviewer.full_name = "周晓梅"
    county_reviewer.save()

    def listed(**params):
        response = admin_client_.get(reverse("user-list"), params)
        assert response.status_code == 200
        return {u.username for u in response.context["object_list"]}

    everyone = listed()
    assert {city_admin.username, county_user.username, other_county_user.username} <= everyone
    assert listed(role=Role.COUNTY_OFFICER) == {county_user.username, other_county_user.username}
    assert listed(scope=county.pk) == {county_user.username, county_reviewer.username}
    assert listed(scope=county.pk, role=Role.COUNTY_REVIEWER) == {county_reviewer.username}
    assert listed(q="晓梅") == {county_reviewer.username}
    html = admin_client_.get(reverse("user-list"), {"role": Role.CITY_STAFF}).content.decode()
    assert "没有符合条件的用户。" in html and "共 0 个用户" in html
    # the filters keep what was asked
    html = admin_client_.get(reverse("user-list"), {"scope": county.pk}).content.decode()
    assert re.search(rf'<option value="{county.pk}" selected>', html)


@pytest.mark.parametrize(
    "language, short, common",
    [
        ("zh-hans", "密码太短，至少要有8个字符。", "这个密码太常见，请换一个不易猜到的密码。"),
        (
            "en",
            "The password is too short: it needs at least 8 characters.",
            "This password is too common: choose one that is harder to guess.",
        ),
    ],
)
def test_a_refused_password_is_said_in_the_projects_words(
    admin_client_, county, language, short, common
):
    admin_client_.cookies["django_language"] = language
    response = admin_client_.post(
        reverse("user-create"),
        {"username": "pw", "role": Role.COUNTY_OFFICER, "scope": county.pk, "password": "pass"},
    )
    assert short in _errors_shown(response)
    assert common in _errors_shown(response)
    assert not User.objects.filter(username="pw").exists()


def test_a_password_reset_whose_two_entries_differ_says_so_in_chinese(admin_client_, county_user):
    response = admin_client_.post(
        reverse("user-password", args=[county_user.pk]),
        {"new_password1": "another-fine-pass-88", "new_password2": "another-fine-pass-89"},
    )
    assert response.status_code == 200
    assert "两次输入的密码不一致。" in response.content.decode()
