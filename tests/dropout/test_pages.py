"""The pages of dropout control: dashboard, starting and reading a round, a case worked through
its page, coverage and rates — each scoped, each figure leading to its rows."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.attachments.models import Attachment
from core.reference import SchoolYearStart
from dropout import services
from dropout.models import CaseAction, CaseStatus, DropoutCase, ScreeningRound
from tests.dropout.factories import ResponsibilityFactory, listed_names, run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(county, township, school, other_township):
    """Three children in 海林市 (one enrolled, two not), one in 东宁市 (not enrolled)."""
    mine = RosterVersionFactory(county=county)
    enrolled = RosterChildFactory(roster_version=mine, township=township, name="在读儿童")
    StudentFactory(
        school=school,
        id_number=enrolled.id_number,
        name=enrolled.name,
        birth_date=enrolled.birth_date,
    )
    RosterChildFactory(roster_version=mine, township=township, name="海林失学")
    RosterChildFactory(roster_version=mine, township=township, name="海林失学二")
    theirs = RosterVersionFactory(county=other_township.county)
    RosterChildFactory(roster_version=theirs, township=other_township, name="东宁失学")
    return mine


def test_the_sidebar_links_the_area_dashboard(county_client):
    page = county_client.get(reverse("dropoutcase-list")).content.decode()
    assert f'href="{reverse("dropout-dashboard")}"' in page
    assert reverse("dropoutcase-list") in page and reverse("rosterchild-list") in page


def test_dashboard_figures_are_scoped_and_lead_to_their_rows(
    county_client, city_user, county_user, city_admin, roster
):
    run_round(city_admin)
    response = county_client.get(reverse("dropout-dashboard"))
    assert response.status_code == 200
    data = response.context["data"]
    assert (data["rounds"], data["person_times"], data["cases_open"]) == (1, 3, 2)
    assert data["suspected_open"] == 2
    assert [row["county"].name for row in data["county_rows"]] == ["海林市"]
    assert listed_names(county_user, data["person_times_url"]) == {
        "在读儿童",
        "海林失学",
        "海林失学二",
    }
    assert listed_names(county_user, data["cases_open_url"]) == {"海林失学", "海林失学二"}
    assert listed_names(county_user, data["suspected_open_url"]) == {"海林失学", "海林失学二"}
    row = data["county_rows"][0]
    assert listed_names(county_user, row["suspected_open_url"]) == {"海林失学", "海林失学二"}
    page = response.content.decode()
    assert 'id="chart-cases" data-chart="bars"' in page and "<script>" not in page.replace(" ", "")
    # Each bar of the cases chart opens its rows: suspected, open cases, overdue cases.
    suspected, open_cases, overdue = data["chart_cases"]["series"]
    assert (suspected["data"], open_cases["data"]) == ([2], [2])
    assert listed_names(county_user, suspected["urls"][0]) == {"海林失学", "海林失学二"}
    assert listed_names(county_user, open_cases["urls"][0]) == {"海林失学", "海林失学二"}
    # A county officer's charts are of the county's townships (one bar of a county says
    # nothing): 长汀镇 here, each bar opening that township's rows.
    assert data["chart_by"] == "township"
    assert data["chart_cases"]["categories"] == ["长汀镇"]
    assert data["chart_person_times"]["series"][0]["data"] == [3]
    assert "township=" in overdue["urls"][0] and "overdue=true" in overdue["urls"][0]
    assert "按乡镇" in page or "各乡镇" in page

    from django.test import Client

    city_client = Client()
    city_client.force_login(city_user)
    city = city_client.get(reverse("dropout-dashboard")).context["data"]
    assert (city["person_times"], city["cases_open"]) == (4, 3)
    assert {row["county"].name for row in city["county_rows"]} == {"海林市", "东宁市"}


def test_only_a_city_admin_may_open_the_round_form(client, county_user, city_user):
    for user in (county_user, city_user):
        client.force_login(user)
        assert client.get(reverse("dropout-round-start")).status_code == 403


def test_a_city_admin_starts_a_round_and_watches_it(
    admin_client_, roster, county, django_capture_on_commit_callbacks, jobs_in_process
):
    SchoolYearStart.objects.create(school_year=2023)  # the year the round is of
    form = admin_client_.get(reverse("dropout-round-start"))
    assert form.status_code == 200 and "6" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("dropout-round-start"),
            {
                "name": "2023年秋季第一轮",
                "school_year": 2023,
                "counties": [county.pk],
                "screening_date": "2023-09-15",
            },
        )
    screening_round = ScreeningRound.objects.get()
    assert response.status_code == 302
    assert response.url == screening_round.job.get_absolute_url()
    job_page = admin_client_.get(response.url).content.decode()
    assert screening_round.get_absolute_url() in job_page  # "Open the result"
    screening_round.refresh_from_db()
    assert screening_round.status == "finished"

    page = admin_client_.get(screening_round.get_absolute_url())
    assert page.status_code == 200
    figures = page.context["figures"]
    assert figures["person_times"] == 3 and figures["cases_opened"] == 2
    text = page.content.decode()
    assert "2007-09-01" in text and "2017-08-31" in text  # the school-age rule
    suspected = next(c for c in figures["classes"] if c["value"] == "suspected")
    assert suspected["count"] == 2
    assert re.search(r"export/\?round=\d+&amp;classification=suspected", text)


def test_a_round_is_not_dated_outside_its_school_year(admin_client_, roster, county):
    SchoolYearStart.objects.create(school_year=2023)
    form = admin_client_.get(reverse("dropout-round-start")).content.decode()
    assert "发起排查</button>" in form
    for typed in ("", "2026-12-07"):
        response = admin_client_.post(
            reverse("dropout-round-start"),
            {"name": "2023年秋季第二轮", "school_year": 2023, "screening_date": typed},
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert "2023–2024学年" in text and "2023-09-01至2024-08-31" in text
        assert response.context["form"]["name"].value() == "2023年秋季第二轮"
        assert list(response.context["form"].errors) == ["screening_date"]
    assert not ScreeningRound.objects.exists()


def test_the_round_form_refuses_bad_input(admin_client_, county):
    response = admin_client_.post(
        reverse("dropout-round-start"), {"name": "无名单", "school_year": 2023}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ScreeningRound.objects.exists()


def test_a_county_user_sees_the_round_with_the_countys_figures_only(
    county_client, city_admin, roster
):
    screening_round = run_round(city_admin)
    figures = county_client.get(screening_round.get_absolute_url()).context["figures"]
    assert figures["person_times"] == 3
    assert [row["county"].name for row in figures["county_rows"]] == ["海林市"]
    export = county_client.get(reverse("screeningresult-export"), {"round": screening_round.pk})
    assert export.status_code == 200


def photo_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, format="JPEG")
    return SimpleUploadedFile("家访.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_case_is_worked_through_its_page(
    client, county_user, county_reviewer, city_admin, roster, school, township
):
    ResponsibilityFactory(township=township, person="钱镇长")
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = DropoutCase.objects.get(name="海林失学")
    client.force_login(county_user)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and "钱镇长" in page.content.decode()
    assert page.context["may_act"] and page.context["may_resolve"]
    assert not page.context["may_close"]

    response = client.post(
        reverse("dropout-case-action", args=[case.pk]),
        {"date": "2023-09-16", "kind": "home_visit", "note": "家访，家长同意返校。",
         "files": [photo_upload()]},
    )  # fmt: skip
    assert response.status_code == 302
    action = CaseAction.objects.get()
    assert Attachment.objects.get().object_id == action.pk
    page = client.get(case.get_absolute_url()).content.decode()
    assert "家访，家长同意返校。" in page and reverse("attachment-thumb", args=[1])[:-8] in page

    refused = client.post(reverse("dropout-case-resolve", args=[case.pk]), {"outcome": "returned"})
    assert refused.status_code == 200 and refused.context["resolve_form"].errors
    response = client.post(
        reverse("dropout-case-resolve", args=[case.pk]),
        {"outcome": "returned", "return_school": school.pk, "return_date": "2023-09-20"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    client.force_login(county_reviewer)
    page = client.get(case.get_absolute_url())
    assert not page.context["may_close"] and 'id="case-close-waiting"' in page.content.decode()
    refused = client.post(reverse("dropout-case-close", args=[case.pk]))
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    StudentFactory(school=school, id_number=case.id_number, name=case.name)
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    page = client.get(case.get_absolute_url())
    assert page.context["may_close"]
    response = client.post(reverse("dropout-case-close", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer


def test_another_countys_case_is_not_found(other_county_user, client, city_admin, roster):
    run_round(city_admin)
    case = DropoutCase.objects.get(name="海林失学")
    client.force_login(other_county_user)
    for url in (
        case.get_absolute_url(),
        reverse("dropout-case-action", args=[case.pk]),
        reverse("dropout-case-resolve", args=[case.pk]),
        reverse("dropout-case-close", args=[case.pk]),
    ):
        method = client.get if url == case.get_absolute_url() else client.post
        assert method(url, {"date": "2023-09-16", "kind": "other", "note": "x"}).status_code == 404
    assert not CaseAction.objects.exists()


def test_a_case_is_opened_by_hand(county_client, township):
    from tests.factories import id_for

    number = id_for("231083", dt.date(2012, 2, 2))
    response = county_client.post(
        reverse("dropout-case-open"),
        {"id_number": number, "name": "村里报告", "township": township.pk, "note": "村委会报告"},
    )
    case = DropoutCase.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.actions.get().note == "村委会报告"
    again = county_client.post(
        reverse("dropout-case-open"),
        {"id_number": number, "name": "村里报告", "township": township.pk},
    )
    assert again.status_code == 200 and again.context["form"].errors
    assert DropoutCase.objects.count() == 1


def test_coverage_lists_townships_missing_a_line(county_client, township, county):
    from tests.factories import TownshipFactory

    TownshipFactory(parent=county, name="柴河镇")
    ResponsibilityFactory(township=township, line="government")
    ResponsibilityFactory(township=township, line="education")
    coverage = county_client.get(reverse("dropout-coverage")).context["coverage"]
    assert (coverage["townships"], coverage["covered"]) == (2, 1)
    assert [row["township"].name for row in coverage["missing"]] == ["柴河镇"]


def test_rates_page_shows_the_formulas(county_client, school):
    SchoolYearStart.objects.create(school_year=2023)
    page = county_client.get(reverse("dropout-rates"), {"school_year": 2023})
    assert page.status_code == 200
    assert 'id="formulas"' in page.content.decode()
    assert page.context["rates"]["entry_year"] == 2015


def test_the_rounds_list_offers_the_city_admin_to_start_a_round(
    client, city_admin, city_user, county_user
):
    client.force_login(city_admin)
    page = client.get(reverse("screeninground-list")).content.decode()
    start = re.search(r'<a [^>]*id="start-round"[^>]*>(.*?)</a>', page, re.S)
    assert start and "发起排查轮次" in start.group(1)
    assert f'href="{reverse("dropout-round-start")}"' in start.group(0)
    for other in (city_user, county_user):
        client.force_login(other)
        assert 'id="start-round"' not in client.get(reverse("screeninground-list")).content.decode()


def test_the_case_list_and_the_dashboard_lead_to_opening_a_case_by_hand(
    client, county_user, county_reviewer, city_user
):
    for user in (county_user, county_reviewer):
        client.force_login(user)
        for url in (reverse("dropoutcase-list"), reverse("dropout-dashboard")):
            page = client.get(url).content.decode()
            link = re.search(r'<a [^>]*id="open-case"[^>]*>(.*?)</a>', page, re.S)
            assert link and "手动新建跟踪" in link.group(1), (user, url)
            assert f'href="{reverse("dropout-case-open")}"' in link.group(0)
    client.force_login(city_user)  # city staff reads the cases; it does not open them
    for url in (reverse("dropoutcase-list"), reverse("dropout-dashboard")):
        assert 'id="open-case"' not in client.get(url).content.decode()


def next_step(page: str) -> str:
    found = re.search(r'<p[^>]*id="case-next"[^>]*>(.*?)</p>', page, re.S)
    assert found, "the case page does not say what happens next"
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", found.group(1)))


def test_every_state_of_a_case_says_what_happens_next_and_who_does_it(
    client, county_user, county_reviewer, city_admin, roster, school, township
):
    from tests.factories import id_for

    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    by_round = DropoutCase.objects.get(name="海林失学")
    by_hand = services.case_open(
        id_number=id_for("231083", dt.date(2012, 5, 5)),
        name="村里报告",
        township=township,
        actor=county_user,
    )
    client.force_login(county_user)
    for case in (by_round, by_hand):
        said = next_step(client.get(case.get_absolute_url()).content.decode())
        assert said.startswith("下一步：县区填报员") and "办结" in said

    for case in (by_round, by_hand):
        services.case_resolve(
            case=case,
            outcome="returned",
            return_school=school,
            return_date=dt.date(2023, 9, 20),
            actor=county_user,
        )
    said = next_step(client.get(by_round.get_absolute_url()).content.decode())
    assert "下一排查轮次比对学籍" in said and "县区审核员销号" in said
    page = client.get(by_hand.get_absolute_url()).content.decode()
    assert "排查轮次不会确认" in next_step(page) and "县区审核员核实" in next_step(page)
    assert 'id="case-close-elsewhere"' in page and 'id="case-close"' not in page

    client.force_login(county_reviewer)
    page = client.get(by_hand.get_absolute_url()).content.decode()
    assert 'id="case-close-form"' in page and 'id="case-close"' in page
    assert "您可见的学籍库中没有该身份证号的学生。" in page
    page = client.get(by_round.get_absolute_url()).content.decode()
    assert 'id="case-close-waiting"' in page and 'id="case-close"' not in page

    StudentFactory(school=school, id_number=by_round.id_number, name=by_round.name)
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    said = next_step(client.get(by_round.get_absolute_url()).content.decode())
    assert said == "下一步：县区审核员予以销号。"
    assert client.post(reverse("dropout-case-close", args=[by_round.pk])).status_code == 302
    said = next_step(client.get(by_round.get_absolute_url()).content.decode())
    assert said.startswith("下一步：无需再办理，跟踪已销号。")


def test_the_reviewer_closes_a_hand_opened_case_on_its_page(
    client, county_user, county_reviewer, township, school
):
    from tests.factories import id_for

    case = services.case_open(
        id_number=id_for("231083", dt.date(2012, 5, 5)),
        name="村里报告",
        township=township,
        actor=county_user,
    )
    client.force_login(county_user)
    resolved = client.post(
        reverse("dropout-case-resolve", args=[case.pk]),
        {"outcome": "returned", "return_school": school.pk, "return_date": "2023-09-20"},
        follow=True,
    )
    assert "已办结。由县区审核员核实处置结果后销号。" in resolved.content.decode()
    StudentFactory(school=school, id_number=case.id_number, name=case.name, grade=5)

    client.force_login(county_reviewer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"学籍库显示该儿童在{school.name}在读（五年级）。" in page
    refused = client.post(reverse("dropout-case-close", args=[case.pk]), {"close_note": ""})
    assert refused.status_code == 200
    assert "请先写明核实情况" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    closed = client.post(
        reverse("dropout-case-close", args=[case.pk]),
        {"close_note": "学籍库显示在读，班主任确认已到校。"},
        follow=True,
    )
    page = closed.content.decode()
    assert 'id="case-closed"' in page and "班主任确认已到校" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer


def test_the_resolve_form_leads_to_recording_the_evidence_it_needs(
    client, county_user, city_user, township
):
    from tests.factories import id_for

    case = services.case_open(
        id_number=id_for("231083", dt.date(2012, 5, 5)),
        name="村里报告",
        township=township,
        actor=county_user,
    )
    client.force_login(county_user)
    page = client.get(case.get_absolute_url()).content.decode()
    links = re.search(r'<p[^>]*id="case-evidence-links"[^>]*>(.*?)</p>', page, re.S)
    assert links, "the resolve form does not lead to the evidence pages"
    text = re.sub(r"<[^>]+>", "", links.group(1))
    assert "新增市外就读核实" in text and "新增延缓或免予入学" in text
    for name in ("outofcityenrolment-create", "exemption-create"):
        assert f'href="{reverse(name)}"' in links.group(1)
        assert client.get(reverse(name)).status_code == 200
    client.force_login(city_user)  # city staff resolves nothing and records no evidence
    assert 'id="case-evidence-links"' not in client.get(case.get_absolute_url()).content.decode()


def english_next_step(page: str) -> str:
    found = re.search(r'<p[^>]*id="case-next"[^>]*>(.*?)</p>', page, re.S)
    assert found, "the case page does not say what happens next"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_an_english_case_page_says_what_happens_next_in_sentences(
    client, county_user, county_reviewer, township, school
):
    from tests.factories import id_for

    case = services.case_open(
        id_number=id_for("231083", dt.date(2012, 5, 5)),
        name="村里报告",
        township=township,
        actor=county_user,
    )
    client.cookies["django_language"] = "en"
    client.force_login(county_user)
    said = english_next_step(client.get(case.get_absolute_url()).content.decode())
    assert said.startswith("What happens next: The county officer records each follow-up")
    services.case_resolve(
        case=case,
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        actor=county_user,
    )
    said = english_next_step(client.get(case.get_absolute_url()).content.decode())
    assert said.startswith("What happens next: The case was opened by hand")
    client.force_login(county_reviewer)
    client.post(reverse("dropout-case-close", args=[case.pk]), {"close_note": "Back at school."})
    said = english_next_step(client.get(case.get_absolute_url()).content.decode())
    assert said == (
        "What happens next: Nothing more: the case is closed. If a later screening round "
        "finds the child out of school again, a new case is opened."
    )
    assert not re.search(r"[\u3400-\u9fff]", said)


def test_the_round_form_offers_the_counties_as_boxes_with_select_all(
    admin_client_, county, other_county
):
    form = admin_client_.get(reverse("dropout-round-start")).content.decode()
    assert "<select multiple" not in form and 'name="counties" multiple' not in form
    boxes = re.findall(r'<input[^>]*type="checkbox" name="counties" value="(\d+)"[^>]*>', form)
    assert sorted(boxes) == sorted([str(county.pk), str(other_county.pk)])
    assert re.search(r'data-check-all="counties".*?>全选</label>', form, re.S)
    assert "不选择则为全市。" in form  # what ticking none means is still said
