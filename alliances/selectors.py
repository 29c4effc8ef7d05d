"""The read side of alliances and teaching: the figures of the dashboard, the summary API, the
weekly report and the check lists, each counted from the rows the user sees (`visible_to`).

* **Member schools** are distinct schools with a membership that has not ended (no leave date):
  a school in a city and a county alliance counts once; a school that left counts no more,
  unless it is still a member of another alliance.
* **Regular use** 常态化: a rural school receiving online-classroom sessions reaches it in a week
  when it received at least ALLIANCES_REGULAR_SESSIONS_PER_WEEK sessions that week (a setting
  for the whole city, default 2); below it, it is on the check list with its weeks' trend.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from alliances.models import (
    ActionLine,
    Activity,
    Alliance,
    AllianceLevel,
    AllianceMember,
    ClassroomType,
    OnlineSession,
)
from core import calendar, charts
from core.areas import setting
from core.links import link
from core.models import Locality, Region, RegionLevel, School

TREND_WEEKS = 4


def regular_sessions() -> int:
    """Sessions a week a rural receiving school needs for regular use (a city-wide setting)."""
    return int(setting("ALLIANCES_REGULAR_SESSIONS_PER_WEEK", 2))


def _in_county(queryset, county, field="county"):
    return queryset.filter(**{field: county}) if county is not None else queryset


def school_year_of(year):
    return year if year else None


# --- Members ---------------------------------------------------------------------------------


def current_memberships(user, county=None):
    members = AllianceMember.objects.visible_to(user).filter(left_on__isnull=True)
    return _in_county(members, county, "school__county")


def member_schools(user, county=None):
    """The distinct schools that are members of an alliance now, for the user's scope."""
    ids = current_memberships(user, county).values("school_id")
    return School.objects.visible_to(user).filter(pk__in=ids)


def alliances(user, county=None):
    """The alliances the user sees; with a county: its county alliances and the city alliances
    one of its schools is in."""
    rows = Alliance.objects.visible_to(user)
    if county is not None:
        city = AllianceMember.objects.visible_to(user).filter(school__county=county)
        rows = rows.filter(
            Q(county=county) | Q(level=AllianceLevel.CITY, pk__in=city.values("alliance_id"))
        )
    return rows


# --- Activities ------------------------------------------------------------------------------


def activities(user, county=None, school_year=None):
    rows = Activity.objects.visible_to(user)
    if county is not None:
        joined = Activity.schools.through.objects.filter(school__county=county)
        rows = rows.filter(Q(county=county) | Q(pk__in=joined.values("activity_id")))
    if school_year:
        rows = rows.filter(calendar.in_school_year("held_on", school_year))
    return rows


def activities_by_line(user, county=None, school_year=None) -> dict[str, int]:
    counted = dict(
        activities(user, county, school_year)
        .order_by()
        .values_list("action_line")
        .annotate(n=Count("pk"))
    )
    return {line.value: counted.get(line.value, 0) for line in ActionLine}


def activities_by_month(user, county=None, school_year=None) -> list[dict]:
    """Per month: the activities of each action line."""
    rows = (
        activities(user, county, school_year)
        .annotate(month=TruncMonth("held_on"))
        .order_by()
        .values("month", "action_line")
        .annotate(n=Count("pk"))
    )
    months: dict = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        months.setdefault(month, {line.value: 0 for line in ActionLine})[row["action_line"]] = row[
            "n"
        ]
    return [{"month": m, "lines": months[m]} for m in sorted(months)]


def school_activities(user, school):
    """The activities a school hosted or took part in (those the user sees)."""
    joined = Activity.schools.through.objects.filter(school=school).values("activity_id")
    return Activity.objects.visible_to(user).filter(Q(school=school) | Q(pk__in=joined))


def term_of_activities(user) -> tuple[int, str]:
    newest = Activity.objects.visible_to(user).order_by("-held_on").values("held_on").first()
    return calendar.term_of(newest["held_on"]) if newest else calendar.current_term()


def schools_without_activity(user, *, school_year, term, county=None):
    """Member schools that neither hosted nor joined an activity in the term (the check list),
    with the names of their alliances (`alliance_names`)."""
    start, end = calendar.term_span(school_year, term)
    held = Activity.objects.visible_to(user).filter(held_on__gte=start, held_on__lt=end)
    hosted = held.values("school_id")
    joined = Activity.schools.through.objects.filter(activity__in=held).values("school_id")
    names = (
        current_memberships(user)
        .filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(names=StringAgg("alliance__name", "、", order_by="alliance__name"))
        .values("names")
    )
    return (
        member_schools(user, county)
        .exclude(pk__in=hosted)
        .exclude(pk__in=joined)
        .annotate(alliance_names=Subquery(names))
        .select_related("county", "township")
    )


# --- Online classrooms -----------------------------------------------------------------------


def sessions(user, county=None, school_year=None):
    rows = OnlineSession.objects.visible_to(user)
    if county is not None:
        received = OnlineSession.receivers.through.objects.filter(school__county=county)
        rows = rows.filter(Q(county=county) | Q(pk__in=received.values("onlinesession_id")))
    if school_year:
        rows = rows.filter(calendar.in_school_year("week", school_year))
    return rows


def sessions_by_type(user, county=None, school_year=None) -> dict[str, int]:
    counted = dict(
        sessions(user, county, school_year)
        .order_by()
        .values_list("classroom")
        .annotate(n=Sum("sessions"))
    )
    return {kind.value: counted.get(kind.value, 0) or 0 for kind in ClassroomType}


def session_weeks(user, county=None, school_year=None) -> list[dt.date]:
    weeks = sessions(user, county, school_year).order_by("week").values_list("week", flat=True)
    return sorted(set(weeks))


def _received(user, county, school_year):
    """(school, week) → sessions received, for the rural schools the user sees."""
    through = OnlineSession.receivers.through.objects.filter(
        onlinesession__in=sessions(user, county, school_year).values("pk"),
        school__in=_in_county(
            School.objects.visible_to(user).filter(locality=Locality.RURAL), county
        ).values("pk"),
    )
    return through


def _week_sessions(user, county, week):
    return (
        _received(user, county, None)
        .filter(onlinesession__week=week, school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(n=Sum("onlinesession__sessions"))
        .values("n")
    )


def received_in_week(user, week, county=None):
    """Rural receiving schools annotated with the sessions they received in `week`
    (`week_sessions`) and in it and the weeks before (`trend_0` … the oldest first)."""
    receiving = _received(user, county, None).values("school_id")
    weekly = {
        f"trend_{i}": Coalesce(
            Subquery(
                _week_sessions(user, county, week - dt.timedelta(weeks=TREND_WEEKS - 1 - i)),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        for i in range(TREND_WEEKS)
    }
    return (
        School.objects.visible_to(user)
        .filter(pk__in=receiving)
        .annotate(
            week_sessions=Coalesce(
                Subquery(_week_sessions(user, county, week), output_field=IntegerField()),
                Value(0),
            ),
            **weekly,
        )
        .select_related("county", "township")
    )


def below_regular_use(user, *, week, county=None):
    """The rural receiving schools under the regular-use number of sessions in `week`."""
    return received_in_week(user, week, county).filter(week_sessions__lt=regular_sessions())


def trend(row) -> list[int]:
    """A row of received_in_week: its sessions in the weeks to its week, the oldest first."""
    return [getattr(row, f"trend_{i}") for i in range(TREND_WEEKS)]


def latest_week(user, county=None) -> dt.date | None:
    weeks = session_weeks(user, county)
    return weeks[-1] if weeks else None


def weekly_regular_use(user, county=None, school_year=None) -> list[dict]:
    """Per week: the rural receiving schools, and how many were below regular use."""
    needed = regular_sessions()
    counts: dict = {}
    rows = (
        _received(user, county, school_year)
        .order_by()
        .values("school_id", "onlinesession__week")
        .annotate(n=Sum("onlinesession__sessions"))
    )
    for row in rows:
        counts.setdefault(row["onlinesession__week"], {})[row["school_id"]] = row["n"]
    receiving = set(_received(user, county, school_year).values_list("school_id", flat=True))
    result = []
    for week in session_weeks(user, county, school_year):
        got = counts.get(week, {})
        below = sum(1 for school in receiving if got.get(school, 0) < needed)
        result.append({"week": week, "schools": len(receiving), "below": below})
    return result


# --- The summary -----------------------------------------------------------------------------


def counties_in_scope(user, county=None):
    rows = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code")
    return rows.filter(pk=county.pk) if county is not None else rows


def years(user) -> set[int]:
    found = set()
    for day in Activity.objects.visible_to(user).values_list("held_on", flat=True).distinct():
        found.add(calendar.school_year_of(day))
    for day in OnlineSession.objects.visible_to(user).values_list("week", flat=True).distinct():
        found.add(calendar.school_year_of(day))
    return found


def latest_year(user) -> int:
    found = years(user)
    return max(found) if found else calendar.current_school_year()


def summary(user, county=None, school_year=None) -> dict:
    """The dashboard's and the summary API's figures for the user's scope."""
    alliance_rows = alliances(user, county)
    lines = activities_by_line(user, county, school_year)
    week = latest_week(user, county)
    below = below_regular_use(user, week=week, county=county).count() if week else 0
    county_id = getattr(county, "pk", None)
    per_county = []
    for region in counties_in_scope(user, county):
        per_county.append(
            {
                "id": region.pk,
                "name": region.name,
                "county_level": alliances(user, region).filter(level=AllianceLevel.COUNTY).count(),
                "city_level": alliances(user, region).filter(level=AllianceLevel.CITY).count(),
                "member_schools": member_schools(user, region).count(),
                "activities": activities(user, region, school_year).count(),
                "sessions": sessions(user, region, school_year).aggregate(n=Sum("sessions"))["n"]
                or 0,
                "urls": {
                    "alliances": link("alliance-list", county=region.pk),
                    "members": link("alliancemember-list", county=region.pk, left="false"),
                    "activities": link("activity-list", county=region.pk),
                    "sessions": link("onlinesession-list", county=region.pk),
                },
            }
        )
    return {
        "school_year": school_year,
        "school_year_label": calendar.school_year_label(school_year) if school_year else "",
        "city_level": alliance_rows.filter(level=AllianceLevel.CITY).count(),
        "county_level": alliance_rows.filter(level=AllianceLevel.COUNTY).count(),
        "member_schools": member_schools(user, county).count(),
        "activities": {
            "total": sum(lines.values()),
            "by_action_line": lines,
            "by_month": activities_by_month(user, county, school_year),
        },
        "online_sessions": {
            "total": sum(sessions_by_type(user, county, school_year).values()),
            "by_type": sessions_by_type(user, county, school_year),
            "week": week,
            "regular_sessions": regular_sessions(),
            "schools_below_regular_use": below,
            "weeks": weekly_regular_use(user, county, school_year),
        },
        "counties": per_county,
        "urls": {
            "city_level": link("alliance-list", level="city", county=county_id),
            "county_level": link("alliance-list", level="county", county=county_id),
            "members": link("alliancemember-list", county=county_id, left="false"),
            "activities": link("activity-list", county=county_id),
            "lines": {
                line.value: link("activity-list", county=county_id, action_line=line.value)
                for line in ActionLine
            },
            "sessions": link("onlinesession-list", county=county_id),
            "below": link("alliances-regular-use", county=county_id),
            "without_activity": link("alliances-without-activity", county=county_id),
        },
    }


def chart_data(figures: dict) -> dict:
    """The dashboard's charts from the summary (categories, values and the rows behind each)."""
    counties = figures["counties"]
    names = [c["name"] for c in counties]
    urls = figures["urls"]
    months = figures["activities"]["by_month"]
    weeks = figures["online_sessions"]["weeks"]
    return {
        "levels": charts.bars(
            categories=names,
            series=[
                charts.Series(
                    _("County level"),
                    [c["county_level"] for c in counties],
                    [c["urls"]["alliances"] for c in counties],
                ),
                charts.Series(
                    _("City level"),
                    [c["city_level"] for c in counties],
                    [c["urls"]["alliances"] for c in counties],
                ),
            ],
        ),
        "lines": charts.pie(
            items=[
                (
                    line.label,
                    figures["activities"]["by_action_line"][line.value],
                    urls["lines"][line.value],
                )
                for line in ActionLine
            ]
        ),
        "months": charts.bars(
            categories=[f"{m['month']:%Y-%m}" for m in months],
            series=[
                charts.Series(
                    line.label,
                    [m["lines"][line.value] for m in months],
                    [
                        link(
                            "activity-list",
                            action_line=line.value,
                            held_from=m["month"].isoformat(),
                            held_until=_month_end(m["month"]).isoformat(),
                        )
                        for m in months
                    ],
                )
                for line in ActionLine
            ],
        ),
        "weeks": charts.bars(
            categories=[f"{w['week']:%m-%d}" for w in weeks],
            series=[
                charts.Series(
                    _("Rural receiving schools"),
                    [w["schools"] for w in weeks],
                    [link("alliances-regular-use", week=w["week"].isoformat()) for w in weeks],
                ),
                charts.Series(
                    _("Below regular use"),
                    [w["below"] for w in weeks],
                    [link("alliances-regular-use", week=w["week"].isoformat()) for w in weeks],
                ),
            ],
        ),
    }


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
