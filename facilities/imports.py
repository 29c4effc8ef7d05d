"""Import specs of school conditions: the finance office's allocation sheet 公用经费拨付表, the
schools' maintenance logs 运维台账 and the improvement projects 项目台账.

A row's school must be one the importing user sees (an allocation for a school of another county
is refused as an unknown school); the models' own rules (ImprovementProject.clean) are applied to
each row, so a sheet is refused with the same Chinese message as the form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing.spec import Column, ImportSpec, Kind, RowInvalid
from core.imports import SCHOOL_COLUMN, SCHOOL_YEAR_COLUMN
from core.models import School
from facilities.models import (
    FUND_SOURCES,
    FundingAllocation,
    ImprovementProject,
    MaintenanceEntry,
    MaintenanceKind,
    ProjectKind,
    ProjectStatus,
    fen,
)


def _money(values: dict, name: str, problems: list, *, required=False):
    value = values.get(name)
    if value is None:
        if required:
            problems.append((name, _("Enter an amount in yuan."), name))
        return None
    amount = fen(value)
    if amount != value or amount < 0:
        problems.append(
            (name, _("Enter an amount of zero or more in yuan, with at most two decimals."), name)
        )
    return amount


class FundingAllocationImportSpec(ImportSpec):
    """The finance office's sheet: one row per school and school year, the amount allocated."""

    model = FundingAllocation
    natural_key = ("school_id", "school_year")
    sheet_title = "公用经费拨付"
    columns = (
        SCHOOL_COLUMN,
        SCHOOL_YEAR_COLUMN,
        Column(
            "amount",
            "拨付金额",
            variants=("拨付金额（元）", "实际拨付", "实拨金额", "金额", "公用经费"),
            kind=Kind.DECIMAL,
            required=True,
            example="65000.00",
        ),
        Column(
            "allocated_on",
            "拨付日期",
            variants=("拨付时间", "日期"),
            kind=Kind.DATE,
            example="2023-10-20",
        ),
        Column("note", "备注", example=""),
    )
    instructions = (
        gettext_lazy(
            "One row per school and school year. Importing a school and year again replaces "
            "the amount (the change is in the row's history)."
        ),
    )

    def build_row(self, values: dict, context) -> dict:
        problems = []
        amount = _money(values, "amount", problems, required=True)
        if problems:
            raise RowInvalid(problems)
        school = values["school"]
        row = {
            "school_id": school.id,
            "county_id": school.county_id,
            "school_year": values["school_year"],
            "amount": amount,
        }
        for name in ("allocated_on", "note"):
            if name in values:
                row[name] = (
                    values[name] if values[name] is not None else ("" if name == "note" else None)
                )
        return row

    def describe(self, row: dict, context) -> str:
        return f"{context.name_of(School, row['school_id'])} {row['school_year']}"


MAINTENANCE_WORDS = {
    "巡检": MaintenanceKind.INSPECTION,
    "日常巡查": MaintenanceKind.INSPECTION,
    "巡查": MaintenanceKind.INSPECTION,
    "维护": MaintenanceKind.EQUIPMENT,
    "设备维修": MaintenanceKind.EQUIPMENT,
    "维修": MaintenanceKind.EQUIPMENT,
    "清掏": MaintenanceKind.WASTE,
    "粪污清运": MaintenanceKind.WASTE,
    "清运": MaintenanceKind.WASTE,
}


class MaintenanceEntryImportSpec(ImportSpec):
    """A school's maintenance log: one row per inspection, maintenance or waste clearing."""

    model = MaintenanceEntry
    natural_key = ("school_id", "done_on", "kind")
    sheet_title = "厕所运维台账"
    columns = (
        SCHOOL_COLUMN,
        Column(
            "done_on",
            "日期",
            variants=("巡检日期", "清掏日期", "维护日期", "时间"),
            kind=Kind.DATE,
            required=True,
            example="2023-07-10",
        ),
        Column(
            "kind",
            "类别",
            variants=("运维类别", "事项", "类型"),
            kind=Kind.CHOICE,
            choices=MaintenanceKind,
            aliases=MAINTENANCE_WORDS,
            required=True,
            example="粪污清掏",
        ),
        Column(
            "done_by",
            "责任人",
            variants=("经办人", "巡检人", "操作人", "人员"),
            required=True,
            max_length=50,
            example="李师傅",
        ),
        Column("note", "备注", example=""),
    )

    def build_row(self, values: dict, context) -> dict:
        school = values["school"]
        row = {
            "school_id": school.id,
            "county_id": school.county_id,
            "done_on": values["done_on"],
            "kind": values["kind"],
            "done_by": values["done_by"],
        }
        if "note" in values:
            row["note"] = values["note"] or ""
        return row

    def describe(self, row: dict, context) -> str:
        return f"{context.name_of(School, row['school_id'])} {row['done_on']}"


STATUS_WORDS = {
    "计划": ProjectStatus.PLANNED,
    "未开工": ProjectStatus.PLANNED,
    "在建": ProjectStatus.BUILDING,
    "施工中": ProjectStatus.BUILDING,
    "已完工": ProjectStatus.COMPLETED,
    "完工": ProjectStatus.COMPLETED,
    "已验收": ProjectStatus.ACCEPTED,
    "验收": ProjectStatus.ACCEPTED,
}
KIND_WORDS = {
    "教室": ProjectKind.CLASSROOM,
    "教学用房": ProjectKind.CLASSROOM,
    "宿舍": ProjectKind.DORMITORY,
    "学生宿舍": ProjectKind.DORMITORY,
    "食堂": ProjectKind.CANTEEN,
    "厕所": ProjectKind.TOILET,
    "卫生厕所": ProjectKind.TOILET,
    "供暖": ProjectKind.HEATING,
    "取暖": ProjectKind.HEATING,
    "供水": ProjectKind.WATER,
    "饮水": ProjectKind.WATER,
    "运动场": ProjectKind.PLAYGROUND,
    "操场": ProjectKind.PLAYGROUND,
    "寄宿设施": ProjectKind.BOARDING,
}


def _fund(field, header, variants=()):
    return Column(field, header, variants=variants, kind=Kind.DECIMAL, example="0.00")


class ImprovementProjectImportSpec(ImportSpec):
    """The projects ledger 改薄项目台账: one row per project of a school and school year."""

    model = ImprovementProject
    natural_key = ("school_id", "name", "school_year")
    sheet_title = "改善项目"
    columns = (
        SCHOOL_COLUMN,
        Column(
            "name",
            "项目名称",
            variants=("项目",),
            required=True,
            max_length=200,
            example="学生宿舍改造",
        ),
        Column(
            "kind",
            "项目类别",
            variants=("类别", "建设内容"),
            kind=Kind.CHOICE,
            choices=ProjectKind,
            aliases=KIND_WORDS,
            required=True,
            example="学生宿舍",
        ),
        SCHOOL_YEAR_COLUMN,
        Column("remote", "偏远学校", kind=Kind.BOOL, example="否"),
        Column(
            "area_m2",
            "建筑面积",
            variants=("面积", "面积（平方米）"),
            kind=Kind.DECIMAL,
            example="320.00",
        ),
        Column(
            "beds_added", "新增床位", variants=("床位",), kind=Kind.INT, min_value=0, example=40
        ),
        Column(
            "beds_left_behind",
            "其中留守儿童床位",
            variants=("留守儿童床位",),
            kind=Kind.INT,
            min_value=0,
            example=12,
        ),
        Column(
            "budget",
            "预算",
            variants=("总投资", "预算金额", "预算（元）"),
            kind=Kind.DECIMAL,
            required=True,
            example="800000.00",
        ),
        _fund("fund_central", "中央资金", ("中央",)),
        _fund("fund_provincial", "省级资金", ("省级",)),
        _fund("fund_city", "市级资金", ("市级",)),
        _fund("fund_county", "县级资金", ("县级",)),
        _fund("fund_other", "其他资金", ("其他",)),
        Column("funds_note", "资金说明", example=""),
        Column(
            "status",
            "状态",
            variants=("进展状态", "项目状态"),
            kind=Kind.CHOICE,
            choices=ProjectStatus,
            aliases=STATUS_WORDS,
            required=True,
            example="在建",
        ),
        Column(
            "planned_start",
            "计划开工",
            variants=("计划开工日期",),
            kind=Kind.DATE,
            required=True,
            example="2023-05-01",
        ),
        Column(
            "planned_end",
            "计划完工",
            variants=("计划完工日期",),
            kind=Kind.DATE,
            required=True,
            example="2023-08-31",
        ),
        Column(
            "actual_start",
            "实际开工",
            variants=("实际开工日期",),
            kind=Kind.DATE,
            example="2023-05-10",
        ),
        Column("actual_end", "实际完工", variants=("实际完工日期",), kind=Kind.DATE, example=""),
        Column(
            "progress",
            "进度",
            variants=("进度（%）", "完成进度"),
            kind=Kind.INT,
            min_value=0,
            max_value=100,
            example=60,
        ),
        Column("note", "备注", example=""),
    )

    def build_row(self, values: dict, context) -> dict:
        problems = []
        school = values["school"]
        row = {
            "school_id": school.id,
            "county_id": school.county_id,
            "name": values["name"],
            "kind": values["kind"],
            "school_year": values["school_year"],
            "status": values["status"],
            "planned_start": values["planned_start"],
            "planned_end": values["planned_end"],
            "budget": _money(values, "budget", problems, required=True),
        }
        for name in FUND_SOURCES:
            if name in values:
                row[name] = _money(values, name, problems) or fen(0)
        for name in ("area_m2", "actual_start", "actual_end"):
            if name in values:
                row[name] = values[name]
        for name in ("beds_added", "beds_left_behind", "progress"):
            if name in values:
                row[name] = values[name] or 0
        if "remote" in values:
            row["remote"] = bool(values["remote"])
        for name in ("funds_note", "note"):
            if name in values:
                row[name] = values[name] or ""
        if problems:
            raise RowInvalid(problems)
        project = ImprovementProject(**row)
        try:
            project.clean()  # the form's rules: funds over budget without a note, dates, …
        except ValidationError as error:
            raise RowInvalid(
                [
                    (field if field in row else "name", message, "rule")
                    for field, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from None
        return row

    def describe(self, row: dict, context) -> str:
        return str(row.get("name", ""))[:200]
