"""The demo's dropout control: the bulletin's "3 rounds, 1,671 person-times, no suspected dropout"
arrived at through the real services.

Given the demo city (core.demo: regions, schools, the registry, the demo users), `seed` builds:
dual-line responsible people for every township; each county's roster — children drawn from the
registry (ID number, name and birth date copied), a few with a typing error in the ID number
(found by name and birth date), some verified as studying outside the city or exempt, some not of
school age and some of monitored households whose risk is eliminated (neither is screened), and
six who are in no registry; then three screening rounds of school year 2023 run through the round
service. Round 1 finds the six as suspected dropouts and opens their cases; they are visited,
persuaded and resolved (five back at school — enrolled in the registry, as the provincial
registry's next import would show — and one verified as studying in another province); round 2
confirms them and each county's reviewer closes them; round 3 finds nobody out of school.
Every round screens the same 557 school-age children: 3 × 557 = 1,671 person-times. Cohort
baselines match the registry's grade 9 (consolidation rate 100%); the registry has no dropout
(dropout rate 0). Grade-6 spot checks complete the picture.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import IO

from django.db.models import Count
from django.db.models.functions import Mod
from django.utils.translation import gettext as _

from core import calendar, db, idnumbers
from core.demo import COUNTIES, VILLAGES, _surname_picker, data_time, person_name
from core.jobs import JobRun, execute
from core.models import (
    HouseholdCategory,
    MonitoringType,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    School,
    SchoolKind,
    Student,
    StudentStatus,
    User,
)
from dropout import selectors, services
from dropout.models import (
    CaseAction,
    CaseOutcome,
    CohortBaseline,
    DropoutCase,
    Exemption,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    Responsibility,
    ResponsibilityLine,
    ScreeningResult,
    ScreeningRound,
    SettledRateFigures,
)

SCHOOL_YEAR = 2023
PER_ROUND = 557  # 1,671 person-times over three rounds (the bulletin)
ROUND_DATES = (dt.date(2023, 9, 15), dt.date(2023, 10, 10), dt.date(2023, 10, 25))
ROUND_NAMES = (
    "2023年秋季学期第一轮控辍保学排查",
    "2023年秋季学期第二轮控辍保学排查",
    "2023年秋季学期第三轮控辍保学排查",
)
MISSING = 6  # children in no registry: the suspected dropouts of round 1
EXEMPT = 2
MISTYPED = 2  # roster ID number differs from the registry's: found by name and birth date
ELSEWHERE = 3  # transferred out of the registry, verified as studying outside the city
NOT_SCHOOL_AGE = 24
RISK_ELIMINATED = 15
COMPULSORY = (
    SchoolKind.PRIMARY,
    SchoolKind.JUNIOR,
    SchoolKind.NINE_YEAR,
    SchoolKind.TEACHING_POINT,
)


def wipe() -> None:
    """Delete every dropout row (before core.demo.wipe_demo deletes what they refer to)."""
    from django.contrib.contenttypes.models import ContentType

    from core.attachments.models import Attachment

    models = (CaseAction, DropoutCase, ScreeningResult, RosterChild, RosterVersion, Responsibility)
    types = [ContentType.objects.get_for_model(m) for m in models]
    Attachment.objects.filter(content_type__in=types).delete()
    CaseAction.objects.all().delete()
    DropoutCase.objects.all().delete()
    ScreeningResult.objects.all().delete()
    ScreeningRound.objects.all().delete()
    JobRun.objects.filter(kind=services.JOB_KIND).delete()
    for model in (
        Grade6SpotCheck,
        Responsibility,
        CohortBaseline,
        SettledRateFigures,
        Exemption,
        OutOfCityEnrolment,
        RosterChild,
        RosterVersion,
    ):
        model.objects.all().delete()


class _Seeder:
    def __init__(self, rng: random.Random, stdout: IO[str] | None):
        self.rng = rng
        self.stdout = stdout
        self.surnames = _surname_picker()
        self.counties = {
            c.code: c for c in Region.objects.filter(level=RegionLevel.COUNTY).order_by("code")
        }
        self.slugs = {spec.code: spec.slug for spec in COUNTIES}
        self.users = {u.username: u for u in User.objects.filter(is_demo=True)}
        self.city_admin = self.users.get("city-admin") or User.objects.get(username="city-admin")
        self.townships = list(
            Region.objects.filter(level=RegionLevel.TOWNSHIP).select_related("county")
        )
        self.after, self.until = calendar.school_age_birth_window(SCHOOL_YEAR)
        self.used: set[str] = set()

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def user(self, county_id: int, role: str) -> User:
        code = next(code for code, c in self.counties.items() if c.pk == county_id)
        return self.users.get(f"{self.slugs.get(code, '')}-{role}") or self.city_admin

    def phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**8, 10**9)}"

    # --- Responsibility ------------------------------------------------------------------------

    def responsibility(self) -> int:
        rows = []
        for township in sorted(self.townships, key=lambda t: t.code):
            street = township.name.endswith("街道")
            gov_title = "街道办事处副主任" if street else f"副{township.name[-1]}长"
            edu_title = "学区主任" if street else "中心学校校长"
            for line, title in (
                (ResponsibilityLine.GOVERNMENT, gov_title),
                (ResponsibilityLine.EDUCATION, edu_title),
            ):
                rows.append(
                    Responsibility(
                        county_id=township.county_id,
                        township=township,
                        line=line,
                        person=person_name(self.rng, self.surnames, self.rng.random() < 0.7),
                        title=title,
                        phone=self.phone(),
                    )
                )
        Responsibility.objects.bulk_create(rows)
        return len(rows)

    # --- The roster -----------------------------------------------------------------------------

    def eligible_students(self, needed: int) -> list[dict]:
        """School-age registry students on the rolls (a deterministic sample, rural first)."""
        students = Student.objects.filter(
            birth_date__gt=self.after,
            birth_date__lte=self.until,
            status__in=[
                StudentStatus.ENROLLED,
                StudentStatus.SUSPENDED,
                StudentStatus.HOME_DELIVERED,
            ],
            household_region__level=RegionLevel.TOWNSHIP,
        )
        total = students.count()
        step = max(1, total // (needed * 4))
        if step > 1:  # a provincial-scale registry: look at a slice, not a million rows
            students = students.annotate(slice=Mod("id", step)).filter(slice=0)
        rows = list(
            students.order_by("id_number").values(
                "id_number", "name", "gender", "birth_date", "household_region_id", "school_id"
            )
        )
        urban = {t.pk for t in self.townships if t.name.endswith("街道")}
        self.rng.shuffle(rows)
        rows.sort(key=lambda r: r["household_region_id"] in urban)  # rural townships first
        return rows

    def extra_students(self, count: int) -> list[dict]:
        """A small registry has too few children: add enrolled ones, as an import would."""
        schools = list(School.objects.filter(kind__in=COMPULSORY).order_by("code"))
        made = []
        for n in range(count):
            school = schools[n % len(schools)]
            age = self.rng.randint(7, 14)
            born = dt.date(SCHOOL_YEAR - age, 1, 1) + dt.timedelta(days=self.rng.randrange(240))
            row = self.new_person(school.county.code, born)
            grade = min(age - 5, 6 if school.kind != SchoolKind.JUNIOR else 9)
            if school.kind == SchoolKind.JUNIOR:
                grade = max(7, grade)
            if school.kind == SchoolKind.TEACHING_POINT:
                grade = min(grade, 4)
            Student.objects.create(
                school=school,
                grade=grade,
                household_region=school.township,
                **{k: row[k] for k in ("id_number", "name", "gender", "birth_date")},
            )
            made.append({**row, "household_region_id": school.township_id, "school_id": school.pk})
        return made

    def new_id(self, county_code: str, born: dt.date, male: bool) -> str:
        """An ID number nobody in the registry or on a roster has."""
        while True:
            sequence = 2 * self.rng.randrange(499) + (1 if male else 2)
            number = idnumbers.make(county_code, born, sequence)
            if number not in self.used and not (
                Student.objects.filter(id_number=number).exists()
                or RosterChild.objects.filter(id_number=number).exists()
            ):
                self.used.add(number)
                return number

    def new_person(self, county_code: str, born: dt.date) -> dict:
        """A child with an ID number nobody in the registry or on a roster has."""
        male = self.rng.random() < 0.52
        number = self.new_id(county_code, born, male)
        return {
            "id_number": number,
            "name": person_name(self.rng, self.surnames, male),
            "gender": idnumbers.gender(number),
            "birth_date": born,
        }

    def roster_child(self, person: dict, township: Region, version, **extra) -> RosterChild:
        monitored = self.rng.random() < 0.25
        head = person["name"][0] + person_name(self.rng, self.surnames, True)[1:]
        values = {
            "household_category": HouseholdCategory.MONITORED
            if monitored
            else HouseholdCategory.POVERTY_ALLEVIATED,
            "monitoring_type": self.rng.choice(list(MonitoringType)) if monitored else "",
            "risk_eliminated": False,
            **extra,
        }
        return RosterChild(
            roster_version=version,
            county_id=township.county_id,
            township=township,
            name=person["name"],
            id_number=person["id_number"],
            gender=person["gender"],
            birth_date=person["birth_date"],
            household_head=head,
            village=self.rng.choice(VILLAGES) + "村",
            guardian=head,
            phone=self.phone(),
            **values,
        )

    def roster(self) -> dict:
        """Each county's roster version, and the children who will need following up."""
        by_id = {t.pk: t for t in self.townships}
        officer = {c.pk: self.user(c.pk, "officer") for c in self.counties.values()}
        versions = {
            c.pk: RosterVersion.objects.create(
                county=c,
                label="2023年秋季学期脱贫户和监测户子女名单",
                imported_by=officer[c.pk],
                source_name=f"{c.name}乡村振兴局名单2023-09.xlsx",
                note="乡村振兴部门提供",
                as_of=dt.date(2023, 9, 1),
            )
            for c in self.counties.values()
        }
        # An earlier version of one county, to show that rounds use the newest.
        hailin = self.counties.get("231083") or next(iter(self.counties.values()))
        spring = RosterVersion.objects.create(
            county=hailin,
            label="2023年春季学期名单",
            imported_by=officer[hailin.pk],
            as_of=dt.date(2023, 3, 1),
        )
        RosterVersion.objects.filter(pk=spring.pk).update(
            created_at=dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
        )

        from_registry = PER_ROUND - MISSING - EXEMPT
        pool = self.eligible_students(from_registry + RISK_ELIMINATED)
        if len(pool) < from_registry + RISK_ELIMINATED:
            pool += self.extra_students(from_registry + RISK_ELIMINATED - len(pool))
        transferred = list(
            Student.objects.filter(
                birth_date__gt=self.after,
                birth_date__lte=self.until,
                status=StudentStatus.TRANSFERRED_OUT,
                household_region__level=RegionLevel.TOWNSHIP,
            )
            .order_by("id_number")
            .values("id_number", "name", "gender", "birth_date", "household_region_id")[:ELSEWHERE]
        )
        chosen = transferred + pool[: from_registry - len(transferred)]
        excluded = pool[from_registry - len(transferred) :][:RISK_ELIMINATED]
        children = []
        for n, row in enumerate(chosen):
            person = dict(row)
            if n < MISTYPED + len(transferred) and n >= len(transferred):
                # A typing error in the roster's ID number: same name and birth date.
                unique = (
                    Student.objects.filter(name=row["name"], birth_date=row["birth_date"]).count()
                    == 1
                )
                if unique:
                    person["id_number"] = self.new_id(
                        row["id_number"][:6], row["birth_date"], row["gender"] == "M"
                    )
            township = by_id[row["household_region_id"]]
            children.append(self.roster_child(person, township, versions[township.county_id]))
        for row in excluded:
            township = by_id[row["household_region_id"]]
            children.append(
                self.roster_child(
                    row,
                    township,
                    versions[township.county_id],
                    household_category=HouseholdCategory.MONITORED,
                    monitoring_type=MonitoringType.SUDDEN_HARDSHIP,
                    risk_eliminated=True,
                )
            )
        rural = [t for t in self.townships if not t.name.endswith("街道")]
        for n in range(NOT_SCHOOL_AGE):  # too young or too old: on the roster, not screened
            township = rural[n * 7 % len(rural)]
            born = (
                dt.date(2018, 10, 1) + dt.timedelta(days=n * 20)
                if n % 2
                else dt.date(2006, 3, 1) + dt.timedelta(days=n * 15)
            )
            person = self.new_person(township.county.code, born)
            children.append(self.roster_child(person, township, versions[township.county_id]))
        missing = []
        for n in range(MISSING + EXEMPT):
            township = rural[(n * 11 + 3) % len(rural)]
            born = dt.date(2008 + n, 4 + n % 6, 10 + n)
            person = self.new_person(township.county.code, born)
            child = self.roster_child(person, township, versions[township.county_id])
            children.append(child)
            missing.append(child)
        spring_children = [
            self.roster_child(
                {**row, "household_region_id": None},
                by_id[row["household_region_id"]],
                spring,
            )
            for row in chosen[:40]
            if by_id[row["household_region_id"]].county_id == hailin.pk
        ]
        RosterChild.objects.bulk_create(children + spring_children, batch_size=2000)
        for number, child in enumerate(missing[MISSING:], start=7):  # approved exemptions
            kind = "exemption" if number == 7 else "deferral"
            Exemption.objects.create(
                county_id=child.county_id,
                township=child.township,
                id_number=child.id_number,
                name=child.name,
                kind=kind,
                reason="重度残疾，经鉴定不具备入学条件"
                if kind == "exemption"
                else "因病需长期治疗",
                approval_document=f"{child.township.county.name}教育局批复〔2023〕{number}号",
                approved_on=dt.date(2023, 8, 25),
                valid_from=dt.date(2023, 9, 1),
                valid_until=None if kind == "exemption" else dt.date(2024, 8, 31),
            )
        for row in transferred:
            township = by_id[row["household_region_id"]]
            OutOfCityEnrolment.objects.create(
                county_id=township.county_id,
                township=township,
                id_number=row["id_number"],
                name=row["name"],
                school_year=SCHOOL_YEAR,
                place=self.rng.choice(["辽宁省大连市", "吉林省长春市", "山东省青岛市"]),
                school_name=self.rng.choice(["第十二中学", "实验小学", "育才学校"]),
                verified_how=self.rng.choice(["letter", "phone", "provincial_registry"]),
                verified_on=dt.date(2023, 9, 8),
                verifier=person_name(self.rng, self.surnames, False),
                document="协查函回执",
            )
        return {"children": len(children) + len(spring_children), "missing": missing[:MISSING]}

    # --- Rounds and cases ----------------------------------------------------------------------

    def run_round(self, index: int) -> ScreeningRound:
        with data_time(ROUND_DATES[index]):  # started and finished on its screening day
            screening_round = services.round_start(
                name=ROUND_NAMES[index],
                school_year=SCHOOL_YEAR,
                counties=None,
                actor=self.city_admin,
                screening_date=ROUND_DATES[index],
            )
            execute(screening_round.job_id)  # the job's runner, here and now
        screening_round.refresh_from_db()
        self.say(
            _("%(name)s: %(count)s person-times (%(status)s)")
            % {
                "name": screening_round.name,
                "count": f"{screening_round.results.count():,}",
                "status": screening_round.get_status_display(),
            }
        )
        return screening_round

    def follow_up(self, missing: list[RosterChild]) -> None:
        """Visit, persuade and resolve round 1's cases (as the county officers would), recorded
        in the days after the round."""
        with data_time(dt.date(2023, 9, 21), hour=16):
            self._follow_up(missing)

    def _follow_up(self, missing: list[RosterChild]) -> None:
        cases = DropoutCase.objects.filter(id_number__in=[c.id_number for c in missing])
        for n, case in enumerate(cases.order_by("id_number")):
            officer = self.user(case.county_id, "officer")
            services.case_action_add(
                case=case,
                date=dt.date(2023, 9, 16),
                kind="home_visit",
                note=f"与村干部一同入户家访，了解到{case.name}因厌学在家，家长表示配合。",
                actor=officer,
            )
            if n == len(missing) - 1:  # studying with the parents in another province
                OutOfCityEnrolment.objects.create(
                    county_id=case.county_id,
                    township=case.township,
                    id_number=case.id_number,
                    name=case.name,
                    school_year=SCHOOL_YEAR,
                    place="浙江省宁波市",
                    school_name="宁波市北仑区实验学校",
                    verified_how="letter",
                    verified_on=dt.date(2023, 9, 19),
                    verifier=officer.full_name or officer.username,
                    document="宁波市北仑区教育局协查函回执",
                )
                services.case_action_add(
                    case=case,
                    date=dt.date(2023, 9, 19),
                    kind="contact_school",
                    note="随父母在浙江宁波就读，已函调就读学校并取得回执。",
                    actor=officer,
                )
                services.case_resolve(
                    case=case,
                    outcome=CaseOutcome.ENROLLED_ELSEWHERE,
                    note="外地就读，已核实",
                    actor=officer,
                    resolved_on=dt.date(2023, 9, 20),
                )
                continue
            services.case_action_add(
                case=case,
                date=dt.date(2023, 9, 18),
                kind="persuasion",
                note="校长与班主任上门劝返，学生同意返校。",
                actor=officer,
            )
            school = self.school_for(case)
            services.case_resolve(
                case=case,
                outcome=CaseOutcome.RETURNED,
                return_school=school,
                return_date=dt.date(2023, 9, 20),
                note="已返校就读",
                actor=officer,
                resolved_on=dt.date(2023, 9, 21),
            )
            # The registry shows the child back at school (what the next import would bring).
            age = SCHOOL_YEAR - case.roster_child.birth_date.year - 1
            teaches = {SchoolKind.JUNIOR: (7, 9), SchoolKind.NINE_YEAR: (1, 9)}.get(
                school.kind, (1, 6)
            )
            Student.objects.create(
                school=school,
                id_number=case.id_number,
                name=case.name,
                gender=idnumbers.gender(case.id_number),
                birth_date=case.roster_child.birth_date,
                grade=max(teaches[0], min(teaches[1], age - 5)),
                status=StudentStatus.ENROLLED,
                household_region=case.township,
            )

    def school_for(self, case: DropoutCase) -> School:
        age = SCHOOL_YEAR - case.roster_child.birth_date.year - 1
        kinds = (
            [SchoolKind.JUNIOR, SchoolKind.NINE_YEAR]
            if age >= 12
            else [
                SchoolKind.PRIMARY,
                SchoolKind.NINE_YEAR,
            ]
        )
        schools = School.objects.filter(county_id=case.county_id, kind__in=kinds)
        return (
            schools.filter(township=case.township).order_by("code").first()
            or schools.order_by("code").first()
        )

    def close_confirmed(self) -> int:
        with data_time(dt.date(2023, 10, 12), hour=15):
            return self._close_confirmed()

    def _close_confirmed(self) -> int:
        closed = 0
        confirmed = DropoutCase.objects.filter(status="resolved", confirmed_in_round__isnull=False)
        for case in confirmed.order_by("pk"):
            services.case_close(
                case=case,
                actor=self.user(case.county_id, "reviewer"),
                closed_on=dt.date(2023, 10, 12),
            )
            closed += 1
        return closed

    # --- Spot checks and baselines --------------------------------------------------------------

    def spot_checks(self) -> int:
        per_school = dict(
            Student.objects.filter(grade=6, status=StudentStatus.ENROLLED)
            .order_by()
            .values("school_id")
            .annotate(n=Count("id"))
            .values_list("school_id", "n")
        )
        made = 0
        for county in self.counties.values():
            schools = [
                s
                for s in School.objects.filter(county=county).order_by("code")
                if per_school.get(s.pk)
            ][:2]
            for n, school in enumerate(schools):
                check = Grade6SpotCheck(
                    school=school,
                    date=dt.date(2023, 10, 17 + n),
                    inspector=person_name(self.rng, self.surnames, True),
                    present_count=0,
                )
                check.save()  # the registry count is filled in here
                check.present_count = check.registry_count
                if made == 3:  # one pupil absent that day: named and explained
                    absent = (
                        Student.objects.filter(school=school, grade=6, status="enrolled")
                        .order_by("id_number")
                        .first()
                    )
                    check.present_count -= 1
                    check.discrepancy_names = absent.name
                    check.explanation = "因病请假，经电话向家长核实，学生在家休养。"
                check.save()
                made += 1
        return made

    def baselines(self) -> int:
        grade9 = dict(
            Student.objects.filter(grade=9, status=StudentStatus.ENROLLED)
            .order_by()
            .values("county_id")
            .annotate(n=Count("id"))
            .values_list("county_id", "n")
        )
        rows = [
            CohortBaseline(
                county=c, entry_year=SCHOOL_YEAR - 8, grade1_enrolment=grade9.get(c.pk, 0)
            )
            for c in self.counties.values()
        ]
        CohortBaseline.objects.bulk_create(rows)
        return len(rows)


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the demo's dropout control on the demo city (call inside the seeding transaction).

    Returns the counts, for the command's summary line.
    """
    seeder = _Seeder(rng, stdout)
    responsible = seeder.responsibility()
    roster = seeder.roster()
    seeder.say(_("Roster: %(count)s children") % {"count": f"{roster['children']:,}"})
    db.analyze(Responsibility, RosterVersion, RosterChild, force=True)  # the rounds join them
    first = seeder.run_round(0)
    opened = DropoutCase.objects.filter(opened_in_round=first).count()
    seeder.follow_up(roster["missing"])
    seeder.run_round(1)
    closed = seeder.close_confirmed()
    seeder.run_round(2)
    checks = seeder.spot_checks()
    baselines = seeder.baselines()
    db.analyze(
        DropoutCase,
        CaseAction,
        Exemption,
        OutOfCityEnrolment,
        Grade6SpotCheck,
        CohortBaseline,
        force=True,
    )
    figures = selectors.summary(user=seeder.city_admin, school_year=SCHOOL_YEAR)
    seeder.say(  # the bulletin's figures, as the dashboard computes them from the rows
        _(
            "Dropout control: %(rounds)d screening rounds, %(person_times)s person-times, "
            "%(open)d suspected dropouts left open."
        )
        % {
            "rounds": figures["rounds"],
            "person_times": f"{figures['person_times']:,}",
            "open": figures["cases_open"],
        }
    )
    return {
        "responsible": responsible,
        "roster_children": roster["children"],
        "rounds": ScreeningRound.objects.filter(status="finished").count(),
        "person_times": ScreeningResult.objects.count(),
        "cases_opened": opened,
        "cases_closed": closed,
        "spot_checks": checks,
        "baselines": baselines,
    }
