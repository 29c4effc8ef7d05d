"""The figures of teacher staffing, read from rows: plans against hires by county and channel, the
special-post teacher's three-year service, staffing against the standard at its boundaries and
the small-school rule, and the coverage of rural teachers by the year's continuing education (a
teacher who left mid-year, a teacher moved from an urban to a rural school)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from teachers import selectors
from teachers.models import Employment, StaffingStandard, TeacherStatus
from tests.factories import SchoolFactory, StudentFactory
from tests.teachers.factories import (
    RecruitmentPlanFactory,
    TeacherFactory,
    TrainingProgrammeFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db
HIRED = dt.date(2023, 8, 25)


def test_plans_against_hires_and_teachers_on_duty(county_user, school, other_school):
    plan = RecruitmentPlanFactory(county=school.county, posts=4)
    RecruitmentPlanFactory(county=school.county, channel="xuecheng", posts=2)
    RecruitmentPlanFactory(county=other_school.county, posts=9)
    TeacherFactory(school=school, plan=plan, hired_on=HIRED, reported_on=dt.date(2023, 9, 1))
    TeacherFactory(school=school, plan=plan, hired_on=HIRED, reported_on=dt.date(2023, 9, 1))
    TeacherFactory(school=school, plan=plan, hired_on=HIRED)  # not yet reported for duty
    rows = selectors.plans_vs_hires(county_user, 2023)
    special = next(r for r in rows if r["channel"] == "special_post")
    assert (special["posts"], special["hired"], special["on_duty"], special["vacant"]) == (
        4,
        3,
        2,
        1,
    )
    xuecheng = next(r for r in rows if r["channel"] == "xuecheng")
    assert (xuecheng["posts"], xuecheng["hired"], xuecheng["vacant"]) == (2, 0, 2)
    summary = selectors.summary(county_user, year=2023)
    assert summary["special_post"]["planned"] == 4  # the other county's 9 are not the user's
    assert summary["special_post"]["on_duty"] == 2
    assert [p["channel"] for p in summary["plans"]] == ["special_post", "xuecheng"]
    assert selectors.summary(county_user, year=2022)["special_post"]["planned"] == 0


def test_a_hire_who_left_is_hired_but_not_on_duty(county_user, school):
    plan = RecruitmentPlanFactory(county=school.county, posts=2)
    TeacherFactory(
        school=school,
        plan=plan,
        hired_on=HIRED,
        reported_on=dt.date(2023, 9, 1),
        status=TeacherStatus.LEFT,
        left_on=dt.date(2023, 11, 1),
    )
    (row,) = selectors.plans_vs_hires(county_user, 2023)
    assert (row["hired"], row["on_duty"], row["vacant"]) == (1, 0, 1)


def special(school, year, **fields):
    return TeacherFactory(
        school=school,
        channel="special_post",
        employment=fields.pop("employment", Employment.SPECIAL_POST),
        hired_on=dt.date(year, 9, 1),
        **fields,
    )


def test_the_three_year_service_stayed_left_and_retention(county_user, school):
    special(school, 2020)  # completes its service in 2023, still special-post
    special(school, 2020, employment=Employment.ESTABLISHMENT)  # completes in 2023 and stayed
    special(school, 2019, employment=Employment.ESTABLISHMENT)  # stayed in 2022
    special(school, 2019, status=TeacherStatus.LEFT, left_on=dt.date(2022, 9, 1))  # left
    special(school, 2021)  # serving until 2024
    (row,) = selectors.special_post_service(county_user, 2023)
    assert row["completing"] == 2
    assert row["serving"] == 1
    assert (row["cohort"], row["stayed"], row["left"]) == (4, 2, 1)
    assert row["retention_rate"] == Decimal("50.0")
    (before,) = selectors.special_post_service(county_user, 2022)
    assert (before["cohort"], before["stayed"], before["left"]) == (2, 1, 1)
    assert before["completing"] == 1  # the 2019 teacher who left in 2022 is not completing


def school_with(pupils_by_grade: dict[int, int], **fields):
    school = SchoolFactory(**fields)
    for grade, n in pupils_by_grade.items():
        StudentFactory.create_batch(n, school=school, grade=grade)
    return school


def staffed(user, school):
    return selectors.staffing(user, 2023).get(pk=school.pk)


def test_primary_staffing_at_the_19_to_1_boundary(city_user):
    at = school_with({1: 40, 2: 40, 3: 40, 4: 40, 5: 30}, kind="primary")  # 190 pupils
    over = school_with({1: 40, 2: 40, 3: 40, 4: 40, 5: 31}, kind="primary")  # 191
    for school in (at, over):
        TeacherFactory.create_batch(10, school=school)
    assert staffed(city_user, at).required == 10
    assert staffed(city_user, at).short == 0
    assert staffed(city_user, over).required == 11  # 191 / 19 = 10.05: one more teacher
    assert staffed(city_user, over).short == 1
    assert list(selectors.short_of_teachers(city_user, 2023)) == [over]


def test_junior_and_senior_ratios(city_user):
    junior = school_with({7: 45, 8: 45, 9: 45}, kind="junior")  # 135 / 13.5 = 10
    senior = school_with({10: 50, 11: 50, 12: 51}, kind="senior")  # 151 / 12.5 = 12.08
    assert staffed(city_user, junior).required == 10
    assert staffed(city_user, senior).required == 13
    nine = school_with({5: 19, 8: 27}, kind="nine_year")  # 1 + 2 teachers; under 100 pupils
    assert staffed(city_user, nine).small
    assert staffed(city_user, nine).required == 3  # two grades × 1.5 = 3 as well


def test_a_small_school_is_staffed_by_its_classes(city_user):
    village = school_with({g: 7 for g in range(1, 7)}, kind="primary")  # 42 pupils, 6 classes
    row = staffed(city_user, village)
    assert (row.pupils, row.classes, row.small) == (42, 6, True)
    assert row.required == 9  # 6 classes × 1.5, not ⌈42 / 19⌉ = 3
    large = school_with({g: 17 for g in range(1, 7)}, kind="primary")  # 102 pupils
    row = staffed(city_user, large)
    assert (row.small, row.required) == (False, 6)  # ⌈102 / 19⌉
    point = school_with({1: 50, 2: 60}, kind="teaching_point")  # a teaching point of 110
    assert staffed(city_user, point).small
    assert staffed(city_user, point).required == 6  # ⌈110 / 19⌉ = 6 beats 2 × 1.5 = 3


def test_the_standard_the_city_sets_is_the_one_used(city_user):
    school = school_with({1: 40, 2: 40, 3: 40, 4: 40, 5: 30}, kind="primary")  # 190
    StaffingStandard.objects.create(
        effective_from=2023, primary=Decimal("17"), junior=Decimal("13"), senior=Decimal("12")
    )
    assert staffed(city_user, school).required == 12  # ⌈190 / 17⌉
    assert selectors.staffing(city_user, 2022).get(pk=school.pk).required == 10  # 2014's


def test_teachers_on_leave_or_gone_are_not_in_post(city_user):
    school = school_with({1: 19}, kind="teaching_point")
    TeacherFactory(school=school)
    TeacherFactory(school=school, status=TeacherStatus.ON_LEAVE)
    TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 3, 1))
    row = staffed(city_user, school)
    assert (row.teachers, row.required, row.short) == (1, 2, 1)


def test_subjects_without_a_teacher(city_user):
    primary = SchoolFactory(kind="primary")
    for subject in ("chinese", "maths", "english", "pe", "music"):
        TeacherFactory(school=primary, subject=subject)
    point = SchoolFactory(kind="teaching_point")
    TeacherFactory(school=point, subject="chinese")
    TeacherFactory(school=point, subject="maths")
    rows = list(selectors.missing_subjects(city_user, 2023))
    assert rows == [primary]
    assert selectors.missing_text(rows[0]) == "美术"
    TeacherFactory(school=primary, subject="art", status=TeacherStatus.ON_LEAVE)
    assert list(selectors.missing_subjects(city_user, 2023)) == [primary]  # on leave
    TeacherFactory(school=primary, subject="art")
    assert not selectors.missing_subjects(city_user, 2023).exists()


def test_coverage_counts_rural_teachers_in_post_who_completed(county_user, school):
    programme = TrainingProgrammeFactory()
    urban = SchoolFactory(township=school.township, locality="urban")
    covered = TeacherFactory(school=school)
    TrainingRecordFactory(teacher=covered, programme=programme)
    unfinished = TeacherFactory(school=school)
    TrainingRecordFactory(teacher=unfinished, programme=programme, completed=False, hours=30)
    no_record = TeacherFactory(school=school)
    TeacherFactory(school=urban)  # not rural
    left_mid_year = TeacherFactory(
        school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 6, 30)
    )
    TrainingRecordFactory(teacher=left_mid_year, programme=programme, hours=10, completed=False)
    national = TrainingProgrammeFactory(name="2023年国培", kind="national")
    only_national = TeacherFactory(school=school)
    TrainingRecordFactory(teacher=only_national, programme=national)  # not continuing education
    figures = selectors.coverage(county_user, 2023)
    assert figures == {"covered": 1, "rural_teachers": 4, "rate": Decimal("25.0")}
    uncovered = {t.pk for t in selectors.uncovered(county_user, 2023)}
    assert uncovered == {unfinished.pk, no_record.pk, only_national.pk}
    hours = {t.pk: t.hours for t in selectors.uncovered(county_user, 2023)}
    assert hours[unfinished.pk] == Decimal("30.0") and hours[only_national.pk] is None
    assert left_mid_year.pk not in hours
    assert selectors.summary(county_user, year=2023)["national_training"] == 1


def test_a_teacher_moved_from_an_urban_to_a_rural_school_counts_as_rural(county_user, school):
    programme = TrainingProgrammeFactory()
    urban = SchoolFactory(township=school.township, locality="urban")
    moved = TeacherFactory(school=urban)
    TrainingRecordFactory(teacher=moved, programme=programme)  # completed at the urban school
    assert selectors.coverage(county_user, 2023)["rural_teachers"] == 0
    moved.school = school
    moved.save()
    assert selectors.coverage(county_user, 2023) == {
        "covered": 1,
        "rural_teachers": 1,
        "rate": Decimal("100.0"),
    }


def test_a_teacher_hired_after_the_year_is_not_counted(county_user, school):
    TrainingProgrammeFactory()
    TeacherFactory(school=school, hired_on=dt.date(2024, 2, 1))
    assert selectors.coverage(county_user, 2023) == {
        "covered": 0,
        "rural_teachers": 0,
        "rate": None,
    }
