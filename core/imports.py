"""Import specs of the shared schema: the school list, school enrolments and the registry 学籍.

The headers are those of the template; the variants are what the provincial registry's export
and other offices' sheets write. Choice columns accept the Chinese labels of the model's choices
(and the English labels and stored values), plus the words below.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import idnumbers
from core.importing.spec import Column, ImportSpec, Kind, RowInvalid
from core.models import (
    Gender,
    Grade,
    Locality,
    Ownership,
    RegionLevel,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    StudentStatus,
)

_CN_DIGITS = "一二三四五六七八九"

GRADE_WORDS: dict[str, int] = {
    "小班": Grade.K1,
    "中班": Grade.K2,
    "大班": Grade.K3,
    "幼儿园小班": Grade.K1,
    "幼儿园中班": Grade.K2,
    "幼儿园大班": Grade.K3,
    "初一": Grade.G7,
    "初二": Grade.G8,
    "初三": Grade.G9,
    "初中一年级": Grade.G7,
    "初中二年级": Grade.G8,
    "初中三年级": Grade.G9,
    "高一": Grade.G10,
    "高二": Grade.G11,
    "高三": Grade.G12,
    "高中一年级": Grade.G10,
    "高中二年级": Grade.G11,
    "高中三年级": Grade.G12,
    "十年级": Grade.G10,
    "十一年级": Grade.G11,
    "十二年级": Grade.G12,
}
for _number, _digit in enumerate(_CN_DIGITS, start=1):
    GRADE_WORDS[f"{_number}年级"] = _number
    GRADE_WORDS[f"{_digit}年级"] = _number
    GRADE_WORDS[f"小学{_digit}年级"] = _number
for _number in range(10, 13):
    GRADE_WORDS[f"{_number}年级"] = _number

STATUS_WORDS = {
    "在籍在读": StudentStatus.ENROLLED,
    "在籍": StudentStatus.ENROLLED,
    "在校": StudentStatus.ENROLLED,
    "正常": StudentStatus.ENROLLED,
    "已转出": StudentStatus.TRANSFERRED_OUT,
    "已毕业": StudentStatus.GRADUATED,
    "送教": StudentStatus.HOME_DELIVERED,
}

GENDER_WORDS = {"男性": Gender.MALE, "女性": Gender.FEMALE, "1": Gender.MALE, "2": Gender.FEMALE}

SCHOOL_KIND_WORDS = {
    "初中": SchoolKind.JUNIOR,
    "九年制学校": SchoolKind.NINE_YEAR,
    "九年一贯制": SchoolKind.NINE_YEAR,
    "高中": SchoolKind.SENIOR,
    "完中": SchoolKind.COMPLETE_MIDDLE,
    "中职": SchoolKind.VOCATIONAL,
    "职业高中": SchoolKind.VOCATIONAL,
    "职高": SchoolKind.VOCATIONAL,
    "小学教学点": SchoolKind.TEACHING_POINT,
}

OWNERSHIP_WORDS = {"公立": Ownership.PUBLIC, "私立": Ownership.PRIVATE}
LOCALITY_WORDS = {
    "城区": Locality.URBAN,
    "镇区": Locality.URBAN,
    "城市": Locality.URBAN,
    "农村": Locality.RURAL,
}

_EXAMPLE_BIRTH = dt.date(2014, 9, 1)
EXAMPLE_ID = idnumbers.make("231083", _EXAMPLE_BIRTH, 11)  # a made-up, well-formed number

SCHOOL_COLUMN = Column(
    "school",
    "学校标识码",
    variants=("学校代码", "学校识别码", "学校名称", "学校", "就读学校", "所在学校"),
    kind=Kind.SCHOOL,
    required=True,
    example="2123108301",
    help=gettext_lazy("A 学校名称 column may stand for it."),
)


def _ref_id(value):
    return value.id if value is not None else None


class StudentImportSpec(ImportSpec):
    """The registry 学籍, as the provincial registry exports it or as the template has it."""

    model = Student
    natural_key = ("id_number",)
    sheet_title = "学籍"
    columns = (
        Column("name", "姓名", variants=("学生姓名",), required=True, example="张三"),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证件号", "证件号码", "身份证号码", "身份证件号码", "公民身份号码"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=EXAMPLE_ID,
        ),
        Column(
            "gender",
            "性别",
            kind=Kind.CHOICE,
            choices=Gender,
            aliases=GENDER_WORDS,
            example="男",
            help=gettext_lazy("Taken from the ID number when empty; must agree with it."),
        ),
        Column(
            "birth_date",
            "出生日期",
            variants=("出生年月日", "出生年月"),
            kind=Kind.DATE,
            example=_EXAMPLE_BIRTH.isoformat(),
            help=gettext_lazy("Taken from the ID number when empty; must agree with it."),
        ),
        SCHOOL_COLUMN,
        Column(
            "grade",
            "年级",
            variants=("所在年级", "年级名称"),
            kind=Kind.CHOICE,
            choices=Grade,
            aliases=GRADE_WORDS,
            required=True,
            example="四年级",
        ),
        Column(
            "status",
            "学籍状态",
            variants=("学生状态", "在校状态", "状态"),
            kind=Kind.CHOICE,
            choices=StudentStatus,
            aliases=STATUS_WORDS,
            example="在读",
            help=gettext_lazy("在读 when empty."),
        ),
        Column(
            "household_region",
            "户籍所在地",
            variants=("户籍地", "户口所在地", "户籍所在地代码"),
            kind=Kind.REGION,
            levels=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE),
            example="231083",
        ),
    )

    def build_row(self, values: dict, context) -> dict:
        number = values["id_number"]
        school = values["school"]
        born = idnumbers.birth_date(number)
        sex = idnumbers.gender(number)
        problems = []
        if values.get("birth_date") and values["birth_date"] != born:
            problems.append(
                ("birth_date", _("The birth date does not agree with the ID number."), "birth_date")
            )
        if values.get("gender") and values["gender"] != sex:
            problems.append(
                ("gender", _("The gender does not agree with the ID number."), "gender")
            )
        if problems:
            raise RowInvalid(problems)
        row = {
            "id_number": number,
            "name": values["name"],
            "gender": values.get("gender") or sex,
            "birth_date": values.get("birth_date") or born,
            "school_id": school.id,
            "county_id": school.county_id,
            "grade": values["grade"],
        }
        if "status" in values:
            row["status"] = values["status"] or StudentStatus.ENROLLED
        if "household_region" in values:
            row["household_region_id"] = _ref_id(values["household_region"])
        return row


class SchoolImportSpec(ImportSpec):
    """The school list: one row per school, identified by its 10-digit school code."""

    model = School
    natural_key = ("code",)
    columns = (
        Column(
            "code",
            "学校标识码",
            variants=("学校代码", "学校识别码"),
            kind=Kind.CODE,
            pattern=r"\d{10}",
            required=True,
            example="2123108301",
        ),
        Column(
            "name", "学校名称", variants=("学校", "名称"), required=True, example="长汀镇中心小学"
        ),
        Column(
            "county",
            "所在县区",
            variants=("县区", "县(市、区)", "县市区", "所属县区"),
            kind=Kind.REGION,
            levels=(RegionLevel.COUNTY,),
            example="海林市",
            help=gettext_lazy("A county user's own county when empty."),
        ),
        Column(
            "township",
            "乡镇",
            variants=("所在乡镇", "乡镇(街道)", "所属乡镇"),
            kind=Kind.REGION,
            levels=(RegionLevel.TOWNSHIP,),
            within="county",
            example="长汀镇",
        ),
        Column(
            "kind",
            "办学类型",
            variants=("学校类型", "类型"),
            kind=Kind.CHOICE,
            choices=SchoolKind,
            aliases=SCHOOL_KIND_WORDS,
            required=True,
            example="小学",
        ),
        Column(
            "ownership",
            "办学性质",
            variants=("举办者类型", "公办民办"),
            kind=Kind.CHOICE,
            choices=Ownership,
            aliases=OWNERSHIP_WORDS,
            example="公办",
            help=gettext_lazy("公办 when empty."),
        ),
        Column(
            "locality",
            "城乡",
            variants=("城乡类型", "城乡分类"),
            kind=Kind.CHOICE,
            choices=Locality,
            aliases=LOCALITY_WORDS,
            required=True,
            example="乡村",
        ),
        Column("boarding", "寄宿制", variants=("是否寄宿制",), kind=Kind.BOOL, example="否"),
        Column(
            "is_central_kindergarten",
            "乡镇公办中心园",
            variants=("是否乡镇公办中心园", "中心园"),
            kind=Kind.BOOL,
            example="否",
        ),
    )

    def build_row(self, values: dict, context) -> dict:
        county = values.get("county")
        township = values.get("township")
        problems = []
        if county is not None:
            county_id = county.id
        elif township is not None:
            county_id = township.county_id
        else:
            county_id = context.county_id
        if county_id is None:
            problems.append(("county", _("This column is required."), "required"))
        if township is not None and county_id is not None and township.county_id != county_id:
            problems.append(
                ("township", _("The township is not in the school's county."), "township")
            )
        kind = values["kind"]
        if values.get("is_central_kindergarten") and kind != SchoolKind.KINDERGARTEN:
            problems.append(
                (
                    "is_central_kindergarten",
                    _("Only a kindergarten can be a central kindergarten."),
                    "central_kindergarten",
                )
            )
        if problems:
            raise RowInvalid(problems)
        row = {
            "code": values["code"],
            "name": values["name"],
            "county_id": county_id,
            "kind": kind,
            "locality": values["locality"],
        }
        if "township" in values:
            row["township_id"] = _ref_id(township)
        if "ownership" in values:
            row["ownership"] = values["ownership"] or Ownership.PUBLIC
        for flag in ("boarding", "is_central_kindergarten"):
            if flag in values:
                row[flag] = bool(values[flag])
        return row


class SchoolEnrolmentImportSpec(ImportSpec):
    """Enrolment and boarders per school and school year."""

    model = SchoolEnrolment
    natural_key = ("school_id", "school_year")
    columns = (
        SCHOOL_COLUMN,
        Column(
            "school_year",
            "学年",
            variants=("学年度", "年度"),
            kind=Kind.SCHOOL_YEAR,
            required=True,
            example="2023",
        ),
        Column(
            "enrolment",
            "在校生数",
            variants=("在校生", "在校学生数", "学生数"),
            kind=Kind.INT,
            min_value=0,
            required=True,
            example=120,
        ),
        Column(
            "boarders",
            "寄宿生数",
            variants=("寄宿生", "住宿生数"),
            kind=Kind.INT,
            min_value=0,
            example=20,
            help=gettext_lazy("0 when empty."),
        ),
    )

    def build_row(self, values: dict, context) -> dict:
        school = values["school"]
        boarders = values.get("boarders") or 0
        if boarders > values["enrolment"]:
            raise RowInvalid(
                [("boarders", _("There cannot be more boarders than pupils."), "boarders")]
            )
        row = {
            "school_id": school.id,
            "county_id": school.county_id,
            "school_year": values["school_year"],
            "enrolment": values["enrolment"],
        }
        if "boarders" in values:
            row["boarders"] = boarders
        return row

    stored_fields = ("boarders",)

    def check_change(self, row: dict, stored: dict, context) -> list[tuple[str, str, str]]:
        """Without a boarders column the stored boarders stay: the enrolment cannot fall below."""
        if "boarders" not in row and stored["boarders"] > row["enrolment"]:
            message = _(
                "The ledger records %(boarders)s boarders for this school and year; the enrolment "
                "cannot be lower (add a boarders column to change them too)."
            ) % {"boarders": stored["boarders"]}
            return [("enrolment", message, "boarders")]
        return []

    def describe(self, row: dict, context) -> str:
        return f"{context.name_of(School, row['school_id'])} {row['school_year']}"
