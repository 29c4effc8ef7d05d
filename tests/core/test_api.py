"""The REST API: token log-in, scoped and filtered lists, masked ID numbers, validation, docs."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core import idnumbers
from core.models import Student
from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db


def test_token_login_and_token_auth(county_user, school):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": county_user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert api.get("/api/v1/schools/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/schools/").json()["count"] == 1


def test_students_are_masked_filtered_and_paginated(county_user, school):
    StudentFactory.create_batch(55, school=school, grade=3)
    StudentFactory.create_batch(2, school=school, grade=6)
    api = APIClient()
    api.force_authenticate(county_user)
    page = api.get("/api/v1/students/").json()
    assert page["count"] == 57 and len(page["results"]) == 50 and page["next"]
    first = page["results"][0]
    stored = Student.objects.get(pk=first["id"]).id_number
    assert first["id_number"] == idnumbers.mask(stored) != stored
    assert api.get("/api/v1/students/", {"grade": 6}).json()["count"] == 2


def test_bad_id_number_is_refused_with_chinese_message(county_user, school):
    api = APIClient()
    api.force_authenticate(county_user)
    response = api.post(
        "/api/v1/students/",
        {
            "id_number": "231083201205011235",
            "name": "李四",
            "gender": "M",
            "birth_date": "2012-05-01",
            "school": school.pk,
            "grade": 5,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "校验码" in response.json()["id_number"][0]
    assert not Student.objects.exists()


def test_unknown_school_is_refused(county_user, school):
    api = APIClient()
    api.force_authenticate(county_user)
    number = idnumbers.make("231083", dt.date(2012, 5, 1), 123)
    response = api.post(
        "/api/v1/students/",
        {
            "id_number": number,
            "name": "李四",
            "gender": "M",
            "birth_date": "2012-05-01",
            "school": 99999,
            "grade": 5,
        },
        format="json",
    )
    assert response.status_code == 400 and "school" in response.json()
    assert not Student.objects.exists()


def test_city_staff_reads_but_cannot_write(city_user, school):
    api = APIClient()
    api.force_authenticate(city_user)
    assert api.get(f"/api/v1/schools/{school.pk}/").status_code == 200
    assert (
        api.patch(f"/api/v1/schools/{school.pk}/", {"name": "x"}, format="json").status_code == 403
    )


def test_regions_are_read_only_and_scoped(county_user, township, other_township):
    api = APIClient()
    api.force_authenticate(county_user)
    codes = {row["code"] for row in api.get("/api/v1/regions/").json()["results"]}
    assert codes == {"231083", "231083100"}


def test_openapi_schema_and_docs_are_served_without_cdn(client, county_user):
    client.force_login(county_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/students/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_inner_double_spaces_in_a_name_are_collapsed_by_the_form_and_the_api(
    county_user, county_client, school
):
    from django.urls import reverse

    first, second = (idnumbers.make("231083", dt.date(2012, 5, 1), n) for n in (201, 202))
    data = {"id_number": first, "name": " 王  小明 ", "gender": idnumbers.gender(first)}
    data.update({"school": school.pk, "grade": 4, "status": "enrolled"})
    response = county_client.post(reverse("student-create"), data)
    assert response.status_code == 302, response.content[:500]
    api = APIClient()
    api.force_authenticate(county_user)
    data.update(
        {"id_number": second, "gender": idnumbers.gender(second), "name": "李\u3000\u3000四"}
    )
    data["birth_date"] = "2012-05-01"
    assert api.post("/api/v1/students/", data, format="json").status_code == 201
    assert sorted(Student.objects.values_list("name", flat=True)) == ["李 四", "王 小明"]
