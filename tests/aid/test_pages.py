"""The aid pages as a county officer and city staff see them: the dashboard whose figures link to
their rows, programmes and standards (city administrators edit, history kept), the checks, the
to-do list, and choice lists that offer only what the user may see."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from aid.models import AidProgramme, AidStandard
from core.models import AuditAction, AuditEvent
from tests.aid.factories import (
    DisbursementFactory,
    OutOfAreaStudentFactory,
    PublicityActivityFactory,
    make_roster,
)
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(programmes, school, other_school):
    for _ in range(3):
        DisbursementFactory(school=school, programme=programmes["YW-FJS-XX"], amount="250.00")
    DisbursementFactory(
        school=school, programme=programmes["YW-FJS-XX"], amount="200.00", category="dibao"
    )
    DisbursementFactory(school=other_school, programme=programmes["GZ-ZXJ"], amount="1000.00")
    PublicityActivityFactory(county=school.county, channel="tv", reach=5000)


def test_dashboard_figures_link_to_their_rows(county_client, paid, school):
    response = county_client.get(reverse("aid-dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["total"]["amount"] == Decimal("950.00") and figures["total"]["person_times"] == 4
    assert figures["formerly_poor"]["person_times"] == 3
    assert [row["name"] for row in figures["by_county"]] == [school.county.name]
    html = response.content.decode()
    assert 'data-chart="pie"' in html and "aid-chart-counties" in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline script (CSP)

    followed = county_client.get(figures["formerly_poor"]["url"])
    assert followed.context["result_count"] == 3
    followed = county_client.get(figures["by_county"][0]["url"])
    assert followed.context["result_count"] == 4
    below = county_client.get(figures["below_standard_url"])
    assert below.context["result_count"] == figures["below_standard_count"] == 1
    tv = next(row for row in figures["publicity"] if row["key"] == "tv")
    assert tv["count"] == 1 and county_client.get(tv["url"]).context["result_count"] == 1


def test_city_dashboard_by_county(city_client, paid, school, other_school):
    figures = city_client.get(reverse("aid-dashboard")).context["figures"]
    assert {row["name"] for row in figures["by_county"]} == {"海林市", "东宁市"}
    assert figures["total"]["person_times"] == 5
    one = city_client.get(reverse("aid-dashboard"), {"county": other_school.county_id})
    assert one.context["figures"]["total"]["amount"] == Decimal("1000.00")


def test_sidebar_and_home_lead_to_the_aid_pages(county_client, programmes, school, township):
    student = StudentFactory(school=school)
    make_roster(township, [(student.id_number, student.name, "poverty_alleviated", False)])
    OutOfAreaStudentFactory(county=school.county)
    home = county_client.get(reverse("home"))
    html = home.content.decode()
    assert 'href="/aid/"' in html and 'href="/aid/disbursements/"' in html
    gap = next(item for item in home.context["todo_items"] if "aid/checks/gaps" in item.url)
    assert gap.count == 1 and gap.level == "warning"
    assert county_client.get(gap.url).context["result_count"] == 1


def test_programme_pages_read_by_all(county_client, programmes):
    page = county_client.get(reverse("aid-programme-list"))
    html = page.content.decode()
    assert page.status_code == 200 and "义务教育寄宿生生活补助（初中）" in html
    assert "625.00" in html and reverse("aid-programme-create") not in html
    detail = county_client.get(reverse("aid-programme-detail", args=[programmes["GZ-ZXJ"].pk]))
    assert detail.status_code == 200
    assert county_client.get(reverse("aid-programme-create")).status_code == 403
    standard = AidStandard.objects.first()
    url = reverse("aid-standard-update", args=[standard.pk])
    assert county_client.post(url, {"amount": "1"}).status_code == 403


def test_city_admin_edits_programmes_and_standards_with_history(admin_client_, city_admin):
    response = admin_client_.post(
        reverse("aid-programme-create"),
        {
            "name": "普通高中国家助学金",
            "code": "GZ-ZXJ",
            "stage": "senior",
            "boarding": "any",
            "counts_for_gap": "on",
            "active": "on",
            "sort_order": 5,
        },
    )
    programme = AidProgramme.objects.get()
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    response = admin_client_.post(
        reverse("aid-standard-create"),
        {"programme": programme.pk, "school_year": 2023, "term": "autumn", "amount": "1000.00"},
    )
    assert response.status_code == 302
    standard = AidStandard.objects.get()
    admin_client_.post(
        reverse("aid-standard-update", args=[standard.pk]),
        {"programme": programme.pk, "school_year": 2023, "term": "autumn", "amount": "1050.00"},
    )
    # A second standard for the same term is refused by the form.
    again = admin_client_.post(
        reverse("aid-standard-create"),
        {"programme": programme.pk, "school_year": 2023, "term": "autumn", "amount": "9.00"},
    )
    assert again.status_code == 200 and again.context["form"].errors
    events = AuditEvent.objects.filter(actor=city_admin).order_by("pk")
    assert [(e.ledger, e.action) for e in events] == [
        ("aid.aidprogramme", AuditAction.CREATE),
        ("aid.aidstandard", AuditAction.CREATE),
        ("aid.aidstandard", AuditAction.UPDATE),
    ]
    page = admin_client_.get(programme.get_absolute_url()).content.decode()
    assert "1000.00" in page and "1050.00" in page  # the history shows old and new amounts


def test_check_pages_and_exports(city_client, paid):
    for name in ("aid-gap-list", "aid-below-standard", "aid-duplicates"):
        assert city_client.get(reverse(name)).status_code == 200
        response = city_client.get(reverse(name + "-export"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = city_client.get(reverse("aid-gap-list"), {"school_year": "abc"})
    assert bad.status_code == 200 and bad.context["result_count"] == 0


def test_choice_lists_offer_only_the_users_county(county_client, paid, other_school):
    for url in (
        reverse("disbursement-list"),
        reverse("disbursement-create"),
        reverse("aid-below-standard"),
        reverse("aid-dashboard"),
        reverse("outofareastudent-create"),
    ):
        html = county_client.get(url).content.decode()
        assert other_school.name not in html, url
        assert other_school.county.name not in html, url


def test_out_of_area_page_shows_the_contact_form(county_client, county):
    student = OutOfAreaStudentFactory(county=county)
    html = county_client.get(student.get_absolute_url()).content.decode()
    assert reverse("aid-contact-add", args=[student.pk]) in html
    assert student.id_number not in html


def test_chinese_by_default_and_english_on_request(county_client, paid):
    html = county_client.get(reverse("aid-dashboard")).content.decode()
    assert "原建档立卡学生资助" in html and "应助未助" in html
    county_client.cookies["django_language"] = "en"
    html = county_client.get(reverse("aid-dashboard")).content.decode()
    assert "Formerly registered poor students" in html and "原建档立卡学生资助" not in html
