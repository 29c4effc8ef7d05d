"""Factories of the aid ledgers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from aid.models import (
    AidProgramme,
    AidStandard,
    BoardingRule,
    CheckKind,
    CheckNote,
    ContactLog,
    ContactMethod,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
    Stage,
    Term,
)
from core import idnumbers
from core.models import RosterChild, RosterVersion

_serial = iter(range(1, 10**6))


def new_id(county_code: str = "231083", born: dt.date = dt.date(2012, 3, 1)) -> str:
    """A fresh valid ID number (never the same twice in a test run)."""
    number = next(_serial)
    day = born + dt.timedelta(days=number // 900)
    return idnumbers.make(county_code, day, number % 900 + 1)


class AidProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidProgramme
        django_get_or_create = ("code",)

    code = "YW-JS-XX"
    name = "义务教育寄宿生生活补助（小学）"
    stage = Stage.PRIMARY
    boarding = BoardingRule.BOARDERS


class AidStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidStandard
        django_get_or_create = ("programme", "school_year", "term")

    programme = factory.SubFactory(AidProgrammeFactory)
    school_year = 2023
    term = Term.AUTUMN
    amount = Decimal("500.00")


class DisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disbursement

    id_number = factory.LazyAttribute(lambda o: new_id(o.school.county.code))
    name = factory.Sequence(lambda n: f"受助学生{n}")
    programme = factory.SubFactory(AidProgrammeFactory)
    school_year = 2023
    term = Term.AUTUMN
    amount = Decimal("500.00")
    paid_on = dt.date(2023, 11, 15)
    school = None
    category = RecipientCategory.FORMERLY_POOR


class CheckNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckNote

    check_kind = CheckKind.GAP
    id_number = factory.LazyAttribute(lambda o: new_id(o.school.county.code))
    name = factory.Sequence(lambda n: f"说明学生{n}")
    school = None
    school_year = 2023
    term = Term.AUTUMN
    reason = "已转学，下学期发放"


class OutOfAreaStudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutOfAreaStudent

    county = None
    id_number = factory.LazyAttribute(lambda o: new_id(o.county.code))
    name = factory.Sequence(lambda n: f"外地学生{n}")
    province = "吉林省"
    city = "长春市"
    school_name = "长春市第一中学"
    stage = Stage.JUNIOR


class ContactLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLog

    student = None
    method = ContactMethod.PHONE
    contacted_on = dt.date(2023, 10, 10)
    contacted_by = "李老师"
    reached = True
    learned = "在当地享受生活补助"


class PublicityActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityActivity

    county = None
    channel = "parents_meeting"
    held_on = dt.date(2023, 9, 20)
    title = factory.Sequence(lambda n: f"资助政策宣传{n}")
    reach = 120


STANDARDS_2023 = (
    # code, name, stage, who is paid, amount per term
    ("XQ", "学前教育资助", Stage.PRESCHOOL, BoardingRule.ANY, "500.00"),
    ("YW-JS-XX", "义务教育寄宿生生活补助（小学）", Stage.PRIMARY, BoardingRule.BOARDERS, "500.00"),
    ("YW-FJS-XX", "义务教育非寄宿生生活补助（小学）", Stage.PRIMARY, BoardingRule.DAY, "250.00"),
    ("YW-JS-CZ", "义务教育寄宿生生活补助（初中）", Stage.JUNIOR, BoardingRule.BOARDERS, "625.00"),
    ("YW-FJS-CZ", "义务教育非寄宿生生活补助（初中）", Stage.JUNIOR, BoardingRule.DAY, "312.50"),
    ("GZ-ZXJ", "普通高中国家助学金", Stage.SENIOR, BoardingRule.ANY, "1000.00"),
    ("ZZ-ZXJ", "中职国家助学金", Stage.VOCATIONAL, BoardingRule.ANY, "1000.00"),
)


def make_programmes(school_year: int = 2023) -> dict[str, AidProgramme]:
    """The usual programmes with a standard for both terms of the school year, by code."""
    programmes = {}
    for order, (code, name, stage, boarding, amount) in enumerate(STANDARDS_2023):
        programme = AidProgrammeFactory(
            code=code, name=name, stage=stage, boarding=boarding, sort_order=order
        )
        for term in Term.values:
            AidStandardFactory(
                programme=programme, school_year=school_year, term=term, amount=Decimal(amount)
            )
        programmes[code] = programme
    return programmes


def make_roster(township, children, *, label="2023年秋季监测名单"):
    """A roster version of the township's county with these children.

    `children` is a list of (id_number, name, household_category, risk_eliminated)."""
    version = RosterVersion.objects.create(county_id=township.county_id, label=label)
    for number, name, category, eliminated in children:
        RosterChild.objects.create(
            roster_version=version,
            county_id=township.county_id,
            name=name,
            id_number=number,
            gender=idnumbers.gender(number),
            birth_date=idnumbers.birth_date(number),
            household_category=category,
            risk_eliminated=eliminated,
            township=township,
        )
    return version
