"""factory-boy factories for the shared schema; every ledger's factory lives here or beside it."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from core import idnumbers
from core.models import (
    HouseholdCategory,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    User,
)
from core.scoping import Role

_serials = itertools.count()


def serial() -> int:
    """The next ID-number sequence (0–499), drawn by every factory that makes ID numbers, so
    that a student and a roster child of the same county and birth date never share one."""
    return next(_serials) % 500


DEMO_PASSWORD = "test-pass-2023"  # noqa: S105


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "231000"
    name = "牡丹江市"
    level = RegionLevel.CITY


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"2310{81 + n % 18:02d}")
    name = factory.Sequence(lambda n: f"第{n}县")
    level = RegionLevel.COUNTY
    parent = factory.SubFactory(CityFactory)


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(CountyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{100 + n % 900:03d}")
    name = factory.Sequence(lambda n: f"第{n}镇")
    level = RegionLevel.TOWNSHIP


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    township = factory.SubFactory(TownshipFactory)
    county = factory.LazyAttribute(lambda o: o.township.parent)
    code = factory.Sequence(lambda n: f"21{n:08d}")
    name = factory.Sequence(lambda n: f"第{n}小学")
    kind = SchoolKind.PRIMARY
    locality = "rural"


class SchoolEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolEnrolment

    school = factory.SubFactory(SchoolFactory)
    school_year = 2023
    enrolment = 120
    boarders = 20


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    birth_date = dt.date(2013, 3, 14)
    id_number = factory.LazyAttribute(
        lambda o: idnumbers.make(o.school.county.code, o.birth_date, serial() * 2 + 1)
    )
    gender = factory.LazyAttribute(lambda o: idnumbers.gender(o.id_number))
    name = factory.Sequence(lambda n: f"学生{n}")
    grade = 4


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.COUNTY_OFFICER
    scope = factory.SubFactory(CountyFactory)
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


# --- The roster --------------------------------------------------------------------------------


def id_for(county_code: str, born: dt.date, male: bool = True) -> str:
    """A valid ID number, not the same as another factory's in the last 500 made."""
    return idnumbers.make(county_code, born, 2 * serial() + (1 if male else 2))


class RosterVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterVersion

    county = None  # required: pass county=
    label = factory.Sequence(lambda n: f"2023年监测名单{n}")


class RosterChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterChild

    township = None  # required: pass township=
    roster_version = factory.LazyAttribute(
        lambda o: (
            RosterVersion.objects.filter(county=o.township.county).first()
            or RosterVersionFactory(county=o.township.county)
        )
    )
    birth_date = dt.date(2013, 3, 14)
    id_number = factory.LazyAttribute(lambda o: id_for(o.township.county.code, o.birth_date))
    gender = factory.LazyAttribute(lambda o: idnumbers.gender(o.id_number))
    name = factory.Sequence(lambda n: f"儿童{n}")
    household_head = "王大山"
    household_category = HouseholdCategory.POVERTY_ALLEVIATED
    village = "红旗村"
    guardian = "王大山"
    phone = "13900000000"
