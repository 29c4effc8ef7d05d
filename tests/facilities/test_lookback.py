"""The sanitary-toilet look-back: a finding opens its rectification; the state machine; the one
who verifies is not the one who submitted; no closing without an after photo; overdue items."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import todo
from core.attachments.services import attachment_add
from facilities import selectors, services
from facilities.models import Rectification, ToiletFinding
from tests.facilities.factories import ToiletInspectionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def photo(name="after.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(school, county_user):
    inspection = ToiletInspectionFactory(school=school, inspected_on=dt.date(2023, 7, 10))
    return services.finding_record(
        inspection=inspection,
        finding=ToiletFinding(block="东侧厕所", toilet_type="septic", problem="full"),
        responsible_unit="学校后勤处",
        deadline=dt.date(2023, 8, 15),
        photos=[photo("before.jpg")],
        actor=county_user,
    )


def test_a_finding_opens_its_rectification_with_the_before_photo(item, school):
    assert item.status == "open" and item.school == school and item.county == school.county
    assert item.finding.attachments.count() == 1
    assert not services.has_after_photo(item)


def test_a_deadline_before_the_inspection_is_refused_and_nothing_is_written(school, county_user):
    inspection = ToiletInspectionFactory(school=school, inspected_on=dt.date(2023, 7, 10))
    with pytest.raises(ValidationError) as refused:
        services.finding_record(
            inspection=inspection,
            finding=ToiletFinding(block="西侧", toilet_type="flush", problem="odour"),
            responsible_unit="后勤处",
            deadline=dt.date(2023, 7, 1),
            actor=county_user,
        )
    assert "deadline" in refused.value.message_dict
    assert not ToiletFinding.objects.exists() and not Rectification.objects.exists()


def test_a_school_officer_does_not_record_findings(school, school_user):
    inspection = ToiletInspectionFactory(school=school)
    with pytest.raises(PermissionDenied):
        services.finding_record(
            inspection=inspection,
            finding=ToiletFinding(block="西侧", toilet_type="flush", problem="odour"),
            responsible_unit="后勤处",
            deadline=dt.date(2023, 9, 1),
            actor=school_user,
        )
    assert not ToiletFinding.objects.exists()


def test_the_whole_journey_and_the_verification_rule(item, school_user, county_user, county):
    reviewer = UserFactory(username="hl-rev", role="county_reviewer", scope=county)
    with pytest.raises(ValidationError):  # no after photo yet
        services.rectification_submit(rectification=item, measures="清掏化粪池", actor=school_user)
    assert Rectification.objects.get().status == "open"

    services.rectification_start(rectification=item, measures="清掏化粪池", actor=school_user)
    attachment_add(row=item, upload=photo(), actor=school_user)
    services.rectification_submit(rectification=item, actor=school_user)
    item.refresh_from_db()
    assert (item.status, item.submitted_by) == ("submitted", school_user)

    with pytest.raises(PermissionDenied):  # a school does not verify (its own work)
        services.rectification_verify(rectification=item, actor=school_user)
    services.rectification_return(rectification=item, reason="异味仍在", actor=reviewer)
    item.refresh_from_db()
    assert (item.status, item.return_reason) == ("returned", "异味仍在")

    # The county officer fixes it this time and submits: it cannot verify its own submission.
    services.rectification_submit(rectification=item, measures="更换排气管", actor=county_user)
    with pytest.raises(PermissionDenied) as refused:
        services.rectification_verify(rectification=item, actor=county_user)
    assert "someone else" in str(refused.value) or "其他人" in str(refused.value)
    assert Rectification.objects.get().status == "submitted"
    services.rectification_verify(rectification=item, actor=reviewer)
    item.refresh_from_db()
    assert (item.status, item.verified_by) == ("closed", reviewer)
    assert item.closed_on is not None

    with pytest.raises(ValidationError):  # closed is closed
        services.rectification_start(rectification=item, measures="再修", actor=county_user)


def test_closing_without_an_after_photo_is_refused(item, school_user, county, county_user):
    reviewer = UserFactory(username="hl-rev2", role="county_reviewer", scope=county)
    attachment_add(row=item, upload=photo(), actor=school_user)
    services.rectification_submit(rectification=item, measures="修缮", actor=school_user)
    item.attachments.all().delete()  # the photo removed after submitting
    with pytest.raises(ValidationError) as refused:
        services.rectification_verify(rectification=item, actor=reviewer)
    assert "photo" in str(refused.value) or "照片" in str(refused.value)
    assert Rectification.objects.get().status == "submitted"


def test_overdue_items_are_counted_and_on_the_to_do_list(item, county_user, monkeypatch):
    from core import calendar

    monkeypatch.setattr(calendar, "today", lambda: dt.date(2023, 8, 15))
    assert selectors.overdue_rectifications(county_user).count() == 0  # the deadline day itself
    monkeypatch.setattr(calendar, "today", lambda: dt.date(2023, 8, 16))
    assert selectors.overdue_rectifications(county_user).count() == 1
    titles = {i.title: i.count for i in todo.items_for(county_user)}
    assert titles["逾期的厕所整改"] == 1 or titles.get("Overdue toilet rectifications") == 1
    figures = selectors.summary(county_user)
    assert (figures["rectifications"]["open"], figures["rectifications"]["overdue"]) == (1, 1)
