"""The audit trail: per-row history and the city administrators' searchable log."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditAction, AuditEvent
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_api_writes_are_audited(county_user, school):
    api = APIClient()
    api.force_authenticate(county_user)
    response = api.patch(
        f"/api/v1/schools/{school.pk}/",
        {"name": "新校名", "version": school.version},
        format="json",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == county_user and event.changes["name"][1] == "新校名"
    assert event.county == school.county


def test_admin_writes_are_audited(client, school):
    from core.models import User

    root = User.objects.create_superuser("root", "root@example.cn", "a-long-fine-pass-77")
    client.force_login(root)
    url = reverse("admin:core_school_change", args=[school.pk])
    data = {
        "code": school.code,
        "name": "后台改名",
        "county": school.county_id,
        "township": school.township_id,
        "kind": school.kind,
        "ownership": school.ownership,
        "locality": school.locality,
        "row_version": school.version,  # the hidden field of the change form
    }
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, changes__name__1="后台改名"
    ).exists()


def test_history_tab_lists_changes(county_client, school):
    county_client.post(
        reverse("school-update", args=[school.pk]),
        {
            "code": school.code,
            "name": "改过的名字",
            "county": school.county_id,
            "township": school.township_id,
            "kind": "primary",
            "ownership": "public",
            "locality": "rural",
            "row_version": school.version,
        },
    )
    html = county_client.get(reverse("school-detail", args=[school.pk])).content.decode()
    assert "改过的名字" in html and "history-tab" in html


def test_log_is_searchable_by_user_ledger_and_date(admin_client_, county_user, school):
    StudentFactory(school=school)
    AuditEvent.objects.create(
        actor=county_user, action=AuditAction.CREATE, ledger="core.student", object_repr="甲"
    )
    AuditEvent.objects.create(
        actor=None, action=AuditAction.CREATE, ledger="core.school", object_repr="乙"
    )
    page = admin_client_.get(reverse("audit-log"), {"user": "hailin", "ledger": "core.student"})
    events = list(page.context["object_list"])
    assert [e.object_repr for e in events] == ["甲"]
    page = admin_client_.get(reverse("audit-log"), {"date_from": "2099-01-01"})
    assert list(page.context["object_list"]) == []


def test_log_is_for_city_admins_only(county_client, city_client):
    assert county_client.get(reverse("audit-log")).status_code == 403
    assert city_client.get(reverse("audit-log")).status_code == 403


# --- What a city administrator reads -------------------------------------------------------------


def _text(html: str) -> str:
    """The page's text as a reader sees it (tags dropped, spaces collapsed)."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_history_of_an_edited_student_reads_in_chinese(county_client, school, township):
    from core import idnumbers
    from core.models import Student

    student = StudentFactory(school=school, status="enrolled", grade=5, household_region=None)
    data = {
        "id_number": "",
        "name": student.name,
        "gender": student.gender,
        "school": school.pk,
        "grade": 6,
        "status": "dropped_out",
        "household_region": township.pk,
        "row_version": student.version,
    }
    response = county_client.post(reverse("student-update", args=[student.pk]), data)
    assert response.status_code == 302, response.content.decode()
    html = county_client.get(reverse("student-detail", args=[student.pk])).content.decode()
    history = _text(html[html.index('id="tab-history"') :])
    assert "学籍状态：在读 → 辍学" in history
    assert "年级：五年级 → 六年级" in history
    assert "户籍所在地：— → 长汀镇" in history
    for raw in ("dropped_out", "enrolled", "status:", "grade:", "None"):
        assert raw not in history
    assert student.id_number not in html
    assert Student.objects.get(pk=student.pk).status == "dropped_out"
    assert idnumbers.mask(student.id_number) not in history  # the number did not change


def test_audit_log_shows_chinese_model_names_choice_labels_and_region_names(
    admin_client_, county, other_county, school
):
    from core import audit
    from core.models import User

    officer = User.objects.get(username="city-admin")
    student = StudentFactory(school=school, name="赵小红")
    audit.record_create(officer, student)
    AuditEvent.objects.create(
        actor=officer,
        action=AuditAction.CREATE,
        ledger="dropout.screeninground",
        object_repr="2023年秋季学期第一轮控辍保学排查",
        changes={"counties": [None, [county.code, other_county.code]]},
    )
    AuditEvent.objects.create(
        actor=officer,
        action=AuditAction.EXPORT,
        ledger="core.student",
        changes={"rows": 12},
        note=f"county={county.pk}&status=dropped_out",
    )
    AuditEvent.objects.create(
        actor=officer,
        action=AuditAction.REVEAL,
        ledger="core.student",
        changes={"rows": 6, "id_numbers": "full"},
        note="county=",
    )
    page = admin_client_.get(reverse("audit-log"))
    text = _text(page.content.decode())
    assert "学生" in text and "排查轮次" in text
    assert "core.student" not in text and "dropout.screeninground" not in text
    assert "县区：海林市、东宁市" in text
    assert "学校：长汀镇中心小学" in text and "姓名：赵小红" in text
    assert "行数：12" in text
    assert "筛选条件：县区：海林市，学籍状态：辍学" in text
    # An unmasked export reads as one (not "id_numbers：full"); an empty filter as 不限.
    assert "身份证号：完整（未遮盖）" in text and "id_numbers" not in text
    assert "筛选条件：县区：不限" in text and "county=" not in text
    assert student.id_number not in text
    assert audit.idnumbers.mask(student.id_number) in text
    assert "['" not in text and "→ —" not in text


def test_audit_log_looks_names_up_once_per_page(admin_client_, county, other_county, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def event(n):
        AuditEvent.objects.create(
            action=AuditAction.CREATE,
            ledger="dropout.screeninground",
            object_repr=f"第{n}轮",
            changes={
                "counties": [None, [county.code, other_county.code]],
                "roster_versions": [None, [n]],
            },
        )

    event(1)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(reverse("audit-log"))
    for n in range(2, 12):
        event(n)
    with CaptureQueriesContext(connection) as many:
        page = admin_client_.get(reverse("audit-log"))
    assert _text(page.content.decode()).count("县区：海林市、东宁市") == 11
    assert len(many) == len(few)
