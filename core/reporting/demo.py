"""The demo's periodic reports: the weekly county report 周报 of the ten counties for the 2023
autumn term, up to the week the demo's data has reached, made through the real state machine
(core.reporting.services) by the demo's county officers, reviewers and city staff, each step
dated on the data's clock (core.demo.data_time, and the services' `at=`).

The story: the term's weeks from its first Monday to the current week — the week of the newest
write of the areas' demos (the data's clock, core.reporting.deadlines.newest_write), 2023-W43
for the demo as it is. Most weeks are prepared on Thursday, submitted before Friday 17:00 and
approved on Monday; a few are late (by minutes, hours or days); one county had a deadline
extended for the Mid-Autumn holiday and submitted on time by it; one report was returned with a
reason and a comment on one figure, corrected, resubmitted and approved. The current week is
partly outstanding: a few counties submitted (one already approved), some have a draft, some
have not started.

Each submission's figures are frozen when it is submitted (the sections' selectors, about a
tenth of a second each), so the demo submits each (county, week) once, and once more for the
returned report: about 80 freezes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.demo import COUNTIES, SCHOOL_YEAR, data_time
from core.models import Region, RegionLevel, User
from core.reporting import deadlines, services
from core.reporting.models import DeadlineExtension, Submission, SubmissionComment, SubmissionEvent
from core.reporting.periods import Cadence, Period, local_datetime, period_of, periods_between
from core.reporting.types import WEEKLY

# The data's today when nothing was written in the school year yet (the city alone, no areas).
QUIET_TODAY = dt.date(2023, 10, 25)

# (county slug, week) submitted late, and when: Friday evening, Saturday morning, next Monday.
LATE = {
    ("dongning", "2023-W37"): (7, 10, 15),  # (days after the week's Monday, hour, minute)
    ("linkou", "2023-W38"): (4, 19, 40),
    ("muling", "2023-W41"): (5, 9, 20),
    ("xian", "2023-W42"): (4, 17, 25),
}
# One county's deadline moved for the Mid-Autumn holiday (Friday 29 September 2023) to the
# first working day after the National Day week, and the report submitted on time by it.
EXTENDED = ("suifenhe", "2023-W39")
EXTENDED_DUE = (dt.date(2023, 10, 7), dt.time(17, 0))
EXTENDED_SUBMIT = (dt.date(2023, 10, 7), 10, 30)
EXTENSION_REASON = (
    "9月29日至10月6日为中秋、国庆假期，县教育局值班人员不足，经申请延至10月7日（调休上班日）"
    "17:00前报送。"
)
# The report returned for correction, resubmitted and approved.
RETURNED = ("hailin", "2023-W41")
RETURN_REASON = "“问题”和“下一步”写得过于笼统：请写明涉及的学校、人数和完成时限后重新报送。"
CORRECTED_PROBLEMS = (
    "横道河子镇中心小学2名学生资助材料未交齐，已电话督促家长，10月20日前补齐；"
    "山市镇中学1名学生随父母外出务工，已函告就读地学校核实。"
)
# The current week: how far each county has got by the data's today (in county order).
CURRENT = (
    "approved",
    "submitted",
    "submitted",
    "submitted",
    "draft",
    "draft",
    "draft",
    "not_started",
    "not_started",
    "not_started",
)

PROGRESS = (
    "完成本周控辍保学动态监测，全县义务教育阶段学生在籍在校情况已逐校核对。",
    "组织各乡镇中心校开展家访，重点走访留守儿童和家庭经济困难学生家庭。",
    "召开学生资助工作推进会，秋季学期资助名单已在各校公示。",
    "教育局督导组到3所乡村学校检查控辍保学台账和资助档案。",
    "完成外地就读学生信息核对，已与就读地学校逐一联系。",
    "落实“一生一案”跟踪，本周新增返校学生已建立帮扶记录。",
)
PROBLEMS = (
    "个别乡镇学校台账更新不及时，部分学生转学手续未在系统中办结。",
    "部分外出务工家庭联系困难，核实进度较慢。",
    "少数学校资助材料归档不规范。",
    "暂无。",
)
NEXT_STEPS = (
    "下周完成剩余学校的台账核对，督促转学手续办结。",
    "继续跟踪疑似辍学学生，逐一落实劝返和帮扶措施。",
    "配合市局开展资助资金发放情况抽查。",
    "对台账更新不及时的学校进行约谈和通报。",
)
APPROVAL_COMMENTS = ("", "", "", "已阅，同意。", "情况清楚，同意。")


def wipe() -> None:
    """Delete every report (their transitions and comments go with them) and every deadline
    extension: they refer to the counties and users the demo city rebuilds."""
    SubmissionComment.objects.all().delete()
    SubmissionEvent.objects.all().delete()
    Submission.objects.all().delete()
    DeadlineExtension.objects.all().delete()


@dataclass
class People:
    officer: User
    reviewer: User


def _moment(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return local_datetime(day, dt.time(hour, minute))


class ReportsDemo:
    def __init__(self, rng: random.Random, stdout: IO[str] | None):
        self.rng, self.stdout = rng, stdout
        users = {u.username: u for u in User.objects.filter(is_demo=True)}
        self.city_staff = users.get("city-staff")
        self.city_admin = users.get("city-admin")
        counties = {r.code: r for r in Region.objects.filter(level=RegionLevel.COUNTY)}
        self.counties = []  # (slug, region, people) of the counties with both demo users
        for spec in COUNTIES:
            officer = users.get(f"{spec.slug}-officer")
            reviewer = users.get(f"{spec.slug}-reviewer")
            if spec.code in counties and officer is not None and reviewer is not None:
                self.counties.append((spec.slug, counties[spec.code], People(officer, reviewer)))
        self.counts = {"submissions": 0, "late": 0, "returned": 0, "outstanding": 0}

    # --- One step, on the data's clock ---

    def prepare(self, people: People, county, period: Period, at: dt.datetime, existing=None):
        notes = {
            "progress": self.rng.choice(PROGRESS),
            "problems": self.rng.choice(PROBLEMS),
            "next_steps": self.rng.choice(NEXT_STEPS),
        }
        if existing is not None:
            notes = {**existing.notes, "problems": CORRECTED_PROBLEMS}
        with data_time(at.date(), at.hour, at.minute):
            return services.submission_prepare(
                actor=people.officer,
                report_type=WEEKLY,
                county=county,
                period=period,
                notes=notes,
                version=existing.version if existing is not None else None,
                at=at,
            )

    def submit(self, people: People, submission, at: dt.datetime):
        with data_time(at.date(), at.hour, at.minute):
            return services.submission_submit(
                actor=people.reviewer, submission=submission, version=submission.version, at=at
            )

    def approve(self, submission, at: dt.datetime):
        with data_time(at.date(), at.hour, at.minute):
            return services.submission_approve(
                actor=self.city_staff,
                submission=submission,
                version=submission.version,
                comment=self.rng.choice(APPROVAL_COMMENTS),
                at=at,
            )

    def send_back(self, submission, at: dt.datetime):
        """Return it with a reason and a comment on one figure: the first figure that counts
        something (the figures are the areas'; the demo names none of them)."""
        sections = (submission.snapshot or {}).get("sections", {})
        labels = (submission.snapshot or {}).get("labels", {})
        counted = [
            (section, key)
            for section, figures in sections.items()
            for key, value in figures.items()
            if isinstance(value, int) and value > 0
        ] or [(section, key) for section, figures in sections.items() for key in figures]
        comments = {}
        if counted:
            section, key = counted[0]
            label = labels.get(section, {}).get(key, key)
            comments[(section, key)] = (
                f"{label}：与乡镇上报的数字不一致，请逐校核实，并在“问题”中说明原因。"
            )
        with data_time(at.date(), at.hour, at.minute):
            return services.submission_return(
                actor=self.city_staff,
                submission=submission,
                version=submission.version,
                reason=RETURN_REASON,
                comments=comments,
                at=at,
            )

    def extend(self, county, period: Period, at: dt.datetime) -> None:
        day, time = EXTENDED_DUE
        with data_time(at.date(), at.hour, at.minute):
            services.deadline_extend(
                actor=self.city_admin,
                report_type=WEEKLY,
                county=county,
                period=period,
                due_at=local_datetime(day, time),
                reason=EXTENSION_REASON,
            )

    # --- A week of one county ---

    def _at(self, monday: dt.date, days: int, first_hour: int, last_hour: int) -> dt.datetime:
        hour = self.rng.randrange(first_hour, last_hour)
        return _moment(monday + dt.timedelta(days=days), hour, self.rng.randrange(0, 60, 5))

    def past_week(self, slug: str, county, people: People, period: Period) -> None:
        monday, key = period.start, period.key
        prepared = self._at(monday, 3, 9, 12)  # Thursday morning
        submission = self.prepare(people, county, period, prepared)
        if (slug, key) == EXTENDED:
            self.extend(county, period, _moment(monday + dt.timedelta(days=3), 16, 0))
            day, hour, minute = EXTENDED_SUBMIT
            submitted = _moment(day, hour, minute)
        elif (slug, key) in LATE:
            days, hour, minute = LATE[(slug, key)]
            submitted = _moment(monday + dt.timedelta(days=days), hour, minute)
            self.counts["late"] += 1
        elif self.rng.random() < 0.3:
            submitted = self._at(monday, 3, 14, 17)  # Thursday afternoon
        else:
            submitted = self._at(monday, 4, 9, 16)  # Friday, before 17:00
        submission = self.submit(people, submission, submitted)
        self.counts["submissions"] += 1
        following = max(submitted.date(), monday + dt.timedelta(days=7))
        if (slug, key) == RETURNED:
            submission = self.send_back(submission, _moment(following, 10, 20))
            submission = self.prepare(
                people, county, period, _moment(following, 15, 0), existing=submission
            )
            submission = self.submit(people, submission, _moment(following, 16, 40))
            following += dt.timedelta(days=1)
            self.counts["returned"] += 1
            submitted = _moment(following - dt.timedelta(days=1), 16, 40)
        approved = max(self._at(following, 0, 9, 12), submitted + dt.timedelta(hours=1))
        self.approve(submission, approved)

    def current_week(self, index: int, county, people: People, period: Period, now) -> None:
        """How far the county has got by the data's now: steps spread from Monday morning to
        then, in order."""
        stage = CURRENT[index % len(CURRENT)]
        if stage == "not_started":
            self.counts["outstanding"] += 1
            return
        start = _moment(period.start, 9, 0)
        span = max(now - start, dt.timedelta(hours=3))
        step = span / (len(CURRENT) * 3 + 1)
        moments = [  # to the minute: the same seed gives the same times
            (start + step * (index * 3 + n)).replace(second=0, microsecond=0) for n in (1, 2, 3)
        ]
        submission = self.prepare(people, county, period, moments[0])
        if stage == "draft":
            self.counts["outstanding"] += 1
            return
        submission = self.submit(people, submission, moments[1])
        self.counts["submissions"] += 1
        if stage == "approved":
            self.approve(submission, moments[2])

    def run(self) -> dict:
        if self.city_staff is None or self.city_admin is None:
            return self.counts
        newest = deadlines.newest_write(SCHOOL_YEAR)
        now = timezone.localtime(newest) if newest else _moment(QUIET_TODAY, 12, 0)
        now = now.replace(minute=0, second=0, microsecond=0)  # the same seed, the same times
        term_start = period_of(Cadence.TERM, calendar.school_year_start(SCHOOL_YEAR)).start
        weeks = periods_between(WEEKLY.cadence, term_start, now.date())
        if not weeks:
            return self.counts
        *past, current = weeks
        for period in past:
            for slug, county, people in self.counties:
                self.past_week(slug, county, people, period)
        for index, (_slug, county, people) in enumerate(self.counties):
            self.current_week(index, county, people, current, now)
        self.counts["weeks"] = len(weeks)
        self.counts["current"] = current.key
        return self.counts


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the demo's reports over the demo city and the areas' demo data."""
    counts = ReportsDemo(rng, stdout).run()
    if stdout is not None and counts.get("weeks"):
        stdout.write(
            _(
                "Weekly reports: %(weeks)d weeks of %(counties)d counties, %(submissions)d "
                "submitted (%(late)d late, %(returned)d returned and resubmitted); the current "
                "week %(current)s has %(outstanding)d outstanding."
            )
            % {**counts, "counties": len(COUNTIES)}
            + "\n"
        )
    return counts
