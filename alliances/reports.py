"""Alliances and teaching's section of the weekly county report (core.reporting): the county's
member schools on the week's last day, the alliance activities held during the week (hosted in
the county or with one of its schools taking part) and those on the 培优 line, the online-classroom
sessions its rural schools received in the week and those of them below regular use.

Every figure is computed from the rows as they stood on the week's last day (`period.end`): a
membership counts from its join date until its leave date, an activity on its date, a session in
its week; an approved week's figures change only when a row of that week is corrected."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances import selectors
from alliances.models import ActionLine, AllianceMember, OnlineSession, monday_of
from core.links import link
from core.models import Locality
from core.reporting.registry import Figure, area_section


def figures(*, user, county, period) -> list[Figure]:
    start, end = period.start, period.end
    members = (
        AllianceMember.objects.visible_to(user)
        .filter(school__county=county, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
        .values("school")
        .distinct()
    )
    held = selectors.activities(user, county).filter(held_on__gte=start, held_on__lte=end)
    week = monday_of(start)
    received = OnlineSession.receivers.through.objects.filter(
        onlinesession__in=selectors.sessions(user, county).filter(week=week).values("pk"),
        school__county=county,
        school__locality=Locality.RURAL,
    ).aggregate(n=Sum("onlinesession__sessions"))["n"]
    below = selectors.below_regular_use(user, week=week, county=county)
    return [
        Figure(
            "member_schools",
            _("Alliance member schools"),
            members.count(),
            link("alliancemember-list", county=county.pk, left="false"),
        ),
        Figure(
            "activities",
            _("Alliance activities this week"),
            held.count(),
            link(
                "activity-list",
                county=county.pk,
                held_from=start.isoformat(),
                held_until=end.isoformat(),
            ),
        ),
        Figure(
            "activities_excel",
            _("of which on the cultivate-excellence line"),
            held.filter(action_line=ActionLine.EXCEL).count(),
            link(
                "activity-list",
                county=county.pk,
                action_line=ActionLine.EXCEL,
                held_from=start.isoformat(),
                held_until=end.isoformat(),
            ),
        ),
        Figure(
            "sessions_received",
            _("Online-classroom sessions received by rural schools this week"),
            received or 0,
            link(
                "onlinesession-list",
                county=county.pk,
                week_from=week.isoformat(),
                week_until=week.isoformat(),
            ),
        ),
        Figure(
            "below_regular_use",
            _("Rural schools below regular use this week"),
            below.count(),
            link("alliances-regular-use", county=county.pk, week=week.isoformat()),
        ),
    ]


WEEKLY = area_section("alliances", gettext_lazy("Alliances and teaching"), figures)
