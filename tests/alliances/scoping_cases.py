"""Scoping cases of the alliances-and-teaching ledgers (the reusable scoping test runs them for a
county against another county's rows and for a school officer against a neighbour school).
The city-level alliance, the one variant of the rule, is proven in test_visibility.py."""

from __future__ import annotations

from alliances.models import AllianceMember
from tests.alliances.factories import (
    ActivityFactory,
    AllianceFactory,
    EntranceQuotaFactory,
    OnlineSessionFactory,
    TrusteeshipIndicatorFactory,
    TrusteeshipPairFactory,
    alliance_with,
)
from tests.factories import SchoolFactory
from tests.scoping import ScopingCase, register


def _sibling(school, **fields):
    """Another school of the same township (and county)."""
    return SchoolFactory(township=school.township, **fields)


def _alliance(where, row=None):
    school = where if hasattr(where, "township") else where.lead_school
    return {
        "name": row.name if row else f"{school}新联盟",
        "level": "county",
        "county": school.county_id,
        "kind": "compulsory",
        "lead_school": school.pk,
        "founded_on": "2023-03-01",
        "goals": "以强带弱",
    }


register(
    ScopingCase(
        label="alliances.alliance",
        # Led by another school of the county: the school officer's own school is no member.
        make=lambda school: AllianceFactory(
            lead_school=_sibling(school), name=f"{school.county}{school.code}联盟"
        ),
        form_data=_alliance,
        api_data=_alliance,
        marker=lambda row: row.name,
        # A school officer sees the alliances its school is a member of.
        school_make=lambda school: alliance_with(school, name=f"{school}牵头联盟"),
    )
)


def _member_make(school):
    alliance = alliance_with(_sibling(school), name=f"{school}所在联盟")
    return AllianceMember.objects.create(
        alliance=alliance, school=school, joined_on="2022-09-01", note=f"{school}加入"
    )


def _member(school, row=None):
    alliance = row.alliance if row else AllianceFactory(lead_school=_sibling(school))
    return {
        "alliance": alliance.pk,
        "school": school.pk,
        "role": "member",
        "joined_on": "2023-03-01",
        "note": "加入",
    }


register(
    ScopingCase(
        label="alliances.alliancemember",
        make=_member_make,
        form_data=_member,
        api_data=_member,
        marker=lambda row: row.note,
    )
)


def _activity_make(school):
    return ActivityFactory(school=school, summary=f"{school}教研")


def _activity(school, row=None):
    alliance = row.alliance if row else alliance_with(school)
    return {
        "held_on": "2023-10-20",
        "alliance": alliance.pk,
        "kind": "demonstration",
        "action_line": "excel",
        "school": school.pk,
        "schools": [school.pk],
        "participants": 30,
        "summary": "示范课",
    }


register(
    ScopingCase(
        label="alliances.activity",
        make=_activity_make,
        form_data=_activity,
        api_data=_activity,
        marker=lambda row: row.school.name,
    )
)


def _session(school, row=None):
    return {
        "week": "2023-10-16",
        "classroom": "master_teacher",
        "school": school.pk,
        "receivers": [_sibling(school).pk],
        "subject": f"{school}语文",
        "grade": 4,
        "sessions": 2,
        "minutes": 40,
    }


register(
    ScopingCase(
        label="alliances.onlinesession",
        make=lambda school: OnlineSessionFactory(school=school, subject=f"{school}数学"),
        form_data=_session,
        api_data=_session,
        marker=lambda row: row.subject,
    )
)


def _quota(school, row=None):
    where = school if hasattr(school, "township") else school.junior_school
    return {
        "year": 2024,
        "high_school": SchoolFactory(kind="senior").pk,
        "junior_school": _sibling(where, kind="junior").pk,
        "places": 6,
        "score_concession": "10.0",
        "places_used": 0,
        "note": "配额",
    }


register(
    ScopingCase(
        label="alliances.entrancequota",
        make=lambda school: EntranceQuotaFactory(
            junior_school=_sibling(school, kind="junior"), note=f"{school.county}配额"
        ),
        form_data=_quota,
        api_data=_quota,
        marker=lambda row: row.note,
    )
)


def _pair(school, row=None):
    where = school if hasattr(school, "township") else school.supported_school
    return {
        "trustee": "牡丹江市第二高级中学",
        "supported_school": _sibling(where, kind="senior").pk,
        "started_on": "2023-09-01",
        "agreement": f"{where.county}协议",
        "measures": "派驻管理团队",
    }


register(
    ScopingCase(
        label="alliances.trusteeshippair",
        make=lambda school: TrusteeshipPairFactory(
            supported_school=_sibling(school, kind="senior"), trustee=f"{school.county}托管方"
        ),
        form_data=_pair,
        api_data=_pair,
        marker=lambda row: row.trustee,
    )
)


def _indicator(school, row=None):
    pair = (
        row.pair
        if row
        else TrusteeshipPairFactory(supported_school=_sibling(school, kind="senior"))
    )
    return {
        "pair": pair.pk,
        "year": 2024,
        "indicator": "intake_score",
        "value": "520.5",
        "note": "指标",
    }


register(
    ScopingCase(
        label="alliances.trusteeshipindicator",
        make=lambda school: TrusteeshipIndicatorFactory(
            pair=TrusteeshipPairFactory(supported_school=_sibling(school, kind="senior")),
            note=f"{school.county}指标",
        ),
        form_data=_indicator,
        api_data=_indicator,
        marker=lambda row: row.note,
    )
)
