"""No existence oracle across counties, no ID number in an error, no blind overwrite.

A county officer entering a child whom another county's registry holds learns nothing of it: the
form, the API and the import say the same as any refusal they cannot act on and point to the city,
which sees the conflict in its list and transfers the record when the child moved.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core import idnumbers
from core.conflicts import RegistryConflict
from core.models import AuditAction, AuditEvent, Student
from tests.core.import_files import REGISTRY_HEADER, registry_row, xlsx
from tests.core.test_imports import send
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db
REFUSAL = "请联系市局核实"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _payload(school, number, name="王小明"):
    return {
        "id_number": number,
        "name": name,
        "gender": idnumbers.gender(number),
        "school": school.pk,
        "grade": 4,
        "status": "enrolled",
    }


def test_api_duplicate_of_another_countys_child_is_a_refusal_not_a_500(
    county_user, school, other_school, caplog
):
    theirs = StudentFactory(school=other_school)
    never = idnumbers.make("231083", dt.date(2013, 7, 7), 321)  # exists nowhere
    caplog.set_level(logging.INFO)
    taken = _api(county_user).post("/api/v1/students/", _payload(school, theirs.id_number))
    assert taken.status_code == 400
    body = taken.content.decode()
    assert REFUSAL in body and theirs.id_number not in body
    assert other_school.county.name not in body
    assert Student.objects.filter(id_number=theirs.id_number).get().county == other_school.county
    assert theirs.id_number not in caplog.text
    # A number that exists nowhere is accepted: the refusal above is not a "no such number".
    assert _api(county_user).post("/api/v1/students/", _payload(school, never)).status_code == 201


def test_api_duplicate_within_the_county_says_so(county_user, school):
    mine = StudentFactory(school=school)
    response = _api(county_user).post("/api/v1/students/", _payload(school, mine.id_number))
    assert response.status_code == 400
    assert REFUSAL not in response.content.decode()
    assert response.json() == {"id_number": ["已有相同身份证号的学生。"]}


def test_form_duplicate_of_another_countys_child_points_to_the_city(
    county_client, school, other_school
):
    theirs = StudentFactory(school=other_school)
    response = county_client.post(reverse("student-create"), _payload(school, theirs.id_number))
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page and "已有相同" not in page and "王小明" in page
    assert Student.objects.count() == 1


def test_import_row_of_another_countys_child_gets_the_same_refusal(
    county_client, school, other_school
):
    row = registry_row(school, 7)
    StudentFactory(school=other_school, id_number=row[1], birth_date=dt.date.fromisoformat(row[3]))
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, row]))
    [error] = run.errors
    assert REFUSAL in error["message"] and "管辖范围以外" not in error["message"]
    assert run.new_rows == 0


def test_school_of_another_county_reads_as_unknown(county_client, school, other_school):
    elsewhere = registry_row(school, 8)
    elsewhere[4] = other_school.code
    nowhere = registry_row(school, 9)
    nowhere[4] = "2199999999"
    run, _response = send(county_client, xlsx([REGISTRY_HEADER, elsewhere, nowhere]))
    first, second = (e["message"] for e in run.errors)
    assert first == second


def test_city_sees_the_conflict_and_transfers_the_record(
    county_user, school, other_school, admin_client_, city_admin
):
    theirs = StudentFactory(school=other_school)
    for _attempt in range(2):
        _api(county_user).post("/api/v1/students/", _payload(school, theirs.id_number))
    conflict = RegistryConflict.objects.get()
    assert conflict.attempts == 2 and conflict.county == school.county

    county_client = Client()
    county_client.force_login(county_user)
    assert county_client.get(reverse("conflict-list")).status_code == 403
    page = admin_client_.get(reverse("conflict-list")).content.decode()
    assert idnumbers.mask(theirs.id_number) in page and theirs.id_number not in page

    target = SchoolFactory(township=school.township)
    response = admin_client_.post(
        reverse("conflict-resolve", args=[conflict.pk]),
        {"action": "transfer", "school": target.pk},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.school == target and theirs.county == school.county
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(theirs.pk), actor=city_admin
    ).exists()
    conflict.refresh_from_db()
    assert conflict.resolution == "transferred"
    # Now the county sees the child as its own.
    assert _api(county_user).get(f"/api/v1/students/{theirs.pk}/").status_code == 200


def test_patch_without_version_is_refused_and_a_stale_one_conflicts(county_user, school):
    student = StudentFactory(school=school)
    api = _api(county_user)
    url = f"/api/v1/students/{student.pk}/"
    blind = api.patch(url, {"name": "覆盖"}, format="json")
    assert blind.status_code == 400 and "version" in blind.json()
    version = api.get(url).json()["version"]
    assert api.patch(url, {"name": "改名", "version": version}, format="json").status_code == 200
    stale = api.patch(url, {"name": "再改", "version": version}, format="json")
    assert stale.status_code == 409
    student.refresh_from_db()
    assert student.name == "改名"
