"""The small findings of the attack on a running instance, each reproduced first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.attachments.services import attachment_add
from core.models import AuditEvent
from tests.core.test_attachments import upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "notadate"},
        {"date_to": "2023-13-45"},
        {"user": "\x00"},
    ],
)
def test_bad_audit_filters_answer_a_message_not_a_500(admin_client_, query):
    response = admin_client_.get(reverse("audit-log"), query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "日期无效" in response.content.decode()


def test_nul_in_a_search_answers_400_everywhere(admin_client_, city_admin):
    for url in (reverse("user-list"), reverse("admin:core_student_changelist")):
        response = admin_client_.get(url, {"q": "\x00"})
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode()


def test_history_of_a_shared_row_hides_another_countys_user_and_file(
    county_client, county_user, other_county_user, city, school
):
    """A county-wide row's history (here the county itself, shared by the city's users) names
    no user of another county and no file they attached."""
    from dropout.models import ScreeningRound

    shared = ScreeningRound.objects.create(
        name="2023年秋季排查",
        school_year=2023,
        reference_date=dt.date(2023, 8, 31),
        screening_date=dt.date(2023, 9, 15),
        age_min=6,
        age_max=15,
        status="finished",
    )
    shared.counties.add(county_user.scope, other_county_user.scope)
    attachment_add(
        row=shared,
        upload=upload("东宁核查记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        actor=other_county_user,
    )
    assert AuditEvent.objects.filter(actor=other_county_user).exists()
    page = county_client.get(shared.get_absolute_url()).content.decode()
    assert other_county_user.username not in page and str(other_county_user) not in page
    assert "东宁核查记录" not in page
    assert "其他县区" in page
