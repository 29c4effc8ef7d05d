"""Scoping cases of the teacher-staffing ledgers (the reusable scoping test runs them)."""

from __future__ import annotations

from tests.factories import SchoolFactory
from tests.scoping import ScopingCase, register
from tests.teachers.factories import (
    TEACHER_BORN,
    RecruitmentPlanFactory,
    TeacherFactory,
    TrainingProgrammeFactory,
    TrainingRecordFactory,
    teacher_id,
)


def _teacher(school, row=None):
    number = row.id_number if row else teacher_id(school.county.code)
    return {
        "id_number": number,
        "name": "赵老师",
        "gender": "F" if int(number[16]) % 2 == 0 else "M",
        "birth_date": TEACHER_BORN.isoformat(),
        "school": school.pk,
        "stage": "primary",
        "subject": "maths",
        "employment": "establishment",
        "title": "second",
        "qualification": "bachelor",
        "hired_on": "2016-09-01",
        "status": "in_post",
    }


register(
    ScopingCase(
        label="teachers.teacher",
        make=lambda school: TeacherFactory(school=school, name=f"{school}教师"),
        form_data=_teacher,
        api_data=_teacher,
        marker=lambda row: row.name,
    )
)

_years = iter(range(2000, 2100))


def _plan(where, row=None):
    return {
        "year": row.year if row else next(_years),
        "county": where.county_id,
        "channel": "open",
        "stage": "junior",
        "subject": "english",
        "posts": 4,
        "approval_number": "黑人社函〔2023〕12号",
    }


register(
    ScopingCase(
        label="teachers.recruitmentplan",
        make=lambda school: RecruitmentPlanFactory(
            county=school.county, approval_number=f"{school.county}批复", year=next(_years)
        ),
        form_data=_plan,
        api_data=_plan,
        marker=lambda row: row.approval_number,
        school_make=None,
    )
)


def _teacher_of(school):
    """A teacher of this school (the generic test passes a school, or the row's school)."""
    if not hasattr(school, "code"):
        school = SchoolFactory(township=school.school.township)
    return TeacherFactory(school=school)


def _record(school, row=None):
    return {
        "teacher": (row.teacher if row else _teacher_of(school)).pk,
        "programme": TrainingProgrammeFactory().pk,
        "hours": "76.0",
        "completed": True,
        "certificate": "JX2023-0001",
    }


register(
    ScopingCase(
        label="teachers.trainingrecord",
        make=lambda school: TrainingRecordFactory(
            teacher=TeacherFactory(school=school), certificate=f"{school}证书"
        ),
        form_data=_record,
        api_data=_record,
        marker=lambda row: row.certificate,
    )
)
