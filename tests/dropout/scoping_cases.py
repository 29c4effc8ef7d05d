"""Scoping cases of the dropout ledgers (run by tests/core/test_scoping.py).

`form_data` and `api_data` receive a school — or, for a row without a school, the row itself —
so they take the county and township from whatever they are given.
"""

from __future__ import annotations

import datetime as dt
import itertools

from dropout.models import (
    CaseAction,
    CohortBaseline,
    DropoutCase,
    Exemption,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    ScreeningResult,
    ScreeningRound,
)
from tests.dropout.factories import ResponsibilityFactory
from tests.factories import RosterChildFactory, id_for
from tests.scoping import ScopingCase, register

_serial = itertools.count(1)
BORN = dt.date(2012, 5, 6)


def _place(thing):
    """(county, township) of a school or of a row with a township."""
    township = getattr(thing, "township", None)
    county = getattr(thing, "county", None) or township.county
    return county, township


def _round(county, status="finished") -> ScreeningRound:
    screening_round = ScreeningRound.objects.create(
        name=f"{county}排查{next(_serial)}",
        school_year=2023,
        reference_date=dt.date(2023, 8, 31),
        screening_date=dt.date(2023, 9, 15),
        age_min=6,
        age_max=15,
        status=status,
    )
    screening_round.counties.set([county])
    return screening_round


def _person(county, **extra):
    return {"id_number": id_for(county.code, BORN), "name": f"{county}核实", **extra}


# --- Evidence ----------------------------------------------------------------------------------


def _out_of_city_make(school):
    return OutOfCityEnrolment.objects.create(
        county=school.county,
        township=school.township,
        school_year=2023,
        place="辽宁省沈阳市",
        school_name="沈阳市第一小学",
        verified_how="letter",
        verified_on=dt.date(2023, 9, 10),
        verifier="张老师",
        **_person(school.county),
    )


def _out_of_city_data(thing, row=None):
    county, township = _place(thing)
    person = _person(county)
    if row:
        person["id_number"] = row.id_number
    return {
        **person,
        "county": county.pk,
        "township": township.pk,
        "school_year": 2023,
        "place": "吉林省长春市",
        "school_name": "长春市实验小学",
        "verified_how": "phone",
        "verified_on": "2023-09-12",
        "verifier": "刘老师",
        "document": "",
    }


register(
    ScopingCase(
        label="dropout.outofcityenrolment",
        make=_out_of_city_make,
        form_data=_out_of_city_data,
        api_data=_out_of_city_data,
        marker=lambda row: row.name,
    )
)


def _exemption_make(school):
    return Exemption.objects.create(
        county=school.county,
        township=school.township,
        kind="exemption",
        reason="重度残疾",
        approval_document="教发〔2023〕1号",
        approved_on=dt.date(2023, 8, 1),
        valid_from=dt.date(2023, 9, 1),
        **_person(school.county),
    )


def _exemption_data(thing, row=None):
    county, township = _place(thing)
    person = _person(county)
    if row:
        person["id_number"] = row.id_number
    return {
        **person,
        "county": county.pk,
        "township": township.pk,
        "kind": "deferral",
        "reason": "病休",
        "approval_document": "教发〔2023〕2号",
        "approved_on": "2023-08-02",
        "valid_from": "2023-09-01",
        "valid_until": "2024-08-31",
    }


register(
    ScopingCase(
        label="dropout.exemption",
        make=_exemption_make,
        form_data=_exemption_data,
        api_data=_exemption_data,
        marker=lambda row: row.name,
    )
)

# --- Rounds, results, cases --------------------------------------------------------------------

register(
    ScopingCase(
        label="dropout.screeninground",
        make=lambda school: _round(school.county),
        # POST starts a round (city administrators only): the request a county or school tries
        api_data=lambda school, row=None: {
            "name": "越权排查",
            "school_year": 2023,
            "counties": [school.county_id],
        },
        marker=lambda row: row.name,
    )
)


def _result_make(school):
    child = RosterChildFactory(township=school.township, name=f"{school.county}结果")
    return ScreeningResult.objects.create(
        round=_round(school.county),
        county=school.county,
        roster_child=child,
        id_number=child.id_number,
        name=child.name,
        birth_date=child.birth_date,
        township=school.township,
        household_category=child.household_category,
        classification="suspected",
        match_method="none",
    )


register(
    ScopingCase(label="dropout.screeningresult", make=_result_make, marker=lambda row: row.name)
)


def _case_make(school, name=None):
    return DropoutCase.objects.create(
        county=school.county,
        township=school.township,
        opened_on=dt.date(2023, 9, 15),
        due_on=dt.date(2023, 9, 30),
        **_person(school.county, name=name or f"{school.county}个案"),
    )


register(
    ScopingCase(
        label="dropout.dropoutcase",
        make=_case_make,
        # POST opens a case by hand, in a township: a township outside the caller's scope
        api_data=lambda school, row=None: {
            "id_number": id_for(school.county.code, BORN),
            "name": "越权个案",
            "township": school.township_id,
        },
        marker=lambda row: row.name,
    )
)

register(
    ScopingCase(
        label="dropout.caseaction",
        make=lambda school: CaseAction.objects.create(
            case=_case_make(school, name=f"{school.county}跟踪"),
            date=dt.date(2023, 9, 16),
            kind="home_visit",
            note=f"{school.county}家访记录",
        ),
        marker=lambda row: row.note,
    )
)

# --- Responsibility, spot checks, baselines ----------------------------------------------------


def _responsibility_data(thing, row=None):
    from core.models import School

    county, township = _place(thing or row)  # a township-level row has no school
    return {
        "township": township.pk,
        "school": thing.pk if isinstance(thing, School) else "",  # given a school: the school's
        "line": row.line if row else "education",
        "person": "赵校长",
        "title": "中心学校校长",
        "phone": "0453-6111111",
    }


register(
    ScopingCase(
        label="dropout.responsibility",
        make=lambda school: ResponsibilityFactory(
            township=school.township, person=f"{school.county}责任人"
        ),
        form_data=_responsibility_data,
        api_data=lambda thing, row=None: {
            **_responsibility_data(thing, row),
            "school": _responsibility_data(thing, row)["school"] or None,
        },
        marker=lambda row: row.person,
        school_make=lambda school: ResponsibilityFactory(
            township=school.township, school=school, person=f"{school}责任人"
        ),
    )
)


def _school_of(thing):
    from core.models import School

    if isinstance(thing, School):
        return thing
    return getattr(thing, "school", None) or School.objects.filter(county=thing.county).first()


def _spot_check_data(thing, row=None):
    school = _school_of(thing)
    return {
        "school": school.pk,
        "date": "2023-10-10",
        "inspector": "孙督学",
        "present_count": 0,
        "discrepancy_names": "",
        "explanation": "",
    }


register(
    ScopingCase(
        label="dropout.grade6spotcheck",
        make=lambda school: Grade6SpotCheck.objects.create(
            school=school,
            date=dt.date(2023, 10, 9),
            inspector=f"{school}督学",
            present_count=0,
        ),
        form_data=_spot_check_data,
        api_data=_spot_check_data,
        marker=lambda row: row.inspector,
    )
)


def _baseline_data(thing, row=None):
    county, _township = _place(thing)
    return {
        "county": county.pk,
        "entry_year": 2014,
        "locality": "",
        "grade1_enrolment": 999,
    }


register(
    ScopingCase(
        label="dropout.cohortbaseline",
        make=lambda school: CohortBaseline.objects.create(
            county=school.county,
            entry_year=2015,
            grade1_enrolment=100 + int(school.county.code[-3:]),
        ),
        form_data=_baseline_data,
        api_data=_baseline_data,
        marker=lambda row: str(row.grade1_enrolment),
    )
)
