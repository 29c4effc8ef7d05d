"""Pages a county officer and city staff use: log-in, home, lists, detail, forms, language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from core import idnumbers
from core.calendar import current_school_year
from core.models import AuditAction, AuditEvent, Student
from tests.factories import DEMO_PASSWORD, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_logs_in(client, county_user):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": county_user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_anonymous_user_is_sent_to_login(client, school):
    for url in (
        reverse("home"),
        reverse("school-list"),
        reverse("school-detail", args=[school.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_failed_logins_are_throttled(client, county_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": county_user.username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": county_user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_home_shows_scoped_figures_with_links(county_client, school, other_school):
    StudentFactory.create_batch(3, school=school)
    StudentFactory.create_batch(5, school=other_school)
    response = county_client.get(reverse("home"))
    figures = response.context["figures"]
    assert [row["county"].name for row in figures["rows"]] == ["海林市"]
    assert figures["students"] == 3 and figures["schools"] == 1
    primary = next(c for c in figures["rows"][0]["cells"] if c["kind"] == "primary")
    assert primary["students"] == 3
    followed = county_client.get(primary["students_url"])
    assert followed.context["result_count"] == 3


def test_city_home_shows_every_county(city_client, school, other_school):
    figures = city_client.get(reverse("home")).context["figures"]
    assert {row["county"].name for row in figures["rows"]} == {"海林市", "东宁市"}


def test_todo_lists_schools_without_enrolment(county_client, school, other_school):
    """The home page's to-do says how many of the user's schools lack this year's figures (the
    other county's school does not count) and links to the enrolment list of that year."""
    year = current_school_year()
    response = county_client.get(reverse("home"))
    url = reverse("schoolenrolment-list") + f"?school_year={year}"
    items = [item for item in response.context["todo_items"] if item.url == url]
    with translation.override("zh-hans"):
        title = translation.gettext("Schools without enrolment figures for %(year)s") % {
            "year": year
        }
    assert [(item.title, item.count) for item in items] == [(title, 1)]
    html = response.content.decode()
    assert f'<span class="badge text-bg-info">1</span> {title}</a>' in html


def test_school_list_filters_sorts_paginates_and_counts(county_client, school):
    SchoolFactory.create_batch(60, township=school.township, kind="junior")
    response = county_client.get(reverse("school-list"), {"kind": "junior", "sort": "-code"})
    assert response.context["result_count"] == 60
    rows = list(response.context["table"].paginated_rows)
    assert len(rows) == 50
    codes = [row.record.code for row in rows]
    assert codes == sorted(codes, reverse=True)
    page2 = county_client.get(reverse("school-list"), {"kind": "junior", "page": 2})
    assert len(list(page2.context["table"].paginated_rows)) == 10
    assert "60" in response.content.decode()


def test_student_pages_show_masked_id_only(county_client, school):
    student = StudentFactory(school=school)
    for url in (reverse("student-list"), reverse("student-detail", args=[student.pk])):
        html = county_client.get(url).content.decode()
        assert idnumbers.mask(student.id_number) in html
        assert student.id_number not in html
    html = county_client.get(reverse("student-update", args=[student.pk])).content.decode()
    assert student.id_number not in html


def test_reveal_needs_permission_and_is_logged(client, county_user, county_reviewer, school):
    student = StudentFactory(school=school)
    url = reverse("student-reveal-id", args=[student.pk])
    client.force_login(county_user)
    assert client.post(url).status_code == 403
    client.force_login(county_reviewer)
    assert client.get(url).status_code == 405  # never by GET: it would land in logs
    response = client.post(url)
    assert student.id_number in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == county_reviewer and event.object_id == str(student.pk)
    assert student.id_number not in str(event.changes) + event.note


def _student_form(at_school, **overrides):
    number = idnumbers.make("231083", __import__("datetime").date(2012, 5, 1), 123)
    data = {
        "id_number": number,
        "name": "李四",
        "gender": "M",
        "birth_date": "2012-05-01",
        "school": at_school.pk,
        "grade": 5,
        "status": "enrolled",
    }
    data.update(overrides)
    return data


def test_student_form_reads_the_birth_date_from_the_id_number(county_client, school):
    """The form has no birth-date field (beside the masked number it would rebuild it)."""
    data = _student_form(school)
    del data["birth_date"]
    page = county_client.get(reverse("student-create"))
    assert 'name="birth_date"' not in page.content.decode()
    response = county_client.post(reverse("student-create"), data)
    assert response.status_code == 302
    assert Student.objects.get().birth_date == __import__("datetime").date(2012, 5, 1)


def test_student_created_through_the_form_with_messy_id(county_client, school):
    data = _student_form(school)
    messy = " " + data["id_number"][:10] + " " + data["id_number"][10:]
    response = county_client.post(reverse("student-create"), {**data, "id_number": messy})
    assert response.status_code == 302
    student = Student.objects.get()
    assert student.id_number == data["id_number"] and student.county == school.county
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(student.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "231083201205011235"}, "id_number", "校验码"),
        ({"id_number": "231083201302301230"}, "id_number", "出生日期"),
        ({"gender": "F"}, "gender", "不一致"),
        ({"school": 999999}, "school", "所选项不在可选范围内，请重新选择。"),
    ],
)
def test_bad_student_input_gets_chinese_message_and_keeps_typing(
    county_client, school, overrides, field, message
):
    data = _student_form(school, **overrides)
    response = county_client.post(reverse("student-create"), data)
    assert response.status_code == 200
    assert Student.objects.count() == 0
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert "李四" in response.content.decode()  # what was typed is still there


def test_student_in_another_countys_school_is_refused(county_client, school, other_school):
    response = county_client.post(reverse("student-create"), _student_form(other_school))
    assert response.status_code == 200
    assert response.context["form"].errors["school"] == ["所选项不在可选范围内，请重新选择。"]
    assert Student.objects.count() == 0


def test_city_staff_cannot_edit(city_client, school):
    assert city_client.get(reverse("school-update", args=[school.pk])).status_code == 403
    assert city_client.get(reverse("school-detail", args=[school.pk])).status_code == 200


def test_edit_records_changed_fields_and_delete_keeps_trail(county_client, school):
    student = StudentFactory(school=school, name="旧名")
    data = _student_form(
        school,
        id_number="",
        name="新名",
        birth_date=student.birth_date.isoformat(),
        gender=student.gender,
        row_version=student.version,
    )
    response = county_client.post(reverse("student-update", args=[student.pk]), data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["name"] == ["旧名", "新名"]
    assert "id_number" not in event.changes
    county_client.post(reverse("student-delete", args=[student.pk]))
    assert not Student.objects.exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert deleted.object_id == str(student.pk) and deleted.object_repr == "新名"
    assert deleted.changes["id_number"][0] == idnumbers.mask(student.id_number)
    history = county_client.get(reverse("school-detail", args=[school.pk]))
    assert history.status_code == 200


def test_english_switch_and_back(county_client):
    response = county_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = county_client.get(reverse("home")).content.decode()
    assert "Overview" in html and "概览" not in html
    county_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "概览" in county_client.get(reverse("home")).content.decode()


def test_pages_carry_a_csp_without_inline_scripts(county_client):
    response = county_client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "<script>" not in response.content.decode()


def test_second_of_two_concurrent_edits_is_told_and_sees_the_other_values(
    client, county_user, county_reviewer, school
):
    student = StudentFactory(school=school, name="原名", grade=4)
    first, second = client, __import__("django.test").test.Client()
    first.force_login(county_user)
    second.force_login(county_reviewer)
    url = reverse("student-update", args=[student.pk])
    version = first.get(url).context["form"]["row_version"].value()
    assert second.get(url).context["form"]["row_version"].value() == version
    common = {
        "id_number": "",
        "gender": student.gender,
        "school": school.pk,
        "status": "enrolled",
        "birth_date": student.birth_date.isoformat(),
        "row_version": version,
    }
    assert first.post(url, {**common, "name": "甲改的名", "grade": 5}).status_code == 302

    response = second.post(url, {**common, "name": "乙改的名", "grade": 4})
    assert response.status_code == 200
    html = response.content.decode()
    assert "修改" in " ".join(response.context["form"].non_field_errors())
    assert "甲改的名" in html and "乙改的名" in html  # their value shown, mine kept
    student.refresh_from_db()
    assert student.name == "甲改的名"  # nothing silently overwritten

    # Saving again, knowingly, overwrites.
    again = second.post(
        url,
        {
            **common,
            "name": "乙改的名",
            "grade": 4,
            "row_version": response.context["form"].data["row_version"],
        },
    )
    assert again.status_code == 302
    student.refresh_from_db()
    assert student.name == "乙改的名"


def test_api_update_with_stale_version_gets_409(county_user, school):
    from rest_framework.test import APIClient

    student = StudentFactory(school=school)
    api = APIClient()
    api.force_authenticate(county_user)
    url = f"/api/v1/students/{student.pk}/"
    version = api.get(url).json()["version"]
    assert api.patch(url, {"name": "一", "version": version}, format="json").status_code == 200
    stale = api.patch(url, {"name": "二", "version": version}, format="json")
    assert stale.status_code == 409
    student.refresh_from_db()
    assert student.name == "一"
