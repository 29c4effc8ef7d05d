"""The demo of student aid: programmes and standards, a school year of disbursements, checks with
something to show, students studying elsewhere with their contacts, publicity.

Runs after the demo city and the dropout demo (whose roster and out-of-city evidence it uses when
they exist). Every figure is generated as rows: the bulletin's 196.63万元 to 2,618 person-times of
formerly registered poor students 原建档立卡 is the sum of 2,618 disbursement rows whose amounts are
the programmes' standards — FORMERLY_POOR_PER_TERM says how many students of each kind are paid
in each term of 2023–2024. Children on the roster come first, then other registry students, then
(in a small registry) students paid by a school but not in the registry (allowed: payment sheets
may name them), with valid ID numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from aid import selectors, services
from aid.models import (
    AidProgramme,
    AidStandard,
    BoardingRule,
    Channel,
    CheckKind,
    CheckNote,
    ContactLog,
    ContactMethod,
    Disbursement,
    OutOfAreaSource,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
    Stage,
    Term,
    refresh_verification,
)
from aid.selectors import current_roster_ids, stage_of
from core import calendar, db, idnumbers
from core.models import (
    HouseholdCategory,
    Region,
    RegionLevel,
    RosterChild,
    School,
    SchoolKind,
    Student,
    StudentStatus,
    User,
)
from core.scoping import Role

SCHOOL_YEAR = 2023
BATCH = 5000

S, B = Stage, BoardingRule
# (code, name, stage, who is paid, checked for the gap list, amount per student per term)
PROGRAMMES = (
    ("XQ-ZZ", "学前教育资助", S.PRESCHOOL, B.ANY, True, "500.00"),
    ("YW-JS-XX", "义务教育寄宿生生活补助（小学）", S.PRIMARY, B.BOARDERS, True, "500.00"),
    ("YW-JS-CZ", "义务教育寄宿生生活补助（初中）", S.JUNIOR, B.BOARDERS, True, "625.00"),
    ("YW-FJS-XX", "义务教育非寄宿生生活补助（小学）", S.PRIMARY, B.DAY, True, "250.00"),
    ("YW-FJS-CZ", "义务教育非寄宿生生活补助（初中）", S.JUNIOR, B.DAY, True, "312.50"),
    ("GZ-ZXJ", "普通高中国家助学金", S.SENIOR, B.ANY, True, "1000.00"),
    ("GZ-MXZF", "普通高中免学杂费", S.SENIOR, B.ANY, True, "600.00"),
    ("ZZ-MXF", "中职免学费", S.VOCATIONAL, B.ANY, True, "1000.00"),
    ("ZZ-ZXJ", "中职国家助学金", S.VOCATIONAL, B.ANY, True, "1000.00"),
    # Added by the city: the rural-revitalization office's grant to vocational students of
    # formerly poor families (not part of the gap check: not every student is entitled).
    ("YLJH", "雨露计划职业教育补助", S.VOCATIONAL, B.ANY, False, "1500.00"),
)  # fmt: skip

# A kind of student: the stage and whether the school boards; the programmes it is paid.
KINDS = {
    "P": (Stage.PRESCHOOL, None, ("XQ-ZZ",)),
    "PB": (Stage.PRIMARY, True, ("YW-JS-XX",)),
    "PD": (Stage.PRIMARY, False, ("YW-FJS-XX",)),
    "JB": (Stage.JUNIOR, True, ("YW-JS-CZ",)),
    "JD": (Stage.JUNIOR, False, ("YW-FJS-CZ",)),
    "S": (Stage.SENIOR, None, ("GZ-ZXJ", "GZ-MXZF")),
    "V": (Stage.VOCATIONAL, None, ("ZZ-MXF", "ZZ-ZXJ")),
}
# Formerly registered poor students paid in each term: 1,309 rows and 983,150.00 yuan a term,
# hence 2,618 person-times and 1,966,300.00 yuan over the school year (the bulletin's figures).
# Vocational students also get 雨露计划 (the third row of "V").
FORMERLY_POOR_PER_TERM = {"P": 60, "PB": 146, "PD": 95, "JB": 120, "JD": 80, "S": 254, "V": 100}
FORMERLY_POOR_EXTRA = {"V": ("YLJH",)}
# Other categories, students per kind (each paid both terms).
OTHER_CATEGORIES = (
    (RecipientCategory.DIBAO, {"P": 20, "PB": 40, "PD": 50, "JB": 40, "JD": 40, "S": 40, "V": 20}),
    (RecipientCategory.TEKUN, {"PB": 8, "JB": 8, "S": 6, "V": 4}),
    (RecipientCategory.DISABLED, {"P": 4, "PD": 10, "JD": 8, "S": 6, "V": 4}),
    (RecipientCategory.OTHER, {"P": 10, "PD": 20, "JD": 15, "S": 10}),
)
GAP_STUDENTS = 8  # roster children left unpaid, so that the gap list has something to show
GAP_REASONS = (
    "学生已于学期中转学至外省，已函告转入地学校资助部门",
    "家长尚未提交资助申请材料，已电话督促，下月补发",
    "学校资助名单漏报，已责令补报并于下批次发放",
)
BELOW_STANDARD_ROWS = 5
CROSS_COUNTY_DUPLICATES = 3

TERM_DATES = {Term.AUTUMN: (dt.date(2023, 10, 9), 60), Term.SPRING: (dt.date(2024, 4, 8), 60)}

OUT_OF_AREA_PLACES = (
    ("吉林省", "长春市", "长春市第十一高级中学", Stage.SENIOR),
    ("辽宁省", "沈阳市", "沈阳市第一二〇中学", Stage.SENIOR),
    ("辽宁省", "大连市", "大连市甘井子区红旗小学", Stage.PRIMARY),
    ("北京市", "朝阳区", "北京市朝阳区实验小学", Stage.PRIMARY),
    ("山东省", "青岛市", "青岛市城阳区第七中学", Stage.JUNIOR),
    ("浙江省", "宁波市", "宁波市北仑区职业高级中学", Stage.VOCATIONAL),
    ("天津市", "滨海新区", "天津市滨海新区塘沽第一中学", Stage.SENIOR),
    ("河北省", "廊坊市", "廊坊市第四中学", Stage.JUNIOR),
    ("江苏省", "苏州市", "苏州工业园区星海小学", Stage.PRIMARY),
    ("广东省", "东莞市", "东莞市长安实验中学", Stage.JUNIOR),
    ("吉林省", "延吉市", "延边第一中学", Stage.SENIOR),
    ("黑龙江省", "哈尔滨市", "哈尔滨市第三中学", Stage.SENIOR),
)
PUBLICITY_TITLES = {
    Channel.OFFICIAL_ACCOUNT: "学生资助政策问答（%s）",
    Channel.PARENTS_MEETING: "秋季开学家长会资助政策解读（%s）",
    Channel.BROADCAST: "乡村广播：家庭经济困难学生资助政策（%s）",
    Channel.NEWSPAPER: "《牡丹江日报》资助政策专版（%s）",
    Channel.BROCHURE: "发放《学生资助政策简介》宣传册（%s）",
    Channel.TV: "新闻110：现场解读国家学生资助政策（%s）",
    Channel.OTHER: "资助政策进村入户宣讲（%s）",
}


@dataclass
class Pupil:
    """Someone who can be paid: a registry student, or one made up for a small registry."""

    id_number: str
    name: str
    school_id: int
    county_id: int
    student_id: int | None


def _say(stdout):
    return (
        (lambda message: stdout.write(message + "\n")) if stdout is not None else (lambda m: None)
    )


def wipe() -> None:
    """Delete every aid row (before the demo city is wiped: they refer to its schools)."""
    ContactLog.objects.all().delete()
    OutOfAreaStudent.objects.all().delete()
    CheckNote.objects.all().delete()
    Disbursement.objects.all().delete()
    PublicityActivity.objects.all().delete()
    AidStandard.objects.all().delete()
    AidProgramme.objects.all().delete()


def build_programmes() -> dict[str, tuple[AidProgramme, dict[str, Decimal]]]:
    programmes = {}
    for order, (code, name, stage, boarding, gap, amount) in enumerate(PROGRAMMES, start=1):
        programme = AidProgramme.objects.create(
            code=code,
            name=name,
            stage=stage,
            boarding=boarding,
            counts_for_gap=gap,
            sort_order=order * 10,
        )
        amounts = {}
        for term in Term.values:
            standard = AidStandard.objects.create(
                programme=programme, school_year=SCHOOL_YEAR, term=term, amount=Decimal(amount)
            )
            amounts[term] = standard.amount
        programmes[code] = (programme, amounts)
    return programmes


def _kind_of(grade: int, school_kind: str, boarding: bool) -> str:
    stage = stage_of(grade, school_kind)
    return {
        Stage.PRESCHOOL: "P",
        Stage.PRIMARY: "PB" if boarding else "PD",
        Stage.JUNIOR: "JB" if boarding else "JD",
        Stage.SENIOR: "S",
        Stage.VOCATIONAL: "V",
    }[stage]


def _roster() -> tuple[set[str], set[str]]:
    """(poverty-alleviated, monitored with risk not eliminated) ID numbers on the current
    roster; empty without a roster (the dropout demo imports one)."""
    current = set(current_roster_ids().values_list("id_number", flat=True))
    if not current:
        return set(), set()
    monitored = set(
        RosterChild.objects.filter(
            id_number__in=current, household_category=HouseholdCategory.MONITORED
        ).values_list("id_number", flat=True)
    )
    return current - monitored, monitored


class _Synthetic:
    """Students paid by a school but not in the registry, with valid and unused ID numbers."""

    GRADE = {"P": -2, "PB": 4, "PD": 3, "JB": 8, "JD": 7, "S": 11, "V": 11}

    def __init__(self, rng: random.Random, used: set[str]):
        from core.demo import _surname_picker, person_name

        self.rng, self.used = rng, used
        self.surnames, self.person_name = _surname_picker(), person_name
        self.schools: dict[str, list[School]] = defaultdict(list)
        teaching: dict[str, list[School]] = defaultdict(list)
        for school in School.objects.select_related("county").order_by("code"):
            for kind, (stage, boarding, _codes) in KINDS.items():
                if self._teaches(school, stage):
                    teaching[kind].append(school)
                    if boarding in (None, school.boarding):
                        self.schools[kind].append(school)
        for kind, schools in teaching.items():  # no school boards (or none is a day school)
            self.schools[kind] = self.schools[kind] or schools

    @staticmethod
    def _teaches(school: School, stage: str) -> bool:
        return {
            Stage.PRESCHOOL: school.kind == SchoolKind.KINDERGARTEN,
            Stage.PRIMARY: school.kind
            in (SchoolKind.PRIMARY, SchoolKind.NINE_YEAR, SchoolKind.TEACHING_POINT),
            Stage.JUNIOR: school.kind
            in (SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_MIDDLE),
            Stage.SENIOR: school.kind in (SchoolKind.SENIOR, SchoolKind.COMPLETE_MIDDLE),
            Stage.VOCATIONAL: school.kind == SchoolKind.VOCATIONAL,
        }[stage]

    def identity(self, county_code: str, kind: str) -> tuple[str, str]:
        """A new ID number (born for the kind's grade, registered in the county) and a name."""
        grade = self.GRADE[kind]
        age = grade + 5 if grade > 0 else grade + 6
        first = calendar.school_year_start(SCHOOL_YEAR - age - 1)
        while True:
            born = first + dt.timedelta(days=self.rng.randrange(365))
            male = self.rng.random() < 0.52
            sequence = 2 * self.rng.randrange(0, 499) + (1 if male else 2)
            number = idnumbers.make(county_code, born, sequence)
            if number not in self.used:
                break
        self.used.add(number)
        return number, self.person_name(self.rng, self.surnames, male)

    def make(self, kind: str) -> Pupil | None:
        schools = self.schools.get(kind)
        if not schools:
            return None
        school = self.rng.choice(schools)
        number, name = self.identity(school.county.code, kind)
        return Pupil(number, name, school.pk, school.county_id, None)


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the aid demo into a database that holds the demo city (call inside an atomic)."""
    say = _say(stdout)
    programmes = build_programmes()
    say(_("Aid programmes: %(count)d") % {"count": len(programmes)})

    # Registry students by kind; roster children first.
    poor, monitored = _roster()
    by_kind: dict[str, list[Pupil]] = defaultdict(list)
    roster_kind: dict[str, list[Pupil]] = defaultdict(list)
    monitored_pupils: list[tuple[str, Pupil]] = []
    rows = (
        Student.objects.filter(status=StudentStatus.ENROLLED)
        .order_by("pk")
        .values_list(
            "pk", "id_number", "name", "grade", "school_id", "county_id", "school__kind",
            "school__boarding",
        )
    )  # fmt: skip
    used: set[str] = set()
    for pk, number, name, grade, school_id, county_id, kind, boarding in rows.iterator(
        chunk_size=BATCH
    ):
        used.add(number)
        pupil = Pupil(number, name, school_id, county_id, pk)
        group = _kind_of(grade, kind, boarding)
        if number in poor:
            roster_kind[group].append(pupil)
        elif number in monitored:
            monitored_pupils.append((group, pupil))
        else:
            by_kind[group].append(pupil)
    for pool in (*by_kind.values(), *roster_kind.values()):
        rng.shuffle(pool)
    synthetic = _Synthetic(rng, used)

    # A few roster children are left unpaid: the gap list's demo rows.
    gap_pupils: list[Pupil] = []
    for group in ("PB", "PD", "JB", "JD", "P", "S"):
        while roster_kind[group] and len(gap_pupils) < GAP_STUDENTS:
            gap_pupils.append(roster_kind[group].pop())
            if len(gap_pupils) % 2 == 0:
                break

    payments: list[Disbursement] = []
    made_up = 0

    def pay(pupil: Pupil, codes, category: str, terms=Term.values) -> None:
        for term in terms:
            start, days = TERM_DATES[term]
            paid_on = start + dt.timedelta(days=rng.randrange(days))
            for code in codes:
                programme, amounts = programmes[code]
                payments.append(
                    Disbursement(
                        id_number=pupil.id_number,
                        name=pupil.name,
                        student_id=pupil.student_id,
                        programme=programme,
                        school_year=SCHOOL_YEAR,
                        term=term,
                        amount=amounts[term],
                        paid_on=paid_on,
                        school_id=pupil.school_id,
                        county_id=pupil.county_id,
                        category=category,
                    )
                )

    def take(group: str, *, roster_first: bool) -> Pupil | None:
        nonlocal made_up
        for pool in (roster_kind[group] if roster_first else [], by_kind[group]):
            if pool:
                return pool.pop()
        made_up += 1
        return synthetic.make(group)

    # 1. Formerly registered poor: the bulletin's 2,618 person-times and 1,966,300.00 yuan.
    for group, count in FORMERLY_POOR_PER_TERM.items():
        codes = KINDS[group][2] + FORMERLY_POOR_EXTRA.get(group, ())
        for _n in range(count):
            pupil = take(group, roster_first=True)
            if pupil is not None:
                pay(pupil, codes, RecipientCategory.FORMERLY_POOR)
    # 2. Roster children beyond those places are paid too (as 低保), monitored ones as such.
    for group, pool in roster_kind.items():
        while pool:
            pay(pool.pop(), KINDS[group][2], RecipientCategory.DIBAO)
    for group, pupil in monitored_pupils:
        pay(pupil, KINDS[group][2], RecipientCategory.MONITORED)
    # 3. Other categories, from the rest of the registry.
    for category, counts in OTHER_CATEGORIES:
        for group, count in counts.items():
            for _n in range(count):
                pupil = take(group, roster_first=False)
                if pupil is not None:
                    pay(pupil, KINDS[group][2], category)

    # 4. Below the standard: a few spring payments of 低保 students cut short.
    spring_dibao = [
        p for p in payments if p.category == RecipientCategory.DIBAO and p.term == Term.SPRING
    ]
    for payment in rng.sample(spring_dibao, min(BELOW_STANDARD_ROWS, len(spring_dibao))):
        payment.amount = (payment.amount * Decimal("0.8")).quantize(Decimal("0.01"))
        payment.note = "按学校测算标准发放，待核实"

    # 5. Paid by two counties: a student paid by their school and again by another county.
    others = [
        p
        for p in payments
        if p.category == RecipientCategory.OTHER
        and p.term == Term.AUTUMN
        and p.programme.code in ("YW-FJS-XX", "YW-FJS-CZ")
    ]
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    boarding_schools = defaultdict(list)
    for school in School.objects.filter(boarding=True).order_by("code"):
        boarding_schools[school.county_id].append(school)
    duplicates = 0
    for payment in others[:CROSS_COUNTY_DUPLICATES]:
        elsewhere = [c for c in counties if c.pk != payment.county_id and boarding_schools[c.pk]]
        if not elsewhere:
            break
        county = rng.choice(elsewhere)
        school = rng.choice(boarding_schools[county.pk])
        code = "YW-JS-XX" if payment.programme.code == "YW-FJS-XX" else "YW-JS-CZ"
        programme, amounts = programmes[code]
        payments.append(
            Disbursement(
                id_number=payment.id_number,
                name=payment.name,
                programme=programme,
                school_year=SCHOOL_YEAR,
                term=Term.AUTUMN,
                amount=amounts[Term.AUTUMN],
                paid_on=payment.paid_on + dt.timedelta(days=7),
                school=school,
                county=county,
                category=RecipientCategory.OTHER,
                note="转学前后两地学校均已发放",
            )
        )
        duplicates += 1
    Disbursement.objects.bulk_create(payments, batch_size=BATCH)
    say(
        _("Aid disbursements: %(count)s (%(outside)d students not in the registry)")
        % {"count": f"{len(payments):,}", "outside": made_up}
    )

    # 6. Reasons recorded on some gap rows.
    notes = []
    schools = {s.pk: s for s in School.objects.filter(pk__in={p.school_id for p in gap_pupils})}
    for index, pupil in enumerate(gap_pupils[: len(GAP_REASONS)]):
        notes.append(
            CheckNote(
                check_kind=CheckKind.GAP,
                id_number=pupil.id_number,
                name=pupil.name,
                school=schools[pupil.school_id],
                county_id=pupil.county_id,
                school_year=SCHOOL_YEAR,
                term=Term.AUTUMN,
                reason=GAP_REASONS[index],
            )
        )
    CheckNote.objects.bulk_create(notes)

    out_of_area = build_out_of_area(rng, counties)
    publicity = build_publicity(rng, counties)
    say(
        _("Out-of-area students: %(students)d; publicity activities: %(activities)d")
        % {"students": out_of_area, "activities": publicity}
    )
    db.analyze(  # statistics for the dashboard's and the checks' plans (core/db.py)
        AidProgramme,
        AidStandard,
        Disbursement,
        CheckNote,
        OutOfAreaStudent,
        ContactLog,
        PublicityActivity,
        force=True,
    )
    poor_rows = [p for p in payments if p.category == RecipientCategory.FORMERLY_POOR]
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_demo=True).first()
    if admin is not None:  # the bulletin's figure, as the dashboard computes it from the rows
        poor = selectors.summary(user=admin, school_year=SCHOOL_YEAR)["formerly_poor"]
        say(
            _(
                "Student aid: %(amount)s (10,000 yuan) to %(person_times)s person-times of "
                "formerly registered poor students."
            )
            % {"amount": poor["wan"], "person_times": f"{poor['person_times']:,}"}
        )
    return {
        "programmes": len(programmes),
        "disbursements": len(payments),
        "formerly_poor_rows": len(poor_rows),
        "formerly_poor_amount": sum((p.amount for p in poor_rows), Decimal("0.00")),
        "not_in_registry": made_up,
        "gap_students": len(gap_pupils),
        "duplicates": duplicates,
        "out_of_area": out_of_area,
        "publicity": publicity,
    }


def build_out_of_area(rng: random.Random, counties: list[Region]) -> int:
    """From the dropout ledger's out-of-city evidence (as the city administrator would seed
    it), plus a few entered by hand; contacts make most of them verified."""
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_demo=True).first()
    if admin is not None:
        services.out_of_area_seed_from_dropout(actor=admin)
    used = set(OutOfAreaStudent.objects.values_list("id_number", flat=True))
    used |= set(Student.objects.values_list("id_number", flat=True))
    synthetic = _Synthetic(rng, used)
    for index, (province, city, school, stage) in enumerate(OUT_OF_AREA_PLACES):
        county = counties[index % len(counties)]
        group = {Stage.PRESCHOOL: "P", Stage.PRIMARY: "PD", Stage.JUNIOR: "JD"}.get(stage, "S")
        number, name = synthetic.identity(county.code, group)
        OutOfAreaStudent.objects.create(
            county=county,
            id_number=number,
            name=name,
            province=province,
            city=city,
            school_name=school,
            stage=stage,
            source=OutOfAreaSource.MANUAL,
        )
    students = list(OutOfAreaStudent.objects.order_by("pk"))
    contacts = []
    for index, student in enumerate(students):
        # About one in six is not reached yet: the "no one missed" figure to work on.
        if index % 6 == 5:
            if index % 12 == 11:
                contacts.append(_contact(rng, student, ContactMethod.LETTER, reached=False))
            student.follow_up_needed = True
            student.follow_up = "信函未回复，请乡镇联络员电话联系家长"
            student.save(update_fields=["follow_up_needed", "follow_up"])
            continue
        method = rng.choice((ContactMethod.PHONE, ContactMethod.LETTER, ContactMethod.WECHAT))
        contacts.append(_contact(rng, student, method, reached=True))
        receives = index % 5 != 4
        student.receives_aid = receives
        if receives:
            student.aid_programme = {
                Stage.PRIMARY: "义务教育家庭经济困难学生生活补助",
                Stage.JUNIOR: "义务教育家庭经济困难学生生活补助",
                Stage.SENIOR: "普通高中国家助学金",
                Stage.VOCATIONAL: "中职国家助学金",
                Stage.PRESCHOOL: "学前教育资助",
            }.get(student.stage, "当地资助")
            at_standard = index % 7 != 3
            standard = {Stage.PRIMARY: "250.00", Stage.JUNIOR: "312.50"}.get(
                student.stage, "1000.00"
            )
            student.aid_amount = Decimal(standard) * (1 if at_standard else Decimal("0.5"))
            student.meets_standard = at_standard
            student.follow_up_needed = not at_standard
            if not at_standard:
                student.follow_up = "受助金额低于国家标准，已函请就读地资助部门核实"
        else:
            student.meets_standard = None
            student.follow_up_needed = True
            student.follow_up = "就读地未享受资助，已协调就读地学校受理申请"
        student.save()
    ContactLog.objects.bulk_create(contacts)
    refresh_verification([s.pk for s in students])
    return len(students)


def _contact(rng, student, method, *, reached: bool) -> ContactLog:
    learned = (
        f"已与{student.school_name or '就读学校'}核实在读，了解当地资助情况"
        if reached
        else "已寄出核查函，暂未回复"
    )
    return ContactLog(
        student=student,
        county_id=student.county_id,
        method=method,
        contacted_on=dt.date(2023, 10, 1) + dt.timedelta(days=rng.randrange(60)),
        contacted_by=rng.choice(("王老师", "李主任", "张干事", "刘老师", "赵科长")),
        reached=reached,
        learned=learned,
    )


def build_publicity(rng: random.Random, counties: list[Region]) -> int:
    activities = []
    for county in counties:
        channels = [Channel.PARENTS_MEETING, Channel.OFFICIAL_ACCOUNT, Channel.BROCHURE]
        channels += rng.sample(
            [Channel.BROADCAST, Channel.NEWSPAPER, Channel.OTHER], rng.randrange(1, 3)
        )
        for channel in channels:
            reach = {
                Channel.PARENTS_MEETING: rng.randrange(300, 2500),
                Channel.OFFICIAL_ACCOUNT: rng.randrange(2000, 20000),
                Channel.BROCHURE: rng.randrange(500, 5000),
            }.get(channel, rng.randrange(1000, 10000))
            activities.append(
                PublicityActivity(
                    county=county,
                    channel=channel,
                    held_on=dt.date(2023, 9, 1) + dt.timedelta(days=rng.randrange(240)),
                    title=PUBLICITY_TITLES[channel] % county.name,
                    reach=reach,
                )
            )
    # 新闻110: the city's television programme, filmed in a district of the city proper.
    district = next((c for c in counties if c.code == "231002"), counties[0] if counties else None)
    if district is not None:
        activities.append(
            PublicityActivity(
                county=district,
                channel=Channel.TV,
                held_on=dt.date(2023, 9, 15),
                title="新闻110：现场解读国家学生资助政策",
                reach=rng.randrange(50000, 120000),
            )
        )
    PublicityActivity.objects.bulk_create(activities)
    return len(activities)
