"""Suspected-dropout cases: opened by rounds (one open case per child, even under concurrent
rounds), followed up, resolved, closed only after a round confirms, reopened when it recurs."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from PIL import Image

from core.attachments.models import Attachment
from core.models import RosterVersion
from dropout import services
from dropout.models import (
    CaseAction,
    CaseStatus,
    DropoutCase,
    OutOfCityEnrolment,
    ResponsibilityLine,
)
from dropout.selectors import confirmed_cases_todo, overdue_cases_todo
from tests.dropout.factories import ResponsibilityFactory, run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(county):
    return RosterVersionFactory(county=county)


@pytest.fixture
def missing_child(version, township):
    """A child on the roster and nowhere in the registry: a suspected dropout."""
    return RosterChildFactory(roster_version=version, township=township, name="赵小军")


@pytest.fixture
def responsible(township):
    return {
        "government": ResponsibilityFactory(
            township=township, line=ResponsibilityLine.GOVERNMENT, person="钱镇长"
        ),
        "education": ResponsibilityFactory(
            township=township, line=ResponsibilityLine.EDUCATION, person="孙校长"
        ),
    }


def enrol(child, school, status="enrolled"):
    return StudentFactory(
        school=school,
        id_number=child.id_number,
        name=child.name,
        birth_date=child.birth_date,
        status=status,
    )


def photo(name="visit.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_round_opens_assigned_cases_with_a_due_date(
    city_admin, missing_child, responsible, version, township, school, settings
):
    settings.DROPOUT_CASE_DUE_DAYS = 10
    dropped = RosterChildFactory(roster_version=version, township=township, name="登记辍学")
    enrol(dropped, school, status="dropped_out")
    enrolled = RosterChildFactory(roster_version=version, township=township, name="在读")
    enrol(enrolled, school)

    screening_round = run_round(city_admin, screening_date=dt.date(2023, 9, 15))

    cases = {c.name: c for c in DropoutCase.objects.all()}
    assert set(cases) == {"赵小军", "登记辍学"}
    case = cases["赵小军"]
    assert case.status == CaseStatus.OPEN and case.reason == "suspected"
    assert cases["登记辍学"].reason == "dropped_out"
    assert case.opened_in_round == screening_round
    assert case.opened_on == dt.date(2023, 9, 15) and case.due_on == dt.date(2023, 9, 25)
    assert case.gov_responsible == responsible["government"]
    assert case.edu_responsible == responsible["education"]
    assert case.county == township.county and case.roster_child == missing_child
    assert case.previous_case is None


def test_a_school_level_responsible_person_comes_first(city_admin, version, township, school):
    ResponsibilityFactory(township=township, line=ResponsibilityLine.EDUCATION, person="乡镇")
    at_school = ResponsibilityFactory(
        township=township, school=school, line=ResponsibilityLine.EDUCATION, person="学校"
    )
    dropped = RosterChildFactory(roster_version=version, township=township)
    enrol(dropped, school, status="dropped_out")
    run_round(city_admin)
    case = DropoutCase.objects.get()
    assert case.edu_responsible == at_school and case.gov_responsible is None


def test_one_open_case_per_child_across_rounds(city_admin, missing_child):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    assert DropoutCase.objects.filter(id_number=missing_child.id_number).count() == 1


def test_the_database_refuses_a_second_open_case(city_admin, missing_child):
    run_round(city_admin)
    case = DropoutCase.objects.get()
    duplicate = DropoutCase(
        county=case.county,
        township=case.township,
        id_number=case.id_number,
        name=case.name,
        opened_on=case.opened_on,
        due_on=case.due_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # A closed case does not count: a new open one is allowed beside it.
    DropoutCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    duplicate.save()
    assert DropoutCase.objects.count() == 2


def test_a_hand_opened_case_is_refused_when_one_is_open(county_user, missing_child, city_admin):
    run_round(city_admin)
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            id_number=missing_child.id_number,
            name=missing_child.name,
            township=missing_child.township,
            actor=county_user,
        )
    assert refused.value.code == "case_already_open"


@pytest.mark.django_db(transaction=True)
def test_concurrent_rounds_open_one_case(city_admin, county, township):
    """Two rounds running at the same moment over the same child: one case, not two."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time, so rounds never overlap")
    version = RosterVersion.objects.create(county=county, label="并发名单")
    for n in range(200):
        RosterChildFactory(roster_version=version, township=township, name=f"并发{n}")
    rounds = [
        services.round_start(name=f"并发{n}", school_year=2023, counties=None, actor=city_admin)
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    errors = []

    def run(screening_round):
        try:
            barrier.wait(timeout=10)
            services.round_run(round_id=screening_round.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(r,)) for r in rounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert DropoutCase.objects.count() == 200
    assert DropoutCase.objects.values("id_number").distinct().count() == 200
    opened_by = {c.opened_in_round_id for c in DropoutCase.objects.all()}
    assert opened_by <= {r.pk for r in rounds}


def test_follow_up_resolve_confirm_close(
    city_admin, county_user, county_reviewer, missing_child, school
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = DropoutCase.objects.get()

    action = services.case_action_add(
        case=case,
        date=dt.date(2023, 9, 16),
        kind="home_visit",
        note="与家长面谈，孩子在家帮工。",
        actor=county_user,
        uploads=[photo()],
    )
    services.case_action_add(
        case=case,
        date=dt.date(2023, 9, 18),
        kind="persuasion",
        note="劝返成功。",
        actor=county_user,
    )
    assert list(case.actions.values_list("kind", flat=True)) == ["home_visit", "persuasion"]
    attachment = Attachment.objects.get()
    assert attachment.row == action and attachment.county_id == case.county_id

    with pytest.raises(ValidationError) as refused:
        services.case_resolve(case=case, outcome="returned", actor=county_user)
    assert set(refused.value.message_dict) == {"return_school", "return_date"}
    case = services.case_resolve(
        case=case,
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        note="返校就读",
        actor=county_user,
    )
    assert case.status == CaseStatus.RESOLVED and case.resolved_by == county_user

    # Not before a round confirms it, and never by the officer.
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, actor=county_reviewer)
    assert refused.value.code == "not_confirmed"
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, actor=county_user)

    # The registry (imported from the province) now shows the child back at school.
    enrol(missing_child, school)
    confirming = run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    case.refresh_from_db()
    assert case.confirmed_in_round == confirming and case.status == CaseStatus.RESOLVED
    assert DropoutCase.objects.count() == 1  # no new case: the child is enrolled
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, actor=county_user)
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, actor=city_admin)  # a county reviewer closes
    case = services.case_close(case=case, actor=county_reviewer, closed_on=dt.date(2023, 10, 12))
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer
    with pytest.raises(ValidationError):
        services.case_action_add(
            case=case, date=dt.date(2023, 10, 13), kind="other", note="x", actor=county_user
        )


def test_a_resolution_the_round_does_not_bear_out_goes_back_to_open(
    city_admin, county_user, county_reviewer, missing_child, school
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = services.case_resolve(
        case=DropoutCase.objects.get(),
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        actor=county_user,
    )
    later = run_round(city_admin, screening_date=dt.date(2023, 10, 10))  # still not registered
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.refuted_in_round == later
    assert case.confirmed_in_round is None
    assert DropoutCase.objects.count() == 1
    with pytest.raises(ValidationError):
        services.case_close(case=case, actor=county_reviewer)


def test_a_closed_case_reopens_as_a_new_case(
    city_admin, county_user, county_reviewer, missing_child, school
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    first = DropoutCase.objects.get()
    services.case_resolve(
        case=first,
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        actor=county_user,
    )
    student = enrol(missing_child, school)
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    services.case_close(case=first, actor=county_reviewer)

    student.status = "dropped_out"  # the child left school again
    student.save()
    third = run_round(city_admin, screening_date=dt.date(2023, 11, 10))

    first.refresh_from_db()
    assert first.status == CaseStatus.CLOSED
    reopened = DropoutCase.objects.exclude(pk=first.pk).get()
    assert reopened.status == CaseStatus.OPEN and reopened.reason == "dropped_out"
    assert reopened.previous_case == first and reopened.opened_in_round == third


def test_enrolled_elsewhere_needs_evidence_and_is_confirmed_by_it(
    city_admin, county_user, county_reviewer, missing_child
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = DropoutCase.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.case_resolve(case=case, outcome="enrolled_elsewhere", actor=county_user)
    assert "outcome" in refused.value.message_dict
    OutOfCityEnrolment.objects.create(
        county=case.county,
        id_number=case.id_number,
        name=case.name,
        school_year=2023,
        place="山东省青岛市",
        school_name="青岛市第五小学",
        verified_how="phone",
        verified_on=dt.date(2023, 9, 25),
        verifier="吴老师",
    )
    services.case_resolve(case=case, outcome="enrolled_elsewhere", actor=county_user)
    confirming = run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    case.refresh_from_db()
    assert case.confirmed_in_round == confirming
    assert services.case_close(case=case, actor=county_reviewer).status == CaseStatus.CLOSED


def test_moved_away_is_confirmed_when_the_child_is_off_the_roster(
    city_admin, county_user, missing_child, county
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    case = services.case_resolve(
        case=DropoutCase.objects.get(),
        outcome="moved_away",
        note="随父母迁往外省",
        actor=county_user,
    )
    newer = RosterVersion.objects.create(county=county, label="迁出后名单")
    assert newer.children.count() == 0
    confirming = run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    case.refresh_from_db()
    assert case.confirmed_in_round == confirming


def test_cases_are_scoped(city_admin, missing_child, other_county_user):
    run_round(city_admin)
    case = DropoutCase.objects.get()
    with pytest.raises(PermissionDenied):
        services.case_action_add(
            case=case, date=dt.date(2023, 9, 16), kind="other", note="x", actor=other_county_user
        )
    with pytest.raises(PermissionDenied):
        services.case_resolve(case=case, outcome="moved_away", actor=other_county_user)
    assert not CaseAction.objects.exists()


def test_a_refused_photo_saves_no_action(city_admin, county_user, missing_child):
    run_round(city_admin)
    case = DropoutCase.objects.get()
    fake = SimpleUploadedFile("visit.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.case_action_add(
            case=case,
            date=dt.date(2023, 9, 16),
            kind="home_visit",
            note="家访",
            actor=county_user,
            uploads=[fake],
        )
    assert not CaseAction.objects.exists() and not Attachment.objects.exists()


def test_overdue_cases_are_on_the_to_do_list(
    city_admin, county_user, other_county_user, missing_child
):
    run_round(city_admin, screening_date=dt.date(2023, 9, 15))  # due long ago
    [item] = overdue_cases_todo(county_user)
    assert item.count == 1 and item.level == "danger" and item.url.endswith("overdue=true")
    assert overdue_cases_todo(other_county_user)[0].count == 0
    DropoutCase.objects.update(due_on=timezone.localdate() + dt.timedelta(days=3))
    assert overdue_cases_todo(county_user)[0].count == 0
    from core.todo import PROVIDERS

    assert overdue_cases_todo in PROVIDERS and confirmed_cases_todo in PROVIDERS


def test_a_reviewer_is_told_what_to_close(city_admin, county_user, county_reviewer, missing_child):
    school = SchoolFactory(township=missing_child.township)
    run_round(city_admin)
    services.case_resolve(
        case=DropoutCase.objects.get(),
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        actor=county_user,
    )
    enrol(missing_child, school)
    run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    [item] = confirmed_cases_todo(county_reviewer)
    assert item.count == 1 and "confirmed=true" in item.url
    assert confirmed_cases_todo(county_user) == []


def open_by_hand(county_user, township, name="村里报告"):
    """A child a village reported, on no roster: no round will ever screen the child."""
    from tests.factories import id_for

    return services.case_open(
        id_number=id_for("231083", dt.date(2012, 2, 2)),
        name=name,
        township=township,
        actor=county_user,
        note="村委会报告孩子未到校",
    )


def test_a_hand_opened_case_is_closed_by_the_reviewer_who_verifies_it(
    city_admin, county_user, county_reviewer, missing_child, township
):
    from core.models import AuditEvent

    school = SchoolFactory(township=township)
    case = open_by_hand(county_user, township)
    services.case_resolve(
        case=case,
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 20),
        actor=county_user,
    )
    StudentFactory(school=school, id_number=case.id_number, name=case.name)
    screening_round = run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    assert not screening_round.confirmed_cases.exists()  # it never screened the child
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.confirmed_in_round is None
    assert case.closes_on_verification and case.can_be_closed

    with pytest.raises(PermissionDenied):  # the officer resolves; only the reviewer closes
        services.case_close(case=case, note="已核实", actor=county_user)
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, note="   ", actor=county_reviewer)
    assert refused.value.message_dict["close_note"] == [
        "手动新建的跟踪不会由排查轮次确认：请先写明核实情况（学籍、学校、家庭），再予销号。"
    ]
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.closed_by is None

    services.case_close(
        case=case, note="学籍库显示在读，电话联系班主任确认到校。", actor=county_reviewer
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer
    assert case.close_note == "学籍库显示在读，电话联系班主任确认到校。"
    event = AuditEvent.objects.filter(
        ledger="dropout.dropoutcase", object_id=str(case.pk), action="update"
    ).latest("id")
    assert event.actor == county_reviewer and "close_note" in event.changes


def test_a_round_opened_case_still_waits_for_a_round_whatever_the_reviewer_writes(
    city_admin, county_user, county_reviewer, missing_child
):
    run_round(city_admin)
    case = DropoutCase.objects.get()
    services.case_resolve(case=case, outcome="moved_away", note="", actor=county_user)
    case.refresh_from_db()
    assert not case.closes_on_verification and not case.can_be_closed
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, note="我看过了", actor=county_reviewer)
    assert refused.value.code == "not_confirmed"
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_hand_opened_case_a_round_confirms_closes_without_a_note(
    city_admin, county_user, county_reviewer, missing_child, township
):
    """A hand-opened case of a child on the roster is confirmed like any other."""
    case = services.case_open(
        id_number=missing_child.id_number,
        name=missing_child.name,
        township=township,
        roster_child=missing_child,
        actor=county_user,
    )
    school = SchoolFactory(township=township)
    services.case_resolve(
        case=case,
        outcome="returned",
        return_school=school,
        return_date=dt.date(2023, 9, 10),
        actor=county_user,
    )
    enrol(missing_child, school)
    assert list(run_round(city_admin).confirmed_cases.all()) == [case]
    services.case_close(case=case, actor=county_reviewer)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.close_note == ""


def test_the_reviewers_to_do_lists_hand_opened_cases_to_verify(
    client, county_user, county_reviewer, township
):
    from dropout.selectors import hand_opened_cases_todo

    case = open_by_hand(county_user, township)
    assert hand_opened_cases_todo(county_reviewer)[0].count == 0  # open: the officer's turn
    services.case_resolve(case=case, outcome="moved_away", actor=county_user)
    [item] = hand_opened_cases_todo(county_reviewer)
    assert item.count == 1 and hand_opened_cases_todo(county_user) == []
    client.force_login(county_reviewer)
    home = client.get("/").content.decode()
    assert "手动新建且已办结的疑似辍学跟踪：请核实后销号" in home
    listing = client.get(item.url)
    assert [row.record.pk for row in listing.context["table"].rows] == [case.pk]
