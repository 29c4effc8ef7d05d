"""Import specs of dropout control: out-of-city enrolments, cohort baselines.

The roster 监测名单 that the rounds screen is shared data: its import spec is in core/imports.py.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing.spec import Column, ImportSpec, Kind, RowInvalid
from core.imports import CHILD_EXAMPLE_ID as EXAMPLE_ID
from core.imports import COUNTY_COLUMN, SCHOOL_YEAR_COLUMN, county_of
from core.models import Locality, RegionLevel
from dropout.models import (
    CohortBaseline,
    OutOfCityEnrolment,
    VerificationMethod,
)

VERIFICATION_WORDS = {
    "信函": VerificationMethod.LETTER,
    "函调": VerificationMethod.LETTER,
    "电话": VerificationMethod.PHONE,
    "电话核实": VerificationMethod.PHONE,
    "省学籍系统": VerificationMethod.PROVINCIAL_REGISTRY,
    "学籍系统": VerificationMethod.PROVINCIAL_REGISTRY,
    "学籍核查": VerificationMethod.PROVINCIAL_REGISTRY,
    "其他": VerificationMethod.OTHER,
}
LOCALITY_WORDS = {"城区": Locality.URBAN, "城镇": Locality.URBAN, "农村": Locality.RURAL}


def _ref_id(value):
    return value.id if value is not None else None


class OutOfCityEnrolmentImportSpec(ImportSpec):
    """Verified schooling outside the city 外地就读核实, one child and school year per row."""

    model = OutOfCityEnrolment
    natural_key = ("id_number", "school_year")
    sheet_title = "外地就读核实"
    columns = (
        Column("name", "姓名", variants=("学生姓名",), required=True, example="王小明"),
        Column("id_number", "身份证号", variants=("身份证号码", "证件号码"), kind=Kind.ID_NUMBER,
               required=True, example=EXAMPLE_ID),
        COUNTY_COLUMN,
        Column("township", "乡镇", variants=("户籍乡镇", "所在乡镇"), kind=Kind.REGION,
               levels=(RegionLevel.TOWNSHIP,), within="county", example="长汀镇"),
        SCHOOL_YEAR_COLUMN,
        Column("place", "就读地", variants=("就读省市", "就读地区"), required=True,
               example="辽宁省沈阳市"),
        Column("school_name", "就读学校", variants=("学校名称", "学校"), required=True,
               example="沈阳市第一小学"),
        Column("grade", "年级", kind=Kind.INT, min_value=1, max_value=12, example=4),
        Column("verified_how", "核实方式", variants=("联系方式", "核实途径"), kind=Kind.CHOICE,
               choices=VerificationMethod, aliases=VERIFICATION_WORDS, required=True,
               example="信函"),
        Column("verified_on", "核实日期", variants=("核实时间",), kind=Kind.DATE, required=True,
               example="2023-09-10"),
        Column("verifier", "核实人", variants=("经办人",), required=True, example="张老师"),
        Column("document", "佐证材料", variants=("证明材料", "函件编号"),
               example="牡教函〔2023〕12号"),
    )  # fmt: skip

    def build_row(self, values: dict, context) -> dict:
        township = values.get("township")
        county_id = county_of(values, context, township)
        if county_id is None:
            raise RowInvalid([("county", _("This column is required."), "required")])
        if township is not None and township.county_id != county_id:
            raise RowInvalid([("township", _("The township is not in the county."), "township")])
        return {
            "id_number": values["id_number"],
            "name": values["name"],
            "county_id": county_id,
            "township_id": _ref_id(township),
            "school_year": values["school_year"],
            "place": values["place"],
            "school_name": values["school_name"],
            "grade": values.get("grade"),
            "verified_how": values["verified_how"],
            "verified_on": values["verified_on"],
            "verifier": values["verifier"],
            "document": values.get("document") or "",
        }


class CohortBaselineImportSpec(ImportSpec):
    """Grade-1 enrolment per county and entry year 入学年份 (the base of the consolidation rate)."""

    model = CohortBaseline
    natural_key = ("county_id", "entry_year", "locality")
    sheet_title = "巩固率基数"
    columns = (
        COUNTY_COLUMN,
        Column("entry_year", "入学年份", variants=("入学年度", "一年级入学年份"),
               kind=Kind.SCHOOL_YEAR, required=True, example="2015"),
        Column("locality", "城乡", variants=("城乡类型",), kind=Kind.CHOICE, choices=Locality,
               aliases=LOCALITY_WORDS, example="",
               help=gettext_lazy("Empty: the whole county.")),
        Column("grade1_enrolment", "一年级在校生数", variants=("一年级人数", "入学人数"),
               kind=Kind.INT, min_value=0, required=True, example=1200),
    )  # fmt: skip

    def build_row(self, values: dict, context) -> dict:
        county_id = county_of(values, context)
        if county_id is None:
            raise RowInvalid([("county", _("This column is required."), "required")])
        return {
            "county_id": county_id,
            "entry_year": values["entry_year"],
            "locality": values.get("locality") or "",
            "grade1_enrolment": values["grade1_enrolment"],
        }

    def describe(self, row: dict, context) -> str:
        return str(row.get("entry_year", ""))
