"""School officers 学校填报员: a user whose scope is one school. Its user record, the write check,
user management, the sidebar and landing page, attachments, imports, jobs, history and conflicts.

(The ledgers' doors — list, filter, detail, edit, delete, create, API, export — are proven for
every ledger with a school by the reusable scoping test, tests/core/test_scoping.py.)
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from core import audit
from core.attachments import services as attachments
from core.attachments.models import Attachment
from core.conflicts import RegistryConflict
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobRun, start_job
from core.models import Region, School, Student, User
from core.scoping import Role, can_edit, county_of, ensure_in_scope, home_county_of, school_of
from dropout.models import DropoutCase, Grade6SpotCheck
from tests.core.import_files import REGISTRY_HEADER, registry_row, upload, xlsx
from tests.factories import DEMO_PASSWORD, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- The user record ---------------------------------------------------------------------------


def test_a_school_officers_scope_is_its_schools_county(school_user, school, county):
    assert school_user.school == school and school_user.scope == county
    assert school_of(school_user) == school.pk and home_county_of(school_user) == county.pk
    # Never a whole county: code that shows "the county's rows" shows it nothing.
    assert county_of(school_user) is None


def test_the_scope_follows_the_school(school_user, neighbour_school, other_school, other_county):
    school_user.school = other_school
    school_user.save()
    school_user.refresh_from_db()
    assert school_user.scope == other_county


def test_a_school_officer_needs_a_school_and_only_it_has_one(county, school):
    officer = User(username="no-school", role=Role.SCHOOL_OFFICER, scope=county)
    with pytest.raises(ValidationError) as error:
        officer.full_clean()
    assert "school" in error.value.message_dict
    county_officer = User(username="with-school", role=Role.COUNTY_OFFICER, scope=county)
    county_officer.school = school
    with pytest.raises(ValidationError) as error:
        county_officer.full_clean()
    assert "school" in error.value.message_dict
    # The database refuses both as well.
    for user in (officer, county_officer):
        with pytest.raises(IntegrityError), transaction.atomic():
            user.save()
    assert not User.objects.filter(username__in=["no-school", "with-school"]).exists()


# --- Writes ------------------------------------------------------------------------------------


def test_writes_are_checked_against_the_school(school_user, school, neighbour_school, township):
    ensure_in_scope(school_user, Grade6SpotCheck(school=school, county=school.county))
    refused = [
        Grade6SpotCheck(school=neighbour_school, county=neighbour_school.county),
        # its school's county, but another school: the county alone is not enough
        Grade6SpotCheck(school=neighbour_school, county=school.county),
        school,  # the School ledger is read-only for it, its own school included
        DropoutCase(county=school.county, township=township),  # county-level: no school
    ]
    for row in refused:
        with pytest.raises(PermissionDenied):
            ensure_in_scope(school_user, row)
    assert can_edit(school_user, Student) and can_edit(school_user, Grade6SpotCheck)
    assert not can_edit(school_user, School) and not can_edit(school_user, DropoutCase)
    assert not can_edit(school_user, Region)


def test_a_school_officer_opens_no_case(school_client, township):
    """Cases are the county's: the page and the API refuse, nothing is written."""
    assert school_client.get(reverse("dropout-case-open")).status_code == 403
    response = school_client.post(
        "/api/v1/dropout/cases/",
        {"id_number": "", "name": "越权", "township": township.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not DropoutCase.objects.exists()


# --- User management ---------------------------------------------------------------------------


def user_data(**extra):
    return {
        "username": "changting-officer",
        "full_name": "王校长",
        "email": "",
        "phone": "",
        "password": "Mdj-demo-2023-school!",
        "is_active": "on",
        **extra,
    }


def test_a_city_admin_creates_a_school_officer(admin_client_, school, county):
    response = admin_client_.post(
        reverse("user-create"), user_data(role=Role.SCHOOL_OFFICER, school=school.pk)
    )
    assert response.status_code == 302
    user = User.objects.get(username="changting-officer")
    assert user.role == Role.SCHOOL_OFFICER and user.school == school and user.scope == county
    assert user.check_password("Mdj-demo-2023-school!")
    page = admin_client_.get(reverse("user-list")).content.decode()
    assert "changting-officer" in page and school.name in page
    # The form offers every school, named with its county and code.
    form = admin_client_.get(reverse("user-create")).content.decode()
    assert f"{county} · {school.code} {school.name}" in form


def test_user_form_refuses_a_school_officer_without_school_and_a_county_role_with_one(
    admin_client_, school, county
):
    response = admin_client_.post(
        reverse("user-create"), user_data(role=Role.SCHOOL_OFFICER, scope=county.pk)
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    response = admin_client_.post(
        reverse("user-create"),
        user_data(role=Role.COUNTY_OFFICER, scope=county.pk, school=school.pk),
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    response = admin_client_.post(reverse("user-create"), user_data(role=Role.COUNTY_OFFICER))
    assert response.status_code == 200
    assert "scope" in response.context["form"].errors
    assert not User.objects.filter(username="changting-officer").exists()


def test_a_county_officer_becomes_a_school_officer_and_back(admin_client_, school, county):
    user = UserFactory(username="movable", role=Role.COUNTY_OFFICER, scope=county)
    data = user_data(role=Role.SCHOOL_OFFICER, school=school.pk, scope=county.pk)
    del data["username"], data["password"]
    assert admin_client_.post(reverse("user-update", args=[user.pk]), data).status_code == 302
    user.refresh_from_db()
    assert user.role == Role.SCHOOL_OFFICER and user.school == school
    data.update(role=Role.COUNTY_OFFICER, school="")
    assert admin_client_.post(reverse("user-update", args=[user.pk]), data).status_code == 302
    user.refresh_from_db()
    assert user.role == Role.COUNTY_OFFICER and user.school is None and user.scope == county


# --- Landing page and sidebar ------------------------------------------------------------------


def test_landing_page_and_sidebar_are_the_schools(client, school_user, school, neighbour_school):
    StudentFactory(school=school, name="本校学生")
    StudentFactory(school=neighbour_school, name="邻校学生")
    response = client.post(
        reverse("login"), {"username": school_user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f"· {school.name}" in html  # the heading and the user menu name the school
    figures = page.context["figures"]
    assert figures["schools"] == 1 and figures["students"] == 1
    # The sidebar: the ledgers that hold the school's rows, no county-level ledger or dashboard.
    assert reverse("student-list") in html and reverse("grade6spotcheck-list") in html
    assert reverse("disbursement-list") in html
    for county_level in ("rosterchild-list", "dropoutcase-list", "screeninground-list"):
        assert reverse(county_level) not in html
    assert f'href="{reverse("dropout-dashboard")}"' not in html


# --- Attachments -------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_attachments_of_its_school_only(
    media, school_client, school_user, county_user, school, neighbour_school
):
    mine = StudentFactory(school=school)
    theirs = StudentFactory(school=neighbour_school)
    own = attachments.attachment_add(row=mine, upload=png(), actor=school_user)
    other = attachments.attachment_add(row=theirs, upload=png(), actor=county_user)
    on_school = attachments.attachment_add(row=school, upload=png(), actor=county_user)

    # Its rows' and its school's own attachments; not the neighbour's.
    assert set(Attachment.objects.visible_to(school_user)) == {own, on_school}
    for shown in (own, on_school):
        assert school_client.get(reverse("attachment-file", args=[shown.pk])).status_code == 200
    assert school_client.get(reverse("attachment-file", args=[other.pk])).status_code == 404
    # Its school's page shows the school's photo, but it may not add or delete one there.
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(row=school, upload=png(), actor=school_user)
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(row=theirs, upload=png(), actor=school_user)
    response = school_client.post(
        reverse("attachment-upload", args=["core.student", theirs.pk]), {"files": png()}
    )
    assert response.status_code == 404
    assert school_client.post(reverse("attachment-delete", args=[other.pk])).status_code == 404
    assert school_client.post(reverse("attachment-delete", args=[on_school.pk])).status_code == 403
    assert Attachment.objects.count() == 3


# --- Imports and jobs --------------------------------------------------------------------------


def test_an_import_writes_its_schools_rows_and_refuses_the_neighbours(
    media, school_client, school_user, school, neighbour_school
):
    rows = [registry_row(school, 1), registry_row(neighbour_school, 2), registry_row(school, 3)]
    response = school_client.post(
        reverse("student-import"), {"file": upload(xlsx([REGISTRY_HEADER, *rows]), "学籍.xlsx")}
    )
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportStatus.PREVIEWED
    assert [error["row"] for error in run.errors] == [3]  # the neighbour's row, unknown to it
    assert neighbour_school.name not in str(run.errors)
    assert run.county_id == school.county_id  # the run is its county's, for the reviewers
    assert not Student.objects.exists()


def test_a_school_officers_file_of_only_its_school_imports(
    media, school_client, school_user, school
):
    content = xlsx([REGISTRY_HEADER, registry_row(school, 1), registry_row(school, 2)])
    response = school_client.post(reverse("student-import"), {"file": upload(content, "学籍.xlsx")})
    run = ImportRun.objects.latest("pk")
    assert run.error_total == 0, run.errors
    school_client.post(reverse("student-import-confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED, run.message
    assert set(Student.objects.values_list("school_id", flat=True)) == {school.pk}
    assert response.status_code == 302


def test_import_runs_and_jobs_are_its_own(
    media, client, school_user, county_user, county_reviewer, school
):
    theirs = ImportRun.objects.create(
        ledger="core.student", actor=county_user, county=school.county
    )
    mine = ImportRun.objects.create(ledger="core.student", actor=school_user, county=school.county)
    from core.importing.services import visible_runs

    assert list(visible_runs(school_user)) == [mine]
    assert mine in visible_runs(county_reviewer)  # the county's reviewers see the school's runs
    with transaction.atomic():
        my_job = start_job(kind="export", title="导出", actor=school_user)
        their_job = start_job(kind="export", title="导出", actor=county_user)
    client.force_login(school_user)
    assert client.get(reverse("job-detail", args=[my_job.pk])).status_code == 200
    assert client.get(reverse("job-detail", args=[their_job.pk])).status_code == 404
    assert their_job.pk not in {
        j.pk for j in client.get(reverse("job-list")).context["object_list"]
    }
    assert client.get(reverse("student-import-preview", args=[theirs.pk])).status_code == 404
    assert JobRun.objects.count() == 2


# --- History and conflicts ---------------------------------------------------------------------


def test_history_hides_other_counties_people(school_client, school_user, other_county_user, school):
    student = StudentFactory(school=school)
    audit.record_create(other_county_user, student)  # e.g. a city-wide operation by another county
    audit.record_create(school_user, student)
    events = audit.history_for(student, school_user)
    shown = {e.actor.username for e in events if e.actor is not None}
    assert shown == {school_user.username}
    assert any(getattr(e, "actor_hidden", False) for e in events)


def test_a_duplicate_of_another_schools_student_is_a_conflict_that_names_nothing(
    school_client, school, neighbour_school
):
    theirs = StudentFactory(school=neighbour_school, name="邻校学生")
    data = {
        "id_number": theirs.id_number,
        "name": "同号学生",
        "gender": theirs.gender,
        "school": school.pk,
        "grade": 5,
        "status": "enrolled",
    }
    response = school_client.post(reverse("student-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert neighbour_school.name not in page and "邻校学生" not in page
    conflict = RegistryConflict.objects.get()
    assert conflict.county_id == school.county_id and conflict.existing_id == str(theirs.pk)
    assert Student.objects.count() == 1


def test_area_pages_open_for_a_school_officer_and_show_nothing_of_the_neighbour(
    school_client, school, neighbour_school
):
    """Not in its sidebar, but reachable by address: they answer, with its scope's figures."""
    StudentFactory(school=school, name="本校学生")
    StudentFactory(school=neighbour_school, name="邻校学生")
    for name in ("home", "dropout-dashboard", "aid-dashboard", "job-list"):
        response = school_client.get(reverse(name))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert neighbour_school.name not in page and "邻校学生" not in page, name


def test_a_school_officers_export_and_job_are_its_countys(
    school_client, school_user, county_reviewer, school
):
    """The county's reviewers see the school's jobs and its exports in the trail."""
    from core.job_views import visible_jobs
    from core.models import AuditAction, AuditEvent

    StudentFactory(school=school)
    assert school_client.get(reverse("student-export")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == school_user and event.county_id == school.county_id
    with transaction.atomic():
        job = start_job(kind="export", title="导出", actor=school_user)
    assert job.county_id == school.county_id
    assert job in visible_jobs(county_reviewer)
