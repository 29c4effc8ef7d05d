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
