"""Scoping cases of the aid ledgers (the reusable scoping test runs them: tests/core)."""

from __future__ import annotations

from aid.models import OutOfAreaStudent
from tests.aid.factories import (
    AidProgrammeFactory,
    CheckNoteFactory,
    ContactLogFactory,
    DisbursementFactory,
    OutOfAreaStudentFactory,
    PublicityActivityFactory,
    new_id,
)
from tests.scoping import ScopingCase, register


def _county(where):
    """A school, or a row without a school (the generic test may pass the row itself)."""
    return where.county


def _disbursement_data(school, row=None):
    programme = AidProgrammeFactory()
    return {
        "id_number": row.id_number if row else new_id(school.county.code),
        "name": "王小明",
        "programme": programme.pk,
        "school_year": 2022,
        "term": "spring",
        "amount": "500.00",
        "paid_on": "2023-05-10",
        "school": school.pk,
        "category": "dibao",
    }


register(
    ScopingCase(
        label="aid.disbursement",
        make=lambda school: DisbursementFactory(school=school, name=f"{school}受助学生"),
        form_data=_disbursement_data,
        api_data=_disbursement_data,
        marker=lambda row: row.name,
    )
)

register(
    ScopingCase(
        label="aid.checknote",
        make=lambda school: CheckNoteFactory(school=school, name=f"{school}说明学生"),
        marker=lambda row: row.name,
    )
)


def _out_of_area_data(where, row=None):
    county = _county(where)
    return {
        "id_number": row.id_number if row else new_id(county.code),
        "name": "外出学生",
        "county": county.pk,
        "province": "辽宁省",
        "city": "沈阳市",
        "school_name": "沈阳市第二中学",
        "stage": "senior",
        "receives_aid": "unknown",
        "meets_standard": "unknown",
    }


def _out_of_area_api(where, row=None):
    data = _out_of_area_data(where, row)
    data["receives_aid"] = data["meets_standard"] = None
    return data


register(
    ScopingCase(
        label="aid.outofareastudent",
        make=lambda school: OutOfAreaStudentFactory(
            county=school.county, name=f"{school.county}外地学生"
        ),
        form_data=_out_of_area_data,
        api_data=_out_of_area_api,
        marker=lambda row: row.name,
    )
)


def _student_of(county) -> OutOfAreaStudent:
    student = OutOfAreaStudent.objects.filter(county=county).first()
    return student or OutOfAreaStudentFactory(county=county)


def _contact_data(where, row=None):
    return {
        "student": _student_of(_county(where)).pk,
        "method": "letter",
        "contacted_on": "2023-10-20",
        "contacted_by": "张老师",
        "reached": "on",
        "learned": "已核实",
    }


def _contact_api(where, row=None):
    return {**_contact_data(where, row), "reached": True}


register(
    ScopingCase(
        label="aid.contactlog",
        make=lambda school: ContactLogFactory(
            student=_student_of(school.county), contacted_by=f"{school.county}联系人"
        ),
        form_data=_contact_data,
        api_data=_contact_api,
        marker=lambda row: row.contacted_by,
    )
)


def _publicity_data(where, row=None):
    return {
        "county": _county(where).pk,
        "channel": "tv",
        "held_on": "2023-10-01",
        "title": "新闻110解读资助政策",
        "reach": 5000,
    }


register(
    ScopingCase(
        label="aid.publicityactivity",
        make=lambda school: PublicityActivityFactory(
            county=school.county, title=f"{school.county}家长会"
        ),
        form_data=_publicity_data,
        api_data=_publicity_data,
        marker=lambda row: row.title,
    )
)
