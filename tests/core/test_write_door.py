"""The write door (core.services): pages, the API and the admin write a ledger row the same way —
the same audit event, the same Chinese refusals (a rule of the row, a stale version, a row outside
the user's scope) — and a refused write leaves nothing behind."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core import services
from core.errors import VersionConflict
from core.models import AuditAction, AuditEvent, School, Student, User
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

OUT_OF_COUNTY = "该记录属于您管辖范围以外的县区，不能保存。"
OUT_OF_SCHOOL = "此记录属于您管辖范围以外的学校。"
CENTRAL_KINDERGARTEN = "只有幼儿园才能是中心园。"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def root(city):
    return User.objects.create_superuser("root", "root@example.cn", "a-long-fine-pass-77")


def _school_data(township, **values):
    return {
        "code": values.pop("code", "2110830999"),
        "name": values.pop("name", "新建小学"),
        "county": township.county_id,
        "township": township.pk,
        "kind": "primary",
        "ownership": "public",
        "locality": "rural",
        **values,
    }


def _events(**lookups):
    return list(
        AuditEvent.objects.filter(ledger="core.school", **lookups).values_list(
            "action", "changes", "actor__username", "county_id"
        )
    )


def _doors(client, county_user, root):
    """(name, create, update, delete) of each door, each returning the HTTP status."""
    client.force_login(county_user)
    api = _api(county_user)
    admin = type(client)()
    admin.force_login(root)

    def page_update(school, data):
        return client.post(
            reverse("school-update", args=[school.pk]), {**data, "row_version": school.version}
        )

    def api_update(school, data):
        body = {**data, "version": school.version}
        return api.put(f"/api/v1/schools/{school.pk}/", body, format="json")

    return [
        (
            "page",
            county_user,
            lambda data: client.post(reverse("school-create"), data),
            page_update,
            lambda school: client.post(reverse("school-delete", args=[school.pk])),
        ),
        (
            "api",
            county_user,
            lambda data: api.post("/api/v1/schools/", data, format="json"),
            api_update,
            lambda school: api.delete(f"/api/v1/schools/{school.pk}/"),
        ),
        (
            "admin",
            root,
            lambda data: admin.post(reverse("admin:core_school_add"), data),
            lambda school, data: admin.post(
                reverse("admin:core_school_change", args=[school.pk]),
                {**data, "row_version": school.version},
            ),
            lambda school: admin.post(
                reverse("admin:core_school_delete", args=[school.pk]), {"post": "yes"}
            ),
        ),
    ]


def test_create_change_and_delete_leave_the_same_audit_events_through_every_door(
    client, county_user, root, township
):
    for n, (door, actor, create, update, delete) in enumerate(_doors(client, county_user, root)):
        code, name = f"211083{n:04d}", f"{door}小学"
        assert create(_school_data(township, code=code, name=name)).status_code in (201, 302)
        school = School.objects.get(code=code)
        assert _events(object_id=str(school.pk)) == [
            (
                AuditAction.CREATE,
                {
                    "name": [None, name],
                    "code": [None, code],
                    "county": [None, township.county.name],
                    "township": [None, township.name],
                    "kind": [None, "primary"],
                    "ownership": [None, "public"],
                    "locality": [None, "rural"],
                    "boarding": [None, False],
                    "is_central_kindergarten": [None, False],
                },
                actor.username,
                township.county_id,
            )
        ], door

        status = update(school, _school_data(township, code=code, name=f"{name}改"))
        assert status.status_code in (200, 302), door
        school.refresh_from_db()
        assert school.name == f"{name}改" and school.version == 2, door
        assert _events(object_id=str(school.pk), action=AuditAction.UPDATE) == [
            (
                AuditAction.UPDATE,
                {"name": [name, f"{name}改"]},
                actor.username,
                township.county_id,
            )
        ], door

        assert delete(school).status_code in (204, 302), door
        assert not School.objects.filter(pk=school.pk).exists(), door
        deleted = _events(object_id=str(school.pk), action=AuditAction.DELETE)
        assert len(deleted) == 1 and deleted[0][1]["name"] == [f"{name}改", None], door
        assert deleted[0][2] == actor.username, door


def test_a_rule_of_the_row_is_refused_with_one_message_everywhere_and_nothing_is_written(
    client, county_user, root, township
):
    before = AuditEvent.objects.count()
    bad = _school_data(township, is_central_kindergarten=True)  # a primary school
    page, api, admin = _doors(client, county_user, root)

    response = page[2](bad)
    assert response.status_code == 200
    assert response.context["form"].errors["is_central_kindergarten"] == [CENTRAL_KINDERGARTEN]
    assert response.context["form"]["name"].value() == "新建小学"  # the typed values are kept

    response = api[2](bad)
    assert response.status_code == 400
    assert response.json() == {"is_central_kindergarten": [CENTRAL_KINDERGARTEN]}

    response = admin[2](bad)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["is_central_kindergarten"] == [
        CENTRAL_KINDERGARTEN
    ]

    # And the door itself, for a caller that skips the form (a service, a script).
    row = School(**{k: v for k, v in bad.items() if k not in ("county", "township")})
    row.township_id, row.county_id = township.pk, township.county_id
    with pytest.raises(ValidationError) as refused:
        services.row_create(actor=county_user, row=row)
    assert refused.value.message_dict == {"is_central_kindergarten": [CENTRAL_KINDERGARTEN]}

    assert not School.objects.filter(code="2110830999").exists()
    assert AuditEvent.objects.count() == before


def test_a_stale_version_gets_the_same_conflict_message_on_the_page_the_api_and_the_admin(
    client, county_user, county_reviewer, school, root
):
    read = school.version
    # Someone else saves the row after it was read.
    other = _api(county_reviewer).patch(
        f"/api/v1/schools/{school.pk}/", {"name": "审核员改名", "version": read}, format="json"
    )
    assert other.status_code == 200
    school.refresh_from_db()
    events = AuditEvent.objects.count()

    client.force_login(county_user)
    page = client.post(
        reverse("school-update", args=[school.pk]),
        {**_school_data(school.township, code=school.code, name="填报员改名"), "row_version": read},
    )
    assert page.status_code == 200
    form = page.context["form"]
    shown = form.non_field_errors()
    assert shown[0].startswith(f"在您编辑期间，该记录已被 {county_reviewer} 于 ")
    assert shown[0].endswith("修改（当前为第 2 版）。")
    assert "再次保存将覆盖对方的修改" in shown[1]
    assert form["name"].value() == "填报员改名"  # the user's input is kept
    assert "审核员改名" in page.content.decode()  # and the other's value is shown

    api = _api(county_user).patch(
        f"/api/v1/schools/{school.pk}/", {"name": "填报员改名", "version": read}, format="json"
    )
    assert api.status_code == 409
    assert api.json() == {"detail": shown[0], "version": 2}

    admin = type(client)()
    admin.force_login(root)
    url = reverse("admin:core_school_change", args=[school.pk])
    assert 'name="row_version" value="2"' in admin.get(url).content.decode()
    data = {
        **_school_data(school.township, code=school.code, name="管理员改名"),
        "row_version": read,
    }
    refused = admin.post(url, data, follow=True)
    assert [str(m) for m in refused.context["messages"]] == [shown[0]]

    school.refresh_from_db()
    assert school.name == "审核员改名" and school.version == 2
    assert AuditEvent.objects.count() == events


def test_a_change_without_a_version_is_refused_in_the_api_and_by_the_door(county_user, school):
    response = _api(county_user).patch(
        f"/api/v1/schools/{school.pk}/", {"name": "盲改"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"version": ["请提交您读取时该行的版本号（version 字段）。"]}
    school.name = "盲改"
    with pytest.raises(ValidationError, match="version"):
        services.row_update(actor=county_user, row=school)
    school.refresh_from_db()
    assert school.name != "盲改"


def test_another_countys_row_is_not_reachable_through_any_door(
    client, county_user, other_school, other_township
):
    before = (AuditEvent.objects.count(), other_school.name)
    client.force_login(county_user)
    data = _school_data(other_township, code=other_school.code, name="越权改名")
    assert client.get(reverse("school-update", args=[other_school.pk])).status_code == 404
    assert client.post(reverse("school-update", args=[other_school.pk]), data).status_code == 404
    assert client.post(reverse("school-delete", args=[other_school.pk])).status_code == 404
    api = _api(county_user)
    url = f"/api/v1/schools/{other_school.pk}/"
    assert api.patch(url, {"name": "越权改名", "version": 1}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    # Creating a row in the other county: its township is not a choice of the user's.
    page = client.post(reverse("school-create"), _school_data(other_township, code="2110839998"))
    assert page.status_code == 200 and "township" in page.context["form"].errors
    response = api.post("/api/v1/schools/", _school_data(other_township, code="2110839998"))
    assert response.status_code == 400 and "township" in response.json()

    # The door refuses the same writes by itself, with the scope's message.
    other_school.name = "越权改名"
    for write in (
        lambda: services.row_update(actor=county_user, row=other_school, version=1),
        lambda: services.row_delete(actor=county_user, row=other_school),
        lambda: services.row_create(
            actor=county_user,
            row=School(code="2110839997", name="越权新建", township=other_township),
        ),
    ):
        with pytest.raises(PermissionDenied, match=OUT_OF_COUNTY):
            write()
    other_school.refresh_from_db()
    assert (AuditEvent.objects.count(), other_school.name) == before
    assert not School.objects.filter(code__in=["2110839997", "2110839998"]).exists()


def test_the_admin_refuses_a_move_out_of_the_staff_users_county(
    client, county_user, school, other_school
):
    """A staff county user in the admin: sees only its county's rows, and the door refuses to
    move one of them into another county (the admin's raw id field accepts any school)."""
    from django.contrib.auth.models import Permission

    county_user.is_staff = True
    county_user.save()
    county_user.user_permissions.add(*Permission.objects.filter(codename__endswith="_student"))
    student = StudentFactory(school=school, name="本县学生")
    theirs = StudentFactory(school=other_school, name="外县学生")
    client.force_login(county_user)
    listed = client.get(reverse("admin:core_student_changelist"))
    assert list(listed.context["cl"].result_list) == [student]
    assert client.get(reverse("admin:core_student_change", args=[theirs.pk])).status_code == 302
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:core_student_change", args=[student.pk]),
        {
            "name": "本县学生",
            "gender": student.gender,
            "school": other_school.pk,
            "county": school.county_id,  # the door takes the county from the school
            "grade": student.grade,
            "status": student.status,
            "row_version": student.version,
        },
    )
    assert response.status_code == 403
    assert OUT_OF_COUNTY in response.content.decode()
    student.refresh_from_db()
    assert student.school == school and AuditEvent.objects.count() == events


def test_a_school_officer_writes_only_its_schools_rows(
    school_user, school, neighbour_school, county_user
):
    mine = StudentFactory(school=school)
    theirs = StudentFactory(school=neighbour_school, name="邻校学生")
    events = AuditEvent.objects.count()
    moved = Student.objects.get(pk=mine.pk)
    moved.school = neighbour_school
    for write in (
        lambda: services.row_update(actor=school_user, row=moved, version=mine.version),
        lambda: services.row_update(actor=school_user, row=theirs, version=theirs.version),
        lambda: services.row_delete(actor=school_user, row=theirs),
    ):
        with pytest.raises(PermissionDenied, match=OUT_OF_SCHOOL):
            write()
    # Its role may not change the School ledger at all.
    with pytest.raises(PermissionDenied, match="您的角色无权修改台账。"):
        services.row_update(actor=school_user, row=school, version=school.version)
    mine.refresh_from_db()
    assert mine.school == school and Student.objects.filter(pk=theirs.pk).exists()
    assert AuditEvent.objects.count() == events
    # Its own row it changes, audited.
    mine.name = "本校改名"
    services.row_update(actor=school_user, row=mine, version=mine.version)
    assert AuditEvent.objects.filter(
        actor=school_user, action=AuditAction.UPDATE, object_id=str(mine.pk)
    ).exists()


def test_a_row_that_others_refer_to_is_not_deleted(client, county_user, school):
    StudentFactory(school=school)
    client.force_login(county_user)
    response = client.post(reverse("school-delete", args=[school.pk]), follow=True)
    assert "该记录仍被其他记录引用，不能删除。" in response.content.decode()
    api = _api(county_user).delete(f"/api/v1/schools/{school.pk}/")
    assert api.status_code == 409
    assert api.json() == {"detail": "该记录仍被其他记录引用，不能删除。"}
    assert School.objects.filter(pk=school.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DELETE).exists()


def test_a_conflict_carries_the_stored_row(county_user, school):
    stale = School.objects.get(pk=school.pk)
    fresh = School.objects.get(pk=school.pk)
    fresh.name = "先保存"
    services.row_update(actor=county_user, row=fresh, version=fresh.version)
    stale.name = "后保存"
    with pytest.raises(VersionConflict) as conflict:
        services.row_update(actor=county_user, row=stale, version=1)
    assert conflict.value.current.name == "先保存" and conflict.value.current.version == 2
