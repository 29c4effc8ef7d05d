"""Import specs of student aid: the schools' payment sheets 资助发放表, and the list of students
studying elsewhere 本地户籍外地就读学生.

A row is one payment of one programme to one student for one term. The natural key is the
database's one-per-term rule (ID number, programme, school year, term): a row identical to the
stored one is "unchanged" (importing the same sheet twice changes nothing); a row with the key of
a stored payment but other values is an error naming that payment — a payment sheet never
overwrites an earlier payment (a correction is made in the form, with its trail). Two rows of one
sheet with the same key are reported by the pipeline ("duplicate of row N").
"""

from __future__ import annotations

import datetime as dt
from decimal import InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aid.models import (
    AidProgramme,
    Disbursement,
    OutOfAreaStudent,
    RecipientCategory,
    Stage,
    Term,
    already_paid_message,
    fen,
)
from core import idnumbers
from core.importing.spec import Column, ImportSpec, Kind, ReferenceSheet, RowInvalid
from core.imports import SCHOOL_COLUMN, SCHOOL_YEAR_COLUMN
from core.models import RegionLevel, Student
from core.scoping import county_of, school_of

TERM_WORDS = {
    "秋季学期": Term.AUTUMN,
    "春季学期": Term.SPRING,
    "秋季": Term.AUTUMN,
    "春季": Term.SPRING,
    "秋": Term.AUTUMN,
    "春": Term.SPRING,
    "上学期": Term.AUTUMN,
    "下学期": Term.SPRING,
    "第一学期": Term.AUTUMN,
    "第二学期": Term.SPRING,
}

CATEGORY_WORDS = {
    "原建档立卡": RecipientCategory.FORMERLY_POOR,
    "原建档立卡学生": RecipientCategory.FORMERLY_POOR,
    "建档立卡": RecipientCategory.FORMERLY_POOR,
    "原建档立卡贫困家庭": RecipientCategory.FORMERLY_POOR,
    "脱贫户": RecipientCategory.FORMERLY_POOR,
    "脱贫家庭": RecipientCategory.FORMERLY_POOR,
    "监测户": RecipientCategory.MONITORED,
    "监测对象": RecipientCategory.MONITORED,
    "防返贫监测对象": RecipientCategory.MONITORED,
    "低保": RecipientCategory.DIBAO,
    "低保户": RecipientCategory.DIBAO,
    "低保家庭": RecipientCategory.DIBAO,
    "特困": RecipientCategory.TEKUN,
    "特困供养": RecipientCategory.TEKUN,
    "特困供养人员": RecipientCategory.TEKUN,
    "残疾": RecipientCategory.DISABLED,
    "残疾学生": RecipientCategory.DISABLED,
    "残疾人家庭": RecipientCategory.DISABLED,
    "其他": RecipientCategory.OTHER,
    "其它": RecipientCategory.OTHER,
}

# A stored payment with the row's key but another value in one of these is a conflict.
COMPARED_FIELDS = ("name", "amount", "paid_on", "school_id", "category")


class DisbursementImportSpec(ImportSpec):
    """The payment sheet a school sends: one row per student, programme and term."""

    model = Disbursement
    natural_key = ("id_number", "programme_id", "school_year", "term")
    sheet_title = "资助发放"
    columns = (
        Column(
            "name", "姓名", variants=("学生姓名", "受助学生姓名"), required=True, example="张三"
        ),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证件号", "证件号码", "身份证号码", "公民身份号码", "学生身份证号"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=idnumbers.make("231083", dt.date(2012, 3, 1), 11),
        ),
        Column(
            "programme",
            "资助项目",
            variants=("项目名称", "资助项目名称", "项目", "资助类型"),
            required=True,
            example="义务教育寄宿生生活补助（小学）",
            help=gettext_lazy("The programme's name or code, as on the programmes page."),
        ),
        SCHOOL_YEAR_COLUMN,
        Column(
            "term",
            "学期",
            variants=("发放学期",),
            kind=Kind.CHOICE,
            choices=Term,
            aliases=TERM_WORDS,
            required=True,
            example="秋季学期",
        ),
        Column(
            "amount",
            "金额",
            variants=("发放金额", "资助金额", "金额（元）"),
            kind=Kind.DECIMAL,
            required=True,
            example="500.00",
        ),
        Column(
            "paid_on",
            "发放日期",
            variants=("发放时间", "资助日期"),
            kind=Kind.DATE,
            required=True,
            example="2023-11-15",
        ),
        SCHOOL_COLUMN,
        Column(
            "category",
            "资助对象类别",
            variants=("对象类别", "学生类别", "困难类别", "家庭经济困难类型"),
            kind=Kind.CHOICE,
            choices=RecipientCategory,
            aliases=CATEGORY_WORDS,
            required=True,
            example="原建档立卡",
        ),
        Column("note", "备注", example=""),
    )
    instructions = (
        gettext_lazy(
            "One row per student, programme and term. A payment already in the ledger cannot be "
            "imported again with other values: correct it in the ledger instead."
        ),
    )

    # --- the template: the programmes, in a drop-down list and on a sheet of their own --------

    def template_choices(self, column: Column, user) -> list[str]:
        if column.field == "programme":
            return list(AidProgramme.objects.filter(active=True).values_list("name", flat=True))
        return super().template_choices(column, user)

    def reference_sheets(self, user) -> list[ReferenceSheet]:
        meta = AidProgramme._meta
        fields = ("code", "name", "stage", "active")
        return [
            ReferenceSheet(
                title=str(meta.verbose_name_plural),
                headers=tuple(str(meta.get_field(name).verbose_name) for name in fields),
                rows=[
                    (p.code, p.name, p.get_stage_display(), _("Yes") if p.active else _("No"))
                    for p in AidProgramme.objects.all()
                ],
                widths=(14, 40, 10, 8),
            )
        ]

    # --- set-based lookups, once per analysis -------------------------------------------------

    def prepare(self, values: dict[str, list], context) -> None:
        """Once per analysis, in bulk: the programmes, the registry students the user sees and
        the stored payments of the sheet's students (locked when committing), kept on the
        context for build_row."""
        numbers = {number for number in values.get("id_number", []) if number}
        years = {year for year in values.get("school_year", []) if year}
        programmes = {}
        for pk, name, code in AidProgramme.objects.values_list("pk", "name", "code"):
            programmes[_word(name)] = pk
            programmes[_word(code)] = pk
        context.aid_programmes = programmes
        context.aid_students = _students(context.user, numbers)
        context.aid_stored = _stored(numbers, years, lock=context.committing)

    # --- one row ------------------------------------------------------------------------------

    def build_row(self, values: dict, context) -> dict:
        number = values["id_number"]
        school = values["school"]
        problems = []
        programme_id = context.aid_programmes.get(_word(values["programme"]))
        if programme_id is None:
            problems.append(
                ("programme", _("No aid programme with this name or code."), "programme")
            )
        try:
            amount = fen(values["amount"])
        except (InvalidOperation, TypeError):
            amount = None
        if amount is None or amount != values["amount"] or amount <= 0:
            problems.append(
                (
                    "amount",
                    _("Enter an amount above zero in yuan, with at most two decimals."),
                    "amount",
                )
            )
        if problems:
            raise RowInvalid(problems)
        student = context.aid_students.get(number)
        row = {
            "id_number": number,
            "name": values["name"],
            "programme_id": programme_id,
            "school_year": values["school_year"],
            "term": values["term"],
            "amount": amount,
            "paid_on": values["paid_on"],
            "school_id": school.id,
            "county_id": school.county_id,
            "category": values["category"],
            "student_id": student.pk if student is not None else None,
        }
        if "note" in values:
            row["note"] = values["note"] or ""
        stored = context.aid_stored.get(
            (number, programme_id, values["school_year"], values["term"])
        )
        if stored is not None and _differs(row, stored):
            raise RowInvalid([("id_number", _existing_message(stored, context), "duplicate")])
        return row

    def describe(self, row: dict, context) -> str:
        return str(row.get("name", ""))[:200]


def _word(text) -> str:
    return "".join(str(text or "").split()).lower()


def _chunks(items: set, size: int = 2000):
    ordered = sorted(items)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _students(user, numbers: set[str]) -> dict[str, Student]:
    """The registry students the user sees with these ID numbers (one query per 2,000)."""
    found = {}
    for chunk in _chunks(numbers):
        rows = Student.objects.visible_to(user).filter(id_number__in=chunk).only("pk", "id_number")
        found.update((student.id_number, student) for student in rows)
    return found


def _stored(numbers: set[str], years: set[int], *, lock: bool) -> dict[tuple, dict]:
    """Stored payments of these students in these school years, by key (one query per 2,000)."""
    found = {}
    fields = ("pk", "id_number", "programme_id", "school_year", "term", "county_id")
    for chunk in _chunks(numbers):
        rows = Disbursement.objects.filter(id_number__in=chunk, school_year__in=years)
        if lock and connection.features.has_select_for_update:
            rows = rows.select_for_update(of=("self",))
        for row in rows.values(*fields, "county__name", "school__name", *COMPARED_FIELDS):
            found[(row["id_number"], row["programme_id"], row["school_year"], row["term"])] = row
    return found


def _differs(row: dict, stored: dict) -> bool:
    return any(row[name] != stored[name] for name in COMPARED_FIELDS)


def _existing_message(stored: dict, context) -> str:
    user_county, user_school = county_of(context.user), school_of(context.user)
    if user_school is not None:  # a school officer: another school's payment is not shown
        shown = stored["school_id"] == user_school
    else:
        shown = user_county is None or stored["county_id"] == user_county
    return already_paid_message(
        pk=stored["pk"],
        school=stored["school__name"],
        paid_on=stored["paid_on"],
        amount=stored["amount"],
        county=stored["county__name"],
        shown=shown,
    )


STAGE_WORDS = {
    "学前": Stage.PRESCHOOL,
    "幼儿园": Stage.PRESCHOOL,
    "小学": Stage.PRIMARY,
    "初中": Stage.JUNIOR,
    "高中": Stage.SENIOR,
    "普通高中": Stage.SENIOR,
    "中职": Stage.VOCATIONAL,
    "职高": Stage.VOCATIONAL,
    "中等职业教育": Stage.VOCATIONAL,
}


class OutOfAreaStudentImportSpec(ImportSpec):
    """The list of locally registered students studying elsewhere, e.g. as the rural-
    revitalization office or the schools elsewhere send it; one row per student and county."""

    model = OutOfAreaStudent
    natural_key = ("county_id", "id_number")
    sheet_title = "外地就读学生"
    columns = (
        Column("name", "姓名", variants=("学生姓名",), required=True, example="张三"),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证件号", "证件号码", "身份证号码", "公民身份号码"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=idnumbers.make("231083", dt.date(2009, 3, 1), 11),
        ),
        Column(
            "county",
            "户籍县区",
            variants=("户籍所在县区", "县区", "县（市、区）"),
            kind=Kind.REGION,
            levels=(RegionLevel.COUNTY,),
            example="海林市",
            help=gettext_lazy("A county user's own county when empty."),
        ),
        Column(
            "household_region",
            "户籍乡镇",
            variants=("户籍所在乡镇", "乡镇"),
            kind=Kind.REGION,
            levels=(RegionLevel.TOWNSHIP,),
            within="county",
            example="长汀镇",
        ),
        Column(
            "province", "就读省份", variants=("省份", "就读省"), required=True, example="吉林省"
        ),
        Column("city", "就读城市", variants=("城市", "就读市"), example="长春市"),
        Column("school_name", "就读学校", variants=("学校", "学校名称"), example="长春市第一中学"),
        Column(
            "stage",
            "学段",
            variants=("就读学段",),
            kind=Kind.CHOICE,
            choices=Stage,
            aliases=STAGE_WORDS,
            required=True,
            example="初中",
        ),
        Column(
            "receives_aid", "是否享受资助", variants=("享受资助",), kind=Kind.BOOL, example="是"
        ),
        Column("aid_programme", "资助项目", variants=("享受资助项目",), example="义务教育生活补助"),
        Column(
            "aid_amount",
            "每学期金额",
            variants=("资助金额", "金额"),
            kind=Kind.DECIMAL,
            example="625.00",
        ),
        Column(
            "meets_standard",
            "是否达到国家标准",
            variants=("达到国家标准", "是否达标"),
            kind=Kind.BOOL,
            example="是",
        ),
        Column(
            "follow_up_needed", "需跟进", variants=("是否需跟进",), kind=Kind.BOOL, example="否"
        ),
        Column("follow_up", "跟进事项", variants=("备注",), example=""),
    )

    def build_row(self, values: dict, context) -> dict:
        county = values.get("county")
        township = values.get("household_region")
        if county is not None:
            county_id = county.id
        elif township is not None:
            county_id = township.county_id
        else:
            county_id = context.county_id
        problems = []
        if county_id is None:
            problems.append(("county", _("This column is required."), "required"))
        if township is not None and county_id is not None and township.county_id != county_id:
            problems.append(
                ("household_region", _("The township is not in the chosen county."), "township")
            )
        amount = values.get("aid_amount")
        if amount is not None and (amount < 0 or fen(amount) != amount):
            problems.append(
                (
                    "aid_amount",
                    _("Enter an amount above zero in yuan, with at most two decimals."),
                    "amount",
                )
            )
        if values.get("receives_aid") is False and (amount or values.get("meets_standard")):
            problems.append(
                (
                    "receives_aid",
                    _("A student who receives no aid has no amount or standard."),
                    "receives_aid",
                )
            )
        if problems:
            raise RowInvalid(problems)
        row = {
            "county_id": county_id,
            "id_number": values["id_number"],
            "name": values["name"],
            "province": values["province"],
            "stage": values["stage"],
        }
        for name in ("city", "school_name", "aid_programme", "follow_up"):
            if name in values:
                row[name] = values[name] or ""
        for name in ("receives_aid", "meets_standard"):
            if name in values:
                row[name] = values[name]
        if "follow_up_needed" in values:
            row["follow_up_needed"] = bool(values["follow_up_needed"])
        if "aid_amount" in values:
            row["aid_amount"] = fen(amount) if amount is not None else None
        if "household_region" in values:
            row["household_region_id"] = township.id if township is not None else None
        return row
