"""The demo of alliances and teaching, built on the demo city through the write door.

* **3 city-level and 14 county-level school alliances whose members are 93 distinct schools**
  (the bulletin's figures): each county alliance is led by a strong school of its county with
  rural schools of the county as members (two alliances in the four largest counties); each city
  alliance is led by a school of a city district, with schools of several counties — some of them
  members of their county's alliance too (counted once) — and one school that left (counted no
  more). The figure is read back from the rows.
* The autumn term of 2023 (September to the data's 25 October): activities of every alliance on
  the three action lines 改薄 / 固本 / 培优, hosted by a member with other members taking part.
* Online classrooms: weekly 专递课堂 from each county alliance's lead to its rural members
  (2 sessions a week, regular use) and 名师课堂 / 名校网络课堂 from the city alliances' leads (2 a
  week too); in
  the newest week three rural schools received only one session (below regular use).
* Entrance-exam quotas of 2023 from each county's high school to two of its rural junior
  schools, and one trusteeship pair (a city high school supporting 林口县第一中学) with its
  2023 indicators.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import IO

from django.utils.translation import gettext as _

from alliances import rules, selectors
from alliances.models import (
    ActionLine,
    Activity,
    ActivityKind,
    Alliance,
    AllianceLevel,
    AllianceMember,
    ClassroomType,
    EntranceQuota,
    MemberRole,
    OnlineSession,
    TrusteeshipIndicator,
    TrusteeshipPair,
)
from core import services as door
from core.models import Locality, Region, RegionLevel, School, SchoolKind, User
from core.scoping import Role

COMPULSORY = (
    SchoolKind.PRIMARY,
    SchoolKind.JUNIOR,
    SchoolKind.NINE_YEAR,
    SchoolKind.COMPLETE_MIDDLE,
    SchoolKind.TEACHING_POINT,
)
TWO_ALLIANCES = ("231025", "231084", "231083", "231085")  # the largest counties: two each
CITY_DISTRICTS = ("231002", "231003", "231004")
MEMBER_SCHOOLS = 93
TERM_START, DATA_DAY = dt.date(2023, 9, 4), dt.date(2023, 10, 25)
WEEKS = [TERM_START + dt.timedelta(weeks=i) for i in range(8)]  # 2023-09-04 … 2023-10-23
JOINED = dt.date(2022, 9, 1)
KINDS = list(ActivityKind)[:-1]
CITY_ALLIANCES = (
    ("牡丹江市城乡学校发展共同体", "以强带弱、城乡一体"),
    ("牡丹江市农村义务教育质量提升联盟", "改薄、固本、培优三大行动"),
    ("牡丹江市乡村小规模学校联盟", "以镇带村、镇村一体"),
)
SUBJECTS = ("语文", "数学", "英语", "音乐", "美术", "科学")


def _say(stdout):
    return (
        (lambda message: stdout.write(message + "\n")) if stdout is not None else (lambda m: None)
    )


def wipe() -> None:
    """Delete every row of the area (before the demo city is wiped)."""
    for model in (
        TrusteeshipIndicator,
        TrusteeshipPair,
        EntranceQuota,
        OnlineSession,
        Activity,
        AllianceMember,
        Alliance,
    ):
        model.objects.all().delete()


def _schools(county, *, rural=None):
    rows = School.objects.filter(county=county, kind__in=COMPULSORY).order_by("code")
    if rural is not None:
        rows = rows.filter(locality=Locality.RURAL if rural else Locality.URBAN)
    return list(rows)


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the area's demo into a database holding the demo city (inside an atomic)."""
    say = _say(stdout)
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_demo=True).first()
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    officers = {
        u.scope_id: u
        for u in User.objects.filter(role=Role.COUNTY_OFFICER, is_demo=True).order_by("pk")
    }
    if admin is None or not officers or not counties:
        return {}

    alliances = _county_alliances(rng, counties, officers)
    members = {m.school_id for a in alliances for m in a.memberships.all()}
    alliances += _city_alliances(rng, counties, admin, members)
    activities = _activities(rng, alliances, officers, admin)
    weak = _sessions(rng, alliances, officers, admin)
    quotas = _quotas(rng, counties, officers)
    pairs = _trusteeship(officers, admin)

    figures = selectors.summary(admin)
    lines = figures["activities"]["by_action_line"]
    say(
        _(
            "Alliances and teaching: %(city)s city-level and %(county)s county-level alliances, "
            "%(members)s member schools; %(activities)s activities (fix the weak %(improve)s, "
            "consolidate the base %(consolidate)s, cultivate excellence %(excel)s); %(below)s "
            "rural schools below regular use in the newest week."
        )
        % {
            "city": figures["city_level"],
            "county": figures["county_level"],
            "members": figures["member_schools"],
            "activities": figures["activities"]["total"],
            "improve": lines[ActionLine.IMPROVE],
            "consolidate": lines[ActionLine.CONSOLIDATE],
            "excel": lines[ActionLine.EXCEL],
            "below": figures["online_sessions"]["schools_below_regular_use"],
        }
    )
    return {
        "alliances": len(alliances),
        "activities": activities,
        "below": weak,
        "quotas": quotas,
        "pairs": pairs,
    }


def _join(actor, alliance, school, role=MemberRole.MEMBER, joined=JOINED, left=None):
    return door.row_create(
        actor=actor,
        row=AllianceMember(
            alliance=alliance, school=school, role=role, joined_on=joined, left_on=left
        ),
    )


def _county_alliances(rng, counties, officers) -> list[Alliance]:
    """14 county alliances of 5 schools each (a lead and four rural members): 70 schools."""
    made = []
    for county in counties:
        officer = officers.get(county.pk)
        rural, urban = _schools(county, rural=True), _schools(county, rural=False)
        pool = rural + urban
        count = 2 if county.code in TWO_ALLIANCES else 1
        for index in range(count):
            lead = (urban or rural)[index % len(urban or rural)]
            takers = [s for s in rural if s != lead][index * 4 : index * 4 + 4]
            if len(takers) < 4:
                takers += [s for s in pool if s != lead and s not in takers][: 4 - len(takers)]
            suffix = "第一" if index == 0 else "第二"
            alliance = door.row_create(
                actor=officer,
                row=Alliance(
                    name=f"{county.name}{suffix}农村学校联盟",
                    level=AllianceLevel.COUNTY,
                    county=county,
                    lead_school=lead,
                    founded_on=dt.date(2022, 9, 1) + dt.timedelta(days=rng.randint(0, 20)),
                    goals=_("Strong schools lead weak ones: teaching research, lessons, teachers."),
                ),
            )
            _join(officer, alliance, lead, MemberRole.LEAD)
            for school in takers:
                _join(officer, alliance, school)
            made.append(alliance)
    return made


def _city_alliances(rng, counties, admin, members: set[int]) -> list[Alliance]:
    """3 city alliances led by city-district schools: schools already in a county alliance
    (counted once) and new ones, until the distinct member schools are 93; one school left."""
    by_code = {c.code: c for c in counties}
    outside = [
        s
        for county in counties
        for s in _schools(county)
        if s.pk not in members and county.code not in CITY_DISTRICTS
    ]
    rng.shuffle(outside)
    already = sorted(members)
    distinct = set(members)
    made = []
    for index, (name, goals) in enumerate(CITY_ALLIANCES):
        district = by_code[CITY_DISTRICTS[index]]
        lead = next(s for s in _schools(district, rural=False) if s.pk not in distinct)
        alliance = door.row_create(
            actor=admin,
            row=Alliance(
                name=name,
                level=AllianceLevel.CITY,
                lead_school=lead,
                founded_on=dt.date(2022, 3, 1),
                goals=goals,
            ),
        )
        _join(admin, alliance, lead, MemberRole.LEAD)
        distinct.add(lead.pk)
        for pk in rng.sample(already, 3):  # members of their county's alliance too
            _join(admin, alliance, School.objects.get(pk=pk))
        want = (MEMBER_SCHOOLS - len(distinct)) // (len(CITY_ALLIANCES) - index)
        for school in outside[:want]:
            _join(admin, alliance, school)
            distinct.add(school.pk)
        outside = outside[want:]
        made.append(alliance)
    # A school that joined the first city alliance and left it in the summer: not counted.
    gone = outside[0]
    _join(admin, made[0], gone, left=dt.date(2023, 7, 15))
    return made


def _activities(rng, alliances, officers, admin) -> int:
    """Each alliance's autumn-term activities: every line, hosted by a member with others."""
    count = 0
    lines = list(ActionLine)
    for alliance in alliances:
        members = [
            m.school for m in alliance.memberships.select_related("school").filter(left_on=None)
        ]
        for index in range(rng.randint(3, 5)):
            line = lines[index % 3] if index < 3 else rng.choice(lines)
            host = alliance.lead_school if index % 2 == 0 else rng.choice(members)
            day = TERM_START + dt.timedelta(days=rng.randint(0, (DATA_DAY - TERM_START).days))
            others = rng.sample([s for s in members if s != host], min(2, len(members) - 1))
            actor = officers.get(host.county_id) if alliance.county_id else admin
            rules.check_participants(alliance, day, others)
            activity = door.row_create(
                actor=actor,
                row=Activity(
                    held_on=day,
                    alliance=alliance,
                    kind=rng.choice(KINDS),
                    action_line=line,
                    school=host,
                    participants=rng.randint(12, 80),
                    summary=_("%(alliance)s: %(line)s activity hosted by %(school)s.")
                    % {"alliance": alliance.name, "line": line.label, "school": host.name},
                ),
            )
            activity.schools.set(others)
            count += 1
    return count


def _session(actor, week, classroom, provider, receivers, *, sessions, rng):
    rules.check_receivers(provider, receivers)
    row = door.row_create(
        actor=actor,
        row=OnlineSession(
            week=week,
            classroom=classroom,
            school=provider,
            subject=rng.choice(SUBJECTS),
            grade=rng.randint(1, 9),
            sessions=sessions,
            minutes=40,
        ),
    )
    row.receivers.set(receivers)
    return row


def _sessions(rng, alliances, officers, admin) -> int:
    """Eight weeks of online classrooms; three rural schools fall below in the newest week."""
    county = [a for a in alliances if a.level == AllianceLevel.COUNTY]
    city = [a for a in alliances if a.level == AllianceLevel.CITY]
    in_city = {m.school_id for a in city for m in a.memberships.all()}

    def rural(alliance):
        return [
            m.school
            for m in alliance.memberships.select_related("school").filter(left_on=None)
            if m.school.locality == Locality.RURAL and m.school != alliance.lead_school
        ]

    weak = [s for a in county for s in rural(a)[-1:] if s.pk not in in_city][:3]
    for week in WEEKS:
        newest = week == WEEKS[-1]
        for alliance in county:
            officer = officers.get(alliance.county_id)
            receivers = [s for s in rural(alliance) if not (newest and s in weak)]
            if receivers:
                _session(
                    officer,
                    week,
                    ClassroomType.DELIVERY,
                    alliance.lead_school,
                    receivers,
                    sessions=2,
                    rng=rng,
                )
            shortfall = [s for s in rural(alliance) if newest and s in weak]
            if shortfall:
                _session(
                    officer,
                    week,
                    ClassroomType.DELIVERY,
                    alliance.lead_school,
                    shortfall,
                    sessions=1,
                    rng=rng,
                )
        for index, alliance in enumerate(city):
            receivers = [s for s in rural(alliance) if s not in weak]
            kind = ClassroomType.MASTER_TEACHER if index % 2 else ClassroomType.FAMOUS_SCHOOL
            if receivers:
                _session(admin, week, kind, alliance.lead_school, receivers, sessions=2, rng=rng)
    return len(weak)


def _quotas(rng, counties, officers) -> int:
    count = 0
    for county in counties:
        high = School.objects.filter(county=county, kind=SchoolKind.SENIOR).order_by("code")
        juniors = [
            s
            for s in _schools(county, rural=True)
            if s.kind in (SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_MIDDLE)
        ]
        if not high.exists() or not juniors or county.pk not in officers:
            continue
        for junior in juniors[:2]:
            places = rng.randint(4, 12)
            door.row_create(
                actor=officers[county.pk],
                row=EntranceQuota(
                    year=2023,
                    high_school=high.first(),
                    junior_school=junior,
                    places=places,
                    score_concession=rng.choice((10, 15, 20)),
                    places_used=rng.randint(places // 2, places),
                ),
            )
            count += 1
    return count


def _trusteeship(officers, admin) -> int:
    supported = School.objects.filter(name="林口县第一中学").first()
    if supported is None:
        return 0
    pair = door.row_create(
        actor=admin,
        row=TrusteeshipPair(
            trustee="牡丹江市第一高级中学",
            supported_school=supported,
            started_on=dt.date(2022, 9, 1),
            agreement=_("Trusteeship agreement 2022–2025"),
            measures=_("A management team sent in; joint teaching research; teacher exchanges."),
        ),
    )
    for indicator, value, target in (
        ("intake_score", "486.5", "500"),
        ("undergraduate_rate", "62.40", "65"),
        ("teacher_exchanges", "12", "10"),
    ):
        door.row_create(
            actor=admin,
            row=TrusteeshipIndicator(
                pair=pair, year=2023, indicator=indicator, value=value, target=target
            ),
        )
    return 1
