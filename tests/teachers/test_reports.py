"""Teacher staffing's section of the weekly county report (the rows as they stood on the week's
last day), its home-page card and its sheet of the weekly dispatch (the dashboard's figures)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.areas import cards_for, dispatch_sections
from core.reporting import selectors as reporting
from core.reporting.periods import Cadence, period_of
from core.reporting.types import WEEKLY
from teachers.models import TeacherStatus
from tests.teachers.factories import (
    RecruitmentPlanFactory,
    TeacherFactory,
    TrainingProgrammeFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db
WEEK = period_of(Cadence.WEEKLY, dt.date(2023, 9, 4))  # Monday 4 – Sunday 10 September 2023


def section(user, county) -> dict:
    sections = reporting.live_figures(WEEKLY, user=user, county=county, period=WEEK)
    (teachers,) = [s for s in sections if s["key"] == "teachers"]
    return {figure.key: figure.value for figure in teachers["figures"]}


def test_the_weekly_section_as_it_stood_at_the_week_s_end(city_user, county, school, other_school):
    programme = TrainingProgrammeFactory()
    plan = RecruitmentPlanFactory(county=county, posts=3)
    done = TeacherFactory(school=school)
    TrainingRecordFactory(teacher=done, programme=programme, recorded_on=dt.date(2023, 6, 1))
    later = TeacherFactory(school=school)  # completes after the week
    TrainingRecordFactory(teacher=later, programme=programme, recorded_on=dt.date(2023, 10, 1))
    TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 9, 8))
    TeacherFactory(school=school, status=TeacherStatus.LEFT, left_on=dt.date(2023, 9, 20))
    TeacherFactory(school=school, hired_on=dt.date(2023, 9, 15))  # hired after the week
    TeacherFactory(
        school=school, plan=plan, hired_on=dt.date(2023, 8, 20), reported_on=dt.date(2023, 9, 1)
    )
    TeacherFactory(
        school=school, plan=plan, hired_on=dt.date(2023, 8, 20), reported_on=dt.date(2023, 9, 12)
    )
    TeacherFactory(school=other_school)
    figures = section(city_user, county)
    # done, later, the one who left after the week and the two hires: 5 on the roster
    assert figures["teachers"] == 5 == figures["rural_teachers"]
    assert figures["special_post_hired"] == 2
    assert figures["special_post_on_duty"] == 1
    assert figures["rural_not_covered"] == 4  # all but `done` on 10 September


def test_the_card_and_the_dispatch_agree_with_the_dashboard(county_user, school, other_school):
    programme = TrainingProgrammeFactory()
    TrainingRecordFactory(teacher=TeacherFactory(school=school), programme=programme)
    TeacherFactory(school=school)
    RecruitmentPlanFactory(county=school.county, posts=4)
    TeacherFactory(school=other_school)
    (card,) = [c for c in cards_for(county_user) if c.area == "teachers"]
    values = {f.label: f.value for f in card.figures}
    assert values["在册教师"] == 2
    assert values["2023年特岗教师计划"] == 4
    assert values["乡村教师继续教育覆盖率"] == "50.0%"
    (sheet,) = [
        s
        for s in dispatch_sections(
            user=county_user, start=dt.date(2023, 9, 4), end=dt.date(2023, 9, 10)
        )
        if s.area == "teachers"
    ]
    assert [row[0] for row in sheet.rows] == [school.county.name, "合计"]
    assert sheet.rows[-1][1:4] == (2, 2, 4)
    assert "在册教师2人" in sheet.paragraph and "50.0%" in sheet.paragraph


def test_the_to_do_lists_rural_teachers_not_covered_and_schools_short(
    county_user, other_county_user, school
):
    from core import todo
    from tests.factories import StudentFactory

    TrainingProgrammeFactory()
    StudentFactory.create_batch(20, school=school, grade=1)  # a class of 20: 2 teachers needed
    TeacherFactory(school=school)
    items = {item.title: item for item in todo.items_for(county_user)}
    assert items["未完成本年度继续教育的乡村教师"].count == 1
    assert items["缺编学校"].count == 1
    assert "/teachers/short/" in items["缺编学校"].url
    theirs = {item.title for item in todo.items_for(other_county_user)}
    assert "缺编学校" not in theirs and "未完成本年度继续教育的乡村教师" not in theirs
