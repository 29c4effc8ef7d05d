"""Screening rounds: every classification, the ID and name+birth matching, the school-age rule,
one result per child, set-based running, all-or-nothing, and who may start one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import idnumbers
from core.calendar import school_age_birth_window
from core.jobs import JobRun, JobStatus
from core.models import RosterVersion
from core.reference import SchoolAgeRule, school_age_rule_add
from dropout import selectors, services
from dropout.models import (
    DropoutCase,
    Exemption,
    OutOfCityEnrolment,
    RoundStatus,
    ScreeningResult,
    ScreeningRound,
)
from tests.dropout.factories import listed_names, run_round
from tests.factories import (
    RosterChildFactory,
    RosterVersionFactory,
    SchoolFactory,
    StudentFactory,
    id_for,
)

pytestmark = pytest.mark.django_db
BORN = dt.date(2013, 3, 14)  # 10 on 31 August 2023


@pytest.fixture
def version(county):
    return RosterVersionFactory(county=county, label="海林市2023年秋季名单")


def child(version, township, **kwargs):
    return RosterChildFactory(roster_version=version, township=township, **kwargs)


def registered(child_, school, **kwargs):
    """The registry student of a roster child (same ID number, name and birth date)."""
    return StudentFactory(
        school=school,
        id_number=child_.id_number,
        name=child_.name,
        birth_date=child_.birth_date,
        **kwargs,
    )


def results_by_name(screening_round):
    return {r.name: r for r in ScreeningResult.objects.filter(round=screening_round)}


def test_every_classification(city_admin, version, township, school):
    kids = {name: child(version, township, name=name) for name in [
        "在读", "休学", "送教", "辍学", "转出无证明", "转出有证明", "缓学", "无学籍", "初中毕业",
        "小学毕业", "死亡", "去年外地", "缓学过期",
    ]}  # fmt: skip
    registered(kids["在读"], school, status="enrolled")
    registered(kids["休学"], school, status="suspended")
    registered(kids["送教"], school, status="home_delivered")
    registered(kids["辍学"], school, status="dropped_out")
    registered(kids["转出无证明"], school, status="transferred_out")
    registered(kids["转出有证明"], school, status="transferred_out")
    registered(kids["初中毕业"], school, status="graduated", grade=9)
    registered(kids["小学毕业"], school, status="graduated", grade=6)
    registered(kids["死亡"], school, status="deceased")
    evidence = {
        "place": "辽宁省沈阳市",
        "school_name": "沈阳市第一中学",
        "verified_how": "letter",
        "verified_on": dt.date(2023, 9, 5),
        "verifier": "张老师",
        "county": version.county,
    }
    OutOfCityEnrolment.objects.create(
        id_number=kids["转出有证明"].id_number, name="转出有证明", school_year=2023, **evidence
    )
    OutOfCityEnrolment.objects.create(
        id_number=kids["去年外地"].id_number, name="去年外地", school_year=2022, **evidence
    )
    approval = {
        "kind": "deferral",
        "reason": "病休",
        "approval_document": "教发〔2023〕5号",
        "approved_on": dt.date(2023, 8, 20),
        "county": version.county,
    }
    Exemption.objects.create(
        id_number=kids["缓学"].id_number,
        name="缓学",
        valid_from=dt.date(2023, 9, 1),
        valid_until=dt.date(2024, 8, 31),
        **approval,
    )
    Exemption.objects.create(
        id_number=kids["缓学过期"].id_number,
        name="缓学过期",
        valid_from=dt.date(2022, 9, 1),
        valid_until=dt.date(2023, 8, 31),
        **approval,
    )

    screening_round = run_round(city_admin, screening_date=dt.date(2023, 9, 15))

    assert screening_round.status == RoundStatus.FINISHED
    found = {name: r.classification for name, r in results_by_name(screening_round).items()}
    assert found == {
        "在读": "enrolled_local",
        "休学": "suspended",
        "送教": "home_delivered",
        "辍学": "dropped_out",
        "转出无证明": "suspected",
        "转出有证明": "enrolled_elsewhere",
        "缓学": "exempt",
        "无学籍": "suspected",
        "初中毕业": "completed",
        "小学毕业": "suspected",
        "死亡": "deceased",
        "去年外地": "suspected",  # evidence of another school year does not count
        "缓学过期": "suspected",  # an approval no longer valid on the screening date
    }
    enrolled = results_by_name(screening_round)["在读"]
    assert enrolled.match_method == "id" and enrolled.student.school == school
    assert enrolled.school == school and enrolled.registry_status == "enrolled"
    assert not enrolled.needs_confirmation and enrolled.candidates == 1
    nowhere = results_by_name(screening_round)["无学籍"]
    assert nowhere.match_method == "none" and nowhere.student is None and nowhere.candidates == 0


def test_name_and_birth_date_fallback_and_its_ambiguity(city_admin, version, township, school):
    # The roster has another ID number than the registry (a typing error in one of them).
    typo = child(version, township, name="刘一鸣", birth_date=BORN)
    found_once = StudentFactory(school=school, name="刘一鸣", birth_date=BORN, status="enrolled")
    twins = child(version, township, name="张伟", birth_date=BORN)
    StudentFactory(school=school, name="张伟", birth_date=BORN)
    StudentFactory(school=school, name="张伟", birth_date=BORN)
    # Same name, another birth date: not a candidate.
    other = child(version, township, name="陈晨", birth_date=BORN)
    StudentFactory(school=school, name="陈晨", birth_date=dt.date(2013, 3, 15))
    # An ID match wins over name + birth date candidates.
    exact = child(version, township, name="王芳", birth_date=BORN)
    registered(exact, school)
    StudentFactory(school=school, name="王芳", birth_date=BORN)
    assert typo.id_number != found_once.id_number

    results = results_by_name(run_round(city_admin))

    fallback = results["刘一鸣"]
    assert fallback.classification == "enrolled_local"
    assert fallback.match_method == "name_birth"
    assert fallback.needs_confirmation and fallback.candidates == 1
    assert fallback.student == found_once and fallback.school == school
    ambiguous = results["张伟"]
    assert ambiguous.classification == "ambiguous"
    assert ambiguous.match_method == "name_birth" and ambiguous.candidates == 2
    assert ambiguous.student is None and ambiguous.needs_confirmation
    assert results["陈晨"].classification == "suspected"
    assert results["陈晨"].match_method == "none"
    assert results["王芳"].match_method == "id" and not results["王芳"].needs_confirmation
    assert other.pk and twins.pk
    # Ambiguous children do not open a case: they are to be verified first.
    assert not DropoutCase.objects.filter(id_number=twins.id_number).exists()


def test_a_single_name_and_birth_candidate_is_classified_from_that_student(
    city_admin, version, township, school
):
    """The candidate's registry facts count as an ID match's would (evidence of schooling
    elsewhere or an exemption still wins over a dropout or a transfer), to be confirmed."""
    kids = {
        name: child(version, township, name=name, birth_date=BORN)
        for name in ["在读", "辍学", "转出", "辍学有证明", "转出缓学", "初中毕业"]
    }
    facts = {
        "在读": {"status": "enrolled"},
        "辍学": {"status": "dropped_out"},
        "转出": {"status": "transferred_out"},
        "辍学有证明": {"status": "dropped_out"},
        "转出缓学": {"status": "transferred_out"},
        "初中毕业": {"status": "graduated", "grade": 9},
    }
    # ID numbers of another county: none of them can be a roster child's.
    students = {
        name: StudentFactory(
            school=school,
            name=name,
            birth_date=BORN,
            id_number=idnumbers.make("230199", BORN, 2 * n + 1),
            **facts[name],
        )
        for n, name in enumerate(kids)
    }
    OutOfCityEnrolment.objects.create(
        id_number=kids["辍学有证明"].id_number,
        name="辍学有证明",
        school_year=2023,
        place="辽宁省沈阳市",
        school_name="沈阳市第一中学",
        verified_how="letter",
        verified_on=dt.date(2023, 9, 5),
        verifier="张老师",
        county=version.county,
    )
    Exemption.objects.create(
        id_number=kids["转出缓学"].id_number,
        name="转出缓学",
        valid_from=dt.date(2023, 9, 1),
        valid_until=dt.date(2024, 8, 31),
        kind="deferral",
        reason="病休",
        approval_document="教发〔2023〕5号",
        approved_on=dt.date(2023, 8, 20),
        county=version.county,
    )

    results = results_by_name(run_round(city_admin, screening_date=dt.date(2023, 9, 15)))

    assert {name: r.classification for name, r in results.items()} == {
        "在读": "enrolled_local",
        "辍学": "dropped_out",
        "转出": "suspected",
        "辍学有证明": "enrolled_elsewhere",
        "转出缓学": "exempt",
        "初中毕业": "completed",
    }
    for name, result in results.items():
        student = students[name]
        assert result.match_method == "name_birth" and result.candidates == 1, name
        assert result.needs_confirmation, name
        assert result.student == student and result.school == school, name
        assert (result.grade, result.registry_status) == (student.grade, student.status), name
    assert set(DropoutCase.objects.values_list("name", flat=True)) == {"辍学", "转出"}


def test_a_child_on_two_rosters_is_screened_from_the_first_row(
    city_admin, county, township, other_township
):
    mine = RosterVersionFactory(county=county)
    theirs = RosterVersionFactory(county=other_township.county)
    first = child(mine, township, name="先录入")
    child(theirs, other_township, name="后录入", id_number=first.id_number)
    result = ScreeningResult.objects.get(round=run_round(city_admin))
    assert result.roster_child == first and result.name == "先录入"
    assert (result.county, result.township) == (county, township)


def test_school_age_boundary_days(city_admin, version, township):
    for name, born in [
        ("6岁整", dt.date(2017, 8, 31)),  # 6 on 31 August 2023: in
        ("差一天6岁", dt.date(2017, 9, 1)),  # 5: out
        ("15岁", dt.date(2007, 9, 1)),  # 15: in
        ("16岁整", dt.date(2007, 8, 31)),  # 16: out
    ]:
        child(version, township, name=name, birth_date=born)
    screening_round = run_round(city_admin)
    assert set(results_by_name(screening_round)) == {"6岁整", "15岁"}
    assert school_age_birth_window(2023) == (dt.date(2007, 8, 31), dt.date(2017, 8, 31))
    figures = selectors.round_figures(screening_round=screening_round, user=city_admin)
    assert figures["not_school_age"] == 2
    assert (figures["birth_after"], figures["birth_until"]) == (
        dt.date(2007, 9, 1),
        dt.date(2017, 8, 31),
    )


def test_a_round_screens_by_the_citys_school_age_rule_of_its_school_year(
    city_admin, version, township
):
    """The rule is the city's reference data, in force from a school year: a round of 2023 uses
    the rule from 2023, not a later one set for 2024."""
    school_age_rule_add(
        rule=SchoolAgeRule(effective_from=2023, age_min=7, age_max=14), actor=city_admin
    )
    school_age_rule_add(
        rule=SchoolAgeRule(effective_from=2024, age_min=6, age_max=17), actor=city_admin
    )
    child(version, township, name="6岁", birth_date=dt.date(2017, 8, 31))
    child(version, township, name="7岁", birth_date=dt.date(2016, 8, 31))
    child(version, township, name="15岁", birth_date=dt.date(2008, 8, 31))
    screening_round = run_round(city_admin, school_year=2023)
    assert set(results_by_name(screening_round)) == {"7岁"}
    assert (screening_round.age_min, screening_round.age_max) == (7, 14)


def test_who_is_screened(city_admin, version, township):
    child(version, township, name="脱贫户", household_category="poverty_alleviated")
    child(
        version,
        township,
        name="监测户未消除",
        household_category="monitored",
        monitoring_type="marginal",
        risk_eliminated=False,
    )
    child(
        version,
        township,
        name="监测户已消除",
        household_category="monitored",
        monitoring_type="sudden_hardship",
        risk_eliminated=True,
    )
    screening_round = run_round(city_admin)
    assert set(results_by_name(screening_round)) == {"脱贫户", "监测户未消除"}
    figures = selectors.round_figures(screening_round=screening_round, user=city_admin)
    assert figures["risk_eliminated"] == 1 and figures["roster_children"] == 3


def test_a_round_uses_each_countys_newest_roster_version(
    city_admin, county, township, other_township
):
    old = RosterVersionFactory(county=county, label="旧名单")
    child(old, township, name="旧名单儿童")
    new = RosterVersionFactory(county=county, label="新名单")
    child(new, township, name="新名单儿童")
    other = RosterVersionFactory(county=other_township.county, label="东宁名单")
    child(other, other_township, name="东宁儿童")
    RosterVersion.objects.filter(pk=old.pk).update(
        created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )

    screening_round = run_round(city_admin, counties=[county])
    assert set(results_by_name(screening_round)) == {"新名单儿童"}
    assert list(screening_round.roster_versions.all()) == [new]

    whole_city = run_round(city_admin)
    assert set(results_by_name(whole_city)) == {"新名单儿童", "东宁儿童"}
    assert {r.county_id for r in whole_city.results.all()} == {
        county.pk,
        other_township.county_id,
    }


def test_one_result_per_child_per_round(city_admin, county, township, other_township):
    """A child on two counties' rosters is screened once; running the round again adds nothing."""
    mine = RosterVersionFactory(county=county)
    theirs = RosterVersionFactory(county=other_township.county)
    twice = child(mine, township, name="两县都有")
    child(theirs, other_township, name="两县都有", id_number=twice.id_number)
    screening_round = run_round(city_admin)
    assert ScreeningResult.objects.filter(round=screening_round).count() == 1

    # Running the round again changes nothing; writing its results twice is refused outright.
    with pytest.raises(IntegrityError), transaction.atomic():
        services._insert_results(screening_round, [mine.pk, theirs.pk], services._now())
    again = services.round_run(round_id=screening_round.pk)
    assert again.status == RoundStatus.FINISHED
    assert ScreeningResult.objects.filter(round=screening_round).count() == 1


def test_a_round_runs_in_a_fixed_number_of_queries(city_admin, county, township, school):
    """Set-based: the number of queries does not grow with the number of children."""

    def queries_for(children: int) -> int:
        version = RosterVersionFactory(county=county)
        for n in range(children):
            kid = child(version, township, name=f"儿童{children}-{n}")
            if n % 3 == 0:
                registered(kid, school)
        screening_round = services.round_start(
            name=f"{children}", school_year=2023, counties=[county], actor=city_admin
        )
        with CaptureQueriesContext(connection) as captured:
            services.round_run(round_id=screening_round.pk)
        assert ScreeningResult.objects.filter(round=screening_round).count() == children
        # The ANALYZE after the round runs only when its tables are due (core/db.py).
        return len([q for q in captured if not q["sql"].startswith("ANALYZE")])

    assert queries_for(3) == queries_for(40)


def test_a_failed_round_writes_nothing(city_admin, version, township, monkeypatch):
    child(version, township, name="无学籍")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_open_cases", broken)
    screening_round = services.round_start(
        name="会失败", school_year=2023, counties=None, actor=city_admin
    )
    from core.jobs import execute

    execute(screening_round.job_id)
    screening_round.refresh_from_db()
    assert screening_round.status == RoundStatus.FAILED
    assert "disk full" in screening_round.error
    assert not ScreeningResult.objects.filter(round=screening_round).exists()
    assert not DropoutCase.objects.exists()
    job = JobRun.objects.get(pk=screening_round.job_id)
    assert job.status == JobStatus.FAILED and "disk full" not in job.error


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_job_reports_and_links_the_round(city_admin, version, township, celery_worker):
    """On the real worker (REDIS_URL): the round is its job."""
    child(version, township, name="无学籍")
    screening_round = services.round_start(
        name="排查", school_year=2023, counties=None, actor=city_admin
    )
    job = celery_worker.wait(screening_round.job_id)
    screening_round.refresh_from_db()
    assert screening_round.status == RoundStatus.FINISHED
    assert DropoutCase.objects.get().name == "无学籍"
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result_url == screening_round.get_absolute_url()
    assert job.result["screened"] == 1 and job.result["opened"] == 1
    assert job.message == "已排查 1 名儿童；新建跟踪 1 条；确认已办结跟踪 0 条。"


def test_only_a_city_admin_starts_a_round(
    county_user, county_reviewer, city_user, city_admin, version, township
):
    child(version, township)
    for user in (county_user, county_reviewer, city_user):
        with pytest.raises(PermissionDenied):
            services.round_start(name="x", school_year=2023, counties=None, actor=user)
    assert not ScreeningRound.objects.exists() and not JobRun.objects.exists()

    started = services.round_start(name="x", school_year=2023, counties=None, actor=city_admin)
    stored = ScreeningRound.objects.get()
    assert (stored.pk, stored.name, stored.school_year) == (started.pk, "x", 2023)
    assert list(stored.counties.all()) == [version.county]
    assert list(stored.roster_versions.all()) == [version]
    job = JobRun.objects.get()
    assert (job.pk, job.actor, job.params) == (stored.job_id, city_admin, {"round": stored.pk})


def test_a_round_needs_a_roster(city_admin, county):
    with pytest.raises(ValidationError):
        services.round_start(name="无名单", school_year=2023, counties=[county], actor=city_admin)


def test_changes_since_the_previous_round(city_admin, version, township, school):
    stays = child(version, township, name="仍未入学")
    returns = child(version, township, name="已复学")
    newly = child(version, township, name="新辍学")
    student = registered(newly, school)
    first = run_round(city_admin, screening_date=dt.date(2023, 9, 15))
    registered(returns, school)
    student.status = "dropped_out"
    student.save()
    second = run_round(city_admin, screening_date=dt.date(2023, 10, 10))
    assert selectors.previous_round(second) == first
    assert selectors.previous_round(first) is None

    figures = selectors.round_figures(screening_round=second, user=city_admin)
    assert figures["changes"]["new_suspected"] == 1
    assert figures["changes"]["resolved"] == 1
    assert figures["out_of_school"] == 2
    assert stays.name not in listed_names(city_admin, figures["changes"]["resolved_url"])
    assert listed_names(city_admin, figures["changes"]["new_suspected_url"]) == {"新辍学"}
    assert listed_names(city_admin, figures["changes"]["resolved_url"]) == {"已复学"}


def test_cumulative_person_times_over_rounds(city_admin, version, township, other_county):
    for n in range(4):
        child(version, township, name=f"儿童{n}")
    other_school = SchoolFactory(township__parent=other_county)
    theirs = RosterVersionFactory(county=other_county)
    child(theirs, other_school.township, name="东宁儿童")
    for day in (15, 20, 25):
        run_round(city_admin, screening_date=dt.date(2023, 9, day))
    run_round(city_admin, school_year=2022, screening_date=dt.date(2022, 9, 15))
    totals = selectors.cumulative(user=city_admin, school_year=2023)
    assert (totals["rounds"], totals["person_times"]) == (3, 15)
    assert selectors.cumulative(user=city_admin, school_year=2022)["person_times"] == 5
    hailin = selectors.cumulative(user=city_admin, school_year=2023, county=version.county)
    assert (hailin["rounds"], hailin["person_times"]) == (3, 12)


def test_id_numbers_are_matched_normalised(city_admin, version, township, school):
    """The roster stores normalised numbers (full-width, lower-case x): they meet the registry."""
    kid = child(version, township, name="带X")
    registered(kid, school)
    raw = kid.id_number
    kid.id_number = " " + raw.translate(str.maketrans("0123456789X", "０１２３４５６７８９x"))
    kid.full_clean(exclude=["county"])
    kid.save()
    kid.refresh_from_db()
    assert kid.id_number == raw
    results = results_by_name(run_round(city_admin))
    assert results["带X"].classification == "enrolled_local"
    assert id_for  # the helper makes valid numbers (checked by full_clean above)
