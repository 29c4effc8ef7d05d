"""The demo of teacher staffing, built on the demo city through the area's services.

* The roster: each school under the staffing standard gets the teachers the standard requires
  for its registry pupils (teachers.selectors.staffing: 19 / 13.5 / 12.5 pupils per teacher, a
  small school by its classes), with the subjects its stages need; four rural schools are short
  (by 1, 1, 2 and 3); kindergartens one teacher per 15 children. Written in bulk, as the
  personnel office's sheet imports it. Special-post teachers of 2018–2022 are among them: those
  whose three years ended mostly stayed 留任 on the establishment, some left.
* The 2023 plans: special-post plans 特岗计划 across seven counties totalling **68** posts, 63
  hired (five still vacant), 61 reported for duty; the recruitment drives 雪城优才 and 市委书记进
  校园 and open recruitment. Every hire goes through teachers.services.teacher_hire (the plan's
  posts, the county, the ID number) and the write door.
* Training 2023: the year's full-staff continuing education 全员继续教育 completed by **every
  rural teacher** on the roster (coverage 100%), by most urban ones; national training 国培 (a
  rural teachers' course and the kindergarten 顶岗支教 programme); the online lecture for preschool
  and primary teachers with its attendees. The records are written in bulk, as the training
  platform's export imports them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import IO

from django.db.models import Count
from django.utils.translation import gettext as _

from core import db, idnumbers
from core import demo as core_demo
from core.models import Locality, Region, RegionLevel, School, SchoolKind, Student, User
from core.scoping import Role
from teachers import selectors, services
from teachers.models import (
    Channel,
    Employment,
    ProgrammeKind,
    Qualification,
    RecruitmentPlan,
    StaffingStandard,
    Stage,
    Subject,
    Teacher,
    TeacherStatus,
    Title,
    TrainingProgramme,
    TrainingRecord,
)

YEAR = 2023
# Special-post posts 特岗计划 of 2023 by county code (68 in all) and how many are still vacant.
SPECIAL_POSTS = {
    "231025": (14, 1),
    "231081": (5, 0),
    "231083": (12, 2),
    "231084": (13, 1),
    "231085": (11, 1),
    "231086": (9, 0),
    "231005": (4, 0),
}
NOT_REPORTED = 2  # hired, not yet reported for duty
DRIVES = {  # the recruitment drives: (channel, stage, subject, posts, counties)
    Channel.XUECHENG: (Stage.SENIOR, Subject.MATHS, 2, ("231083", "231084", "231085")),
    Channel.SECRETARY: (Stage.JUNIOR, Subject.ENGLISH, 3, ("231025", "231086")),
    Channel.OPEN: (Stage.PRIMARY, "", 2, ("231002", "231003", "231004", "231081")),
}
SHORT_BY = (1, 1, 2, 3)
SHORTAGE_SUBJECTS = (Subject.ENGLISH, Subject.MUSIC, Subject.PE, Subject.ART, Subject.IT)


def _say(stdout):
    return (
        (lambda message: stdout.write(message + "\n")) if stdout is not None else (lambda m: None)
    )


def wipe() -> None:
    """Delete every teacher-staffing row, and a staffing standard the demo set (the migration's,
    and any a city administrator set, stay)."""
    for model in (TrainingRecord, Teacher, RecruitmentPlan, TrainingProgramme):
        model.objects.all().delete()
    StaffingStandard.objects.filter(set_by__is_demo=True).delete()


class _People:
    """Names and unique, well-formed ID numbers for the demo's teachers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.surnames = core_demo.surname_picker()

    def name(self, number: str) -> str:
        return core_demo.person_name(self.rng, self.surnames, idnumbers.gender(number) == "M")

    def number(self, county_code: str, born: dt.date) -> str:
        while True:
            number = idnumbers.make(county_code, born, self.rng.randrange(1000))
            if number not in self.used:
                self.used.add(number)
                return number

    def teacher(self, school: School, *, subject, stage, born_from=1966, born_until=1998, **f):
        born = dt.date(self.rng.randint(born_from, born_until), self.rng.randint(1, 12), 15)
        number = self.number(school.county.code, born)
        hired = f.pop("hired_on", None) or dt.date(
            min(born.year + self.rng.randint(21, 26), YEAR - 1), 9, 1
        )
        return Teacher(
            id_number=number,
            name=self.name(number),
            gender=idnumbers.gender(number),
            birth_date=born,
            school=school,
            county_id=school.county_id,
            stage=stage,
            subject=subject,
            title=f.pop("title", self.rng.choice(list(Title.values)[1:5])),
            qualification=f.pop(
                "qualification",
                self.rng.choice(
                    (Qualification.ASSOCIATE, Qualification.BACHELOR, Qualification.BACHELOR)
                ),
            ),
            hired_on=hired,
            **f,
        )


def _stage_of(kind: str, index: int) -> str:
    if kind in (SchoolKind.PRIMARY, SchoolKind.TEACHING_POINT):
        return Stage.PRIMARY
    if kind == SchoolKind.JUNIOR:
        return Stage.JUNIOR
    if kind == SchoolKind.SENIOR:
        return Stage.SENIOR
    if kind == SchoolKind.NINE_YEAR:
        return Stage.PRIMARY if index % 2 == 0 else Stage.JUNIOR
    return Stage.JUNIOR if index % 2 == 0 else Stage.SENIOR  # a complete middle school


def _subjects(kind: str, count: int) -> list[str]:
    """The subjects of a school's `count` teachers: those its stages need first, then Chinese and
    mathematics (the most lessons)."""
    needed = list(selectors.subjects_needed(kind))
    extra = [Subject.CHINESE, Subject.MATHS]
    return [needed[i] if i < len(needed) else extra[i % 2] for i in range(count)]


def build_roster(rng: random.Random, admin, people: _People) -> tuple[list[Teacher], set[int]]:
    """Every school's teachers as the standard requires (four rural schools short), and the
    special-post teachers of 2018–2022 among them (in bulk: the personnel sheet)."""
    rows = list(selectors.staffing(admin, YEAR))
    schools = {s.pk: s for s in School.objects.select_related("county")}
    candidates = [r for r in rows if r.locality == Locality.RURAL and r.required >= 4]
    short = dict(zip([r.pk for r in rng.sample(candidates, len(SHORT_BY))], SHORT_BY, strict=True))
    teachers = []
    for row in rows:
        school = schools[row.pk]
        count = row.required - short.get(row.pk, 0)
        for index, subject in enumerate(_subjects(row.kind, count)):
            teachers.append(
                people.teacher(school, subject=subject, stage=_stage_of(row.kind, index))
            )
    kindergartens = (
        Student.objects.filter(school__kind=SchoolKind.KINDERGARTEN, status="enrolled")
        .values("school_id")
        .annotate(n=Count("pk"))
    )
    for entry in kindergartens:
        school = schools[entry["school_id"]]
        for _index in range(max(1, math.ceil(entry["n"] / 15))):
            teachers.append(
                people.teacher(
                    school, subject=Subject.PRESCHOOL, stage=Stage.PRESCHOOL, born_from=1975
                )
            )
    _special_post_history(rng, teachers, people)
    Teacher.objects.bulk_create(teachers, batch_size=2000)
    return teachers, set(short)


def _special_post_history(rng: random.Random, teachers: list[Teacher], people: _People) -> None:
    """Young rural teachers hired through the special-post plans of 2018–2022: serving (2021–22),
    stayed on the establishment after their three years (most of 2018–2020), still special-post
    (a few of 2020), or left after their service (extra rows, not in post)."""
    young = [
        t for t in teachers if t.school.locality == Locality.RURAL and t.stage != Stage.PRESCHOOL
    ]
    rng.shuffle(young)
    gone = []
    for index, teacher in enumerate(young[:150]):
        year = 2018 + index % 5
        teacher.channel = Channel.SPECIAL_POST
        teacher.hired_on = dt.date(year, 9, 1)
        teacher.birth_date = dt.date(year - 23, teacher.birth_date.month, 15)
        teacher.id_number = people.number(teacher.school.county.code, teacher.birth_date)
        teacher.gender = idnumbers.gender(teacher.id_number)
        teacher.title = Title.SECOND
        served = year + 3 <= YEAR
        stays = not served or index % 10 != 0  # one in ten of the 2020 cohort not yet settled
        teacher.employment = (
            Employment.ESTABLISHMENT if served and stays else Employment.SPECIAL_POST
        )
        if served and index % 4 == 0:
            left_on = dt.date(year + 3, 8, 31)
            gone.append(
                people.teacher(
                    teacher.school,
                    subject=teacher.subject,
                    stage=teacher.stage,
                    born_from=year - 24,
                    born_until=year - 22,
                    hired_on=dt.date(year, 9, 1),
                    channel=Channel.SPECIAL_POST,
                    employment=Employment.SPECIAL_POST,
                    status=TeacherStatus.LEFT,
                    left_on=left_on,
                )
            )
    # Two teachers who left in the middle of 2023 and one who retired.
    rural = [t for t in teachers if t.school.locality == Locality.RURAL]
    for teacher, (status, day) in zip(
        rng.sample(rural, 3),
        (
            (TeacherStatus.LEFT, dt.date(2023, 6, 30)),
            (TeacherStatus.LEFT, dt.date(2023, 4, 15)),
            (TeacherStatus.RETIRED, dt.date(2023, 7, 31)),
        ),
        strict=True,
    ):
        gone.append(
            people.teacher(
                teacher.school,
                subject=teacher.subject,
                stage=teacher.stage,
                born_from=1963,
                born_until=1970,
                status=status,
                left_on=day,
            )
        )
    teachers.extend(gone)


def build_plans(rng: random.Random, officers: dict, short: set[int], people: _People) -> dict:
    """The 2023 plans and their hires, through the services (68 special-post posts, a few vacant;
    the drives and open recruitment)."""
    counties = {c.code: c for c in Region.objects.filter(level=RegionLevel.COUNTY)}
    rural = {}
    for school in (
        School.objects.filter(
            locality=Locality.RURAL, kind__in=(SchoolKind.PRIMARY, SchoolKind.NINE_YEAR)
        )
        .exclude(pk__in=short)
        .select_related("county")
        .order_by("code")
    ):
        rural.setdefault(school.county_id, []).append(school)
    anywhere = {}
    standard_kinds = School.objects.filter(kind__in=selectors.STANDARD_KINDS).exclude(pk__in=short)
    for school in standard_kinds.select_related("county").order_by("code"):
        anywhere.setdefault((school.county_id, school.kind), []).append(school)
    for county_id, kind in list(anywhere):  # a district without rural schools hires in town
        if kind == SchoolKind.PRIMARY:
            rural.setdefault(county_id, anywhere[(county_id, kind)])
    hired = not_reported = 0
    plans = 0
    for code, (posts, vacant) in SPECIAL_POSTS.items():
        county = counties[code]
        officer = officers[county.pk]
        plan = services_plan(
            officer,
            county=county,
            channel=Channel.SPECIAL_POST,
            stage=Stage.PRIMARY,
            posts=posts,
            number=f"黑教函〔2023〕{40 + plans}号",
        )
        plans += 1
        for index in range(posts - vacant):
            school = rural[county.pk][index % len(rural[county.pk])]
            reported = None if not_reported < NOT_REPORTED and index == 0 else dt.date(2023, 8, 28)
            not_reported += reported is None
            services.teacher_hire(
                teacher=people.teacher(
                    school,
                    subject=SHORTAGE_SUBJECTS[index % len(SHORTAGE_SUBJECTS)],
                    stage=Stage.PRIMARY,
                    born_from=1998,
                    born_until=2001,
                    hired_on=dt.date(2023, 8, 20),
                    employment=Employment.SPECIAL_POST,
                    title=Title.NONE,
                    qualification=Qualification.BACHELOR,
                    reported_on=reported,
                ),
                plan=plan,
                actor=officer,
            )
            hired += 1
    kinds = {Stage.SENIOR: SchoolKind.SENIOR, Stage.JUNIOR: SchoolKind.JUNIOR}
    for channel, (stage, subject, posts, codes) in DRIVES.items():
        for code in codes:
            county = counties[code]
            officer = officers[county.pk]
            plan = services_plan(
                officer,
                county=county,
                channel=channel,
                stage=stage,
                subject=subject,
                posts=posts,
                number=f"牡人社函〔2023〕{10 + plans}号",
            )
            plans += 1
            places = anywhere.get((county.pk, kinds.get(stage, SchoolKind.PRIMARY))) or [
                s for s in rural.get(county.pk, [])
            ]
            for index in range(posts):
                services.teacher_hire(
                    teacher=people.teacher(
                        places[index % len(places)],
                        subject=subject or SHORTAGE_SUBJECTS[index],
                        stage=stage,
                        born_from=1996,
                        born_until=2000,
                        hired_on=dt.date(2023, 7, 15),
                        title=Title.NONE,
                        qualification=Qualification.MASTER,
                        reported_on=dt.date(2023, 8, 25),
                    ),
                    plan=plan,
                    actor=officer,
                )
    return {"plans": plans, "special_post_hired": hired}


def services_plan(officer, *, county, channel, stage, posts, number, subject="") -> RecruitmentPlan:
    from core import services as door

    return door.row_create(
        actor=officer,
        row=RecruitmentPlan(
            year=YEAR,
            county=county,
            channel=channel,
            stage=stage,
            subject=subject,
            posts=posts,
            approval_number=number,
            approved_on=dt.date(2023, 4, 20),
        ),
    )


def build_training(rng: random.Random, admin) -> int:
    """The year's programmes and records: every rural teacher on the roster completed the
    continuing education; 国培 for some rural teachers and kindergarten teachers; the online
    lecture for preschool and primary teachers (in bulk: the platform's export)."""

    def programme(name, kind, starts, ends, required, most):
        return services.programme_save(
            programme=TrainingProgramme(
                name=name,
                kind=kind,
                year=YEAR,
                starts_on=starts,
                ends_on=ends,
                hours_required=Decimal(required),
                max_hours=Decimal(most),
            ),
            actor=admin,
        )

    continuing = programme(
        "2023年全员继续教育",
        ProgrammeKind.CONTINUING,
        dt.date(2023, 3, 1),
        dt.date(2023, 11, 30),
        "72",
        "120",
    )
    rural_course = programme(
        "国培计划（2023）乡村骨干教师培训",
        ProgrammeKind.NATIONAL,
        dt.date(2023, 7, 10),
        dt.date(2023, 7, 24),
        "60",
        "80",
    )
    placement = programme(
        "国培计划（2023）幼儿园教师顶岗支教置换研修",
        ProgrammeKind.NATIONAL,
        dt.date(2023, 9, 4),
        dt.date(2023, 11, 24),
        "120",
        "160",
    )
    lecture = programme(
        "学前和小学教师线上专题讲座",
        ProgrammeKind.LECTURE,
        dt.date(2023, 10, 18),
        dt.date(2023, 10, 18),
        "2",
        "3",
    )
    programme(
        "黑龙江省中小学教师信息技术应用能力提升培训",
        ProgrammeKind.PROVINCIAL,
        dt.date(2023, 5, 8),
        dt.date(2023, 6, 30),
        "50",
        "60",
    )
    records = []

    def record(teacher, prog, hours, completed=True):
        records.append(
            TrainingRecord(
                teacher_id=teacher.pk,
                school_id=teacher.school_id,
                county_id=teacher.county_id,
                programme=prog,
                hours=Decimal(hours),
                completed=completed,
                certificate=f"MDJ{YEAR}{prog.pk:02d}{teacher.pk:06d}" if completed else "",
                recorded_on=min(prog.ends_on, dt.date(2023, 11, 30)),
            )
        )

    roster = list(Teacher.objects.select_related("school").order_by("pk"))
    for teacher in roster:
        rural = teacher.school.locality == Locality.RURAL
        gone = teacher.left_on is not None and teacher.left_on <= dt.date(YEAR, 12, 31)
        if gone:
            if teacher.left_on >= continuing.starts_on:
                record(teacher, continuing, rng.randint(8, 40), completed=False)
            continue
        if rural or rng.random() < 0.94:
            record(teacher, continuing, rng.randint(72, 110))
        else:
            record(teacher, continuing, rng.randint(20, 60), completed=False)
        if rural and teacher.stage != Stage.PRESCHOOL and rng.random() < 0.06:
            record(teacher, rural_course, rng.randint(60, 80))
        if teacher.stage == Stage.PRESCHOOL and rural and rng.random() < 0.25:
            record(teacher, placement, rng.randint(120, 160))
        if teacher.stage in (Stage.PRESCHOOL, Stage.PRIMARY) and rng.random() < 0.4:
            record(teacher, lecture, rng.choice((2, 2, 3)))
    TrainingRecord.objects.bulk_create(records, batch_size=5000)
    db.analyze(Teacher, TrainingRecord, force=True)
    return len(records)


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the area's demo into a database holding the demo city (inside an atomic)."""
    say = _say(stdout)
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_demo=True).first()
    officers = {
        user.scope_id: user for user in User.objects.filter(role=Role.COUNTY_OFFICER, is_demo=True)
    }
    if admin is None or not officers:
        return {}
    if not StaffingStandard.objects.exists():  # a flushed database: the migration's row again
        services.standard_save(standard=StaffingStandard(effective_from=2014), actor=admin)
    people = _People(rng)
    teachers, short = build_roster(rng, admin, people)
    made = build_plans(rng, officers, short, people)
    records = build_training(rng, admin)
    figures = selectors.summary(admin, year=YEAR)
    special = figures["special_post"]
    cover = figures["training_coverage"]
    say(
        _(
            "Teacher staffing: %(teachers)s teachers on the roster (%(rural)s rural); "
            "%(planned)s special-post teachers planned for 2023, %(hired)s hired, %(on_duty)s on "
            "duty; continuing education of rural teachers %(rate)s%%; %(short)s schools short of "
            "teachers."
        )
        % {
            "teachers": f"{figures['teachers']:,}",
            "rural": f"{figures['rural_teachers']:,}",
            "planned": special["planned"],
            "hired": special["hired"],
            "on_duty": special["on_duty"],
            "rate": cover["rate"],
            "short": figures["schools_short_of_teachers"],
        }
    )
    return {"teachers": len(teachers), "records": records, **made, "short": len(short)}
