"""Scoping cases of the shared schema's ledgers."""

from __future__ import annotations

import datetime as dt

from core import calendar, idnumbers
from core.models import RosterVersion
from tests.factories import (
    RosterChildFactory,
    RosterVersionFactory,
    SchoolEnrolmentFactory,
    SchoolFactory,
    StudentFactory,
    id_for,
)
from tests.scoping import ScopingCase, register

_serial = iter(range(10_000, 99_999))


def _school_code(school) -> str:
    return f"21{school.county.code[-4:]}{next(_serial) % 10_000:04d}"


register(
    ScopingCase(
        label="core.school",
        make=lambda school: SchoolFactory(
            township=school.township, name=f"{school.county}测试学校"
        ),
        form_data=lambda school, row=None: {
            "code": row.code if row else _school_code(school),
            "name": "改名学校",
            "county": school.county_id,
            "township": school.township_id,
            "kind": "primary",
            "ownership": "public",
            "locality": "rural",
        },
        api_data=lambda school, row=None: {
            "code": row.code if row else _school_code(school),
            "name": "接口学校",
            "county": school.county_id,
            "township": school.township_id,
            "kind": "primary",
            "ownership": "public",
            "locality": "rural",
        },
        marker=lambda row: row.code,
        school_make=lambda school: school,  # a school officer's row of this ledger: its school
    )
)


register(
    ScopingCase(
        label="core.schoolenrolment",
        make=lambda school: SchoolEnrolmentFactory(school=school, school_year=2021, enrolment=321),
        form_data=lambda school, row=None: {
            "school": school.pk,
            "school_year": calendar.current_school_year() - 1,  # a form offers recent years
            "enrolment": 99,
            "boarders": 0,
        },
        api_data=lambda school, row=None: {
            "school": school.pk,
            "school_year": calendar.current_school_year() - 2,
            "enrolment": 98,
            "boarders": 0,
        },
        marker=lambda row: row.school.name,
    )
)


def _student_data(school, row=None):
    born = dt.date(2012, 7, 1)
    number = (
        row.id_number if row else idnumbers.make(school.county.code, born, next(_serial) % 1000)
    )
    return {
        "id_number": number,
        "name": "王小明",
        "gender": idnumbers.gender(number),
        "birth_date": (row.birth_date if row else born).isoformat(),
        "school": school.pk,
        "grade": 5,
        "status": "enrolled",
    }


register(
    ScopingCase(
        label="core.student",
        make=lambda school: StudentFactory(school=school, name=f"{school}学生"),
        form_data=_student_data,
        api_data=_student_data,
        marker=lambda row: row.name,
    )
)


register(
    ScopingCase(
        label="core.region",
        make=lambda school: school.township,
        marker=lambda row: row.code,
        county_filter="parent",
    )
)


# --- The roster ----------------------------------------------------------------------------------

ROSTER_BORN = dt.date(2012, 5, 6)


def _place(thing):
    """(county, township) of a school or of a row with a township."""
    township = getattr(thing, "township", None)
    county = getattr(thing, "county", None) or township.county
    return county, township


def _version(county) -> RosterVersion:
    return RosterVersion.objects.filter(county=county).first() or RosterVersionFactory(
        county=county
    )


def _roster_child_data(thing, row=None):
    county, township = _place(thing)
    return {
        "roster_version": _version(county).pk,
        "name": "李小花",
        "id_number": row.id_number if row else id_for(county.code, ROSTER_BORN, male=False),
        "gender": "F" if not row else row.gender,
        "birth_date": (row.birth_date if row else ROSTER_BORN).isoformat(),
        "household_head": "李大树",
        "household_category": "monitored",
        "monitoring_type": "marginal",
        "risk_eliminated": False,
        "township": township.pk,
        "village": "新丰村",
        "guardian": "李大树",
        "phone": "13800000000",
    }


register(
    ScopingCase(
        label="core.rosterchild",
        make=lambda school: RosterChildFactory(
            township=school.township, name=f"{school.county}儿童"
        ),
        form_data=_roster_child_data,
        api_data=_roster_child_data,
        marker=lambda row: row.name,
    )
)


def _version_data(thing, row=None):
    county, _township = _place(thing)
    return {"county": county.pk, "label": "手工名单", "note": ""}


register(
    ScopingCase(
        label="core.rosterversion",
        make=lambda school: RosterVersionFactory(
            county=school.county, label=f"{school.county}名单"
        ),
        form_data=_version_data,
        api_data=_version_data,
        marker=lambda row: row.label,
    )
)
