"""The scoping suite for every endpoint beyond the generic ledger doors (tests/core/test_scoping.py
covers those): a county officer 海林市 reaches no row of another county 东宁市 through a case page,
a round, a check note, a standard, a reveal, an attachment, a job, an import run, a conflict,
the audit trail or another user's tokens. Each test shows the other county's row is not shown or
not changed (404 or 403, as the product answers) with the database as before — and, where the
same request is allowed on the officer's own row, that it works there (the test can fail).

`test_every_named_url_is_covered` fails for a URL name that neither a test here (`@covers`), the
generic suite nor the short list of URLs that need no scoping accounts for.
"""

from __future__ import annotations

import datetime as dt
import io
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken
from openpyxl import Workbook, load_workbook
from PIL import Image
from rest_framework.test import APIClient

from aid.models import AidProgramme, AidStandard, CheckNote, ContactLog, OutOfAreaStudent
from core import tokens
from core.attachments import services as attachment_services
from core.attachments.models import Attachment
from core.conflicts import RegistryConflict
from core.filters import id_number_field
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobRun, JobStatus
from core.ledger import all_ledgers
from core.models import AuditAction, AuditEvent, Student, User
from dropout.models import CaseAction, DropoutCase, ScreeningRound
from tests.aid.factories import DisbursementFactory, make_programmes, make_roster
from tests.dropout.factories import run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory, id_for
from tests.scoping import load_all

CASES = load_all()
pytestmark = pytest.mark.django_db
BORN = dt.date(2012, 5, 6)
AUTUMN = {"school_year": 2023, "term": "autumn"}


def covers(*names):
    """The URL names a test proves scoped (read by test_every_named_url_is_covered)."""

    def mark(test):
        test.covered_url_names = names
        return test

    return mark


def rows(*models) -> dict:
    """Every row of these tables, as values: compare before and after a refused request."""
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def photo(name="visit.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# Each its own Client: the shared `client` fixture would be signed in as whoever logged in last.
@pytest.fixture
def county_client(county_user):
    return signed_in(county_user)


@pytest.fixture
def city_client(city_user):
    return signed_in(city_user)


@pytest.fixture
def admin_client_(city_admin):
    return signed_in(city_admin)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Dropout: cases ------------------------------------------------------------------------------


@covers("dropout-case-open")
def test_a_case_cannot_be_opened_in_another_countys_township(
    county_client, county_user, township, other_township
):
    url = reverse("dropout-case-open")
    assert other_township.name not in county_client.get(url).content.decode()
    before = rows(DropoutCase, AuditEvent)
    theirs = {
        "id_number": id_for(other_township.county.code, BORN),
        "name": "外县儿童",
        "township": other_township.pk,
        "note": "村里报告",
    }
    response = county_client.post(url, theirs)
    assert response.status_code == 200 and "township" in response.context["form"].errors
    response = api_as(county_user).post("/api/v1/dropout/cases/", theirs, format="json")
    assert response.status_code == 400 and "township" in response.json()
    assert rows(DropoutCase, AuditEvent) == before

    mine = {**theirs, "id_number": id_for(township.county.code, BORN), "township": township.pk}
    response = county_client.post(url, mine)
    assert response.status_code == 302
    assert DropoutCase.objects.get().township == township


CASE_OPERATIONS = {
    "dropout-case-action": (
        "actions",
        {"date": "2023-09-16", "kind": "home_visit", "note": "家访"},
    ),
    "dropout-case-resolve": ("resolve", {"outcome": "moved_away", "outcome_note": "已搬走"}),
    "dropout-case-close": ("close", {}),
}


@covers(
    "dropout-case-action",
    "dropout-case-resolve",
    "dropout-case-close",
    "api-dropoutcase-actions",
    "api-dropoutcase-resolve",
    "api-dropoutcase-close",
)
@pytest.mark.parametrize("name", sorted(CASE_OPERATIONS))
def test_another_countys_case_cannot_be_acted_on(name, county_reviewer, school, other_school):
    """As a county reviewer: the role that may also close a case."""
    client = signed_in(county_reviewer)
    action, data = CASE_OPERATIONS[name]
    case = CASES["dropout.dropoutcase"].make
    mine, theirs = case(school), case(other_school)
    before = rows(DropoutCase, CaseAction, AuditEvent)
    assert client.post(reverse(name, args=[theirs.pk]), data).status_code == 404
    api = api_as(county_reviewer)
    response = api.post(f"/api/v1/dropout/cases/{theirs.pk}/{action}/", data, format="json")
    assert response.status_code == 404
    assert rows(DropoutCase, CaseAction, AuditEvent) == before

    # The same request on the officer's own case is answered (not "not found").
    response = client.post(reverse(name, args=[mine.pk]), data)
    assert response.status_code in (200, 302)
    if name == "dropout-case-action":
        assert CaseAction.objects.get().case == mine


@covers("dropout-round-start")
def test_a_county_cannot_start_a_round_over_another_county(
    county_client, county_user, city_user, other_county, school, other_school
):
    RosterVersionFactory(county=other_county)
    before = rows(ScreeningRound, JobRun)
    data = {"name": "越权排查", "school_year": 2023, "counties": [other_county.pk]}
    for user in (county_user, city_user):
        assert signed_in(user).post(reverse("dropout-round-start"), data).status_code == 403
        response = api_as(user).post("/api/v1/dropout/rounds/", data, format="json")
        assert response.status_code == 403
    assert rows(ScreeningRound, JobRun) == before


def test_a_round_over_two_counties_shows_a_county_only_its_own_results(
    county_client, city_client, city_admin, county, township, other_township
):
    """The round detail (a ledger page with its own view): person-times of the user's county."""
    for place, name in ((township, "本县缺失"), (other_township, "外县缺失")):
        RosterChildFactory(
            roster_version=RosterVersionFactory(county=place.county), township=place, name=name
        )
    screening_round = run_round(city_admin)
    assert screening_round.counties.count() == 2
    url = reverse("screeninground-detail", args=[screening_round.pk])
    mine = county_client.get(url).context["figures"]
    everyone = city_client.get(url).context["figures"]
    assert (everyone["person_times"], everyone["out_of_school"]) == (2, 2)
    assert (mine["person_times"], mine["out_of_school"]) == (1, 1)
    results = county_client.get(reverse("screeningresult-list"), {"round": screening_round.pk})
    assert {row.record.name for row in results.context["table"].paginated_rows} == {"本县缺失"}


# --- Dropout and aid: pages and summaries that read --------------------------------------------


@pytest.fixture
def both_counties_have_data(school, other_school, township, other_township):
    """A case, a missing responsibility and an aid payment in each county."""
    for place in (school, other_school):
        CASES["dropout.dropoutcase"].make(place)
        DisbursementFactory(school=place, name=f"{place.county}受助", **AUTUMN)


READ_PAGES = ["dropout-dashboard", "dropout-coverage", "dropout-rates", "aid-dashboard"]


@covers(*READ_PAGES)
@pytest.mark.parametrize("name", READ_PAGES)
def test_area_pages_show_a_county_only_itself(
    name, both_counties_have_data, county_client, city_client, other_county, other_township
):
    city_page = city_client.get(reverse(name)).content.decode()
    assert other_county.name in city_page or other_township.name in city_page
    page = county_client.get(reverse(name), {"county": other_county.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert other_county.name not in html and other_township.name not in html


SUMMARIES = {"dropout-api-summary": {}, "aid-api-summary": AUTUMN}


@covers(*SUMMARIES)
@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_summaries_answer_a_county_nothing_of_another_county(
    name, both_counties_have_data, county_user, city_user, other_county
):
    url = reverse(name)
    params = SUMMARIES[name]
    nowhere = api_as(city_user).get(url, {**params, "county": 987654}).json()
    assert api_as(city_user).get(url, {**params, "county": other_county.pk}).json() != nowhere
    asked = api_as(county_user).get(url, {**params, "county": other_county.pk})
    assert asked.status_code in (200, 404)
    if asked.status_code == 200:
        assert asked.json() == api_as(county_user).get(url, {**params, "county": 987654}).json()
        assert other_county.name not in asked.content.decode()


# --- Aid: check lists, notes, programmes and standards, out-of-area ---------------------------


@pytest.fixture
def check_rows(school, other_school, township, other_township):
    """In each county: an eligible pupil nobody paid (gap), a payment below the standard and a
    child paid by both counties (duplicates)."""
    programmes = make_programmes()
    primary = programmes["YW-FJS-XX"]
    made = {}
    for place, town in ((school, township), (other_school, other_township)):
        county = place.county.name
        pupil = StudentFactory(school=place, name=f"{county}未助")
        make_roster(town, [(pupil.id_number, pupil.name, "poverty_alleviated", False)])
        low = DisbursementFactory(
            school=place, programme=primary, amount="1.00", name=f"{county}低于标准", **AUTUMN
        )
        made[place.county_id] = {"gap": pupil, "below_standard": low}
    twice = id_for("231083", dt.date(2013, 2, 3))
    for place, programme in ((school, primary), (other_school, programmes["YW-JS-XX"])):
        DisbursementFactory(
            school=place, programme=programme, id_number=twice, name=f"{place.county}重复", **AUTUMN
        )
    return made


CHECK_LISTS = {
    "aid-gap-list": "未助",
    "aid-below-standard": "低于标准",
    "aid-duplicates": "重复",
}


@covers(*CHECK_LISTS, *(f"{name}-export" for name in CHECK_LISTS))
@pytest.mark.parametrize("name", sorted(CHECK_LISTS))
def test_check_lists_and_their_exports_show_a_county_only_its_rows(
    name, check_rows, county_client, city_client, county, other_county
):
    marker = CHECK_LISTS[name]
    mine, theirs = f"{county.name}{marker}", f"{other_county.name}{marker}"

    def names(client):
        response = client.get(reverse(name), AUTUMN)
        assert response.status_code == 200
        return {row.record.name for row in response.context["table"].paginated_rows}

    def exported(client):
        response = client.get(reverse(f"{name}-export"), AUTUMN)
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(response.content)).active
        return {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}

    assert {mine, theirs} <= names(city_client) and {mine, theirs} <= exported(city_client)
    assert mine in names(county_client) and theirs not in names(county_client)
    assert mine in exported(county_client) and theirs not in exported(county_client)


@covers("aid-check-note")
@pytest.mark.parametrize("check", ["gap", "below_standard"])
def test_a_check_note_cannot_be_written_on_another_countys_row(
    check, check_rows, county_client, county, other_county
):
    def note(row):
        data = {"check": check, **AUTUMN, "row": row.pk, "reason": "已核实：家长拒领"}
        return county_client.post(reverse("aid-check-note"), data)

    before = rows(CheckNote, AuditEvent)
    assert note(check_rows[other_county.pk][check]).status_code == 404
    assert rows(CheckNote, AuditEvent) == before
    assert note(check_rows[county.pk][check]).status_code in (200, 302)
    assert CheckNote.objects.get().county == county


@covers(
    "aid-programme-list",
    "aid-programme-detail",
    "aid-programme-create",
    "aid-programme-update",
    "aid-standard-create",
    "aid-standard-update",
    "aid-standard-delete",
)
def test_programmes_and_standards_are_read_by_all_and_changed_by_city_admins_only(
    county_client, county_user, city_user, admin_client_
):
    programme = make_programmes()["YW-FJS-XX"]
    standard = programme.standards.first()
    assert county_client.get(reverse("aid-programme-list")).status_code == 200
    assert (
        county_client.get(reverse("aid-programme-detail", args=[programme.pk])).status_code == 200
    )
    before = rows(AidProgramme, AidStandard, AuditEvent)
    edit = {
        "programme": programme.pk,
        "school_year": 2024,
        "term": "autumn",
        "amount": "9999.00",
    }
    for client in (county_client, signed_in(city_user)):
        for url, data in (
            (reverse("aid-programme-create"), {"name": "越权项目", "code": "X-1"}),
            (reverse("aid-programme-update", args=[programme.pk]), {"name": "改名"}),
            (reverse("aid-standard-create"), edit),
            (reverse("aid-standard-update", args=[standard.pk]), edit),
            (reverse("aid-standard-delete", args=[standard.pk]), {}),
        ):
            assert client.post(url, data).status_code == 403, url
    assert rows(AidProgramme, AidStandard, AuditEvent) == before
    # A city administrator may: the refusal above is about the role, not a broken request.
    response = admin_client_.post(reverse("aid-standard-delete", args=[standard.pk]))
    assert response.status_code == 302 and not AidStandard.objects.filter(pk=standard.pk).exists()


@covers(
    "api-aid-programme-list",
    "api-aid-programme-detail",
    "api-aid-standard-list",
    "api-aid-standard-detail",
)
def test_the_programme_and_standard_api_is_read_only_below_city_admin(county_user, city_user):
    programme = make_programmes()["YW-FJS-XX"]
    standard = programme.standards.first()
    before = rows(AidProgramme, AidStandard)
    for user in (county_user, city_user):
        api = api_as(user)
        assert api.get("/api/v1/aid/programmes/").status_code == 200
        assert api.get(f"/api/v1/aid/standards/{standard.pk}/").status_code == 200
        created = api.post("/api/v1/aid/standards/", {"amount": "1"}, format="json")
        assert created.status_code == 403
        changed = api.patch(f"/api/v1/aid/standards/{standard.pk}/", {"amount": "1"}, format="json")
        assert changed.status_code == 403
        assert api.delete(f"/api/v1/aid/programmes/{programme.pk}/").status_code == 403
    assert rows(AidProgramme, AidStandard) == before


@covers("aid-out-of-area-seed")
def test_seeding_the_out_of_area_list_takes_only_the_users_county(
    county_client, school, other_school, county, other_county
):
    evidence = CASES["dropout.outofcityenrolment"].make
    evidence(school), evidence(other_school)
    response = county_client.post(reverse("aid-out-of-area-seed"))
    assert response.status_code == 302
    assert set(OutOfAreaStudent.objects.values_list("county", flat=True)) == {county.pk}


@covers("aid-contact-add")
def test_a_contact_cannot_be_logged_on_another_countys_out_of_area_student(
    county_client, school, other_school
):
    make = CASES["aid.outofareastudent"].make
    mine, theirs = make(school), make(other_school)
    data = {"date": "2023-10-08", "method": "phone", "note": "电话回访", "contact_person": "家长"}
    before = rows(ContactLog, OutOfAreaStudent, AuditEvent)
    assert county_client.post(reverse("aid-contact-add", args=[theirs.pk]), data).status_code == 404
    assert rows(ContactLog, OutOfAreaStudent, AuditEvent) == before
    assert county_client.post(reverse("aid-contact-add", args=[mine.pk]), data).status_code == 302


# --- Core: reveal, attachments, jobs ------------------------------------------------------------


ID_SEARCH_LEDGERS = [ledger for ledger in all_ledgers() if id_number_field(ledger.model)]


@covers(*(f"api-{ledger.name}-id-search" for ledger in ID_SEARCH_LEDGERS))
def test_an_api_search_by_id_number_finds_no_row_of_another_county(
    county_user, school, other_school
):
    api = api_as(county_user)
    for ledger in ID_SEARCH_LEDGERS:
        case = CASES[ledger.label]
        field = id_number_field(ledger.model)
        ours, theirs = case.make(school), case.make(other_school)
        if not getattr(theirs, field):
            continue
        url = reverse(f"api-{ledger.name}-id-search")
        before = rows(ledger.model)
        answer = api.post(url, {"id_number": getattr(theirs, field)}, format="json")
        assert answer.status_code == 200 and answer.json()["count"] == 0, ledger.label
        answer = api.post(url, {"id_number": getattr(ours, field)}, format="json")
        assert [row["id"] for row in answer.json()["results"]] == [ours.pk], ledger.label
        assert rows(ledger.model) == before, ledger.label


@covers("student-reveal-id")
def test_another_countys_id_number_is_not_revealed(county_reviewer, school, other_school):
    client = signed_in(county_reviewer)  # a county reviewer may reveal, in their county
    mine, theirs = StudentFactory(school=school), StudentFactory(school=other_school)
    response = client.post(reverse("student-reveal-id", args=[theirs.pk]))
    assert response.status_code == 404 and theirs.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
    response = client.post(reverse("student-reveal-id", args=[mine.pk]))
    assert response.status_code == 200 and mine.id_number in response.content.decode()


@covers("attachment-upload", "attachment-file", "attachment-thumb", "attachment-delete")
def test_another_countys_attachments_cannot_be_added_seen_or_deleted(
    media, county_client, city_admin, school, other_school
):
    make = CASES["core.student"].make
    mine, theirs = make(school), make(other_school)
    (kept,) = attachment_services.attachments_add(row=theirs, uploads=[photo()], actor=city_admin)
    before = rows(Attachment, AuditEvent)
    upload = reverse("attachment-upload", args=["core.student", theirs.pk])
    assert county_client.post(upload, {"files": [photo()]}).status_code == 404
    for name in ("attachment-file", "attachment-thumb"):
        assert county_client.get(reverse(name, args=[kept.pk])).status_code == 404
    assert county_client.post(reverse("attachment-delete", args=[kept.pk])).status_code == 404
    assert rows(Attachment, AuditEvent) == before

    upload = reverse("attachment-upload", args=["core.student", mine.pk])
    assert county_client.post(upload, {"files": [photo()]}).status_code == 302
    assert Attachment.objects.filter(object_id=str(mine.pk)).count() == 1


@covers(
    "job-list", "job-detail", "job-progress", "job-download", "api-job-detail", "api-job-download"
)
def test_another_countys_jobs_are_not_listed_or_opened(
    county_user, county_reviewer, other_county_user, other_county
):
    theirs = JobRun.objects.create(
        kind="test_counts",
        title="东宁市的导出",
        actor=other_county_user,
        county=other_county,
        status=JobStatus.SUCCEEDED,
    )
    for user in (county_user, county_reviewer):
        client = signed_in(user)
        listed = client.get(reverse("job-list"))
        assert listed.status_code == 200 and "东宁市的导出" not in listed.content.decode()
        for name in ("job-detail", "job-progress", "job-download"):
            assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
        for name in ("api-job-detail", "api-job-download"):
            assert api_as(user).get(reverse(name, args=[theirs.pk])).status_code == 404, name
    assert "东宁市的导出" in signed_in(other_county_user).get(reverse("job-list")).content.decode()
    own = api_as(other_county_user).get(reverse("api-job-detail", args=[theirs.pk]))
    assert own.json()["title"] == "东宁市的导出"


# --- Imports -------------------------------------------------------------------------------------

IMPORT_LEDGERS = sorted(ledger.label for ledger in all_ledgers() if ledger.import_spec is not None)
LEDGERS = {ledger.label: ledger for ledger in all_ledgers()}


@covers("api-import-detail", "api-import-confirm", "api-import-errors")
@pytest.mark.parametrize("label", IMPORT_LEDGERS)
def test_another_countys_import_run_cannot_be_seen_or_confirmed(
    label, media, county_user, county_reviewer, other_county_user, other_county
):
    ledger = LEDGERS[label]
    run = ImportRun.objects.create(
        ledger=ledger.label,
        actor=other_county_user,
        county=other_county,
        file_name="东宁市的导入.xlsx",
        status=ImportStatus.PREVIEWED,
        errors_file="imports/errors.xlsx",
    )
    (media / "imports").mkdir(parents=True, exist_ok=True)
    Workbook().save(media / "imports" / "errors.xlsx")  # the rows with their errors marked
    before = rows(ImportRun, JobRun, AuditEvent, ledger.model)
    for user in (county_user, county_reviewer):  # a reviewer sees the county's runs, not theirs
        client = signed_in(user)
        page = client.get(reverse(ledger.url_name("import")))
        assert page.status_code == 200 and "东宁市的导入" not in page.content.decode()
        for action in ("import-preview", "import-errors"):
            url = reverse(ledger.url_name(action), args=[run.pk])
            assert client.get(url).status_code == 404
        confirm = reverse(ledger.url_name("import-confirm"), args=[run.pk])
        assert client.post(confirm).status_code == 404
        api = api_as(user)
        assert api.get(f"/api/v1/imports/{run.pk}/").status_code == 404
        assert api.post(f"/api/v1/imports/{run.pk}/confirm/").status_code == 404
        assert api.get(f"/api/v1/imports/{run.pk}/errors/").status_code == 404
    assert rows(ImportRun, JobRun, AuditEvent, ledger.model) == before
    assert api_as(other_county_user).get(f"/api/v1/imports/{run.pk}/").status_code == 200
    assert api_as(other_county_user).get(f"/api/v1/imports/{run.pk}/errors/").status_code == 200


def test_the_import_template_offers_only_the_users_schools(county_client, school, other_school):
    response = county_client.get(reverse("student-import-template"))
    book = load_workbook(BytesIO(response.content))
    cells = {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert any(school.name in cell for cell in cells)
    assert not any(other_school.name in cell for cell in cells)


def token_client(user) -> APIClient:
    """A client that signs in as an API client does: with a knox token, no session."""
    _token, key = AuthToken.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def workbook_text(content: bytes) -> str:
    book = load_workbook(BytesIO(content))
    return " ".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


@covers("api-import-template")
def test_a_token_downloads_only_templates_it_may_use(
    county_user, school_user, city_user, school, other_school, neighbour_school
):
    """The API's template: a county officer's lists its county's schools only; a school officer
    gets its school's ledgers and its school alone; read-only city staff get none."""
    before = rows(ImportRun, JobRun, AuditEvent)
    officer = token_client(county_user)
    response = officer.get(reverse("api-import-template", args=["core.student"]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    text = workbook_text(response.content)
    assert school.name in text and neighbour_school.name in text
    assert other_school.name not in text

    school_api = token_client(school_user)
    mine = school_api.get(reverse("api-import-template", args=["students"]))
    assert mine.status_code == 200
    text = workbook_text(mine.content)
    assert school.name in text and neighbour_school.name not in text
    for county_level in ("core.school", "core.rosterchild"):  # rows that carry no school
        refused = school_api.get(reverse("api-import-template", args=[county_level]))
        assert refused.status_code == 403 and refused.json()["detail"] == "您的角色无权修改台账。"
    listed = {item["ledger"] for item in school_api.get("/api/v1/imports/ledgers/").json()}
    assert "core.student" in listed and not listed & {"core.school", "core.rosterchild"}

    staff = token_client(city_user)
    assert staff.get(reverse("api-import-template", args=["core.student"])).status_code == 403
    assert staff.get("/api/v1/imports/ledgers/").json() == []
    assert officer.get(reverse("api-import-template", args=["nothing"])).status_code == 404
    assert rows(ImportRun, JobRun, AuditEvent) == before


@covers("api-import-create")
def test_an_import_through_the_api_cannot_land_in_another_county(
    media, county_user, school, other_school
):
    from tests.core.import_files import REGISTRY_HEADER, registry_rows, upload, xlsx

    content = xlsx([REGISTRY_HEADER, *registry_rows(other_school, 2)])
    api = api_as(county_user)
    response = api.post("/api/v1/imports/", {"ledger": "students", "file": upload(content)})
    assert response.status_code in (200, 201, 202, 400)
    run = ImportRun.objects.get()
    assert run.county == county_user.scope and run.new_rows == 0 and run.error_rows == 2
    response = api.post(f"/api/v1/imports/{run.pk}/confirm/")
    assert not Student.objects.exists()


# --- City-only pages: conflicts, audit, users, tokens --------------------------------------------


@covers("conflict-list", "conflict-resolve")
def test_conflicts_are_city_pages_and_resolved_by_city_admins_only(
    county_user, city_user, county, other_county, other_school
):
    existing = StudentFactory(school=other_school)
    conflict = RegistryConflict.objects.create(
        ledger="core.student",
        name=existing.name,
        county=county,
        existing_id=str(existing.pk),
        existing_county=other_county,
        actor=county_user,
        source="form",
    )
    before = rows(RegistryConflict, Student, AuditEvent)
    client = signed_in(county_user)
    assert client.get(reverse("conflict-list")).status_code == 403
    data = {"action": "dismiss"}
    assert client.post(reverse("conflict-resolve", args=[conflict.pk]), data).status_code == 403
    staff = signed_in(city_user)
    assert staff.get(reverse("conflict-list")).status_code == 200
    assert staff.post(reverse("conflict-resolve", args=[conflict.pk]), data).status_code == 403
    assert rows(RegistryConflict, Student, AuditEvent) == before


@covers("audit-log", "user-list", "user-create", "user-update", "user-password")
def test_the_audit_trail_and_user_pages_are_city_admin_pages(
    county_client, other_county_user, admin_client_
):
    before = rows(User, AuditEvent)
    assert county_client.get(reverse("audit-log")).status_code == 403
    assert county_client.get(reverse("user-list")).status_code == 403
    assert county_client.post(reverse("user-create"), {"username": "x"}).status_code == 403
    for name in ("user-update", "user-password"):
        url = reverse(name, args=[other_county_user.pk])
        assert county_client.get(url).status_code == 403
        assert county_client.post(url, {"is_active": ""}).status_code == 403
    assert rows(User, AuditEvent) == before
    assert admin_client_.get(reverse("audit-log")).status_code == 200


@covers("user-tokens", "user-token-revoke", "account-tokens", "account-token-revoke")
def test_another_users_tokens_are_neither_shown_nor_revoked(
    county_user, other_county_user, city_user
):
    token, _key = AuthToken.objects.create(user=other_county_user)
    reference = tokens.reference(token)
    before = rows(AuthToken)
    for user in (county_user, city_user):
        client = signed_in(user)
        assert client.get(reverse("user-tokens", args=[other_county_user.pk])).status_code == 403
        revoke = reverse("user-token-revoke", args=[other_county_user.pk])
        assert client.post(revoke, {"token": "all"}).status_code == 403
        own = client.get(reverse("account-tokens"))
        assert own.status_code == 200 and reference not in own.content.decode()
        response = client.post(reverse("account-token-revoke"), {"token": reference})
        assert response.status_code == 404
        client.post(reverse("account-token-revoke"), {"token": "all"})  # their own: none
    assert rows(AuthToken) == before


# --- Every named URL is covered ------------------------------------------------------------------

# URL names that reach no county's rows (or only the user's own session, token or password).
NO_SCOPING = {
    "login": "signs in",
    "admin-login": "sends to the log-in or says whom the admin is for, no rows",
    "logout": "signs out",
    "set_language": "the language cookie",
    "health": "service health, no rows",
    "health-live": "liveness, no rows",
    "api-token": "token log-in: the user's own token",
    "api-logout": "revokes the request's own token",
    "api-logout-all": "revokes the user's own tokens",
    "api-root": "the API's index of routes",
    "api-schema": "the OpenAPI schema, no rows",
    "api-docs": "the schema's page, no rows",
    "api-import-ledgers": "which ledgers import, no rows",
    "account-password": "the user's own password",
}
# Covered by other modules (module path: test name).
ELSEWHERE = {
    "home": "tests/core/test_pages.py::test_home_shows_scoped_figures_with_links",
    # The city's reference data: every role reads it, only a city administrator changes it.
    "school-calendar": "tests/core/test_school_calendar.py::"
    "test_a_city_admin_starts_the_next_school_year_and_everyone_sees_it",
    "school-year-start": "tests/core/test_school_calendar.py::"
    "test_a_city_admin_starts_the_next_school_year_and_everyone_sees_it",
    "school-age-rule-create": "tests/core/test_school_calendar.py::"
    "test_the_school_age_rule_is_edited_by_a_city_admin_and_keeps_its_history",
    # Teacher staffing: its pages, check lists, summary, reveal and reference data (tests/teachers).
    "teachers-dashboard": "tests/teachers/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "teachers-short": "tests/teachers/test_scoping_pages.py::test_pages_show_a_county_only_itself",
    "teachers-missing-subjects": "tests/teachers/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "teachers-uncovered": "tests/teachers/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "teachers-short-export": "tests/teachers/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "teachers-missing-subjects-export": "tests/teachers/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "teachers-uncovered-export": "tests/teachers/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "teachers-api-summary": "tests/teachers/test_scoping_pages.py::"
    "test_the_summary_answers_nothing_of_another_county",
    "teacher-reveal-id": "tests/teachers/test_scoping_pages.py::"
    "test_another_countys_teacher_is_not_revealed",
    "teachers-standards": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "teachers-standard-create": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "teachers-standard-update": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "api-teachers-standard-list": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "api-teachers-standard-detail": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "teachers-programmes": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "teachers-programme-create": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "teachers-programme-update": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "api-teachers-programme-list": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    "api-teachers-programme-detail": "tests/teachers/test_scoping_pages.py::"
    "test_reference_data_is_read_by_everyone_and_changed_by_city_admins_only",
    # Alliances and teaching: its dashboard, check lists and summary (tests/alliances).
    **{
        name: "tests/alliances/test_scoping_pages.py::test_pages_show_a_county_only_itself"
        for name in (
            "alliances-dashboard",
            "alliances-without-activity",
            "alliances-without-activity-export",
            "alliances-regular-use",
            "alliances-regular-use-export",
        )
    },
    "alliances-api-summary": "tests/alliances/test_scoping_pages.py::"
    "test_the_summary_counts_a_county_only",
    # School conditions: its pages, check lists, summary and steps (tests/facilities).
    "facilities-dashboard": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-network": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-coverage": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-funding": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-underfunded": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-maintenance-gaps": "tests/facilities/test_scoping_pages.py::"
    "test_pages_show_a_county_only_itself",
    "facilities-coverage-export": "tests/facilities/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "facilities-funding-export": "tests/facilities/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "facilities-underfunded-export": "tests/facilities/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "facilities-maintenance-gaps-export": "tests/facilities/test_scoping_pages.py::"
    "test_exports_hold_a_county_only_itself",
    "facilities-api-summary": "tests/facilities/test_scoping_pages.py::"
    "test_summary_and_funding_api_answer_nothing_of_another_county",
    "facilities-api-funding": "tests/facilities/test_scoping_pages.py::"
    "test_summary_and_funding_api_answer_nothing_of_another_county",
    "facilities-funding-note": "tests/facilities/test_scoping_pages.py::"
    "test_a_reason_cannot_be_given_for_another_countys_school",
    "facilities-finding-record": "tests/facilities/test_scoping_pages.py::"
    "test_a_finding_cannot_be_recorded_on_another_countys_inspection",
    "facilities-rectification-step": "tests/facilities/test_scoping_pages.py::"
    "test_another_countys_rectification_cannot_be_moved",
    "api-rectification-step": "tests/facilities/test_scoping_pages.py::"
    "test_another_countys_rectification_cannot_be_moved",
    "facilities-rates": "tests/facilities/test_scoping_pages.py::"
    "test_quotas_are_read_by_everyone_and_changed_by_city_admins_only",
    "facilities-rate-create": "tests/facilities/test_scoping_pages.py::"
    "test_quotas_are_read_by_everyone_and_changed_by_city_admins_only",
    "facilities-rate-update": "tests/facilities/test_scoping_pages.py::"
    "test_quotas_are_read_by_everyone_and_changed_by_city_admins_only",
    "api-facilities-rate-list": "tests/facilities/test_scoping_pages.py::"
    "test_quotas_are_read_by_everyone_and_changed_by_city_admins_only",
    "api-facilities-rate-detail": "tests/facilities/test_scoping_pages.py::"
    "test_quotas_are_read_by_everyone_and_changed_by_city_admins_only",
    # Periodic reports: every page and API route, for another county's report and one's own.
    **{
        name: "tests/core/test_reporting_pages.py::"
        "test_another_countys_report_is_not_found_through_any_door"
        for name in (
            "report-index",
            "report-type",
            "report-matrix",
            "report-submission",
            "report-submission-action",
            "api-report-submission-list",
            "api-report-submission-detail",
            "api-report-submission-submit",
            "api-report-submission-approve",
            "api-report-submission-return",
            "api-report-submission-reopen",
        )
    },
    "report-prepare": "tests/core/test_reporting_pages.py::"
    "test_a_school_officer_sees_no_county_report",
    "report-extend": "tests/core/test_reporting_pages.py::"
    "test_only_a_city_admin_extends_a_deadline",
}
# Every ledger's generic pages and API routes: tests/core/test_scoping.py.
GENERIC_ACTIONS = ("list", "export", "detail", "create", "update", "delete")
API_ROUTES = ("list", "detail")  # the ledger's viewset: test_scoping.py::test_api
IMPORT_ACTIONS = ("import", "import-template", "import-preview", "import-errors", "import-confirm")


def _named_urls(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_urls(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace != "admin":
            yield pattern.name


def covered_here() -> set[str]:
    names = set()
    for value in globals().values():
        names |= set(getattr(value, "covered_url_names", ()))
    return names


def test_every_named_url_is_covered():
    """A new endpoint joins this suite (or says why it needs no scoping) before it lands."""
    generic = {ledger.url_name(action) for ledger in all_ledgers() for action in GENERIC_ACTIONS}
    generic |= {f"api-{ledger.name}-{route}" for ledger in all_ledgers() for route in API_ROUTES}
    imports = {
        ledger.url_name(action)
        for ledger in all_ledgers()
        if ledger.import_spec is not None
        for action in IMPORT_ACTIONS
    }
    assert {LEDGERS[label].url_name("import") for label in IMPORT_LEDGERS} <= imports
    accounted = generic | imports | covered_here() | set(NO_SCOPING) | set(ELSEWHERE)
    missing = sorted(set(_named_urls(get_resolver().url_patterns)) - accounted)
    assert not missing, (
        "URL names no scoping test covers: add a test to tests/core/test_scoping_endpoints.py "
        f"(with @covers) or, if they reach no rows, to NO_SCOPING with the reason: {missing}"
    )
    unknown = sorted(
        (covered_here() | set(NO_SCOPING)) - set(_named_urls(get_resolver().url_patterns))
    )
    assert not unknown, f"covered names that are no URL any more: {unknown}"
    for name, where in ELSEWHERE.items():
        path, test = where.split("::")
        module = __import__(path.removesuffix(".py").replace("/", "."), fromlist=[test])
        assert callable(getattr(module, test, None)), (name, where)
