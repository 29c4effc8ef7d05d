"""Import specs of dropout control: the roster 监测名单, out-of-city enrolments, cohort baselines.

The roster is a versioned snapshot: every import of a roster sheet makes a new RosterVersion per
county in the file and puts every row into it (so a round names exactly the list it screened, and
importing the same file twice makes two identical versions rather than changing the first).
The version is made when the import is committed, inside the import's transaction; a preview
writes nothing. See RosterChildImportSpec.version_for for how the commit is recognised.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import idnumbers
from core.importing.spec import Column, ImportSpec, Kind, RowInvalid
from core.models import Gender, Locality, RegionLevel
from dropout.models import (
    CohortBaseline,
    HouseholdCategory,
    MonitoringType,
    OutOfCityEnrolment,
    RosterChild,
    RosterVersion,
    VerificationMethod,
)

EXAMPLE_BIRTH = "2013-03-14"
EXAMPLE_ID = idnumbers.make("231083", dt.date(2013, 3, 14), 13)

GENDER_WORDS = {"男性": Gender.MALE, "女性": Gender.FEMALE, "男": Gender.MALE, "女": Gender.FEMALE}
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

COUNTY_COLUMN = Column(
    "county",
    "县区",
    variants=("所在县区", "县(市、区)", "县市区", "所属县区"),
    kind=Kind.REGION,
    levels=(RegionLevel.COUNTY,),
    example="海林市",
    help=gettext_lazy("A county user's own county when empty."),
)


def _ref_id(value):
    return value.id if value is not None else None


def _check_person(values: dict, number: str) -> list:
    problems = []
    if values.get("birth_date") and values["birth_date"] != idnumbers.birth_date(number):
        problems.append(
            ("birth_date", _("The birth date does not agree with the ID number."), "birth_date")
        )
    if values.get("gender") and values["gender"] != idnumbers.gender(number):
        problems.append(("gender", _("The gender does not agree with the ID number."), "gender"))
    return problems


def _county_of(values: dict, context, township=None):
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
            example=EXAMPLE_ID,
        ),
        Column("gender", "性别", kind=Kind.CHOICE, choices=Gender, aliases=GENDER_WORDS,
               example="男", help=gettext_lazy("Taken from the ID number when empty.")),
        Column("birth_date", "出生日期", variants=("出生年月日", "出生年月"), kind=Kind.DATE,
               example=EXAMPLE_BIRTH, help=gettext_lazy("Taken from the ID number when empty.")),
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
            variants=("所在乡镇", "乡镇(街道)", "户籍乡镇", "乡(镇)"),
            kind=Kind.REGION,
            levels=(RegionLevel.TOWNSHIP,),
            within="county",
            required=True,
            example="长汀镇",
        ),
        Column("village", "村", variants=("行政村", "所在村", "户籍村", "村(社区)"),
               example="红旗村"),
        Column("guardian", "监护人", variants=("监护人姓名",), example="王大山"),
        Column("phone", "联系电话", variants=("电话", "手机号", "联系方式"), example="13800000000"),
    )  # fmt: skip

    def build_row(self, values: dict, context) -> dict:
        number = values["id_number"]
        township = values["township"]
        problems = _check_person(values, number)
        county_id = _county_of(values, context, township)
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
            label = _("Roster imported %(date)s") % {
                "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")
            }
            version = RosterVersion.objects.create(
                county_id=county_id,
                label=label[:100],
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
        Column("school_year", "学年", variants=("学年度",), kind=Kind.SCHOOL_YEAR, required=True,
               example="2023-2024"),
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
        county_id = _county_of(values, context, township)
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
        county_id = _county_of(values, context)
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
