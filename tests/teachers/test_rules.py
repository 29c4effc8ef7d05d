"""The roster's, the plans' and the training records' bad input: a hire over the plan's posts, a
teacher at a school of another county, an ID number already on the roster (named when the user
sees it, the neutral refusal across counties), a record for a teacher who left before the
programme, hours above the programme's most. Each gets a Chinese message and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core import idnumbers
from core.conflicts import REFUSAL, RegistryConflict
from core.models import AuditAction, AuditEvent
from teachers import services
from teachers.models import Teacher, TeacherStatus, TrainingRecord
from tests.teachers.factories import (
    RecruitmentPlanFactory,
    TeacherFactory,
    TrainingProgrammeFactory,
    teacher_id,
)

pytestmark = pytest.mark.django_db
ROSTER = "/api/v1/teachers/staff/"
RECORDS = "/api/v1/teachers/training/"


def api_as(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(user)
    return api


def teacher_data(school, **changes):
    number = changes.pop("id_number", None) or teacher_id(school.county.code)
    return {
        "id_number": number,
        "gender": idnumbers.gender(number),
        "name": "孙老师",
        "school": school.pk,
        "stage": "primary",
        "subject": "english",
        "employment": "special_post",
        "hired_on": "2023-08-20",
        **changes,
    }


def messages_of(response) -> str:
    return str(response.json())


def test_a_hire_over_the_plans_posts_is_refused(county_user, school):
    plan = RecruitmentPlanFactory(county=school.county, posts=2)
    api = api_as(county_user)
    for _ in range(2):
        assert (
            api.post(ROSTER, teacher_data(school, plan=plan.pk), format="json").status_code == 201
        )
    response = api.post(ROSTER, teacher_data(school, plan=plan.pk), format="json")
    assert response.status_code == 400
    assert "该计划共2个岗位，已全部招满" in messages_of(response)
    assert Teacher.objects.filter(plan=plan).count() == 2
    hired = Teacher.objects.filter(plan=plan).first()
    assert hired.channel == "special_post"  # the plan's channel when none was given


def test_the_hire_service_refuses_the_same_way(county_user, school):
    plan = RecruitmentPlanFactory(county=school.county, posts=1)
    TeacherFactory(school=school, plan=plan, hired_on=dt.date(2023, 8, 1))
    with pytest.raises(ValidationError) as error:
        services.teacher_hire(
            teacher=Teacher(
                id_number=teacher_id(school.county.code),
                name="周老师",
                school=school,
                stage="primary",
                subject="maths",
                hired_on=dt.date(2023, 8, 1),
            ),
            plan=plan,
            actor=county_user,
        )
    assert "plan" in error.value.message_dict
    assert Teacher.objects.filter(plan=plan).count() == 1


def test_a_plan_cannot_shrink_below_its_hires(county_user, school):
    plan = RecruitmentPlanFactory(county=school.county, posts=2)
    TeacherFactory(school=school, plan=plan, hired_on=dt.date(2023, 8, 1))
    TeacherFactory(school=school, plan=plan, hired_on=dt.date(2023, 8, 1))
    response = api_as(county_user).patch(
        f"/api/v1/teachers/plans/{plan.pk}/", {"posts": 1, "version": plan.version}, format="json"
    )
    assert response.status_code == 400
    assert "该计划已招聘2名教师" in messages_of(response)
    plan.refresh_from_db()
    assert plan.posts == 2


def test_a_teacher_at_a_school_of_another_county_is_refused(county_user, other_school):
    response = api_as(county_user).post(ROSTER, teacher_data(other_school), format="json")
    assert response.status_code == 400  # the school is not among the caller's choices
    assert not Teacher.objects.exists()


def test_a_hire_on_another_countys_plan_is_refused(city_admin, school, other_county):
    plan = RecruitmentPlanFactory(county=other_county)
    response = api_as(city_admin).post(ROSTER, teacher_data(school, plan=plan.pk), format="json")
    assert response.status_code == 400
    assert "该计划属于其他县区" in messages_of(response)
    assert not Teacher.objects.exists()


def test_an_id_number_on_the_roster_in_scope_names_the_school(
    county_user, school, neighbour_school
):
    held = TeacherFactory(school=neighbour_school)
    response = api_as(county_user).post(
        ROSTER, teacher_data(school, id_number=held.id_number), format="json"
    )
    assert response.status_code == 400
    assert "该身份证号已在教师名册中，在新安镇中心小学" in messages_of(response)
    assert Teacher.objects.count() == 1


def test_an_id_number_held_in_another_county_gets_the_neutral_refusal(
    county_user, school, other_school
):
    held = TeacherFactory(school=other_school)
    response = api_as(county_user).post(
        ROSTER, teacher_data(school, id_number=held.id_number), format="json"
    )
    assert response.status_code == 400
    text = messages_of(response)
    assert str(REFUSAL) in text or "请联系市局" in text
    assert "三岔口" not in text and "东宁" not in text
    assert Teacher.objects.count() == 1
    assert RegistryConflict.objects.filter(ledger="teachers.teacher", county=school.county).exists()


def test_the_form_gives_the_same_neutral_refusal(county_client, school, other_school):
    held = TeacherFactory(school=other_school)
    data = teacher_data(school, id_number=held.id_number, status="in_post", title="none")
    data.update(qualification="bachelor")
    response = county_client.post("/teachers/staff/new/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "请联系市局" in page
    assert "三岔口镇中心小学" not in page
    assert Teacher.objects.count() == 1


def test_a_record_for_a_teacher_who_left_before_the_programme_is_refused(county_user, school):
    programme = TrainingProgrammeFactory(starts_on=dt.date(2023, 3, 1))
    gone = TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 2, 10))
    response = api_as(county_user).post(
        RECORDS,
        {"teacher": gone.pk, "programme": programme.pk, "hours": "80", "completed": True},
        format="json",
    )
    assert response.status_code == 400
    assert "该教师已于2023-02-10离职，早于培训项目开始日期（2023-03-01）" in messages_of(response)
    assert not TrainingRecord.objects.exists()


def test_a_teacher_who_left_during_the_programme_may_have_a_record(county_user, school):
    programme = TrainingProgrammeFactory(starts_on=dt.date(2023, 3, 1))
    gone = TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 6, 1))
    response = api_as(county_user).post(
        RECORDS,
        {"teacher": gone.pk, "programme": programme.pk, "hours": "30", "completed": False},
        format="json",
    )
    assert response.status_code == 201


def test_hours_above_the_programmes_most_are_refused(county_user, school):
    programme = TrainingProgrammeFactory(max_hours=Decimal("120"))
    teacher = TeacherFactory(school=school)
    response = api_as(county_user).post(
        RECORDS,
        {"teacher": teacher.pk, "programme": programme.pk, "hours": "120.5", "completed": True},
        format="json",
    )
    assert response.status_code == 400
    assert "120.5学时超过该项目的学时上限（120.0）" in messages_of(response)
    assert not TrainingRecord.objects.exists()
    ok = api_as(county_user).post(
        RECORDS,
        {"teacher": teacher.pk, "programme": programme.pk, "hours": "120", "completed": True},
        format="json",
    )
    assert ok.status_code == 201
    assert TrainingRecord.objects.get().school == school  # the teacher's school


def test_a_leaving_date_is_required_and_after_the_hiring(county_user, school):
    api = api_as(county_user)
    response = api.post(ROSTER, teacher_data(school, status="left"), format="json")
    assert response.status_code == 400
    assert "请填写教师离职或退休的日期" in messages_of(response)
    response = api.post(
        ROSTER, teacher_data(school, status="left", left_on="2023-01-01"), format="json"
    )
    assert "离职日期早于聘用日期" in messages_of(response)
    assert not Teacher.objects.exists()


def test_the_roster_masks_id_numbers_and_a_reveal_is_logged(
    settings, county_user, county_client, school
):
    teacher = TeacherFactory(school=school, name="钱老师")
    listing = api_as(county_user).get(ROSTER).json()
    assert teacher.id_number not in str(listing)
    assert listing["results"][0]["id_number"] == teacher.masked_id
    page = county_client.get(f"/teachers/staff/{teacher.pk}/").content.decode()
    assert teacher.id_number not in page and teacher.masked_id in page
    export = county_client.get("/teachers/staff/export/")
    assert export.status_code == 200
    assert teacher.id_number.encode() not in export.content
    settings.ID_REVEAL_ROLES = {"county_officer"}
    revealed = county_client.post(f"/teachers/staff/{teacher.pk}/reveal-id/")
    assert revealed.status_code == 200
    assert teacher.id_number in revealed.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, object_id=str(teacher.pk)).exists()


def test_a_reveal_is_refused_without_the_right(county_client, school):
    teacher = TeacherFactory(school=school)
    response = county_client.post(f"/teachers/staff/{teacher.pk}/reveal-id/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_another_countys_teacher_cannot_be_revealed(city_admin, other_county_user, school):
    teacher = TeacherFactory(school=school)
    client = APIClient()
    client.force_login(other_county_user)
    assert client.post(f"/teachers/staff/{teacher.pk}/reveal-id/").status_code == 404


def test_only_city_admins_change_the_standard(county_user, city_admin):
    api = api_as(county_user)
    response = api.post(
        "/api/v1/teachers/standards/",
        {"effective_from": 2024, "primary": "18", "junior": "13", "senior": "12"},
        format="json",
    )
    assert response.status_code == 403
    assert "只有市局管理员可以修改编制标准" in messages_of(response)
    assert api.get("/api/v1/teachers/standards/").json()["results"][0]["primary"] == "19.00"
    done = api_as(city_admin).post(
        "/api/v1/teachers/standards/",
        {"effective_from": 2024, "primary": "18", "junior": "13", "senior": "12"},
        format="json",
    )
    assert done.status_code == 201
