"""Factories of the alliances-and-teaching ledgers."""

from __future__ import annotations

import datetime as dt

import factory

from alliances.models import (
    Activity,
    Alliance,
    AllianceMember,
    EntranceQuota,
    OnlineSession,
    TrusteeshipIndicator,
    TrusteeshipPair,
)
from tests.factories import SchoolFactory


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    name = factory.Sequence(lambda n: f"第{n}农村学校联盟")
    level = "county"
    lead_school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.lead_school.county if o.level == "county" else None)
    kind = "compulsory"
    founded_on = dt.date(2022, 9, 1)
    goals = "以强带弱"


class AllianceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllianceMember

    alliance = factory.SubFactory(AllianceFactory)
    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.alliance.county)
    role = "member"
    joined_on = dt.date(2022, 9, 1)


def alliance_with(*schools, level="county", lead=None, **fields) -> Alliance:
    """An alliance led by `lead` (the first school by default) with these member schools."""
    lead = lead or schools[0]
    alliance = AllianceFactory(lead_school=lead, level=level, **fields)
    for school in dict.fromkeys((lead, *schools)):
        AllianceMemberFactory(
            alliance=alliance, school=school, role="lead" if school == lead else "member"
        )
    return alliance


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    held_on = dt.date(2023, 10, 12)
    alliance = factory.LazyAttribute(lambda o: alliance_with(o.school))
    kind = "research"
    action_line = "consolidate"
    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    participants = 20
    summary = "联合教研"

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)


class OnlineSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnlineSession
        skip_postgeneration_save = True

    week = dt.date(2023, 10, 9)
    classroom = "delivery"
    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county)
    subject = "数学"
    grade = 3
    sessions = 2
    minutes = 40

    @factory.post_generation
    def receivers(self, create, extracted, **kwargs):
        if create:
            self.receivers.set(extracted or [SchoolFactory(township=self.school.township)])


class EntranceQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntranceQuota

    year = 2023
    high_school = factory.SubFactory(SchoolFactory, kind="senior", locality="urban")
    junior_school = factory.SubFactory(SchoolFactory, kind="junior")
    county = factory.LazyAttribute(lambda o: o.junior_school.county)
    places = 10
    places_used = 8


class TrusteeshipPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrusteeshipPair

    trustee = "牡丹江市第一高级中学"
    supported_school = factory.SubFactory(SchoolFactory, kind="senior")
    county = factory.LazyAttribute(lambda o: o.supported_school.county)
    started_on = dt.date(2022, 9, 1)
    agreement = "托管帮扶协议"


class TrusteeshipIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrusteeshipIndicator

    pair = factory.SubFactory(TrusteeshipPairFactory)
    county = factory.LazyAttribute(lambda o: o.pair.county)
    year = 2023
    indicator = "teacher_exchanges"
    value = 12
