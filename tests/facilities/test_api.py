"""The API of school conditions beyond the generic ledger doors: a look-back finding recorded
with its rectification item (the inspection page's rules), and the funding quotas, which city
administrators add and correct and everyone else reads. Refusals are 400 / 403 in Chinese with
nothing written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from facilities.models import FundingRate, Rectification, ToiletFinding
from tests.facilities.factories import FundingRateFactory, ToiletInspectionFactory

pytestmark = pytest.mark.django_db
FINDINGS = "/api/v1/facilities/findings/"
RATES = "/api/v1/facilities/rates/"


def api_as(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(user)
    return api


def finding_data(inspection, **changes):
    return {
        "inspection": inspection.pk,
        "block": "教学楼东侧厕所",
        "toilet_type": "septic",
        "problem": "full",
        "description": "化粪池已满",
        "responsible_unit": "学校后勤处",
        "deadline": "2023-08-10",
        "measures": "联系镇环卫清掏",
        **changes,
    }


def photo(name="before.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "brown").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def nothing_written():
    return not ToiletFinding.objects.exists() and not Rectification.objects.exists()


# --- Findings ----------------------------------------------------------------------------------


def test_a_county_officer_records_a_finding_and_its_rectification_opens(school, county_user):
    inspection = ToiletInspectionFactory(school=school, inspected_on=dt.date(2023, 7, 10))
    response = api_as(county_user).post(FINDINGS, finding_data(inspection), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    rectification = Rectification.objects.get(finding_id=body["id"])
    assert body["rectification"] == rectification.pk and body["school"] == school.pk
    assert (rectification.status, rectification.deadline) == ("open", dt.date(2023, 8, 10))
    assert rectification.responsible_unit == "学校后勤处"
    listed = api_as(county_user).get(f"/api/v1/facilities/rectifications/{rectification.pk}/")
    assert listed.json()["measures"] == "联系镇环卫清掏"


def test_the_before_photos_go_with_the_finding(school, county_user):
    inspection = ToiletInspectionFactory(school=school)
    data = {**finding_data(inspection), "photos": [photo()]}
    response = api_as(county_user).post(FINDINGS, data, format="multipart")
    assert response.status_code == 201, response.json()
    finding = ToiletFinding.objects.get(pk=response.json()["id"])
    assert [a.original_name for a in finding.attachments.all()] == ["before.jpg"]
    assert not finding.rectification.attachments.exists()  # the after photos come later


def test_a_deadline_before_the_inspection_is_refused_in_chinese(school, county_user):
    inspection = ToiletInspectionFactory(school=school, inspected_on=dt.date(2023, 7, 10))
    response = api_as(county_user).post(
        FINDINGS, finding_data(inspection, deadline="2023-07-01"), format="json"
    )
    assert response.status_code == 400
    assert "整改时限早于检查日期" in str(response.json())
    assert nothing_written()


def test_a_school_officer_may_not_record_findings(school, school_user):
    inspection = ToiletInspectionFactory(school=school)
    response = api_as(school_user).post(FINDINGS, finding_data(inspection), format="json")
    assert response.status_code == 403
    assert "问题由县级或市级录入" in response.json()["detail"]
    assert nothing_written()


def test_another_countys_inspection_is_not_found(other_school, county_user, other_county_user):
    theirs = ToiletInspectionFactory(school=other_school)
    response = api_as(county_user).post(FINDINGS, finding_data(theirs), format="json")
    assert response.status_code == 400 and "inspection" in response.json()
    assert nothing_written()
    mine = api_as(other_county_user).post(FINDINGS, finding_data(theirs), format="json")
    assert mine.status_code == 201  # the same request works in its own county


def test_findings_are_not_changed_or_deleted_through_the_api(school, county_user):
    inspection = ToiletInspectionFactory(school=school)
    api = api_as(county_user)
    pk = api.post(FINDINGS, finding_data(inspection), format="json").json()["id"]
    assert api.patch(f"{FINDINGS}{pk}/", {"block": "x"}, format="json").status_code == 405
    assert api.delete(f"{FINDINGS}{pk}/").status_code == 405
    assert ToiletFinding.objects.get(pk=pk).block == "教学楼东侧厕所"


# --- Funding quotas -----------------------------------------------------------------------------


QUOTAS = {"effective_from": 2024, "primary": "700.00", "junior": "900.00"}


def test_a_city_admin_adds_quotas_and_the_earlier_ones_stay(city_admin):
    FundingRateFactory()  # from 2016
    api = api_as(city_admin)
    response = api.post(RATES, QUOTAS, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["set_by"] == city_admin.pk
    assert response.json()["boarder_supplement"] == "200.00"
    assert response.json()["special_education"] is None  # the city sets none yet
    years = [row["effective_from"] for row in api.get(RATES).json()["results"]]
    assert years == [2024, 2016]
    rate = FundingRate.objects.get(effective_from=2024)
    corrected = api.patch(
        f"{RATES}{rate.pk}/", {"junior": "950.00", "special_education": "6000"}, format="json"
    )
    assert corrected.status_code == 200, corrected.json()
    assert (corrected.json()["junior"], corrected.json()["special_education"]) == (
        "950.00",
        "6000.00",
    )
    assert FundingRate.objects.get(effective_from=2016).junior == 850


@pytest.mark.parametrize("who", ["city_user", "county_user", "school_user"])
def test_only_city_admins_write_quotas(who, request):
    user = request.getfixturevalue(who)
    rate = FundingRateFactory()
    api = api_as(user)
    assert api.get(RATES).status_code == 200  # everyone reads
    response = api.post(RATES, QUOTAS, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有市局管理员可以修改公用经费定额。"
    assert api.patch(f"{RATES}{rate.pk}/", {"primary": "1"}, format="json").status_code == 403
    assert list(FundingRate.objects.values_list("effective_from", "primary")) == [(2016, 650)]


def test_a_quota_of_zero_or_a_second_row_for_a_year_is_refused(city_admin):
    FundingRateFactory()
    api = api_as(city_admin)
    zero = api.post(RATES, {**QUOTAS, "primary": "0"}, format="json")
    assert zero.status_code == 400 and "primary" in zero.json()
    again = api.post(RATES, {**QUOTAS, "effective_from": 2016}, format="json")
    assert again.status_code == 400 and "该学年起的定额已存在" in str(again.json())
    assert FundingRate.objects.count() == 1


def test_quotas_are_not_deleted(city_admin):
    rate = FundingRateFactory()
    assert api_as(city_admin).delete(f"{RATES}{rate.pk}/").status_code == 405
    assert FundingRate.objects.filter(pk=rate.pk).exists()
