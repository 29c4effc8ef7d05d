"""Factories of the teacher-staffing ledgers and reference data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from core import idnumbers
from teachers.models import (
    Channel,
    ProgrammeKind,
    RecruitmentPlan,
    Stage,
    Subject,
    Teacher,
    TrainingProgramme,
    TrainingRecord,
)
from tests.factories import SchoolFactory, serial

TEACHER_BORN = dt.date(1990, 4, 12)


def teacher_id(county_code: str, born: dt.date = TEACHER_BORN, male: bool = False) -> str:
    return idnumbers.make(county_code, born, 2 * serial() + (1 if male else 0))  # 0–999


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    birth_date = TEACHER_BORN
    id_number = factory.LazyAttribute(lambda o: teacher_id(o.school.county.code, o.birth_date))
    gender = factory.LazyAttribute(lambda o: idnumbers.gender(o.id_number))
    name = factory.Sequence(lambda n: f"教师{n}")
    stage = Stage.PRIMARY
    subject = Subject.CHINESE
    hired_on = dt.date(2015, 9, 1)


class RecruitmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecruitmentPlan

    county = None  # required: pass county=
    year = 2023
    channel = Channel.SPECIAL_POST
    stage = Stage.PRIMARY
    subject = ""
    posts = 3
    approval_number = "黑教函〔2023〕68号"


class TrainingProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingProgramme
        django_get_or_create = ("year", "name")

    name = "2023年全员继续教育"
    kind = ProgrammeKind.CONTINUING
    year = 2023
    starts_on = dt.date(2023, 3, 1)
    ends_on = dt.date(2023, 11, 30)
    hours_required = Decimal("72")
    max_hours = Decimal("120")


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    teacher = factory.SubFactory(TeacherFactory)
    school = factory.LazyAttribute(lambda o: o.teacher.school)
    county = factory.LazyAttribute(lambda o: o.teacher.school.county)
    programme = factory.SubFactory(TrainingProgrammeFactory)
    hours = Decimal("80")
    completed = True
