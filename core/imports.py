"""Import specs of the shared schema: the school list, school enrolments, the registry 学籍, the
roster 监测名单.

The headers are those of the template; the variants are what the provincial registry's export
and other offices' sheets write. Choice columns accept the Chinese labels of the model's choices
(and the English labels and stored values), plus the words below.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar, idnumbers
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
from core.roster import HouseholdCategory, MonitoringType, RosterChild, RosterVersion

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
    "特教学校": SchoolKind.SPECIAL,
    "特殊学校": SchoolKind.SPECIAL,
    "特殊教育": SchoolKind.SPECIAL,
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

# The row's school year 学年 (2023, 2023-2024, 2023学年 → 2023), alike in every import.
SCHOOL_YEAR_COLUMN = Column(
    "school_year",
    "学年",
    variants=("学年度", "年度"),
    kind=Kind.SCHOOL_YEAR,
    required=True,
    example="2023–2024",
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
                (
                    "birth_date",
                    _(
                        "The birth date does not agree with the one in the ID number (its 7th to "
                        "14th characters): check both; write the date as 2012-03-01."
                    ),
                    "birth_date",
                )
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
            variants=("县区", "县（市、区）", "县市区", "所属县区"),
            kind=Kind.REGION,
            levels=(RegionLevel.COUNTY,),
            example="海林市",
            help=gettext_lazy("A county user's own county when empty."),
        ),
        Column(
            "township",
            "乡镇",
            variants=("所在乡镇", "乡镇（街道）", "所属乡镇"),
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
        SCHOOL_YEAR_COLUMN,
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


# --- The roster ------------------------------------------------------------------------------
#
# The roster is a versioned snapshot: every import of a roster sheet makes a new RosterVersion per
# county in the file and puts every row into it (so a round names exactly the list it screened, and
# importing the same file twice makes two identical versions rather than changing the first).
# The version is made when the import is committed, inside the import's transaction; a preview
# writes nothing. See RosterChildImportSpec.version_for for how the commit is recognised.

CHILD_EXAMPLE_BIRTH = "2013-03-14"
CHILD_EXAMPLE_ID = idnumbers.make("231083", dt.date(2013, 3, 14), 13)

ROSTER_GENDER_WORDS = {
    "男性": Gender.MALE,
    "女性": Gender.FEMALE,
    "男": Gender.MALE,
    "女": Gender.FEMALE,
}
CATEGORY_WORDS = {
    "脱贫户": HouseholdCategory.POVERTY_ALLEVIATED,
    "脱贫人口": HouseholdCategory.POVERTY_ALLEVIATED,
    "脱贫家庭": HouseholdCategory.POVERTY_ALLEVIATED,
    "脱贫户(含监测)": HouseholdCategory.POVERTY_ALLEVIATED,
    "监测户": HouseholdCategory.MONITORED,
    "监测对象": HouseholdCategory.MONITORED,
    "防返贫监测户": HouseholdCategory.MONITORED,
    "防返贫监测对象": HouseholdCategory.MONITORED,
}
MONITORING_WORDS = {
    "脱贫不稳定户": MonitoringType.UNSTABLE_ALLEVIATED,
    "脱贫不稳定": MonitoringType.UNSTABLE_ALLEVIATED,
    "边缘易致贫户": MonitoringType.MARGINAL,
    "边缘易致贫": MonitoringType.MARGINAL,
    "突发严重困难户": MonitoringType.SUDDEN_HARDSHIP,
    "突发严重困难": MonitoringType.SUDDEN_HARDSHIP,
}
RISK_WORDS = {
    "已消除": True,
    "未消除": False,
    "消除": True,
    "风险已消除": True,
    "风险未消除": False,
}

COUNTY_COLUMN = Column(
    "county",
    "县区",
    variants=("所在县区", "县（市、区）", "县市区", "所属县区"),
    kind=Kind.REGION,
    levels=(RegionLevel.COUNTY,),
    example="海林市",
    help=gettext_lazy("A county user's own county when empty."),
)


def check_person(values: dict, number: str) -> list:
    problems = []
    if values.get("birth_date") and values["birth_date"] != idnumbers.birth_date(number):
        problems.append(
            (
                "birth_date",
                _(
                    "The birth date does not agree with the one in the ID number (its 7th to "
                    "14th characters): check both; write the date as 2012-03-01."
                ),
                "birth_date",
            )
        )
    if values.get("gender") and values["gender"] != idnumbers.gender(number):
        problems.append(("gender", _("The gender does not agree with the ID number."), "gender"))
    return problems


def county_of(values: dict, context, township=None):
    county = values.get("county")
    if county is not None:
        return county.id
    if township is not None:
        return township.county_id
    return context.county_id


class RosterChildImportSpec(ImportSpec):
    """The roster 监测名单 as the rural-revitalization office sends it: one child per row."""

    model = RosterChild
    natural_key = ("roster_version_id", "id_number")
    sheet_title = "监测名单"
    instructions = (
        gettext_lazy(
            "Each import makes a new roster version: the next screening round uses the newest."
        ),
        gettext_lazy(
            "List every child of the households, of any age: the round picks the school-age ones."
        ),
    )
    columns = (
        Column("name", "姓名", variants=("儿童姓名", "学生姓名", "子女姓名"), required=True,
               example="王小明"),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证号码", "证件号码", "公民身份号码", "身份证件号码"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=CHILD_EXAMPLE_ID,
        ),
        Column("gender", "性别", kind=Kind.CHOICE, choices=Gender, aliases=ROSTER_GENDER_WORDS,
               example="男", help=gettext_lazy("Taken from the ID number when empty.")),
        Column("birth_date", "出生日期", variants=("出生年月日", "出生年月"), kind=Kind.DATE,
               example=CHILD_EXAMPLE_BIRTH,
               help=gettext_lazy("Taken from the ID number when empty.")),
        Column("household_head", "户主姓名", variants=("户主",), example="王大山"),
        Column(
            "household_category",
            "户类型",
            variants=("户类别", "人口类型", "对象类型", "脱贫户/监测户"),
            kind=Kind.CHOICE,
            choices=HouseholdCategory,
            aliases=CATEGORY_WORDS,
            required=True,
            example="脱贫户",
        ),
        Column(
            "monitoring_type",
            "监测类型",
            variants=("监测对象类别", "监测户类型"),
            kind=Kind.CHOICE,
            choices=MonitoringType,
            aliases=MONITORING_WORDS,
            example="",
            help=gettext_lazy("Monitored households only."),
        ),
        Column(
            "risk_eliminated",
            "风险是否消除",
            variants=("风险消除情况", "是否消除风险", "风险状态"),
            kind=Kind.BOOL,
            aliases=RISK_WORDS,
            example="未消除",
            help=gettext_lazy("Monitored households: 已消除 or 未消除."),
        ),
        COUNTY_COLUMN,
        Column(
            "township",
            "乡镇",
            variants=("所在乡镇", "乡镇（街道）", "户籍乡镇", "乡（镇）"),
            kind=Kind.REGION,
            levels=(RegionLevel.TOWNSHIP,),
            within="county",
            required=True,
            example="长汀镇",
        ),
        Column("village", "村", variants=("行政村", "所在村", "户籍村", "村（社区）"),
               example="红旗村"),
        Column("guardian", "监护人", variants=("监护人姓名",), example="王大山"),
        Column("phone", "联系电话", variants=("电话", "手机号", "联系方式"), example="13800000000"),
    )  # fmt: skip

    def build_row(self, values: dict, context) -> dict:
        number = values["id_number"]
        township = values["township"]
        problems = check_person(values, number)
        county_id = county_of(values, context, township)
        if township is not None and county_id is not None and township.county_id != county_id:
            problems.append(("township", _("The township is not in the county."), "township"))
        category = values["household_category"]
        monitoring = values.get("monitoring_type") or ""
        if category == HouseholdCategory.POVERTY_ALLEVIATED and monitoring:
            problems.append(
                (
                    "monitoring_type",
                    _("Only a monitored household has a monitoring type."),
                    "monitoring_type",
                )
            )
        if problems:
            raise RowInvalid(problems)
        return {
            "roster_version_id": self.version_for(county_id, context),
            "county_id": county_id,
            "name": values["name"],
            "id_number": number,
            "gender": values.get("gender") or idnumbers.gender(number),
            "birth_date": values.get("birth_date") or idnumbers.birth_date(number),
            "household_head": values.get("household_head") or "",
            "household_category": category,
            "monitoring_type": monitoring,
            "risk_eliminated": bool(values.get("risk_eliminated")),
            "township_id": township.id,
            "village": values.get("village") or "",
            "guardian": values.get("guardian") or "",
            "phone": values.get("phone") or "",
        }

    def describe(self, row: dict, context) -> str:
        return str(row.get("name", ""))

    # --- the new version of each import -----------------------------------------------------

    def version_for(self, county_id: int | None, context) -> int | None:
        """The new version the row goes into: made (once per county) when the import commits.

        While previewing there is none (every row is new: a version is never changed by an
        import). The commit is recognised by the pipeline's context naming the run it commits
        (`context.run` with `context.committing`); the pipeline as first written passes neither,
        so until it does the commit is recognised as the analysis that runs inside a transaction
        for this user's roster run claimed for commit (status "committing").
        """
        if county_id is None:
            return None
        run = self._committing_run(context)
        if run is None:
            return None
        versions = context.__dict__.setdefault("_roster_versions", {})
        if county_id not in versions:
            # Named after the office's sheet; its list date is the day it is imported (the
            # officer corrects it on the version's page when the sheet is older).
            label = run.file_name.rsplit(".", 1)[0] or _("Imported roster")
            version = RosterVersion.objects.create(
                county_id=county_id,
                label=label[:100],
                as_of=calendar.today(),
                imported_by=run.actor,
                import_run=run,
                source_name=run.file_name[:200],
            )
            versions[county_id] = version.pk
        return versions[county_id]

    def _committing_run(self, context):
        if "_roster_run" in context.__dict__:
            return context.__dict__["_roster_run"]
        run = None
        if hasattr(context, "committing"):
            run = getattr(context, "run", None) if context.committing else None
        elif connection.in_atomic_block:
            from core.importing.models import ImportRun, ImportStatus

            run = (
                ImportRun.objects.filter(
                    ledger=RosterChild._meta.label_lower,
                    actor=context.user,
                    status=ImportStatus.COMMITTING,
                )
                .order_by("-pk")
                .first()
            )
        context.__dict__["_roster_run"] = run
        return run
