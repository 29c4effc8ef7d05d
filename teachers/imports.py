"""Import specs of teacher staffing: the personnel office's teacher sheet 教师花名册 and the
training platform's export 培训平台学时导出.

The teacher sheet is matched on the ID number (importing a number again changes that teacher);
its school is found by code among those the user sees, so a teacher of another county's school is
refused as an unknown school, and a number another county holds gets the neutral refusal of
core.conflicts. A training record's teacher is found by ID number on the user's own roster, its
programme by name; the records' rules (TrainingRecord.clean: the teacher had not left before the
programme, the hours within its most) are applied to each row, with the form's Chinese message.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import idnumbers
from core.importing.spec import Column, ImportSpec, Kind, ReferenceSheet, RowInvalid
from core.imports import GENDER_WORDS, SCHOOL_COLUMN
from core.models import Gender
from teachers.models import (
    Channel,
    Employment,
    Qualification,
    Stage,
    Subject,
    Teacher,
    TeacherStatus,
    Title,
    TrainingProgramme,
    TrainingRecord,
    record_errors,
)

_EXAMPLE_ID = idnumbers.make("231083", dt.date(1990, 4, 12), 24)  # made-up, well-formed

STAGE_WORDS = {
    "幼儿园": Stage.PRESCHOOL,
    "学前": Stage.PRESCHOOL,
    "小学段": Stage.PRIMARY,
    "初中段": Stage.JUNIOR,
    "高中段": Stage.SENIOR,
    "普通高中": Stage.SENIOR,
}
SUBJECT_WORDS = {
    "思想品德": Subject.POLITICS,
    "道德与法制": Subject.POLITICS,
    "政治": Subject.POLITICS,
    "品德与社会": Subject.POLITICS,
    "信息科技": Subject.IT,
    "计算机": Subject.IT,
    "体育与健康": Subject.PE,
    "幼教": Subject.PRESCHOOL,
    "学前": Subject.PRESCHOOL,
}
EMPLOYMENT_WORDS = {
    "在编在岗": Employment.ESTABLISHMENT,
    "事业编制": Employment.ESTABLISHMENT,
    "编内": Employment.ESTABLISHMENT,
    "特岗教师": Employment.SPECIAL_POST,
    "特岗计划": Employment.SPECIAL_POST,
    "代课": Employment.CONTRACT,
    "临聘": Employment.CONTRACT,
    "代课教师": Employment.CONTRACT,
    "合同制": Employment.CONTRACT,
    "支教": Employment.SUPPORTING,
    "顶岗": Employment.SUPPORTING,
    "顶岗支教": Employment.SUPPORTING,
    "交流": Employment.ROTATION,
    "轮岗": Employment.ROTATION,
}
TITLE_WORDS = {
    "无": Title.NONE,
    "未定级": Title.NONE,
    "小学三级": Title.THIRD,
    "小学二级": Title.SECOND,
    "小学一级": Title.FIRST,
    "小学高级": Title.SENIOR,
    "中学三级": Title.THIRD,
    "中学二级": Title.SECOND,
    "中学一级": Title.FIRST,
    "中学高级": Title.SENIOR,
    "正高级": Title.PROFESSOR,
}
QUALIFICATION_WORDS = {
    "中专": Qualification.SECONDARY,
    "高中": Qualification.SECONDARY,
    "大专": Qualification.ASSOCIATE,
    "专科": Qualification.ASSOCIATE,
    "本科": Qualification.BACHELOR,
    "大学本科": Qualification.BACHELOR,
    "研究生": Qualification.MASTER,
    "硕士": Qualification.MASTER,
    "博士": Qualification.DOCTOR,
}
STATUS_WORDS = {
    "在职": TeacherStatus.IN_POST,
    "在岗在编": TeacherStatus.IN_POST,
    "正常": TeacherStatus.IN_POST,
    "休假": TeacherStatus.ON_LEAVE,
    "病假": TeacherStatus.ON_LEAVE,
    "产假": TeacherStatus.ON_LEAVE,
    "离职": TeacherStatus.LEFT,
    "调出": TeacherStatus.LEFT,
    "辞职": TeacherStatus.LEFT,
    "退休": TeacherStatus.RETIRED,
}
CHANNEL_WORDS = {
    "特岗": Channel.SPECIAL_POST,
    "特岗计划": Channel.SPECIAL_POST,
    "雪城优才计划": Channel.XUECHENG,
    "市委书记进校园引才": Channel.SECRETARY,
    "公招": Channel.OPEN,
    "公开招考": Channel.OPEN,
    "定向": Channel.TARGETED,
    "公费师范生": Channel.TARGETED,
}


def _rule_problems(error: ValidationError, row: dict) -> list[tuple[str, str, str]]:
    return [
        (field if field in row or f"{field}_id" in row else "name", message, "rule")
        for field, messages in error.message_dict.items()
        for message in messages
    ]


class TeacherImportSpec(ImportSpec):
    """The personnel sheet: one row per teacher, identified by the ID number."""

    model = Teacher
    natural_key = ("id_number",)
    sheet_title = "教师名册"
    columns = (
        Column("name", "姓名", variants=("教师姓名", "教职工姓名"), required=True, example="赵敏"),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证件号", "证件号码", "身份证号码", "身份证件号码", "公民身份号码"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=_EXAMPLE_ID,
        ),
        Column(
            "gender",
            "性别",
            kind=Kind.CHOICE,
            choices=Gender,
            aliases=GENDER_WORDS,
            example="女",
            help=gettext_lazy("Taken from the ID number when empty; must agree with it."),
        ),
        SCHOOL_COLUMN,
        Column(
            "stage",
            "任教学段",
            variants=("学段", "任课学段"),
            kind=Kind.CHOICE,
            choices=Stage,
            aliases=STAGE_WORDS,
            required=True,
            example="小学",
        ),
        Column(
            "subject",
            "任教学科",
            variants=("学科", "主教学科", "任课学科"),
            kind=Kind.CHOICE,
            choices=Subject,
            aliases=SUBJECT_WORDS,
            required=True,
            example="数学",
        ),
        Column(
            "employment",
            "用工形式",
            variants=("编制情况", "人员类别", "身份类别"),
            kind=Kind.CHOICE,
            choices=Employment,
            aliases=EMPLOYMENT_WORDS,
            example="在编",
            help=gettext_lazy("在编 when empty."),
        ),
        Column(
            "title",
            "职称",
            variants=("专业技术职务", "现聘职称"),
            kind=Kind.CHOICE,
            choices=Title,
            aliases=TITLE_WORDS,
            example="一级教师",
        ),
        Column(
            "qualification",
            "最高学历",
            variants=("学历",),
            kind=Kind.CHOICE,
            choices=Qualification,
            aliases=QUALIFICATION_WORDS,
            example="本科",
        ),
        Column(
            "hired_on",
            "聘用日期",
            variants=("参加工作时间", "入职日期", "参加工作日期"),
            kind=Kind.DATE,
            example="2015-09-01",
        ),
        Column(
            "channel",
            "招聘渠道",
            variants=("补充渠道", "招聘方式"),
            kind=Kind.CHOICE,
            choices=Channel,
            aliases=CHANNEL_WORDS,
            example="特岗教师",
        ),
        Column(
            "status",
            "在岗状态",
            variants=("状态", "人员状态"),
            kind=Kind.CHOICE,
            choices=TeacherStatus,
            aliases=STATUS_WORDS,
            example="在岗",
            help=gettext_lazy("在岗 when empty."),
        ),
        Column("left_on", "离职日期", variants=("离岗日期", "退休日期"), kind=Kind.DATE),
    )
    instructions = (
        gettext_lazy(
            "One row per teacher. Importing an ID number again changes that teacher (a move to "
            "another school of the county is a change of the school column). Hires through a "
            "recruitment plan are entered on the roster's form, which names the plan."
        ),
    )

    def build_row(self, values: dict, context) -> dict:
        number = values["id_number"]
        school = values["school"]
        sex = idnumbers.gender(number)
        if values.get("gender") and values["gender"] != sex:
            raise RowInvalid(
                [("gender", _("The gender does not agree with the ID number."), "gender")]
            )
        row = {
            "id_number": number,
            "name": values["name"],
            "gender": values.get("gender") or sex,
            "birth_date": idnumbers.birth_date(number),
            "school_id": school.id,
            "county_id": school.county_id,
            "stage": values["stage"],
            "subject": values["subject"],
        }
        defaults = {
            "employment": Employment.ESTABLISHMENT,
            "title": Title.NONE,
            "qualification": Qualification.BACHELOR,
            "status": TeacherStatus.IN_POST,
            "channel": "",
        }
        for name, default in defaults.items():
            if name in values:
                row[name] = values[name] or default
        for name in ("hired_on", "left_on"):
            if name in values:
                row[name] = values[name]
        teacher = Teacher(**{**defaults, "hired_on": None, "left_on": None, **row})
        try:
            teacher.clean()  # the form's rules: a leaving date for who left, dates in order
        except ValidationError as error:
            raise RowInvalid(_rule_problems(error, row)) from None
        return row

    def describe(self, row: dict, context) -> str:
        return str(row.get("name", ""))[:200]


PASSED_WORDS = {
    "合格": True,
    "不合格": False,
    "是": True,
    "否": False,
    "已完成": True,
    "未完成": False,
    "通过": True,
    "未通过": False,
    "结业": True,
    "未结业": False,
}


def _word(text) -> str:
    return "".join(str(text or "").split()).lower()


class TrainingRecordImportSpec(ImportSpec):
    """The training platform's export: one row per teacher and programme, the teacher by ID
    number (on the importing user's roster), the programme by its name."""

    model = TrainingRecord
    natural_key = ("teacher_id", "programme_id")
    sheet_title = "培训记录"
    columns = (
        Column("name", "姓名", variants=("学员姓名", "教师姓名"), example="赵敏"),
        Column(
            "id_number",
            "身份证号",
            variants=("身份证件号", "证件号码", "身份证号码", "学员身份证号"),
            kind=Kind.ID_NUMBER,
            required=True,
            example=_EXAMPLE_ID,
        ),
        Column(
            "programme",
            "培训项目",
            variants=("项目名称", "培训项目名称", "班级名称"),
            required=True,
            example="2023年全员继续教育",
        ),
        Column(
            "hours",
            "学时",
            variants=("完成学时", "获得学时", "总学时", "学分"),
            kind=Kind.DECIMAL,
            required=True,
            example="80",
        ),
        Column(
            "completed",
            "是否合格",
            variants=("是否完成", "考核结果", "合格"),
            kind=Kind.BOOL,
            aliases=PASSED_WORDS,
            required=True,
            example="合格",
        ),
        Column(
            "certificate", "证书编号", variants=("证书号", "结业证书编号"), example="JX2023-0001"
        ),
        Column("recorded_on", "完成日期", variants=("结业日期", "登记日期"), kind=Kind.DATE),
    )
    instructions = (
        gettext_lazy(
            "One row per teacher and programme, as the training platform exports it. The "
            "teacher is found by the ID number on your roster; the programme by its name on "
            "the programmes page. Importing a teacher and programme again replaces the hours."
        ),
    )

    def prepare(self, values: dict[str, list], context) -> None:
        numbers = sorted({n for n in values.get("id_number", []) if n})
        teachers = {}
        for start in range(0, len(numbers), 2000):
            rows = (
                Teacher.objects.visible_to(context.user)
                .filter(id_number__in=numbers[start : start + 2000])
                .only("pk", "id_number", "school_id", "county_id", "left_on", "name")
            )
            teachers.update((t.id_number, t) for t in rows)
        context.teachers_found = teachers
        context.teachers_names = {t.pk: t.name for t in teachers.values()}
        programmes: dict[str, list] = {}
        for programme in TrainingProgramme.objects.visible_to(context.user):
            programmes.setdefault(_word(programme.name), []).append(programme)
        context.teachers_programmes = programmes

    def build_row(self, values: dict, context) -> dict:
        problems = []
        teacher = context.teachers_found.get(values["id_number"])
        if teacher is None:
            problems.append(
                ("id_number", _("No teacher with this ID number on your roster."), "unknown")
            )
        found = context.teachers_programmes.get(_word(values["programme"]), [])
        if not found:
            problems.append(("programme", _("No training programme with this name."), "programme"))
        elif len(found) > 1:
            problems.append(
                (
                    "programme",
                    _("Several programmes have this name: give the one of the year."),
                    "programme",
                )
            )
        if problems:
            raise RowInvalid(problems)
        programme = found[0]
        errors = record_errors(
            teacher_left_on=teacher.left_on, programme=programme, hours=values["hours"]
        )
        if values["hours"] is not None and values["hours"] < 0:
            errors["hours"] = _("Hours cannot be negative.")
        if errors:
            raise RowInvalid(
                [
                    ("id_number" if field == "teacher" else field, str(message), "rule")
                    for field, message in errors.items()
                ]
            )
        row = {
            "teacher_id": teacher.pk,
            "programme_id": programme.pk,
            "school_id": teacher.school_id,
            "county_id": teacher.county_id,
            "hours": values["hours"],
            "completed": bool(values["completed"]),
        }
        for name in ("certificate", "recorded_on"):
            if name in values:
                row[name] = (
                    values[name]
                    if values[name] is not None
                    else ("" if name == "certificate" else None)
                )
        return row

    def template_choices(self, column: Column, user) -> list[str]:
        if column.field == "programme":
            rows = TrainingProgramme.objects.visible_to(user).order_by("-year", "name")
            return list(rows.values_list("name", flat=True)[:200])
        return super().template_choices(column, user)

    def reference_sheets(self, user) -> list[ReferenceSheet]:
        meta = TrainingProgramme._meta
        fields = ("name", "year", "kind", "max_hours")
        rows = TrainingProgramme.objects.visible_to(user).order_by("-year", "name")[:500]
        return [
            ReferenceSheet(
                title=str(meta.verbose_name_plural),
                headers=tuple(str(meta.get_field(name).verbose_name) for name in fields),
                rows=[(p.name, p.year, p.get_kind_display(), str(p.max_hours)) for p in rows],
            )
        ]

    def describe(self, row: dict, context) -> str:
        return str(context.teachers_names.get(row["teacher_id"], ""))[:200]
