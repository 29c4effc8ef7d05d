"""Factories of the school-conditions ledgers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from facilities.models import (
    FundingAllocation,
    FundingNote,
    FundingRate,
    ImprovementProject,
    KindergartenExemption,
    MaintenanceEntry,
    Rectification,
    ToiletFinding,
    ToiletInspection,
)
from tests.factories import SchoolFactory, TownshipFactory


class FundingRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRate
        django_get_or_create = ("effective_from",)

    effective_from = 2016
    primary = Decimal("650.00")
    junior = Decimal("850.00")
    boarder_supplement = Decimal("200.00")


class KindergartenExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KindergartenExemption

    township = factory.SubFactory(TownshipFactory)
    county = factory.LazyAttribute(lambda o: o.township.parent)
    reason = "本乡镇无学前适龄儿童"


class ImprovementProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementProject

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    name = factory.Sequence(lambda n: f"学生宿舍改造{n}")
    kind = "dormitory"
    school_year = 2023
    budget = Decimal("500000.00")
    fund_central = Decimal("300000.00")
    fund_county = Decimal("200000.00")
    status = "building"
    planned_start = dt.date(2023, 5, 1)
    planned_end = dt.date(2023, 8, 31)
    actual_start = dt.date(2023, 5, 10)
    progress = 60
    beds_added = 40
    beds_left_behind = 10


class FundingAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingAllocation

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    school_year = 2023
    amount = Decimal("65000.00")


class FundingNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingNote

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    school_year = 2023
    reason = "财政资金分批拨付"


class ToiletInspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToiletInspection

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    kind = "self_check"
    inspected_on = dt.date(2023, 7, 10)
    inspector = "县教育局后勤科"
    blocks_checked = 2
    blocks_ok = 1


class ToiletFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToiletFinding

    inspection = factory.SubFactory(ToiletInspectionFactory)
    school = factory.LazyAttribute(lambda o: o.inspection.school)
    county = factory.LazyAttribute(lambda o: o.inspection.school.county)
    block = "教学楼东侧厕所"
    toilet_type = "septic"
    problem = "damaged"


class RectificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rectification

    finding = factory.SubFactory(ToiletFindingFactory)
    school = factory.LazyAttribute(lambda o: o.finding.school)
    county = factory.LazyAttribute(lambda o: o.finding.school.county)
    responsible_unit = "学校后勤处"
    deadline = dt.date(2023, 8, 15)
    measures = ""


class MaintenanceEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceEntry

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    done_on = dt.date(2023, 7, 10)
    kind = "waste"
    done_by = "李师傅"
