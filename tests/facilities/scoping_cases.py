"""Scoping cases of the school-conditions ledgers (the reusable scoping test runs them)."""

from __future__ import annotations

from tests.facilities.factories import (
    FundingAllocationFactory,
    FundingNoteFactory,
    ImprovementProjectFactory,
    KindergartenExemptionFactory,
    MaintenanceEntryFactory,
    RectificationFactory,
    ToiletFindingFactory,
    ToiletInspectionFactory,
)
from tests.factories import TownshipFactory
from tests.scoping import ScopingCase, register


def _project(school, row=None):
    return {
        "school": school.pk,
        "name": row.name if row else "食堂改造",
        "kind": "canteen",
        "school_year": 2023,
        "budget": "300000.00",
        "fund_central": "100000.00",
        "fund_provincial": "0",
        "fund_city": "0",
        "fund_county": "200000.00",
        "fund_other": "0",
        "status": "planned",
        "planned_start": "2023-05-01",
        "planned_end": "2023-09-30",
        "progress": 0,
        "beds_added": 0,
        "beds_left_behind": 0,
    }


register(
    ScopingCase(
        label="facilities.improvementproject",
        make=lambda school: ImprovementProjectFactory(school=school, name=f"{school}宿舍改造"),
        form_data=_project,
        api_data=_project,
        marker=lambda row: row.name,
    )
)


def _township_of(where):
    """A school's township, or (the generic test passes the row itself) the row's county's."""
    county = where.county
    return TownshipFactory(parent=county)


def _exemption(where, row=None):
    township = row.township if row is not None and row.county_id == where.county_id else None
    return {
        "township": (township or _township_of(where)).pk,
        "reason": "无学前适龄儿童",
    }


register(
    ScopingCase(
        label="facilities.kindergartenexemption",
        make=lambda where: KindergartenExemptionFactory(
            township=TownshipFactory(parent=where.county, name=f"{where.county}免设乡"),
            reason=f"{where.county}免设",
        ),
        form_data=_exemption,
        api_data=_exemption,
        marker=lambda row: row.reason,
    )
)


def _allocation(school, row=None):
    return {"school": school.pk, "school_year": 2022, "amount": "65000.00", "note": "拨付"}


register(
    ScopingCase(
        label="facilities.fundingallocation",
        make=lambda school: FundingAllocationFactory(school=school, note=f"{school}拨付"),
        form_data=_allocation,
        api_data=_allocation,
        marker=lambda row: row.note,
    )
)

register(
    ScopingCase(
        label="facilities.fundingnote",
        make=lambda school: FundingNoteFactory(school=school, reason=f"{school}差额说明"),
        marker=lambda row: row.reason,
    )
)


def _inspection(school, row=None):
    return {
        "school": school.pk,
        "kind": "self_check",
        "inspected_on": "2023-07-12",
        "inspector": "县后勤科",
        "blocks_checked": 2,
        "blocks_ok": 2,
    }


register(
    ScopingCase(
        label="facilities.toiletinspection",
        make=lambda school: ToiletInspectionFactory(school=school, inspector=f"{school}检查组"),
        form_data=_inspection,
        api_data=_inspection,
        marker=lambda row: row.inspector,
    )
)


def _finding(school, row=None):
    """A finding POSTed to the API on an inspection of `school` (it opens the rectification)."""
    inspection = ToiletInspectionFactory(school=school)
    return {
        "inspection": inspection.pk,
        "block": "教学楼东侧厕所",
        "toilet_type": "septic",
        "problem": "damaged",
        "responsible_unit": "学校后勤处",
        "deadline": "2023-08-31",
    }


register(
    ScopingCase(
        label="facilities.toiletfinding",
        make=lambda school: ToiletFindingFactory(
            inspection=ToiletInspectionFactory(school=school), block=f"{school}厕所"
        ),
        api_data=_finding,
        marker=lambda row: row.block,
    )
)

register(
    ScopingCase(
        label="facilities.rectification",
        make=lambda school: RectificationFactory(
            finding=ToiletFindingFactory(inspection=ToiletInspectionFactory(school=school)),
            responsible_unit=f"{school}后勤",
        ),
        marker=lambda row: row.responsible_unit,
    )
)


def _maintenance(school, row=None):
    return {"school": school.pk, "done_on": "2023-07-10", "kind": "inspection", "done_by": "王"}


register(
    ScopingCase(
        label="facilities.maintenanceentry",
        make=lambda school: MaintenanceEntryFactory(school=school, note=f"{school}检修"),
        form_data=_maintenance,
        api_data=_maintenance,
        marker=lambda row: row.note,
    )
)
