"""School conditions' section of the weekly county report (core.reporting): the county's
look-back rectifications open and overdue at the end of the week and closed during it, its
improvement projects under construction at the end of the week and completed in the school year
by then, and its public schools behind on toilet maintenance on the week's last day.

Every figure is computed from the rows as they stood on the week's last day (`period.end`), not
from their status today, so an approved week's figures change only when a row of that week is
corrected: a rectification is open from its finding's inspection day until the day it was
verified and closed (`closed_on`), overdue while open after its deadline; a project is under
construction from its actual start until its actual completion; the maintenance check counts
back from the week's last day, with the entries dated on or before it."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar
from core.links import link
from core.reporting.registry import Figure, area_section
from facilities import selectors
from facilities.models import ImprovementProject, ProjectStatus, Rectification, RectificationStatus


def figures(*, user, county, period) -> list[Figure]:
    start, end = period.start, period.end
    rectifications = Rectification.objects.visible_to(user).filter(
        county=county, finding__inspection__inspected_on__lte=end
    )
    open_then = rectifications.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    overdue_then = open_then.filter(deadline__lt=end)
    closed_in_week = rectifications.filter(closed_on__gte=start, closed_on__lte=end)

    projects = ImprovementProject.objects.visible_to(user).filter(county=county)
    building_then = projects.filter(actual_start__lte=end).filter(
        Q(actual_end__isnull=True) | Q(actual_end__gt=end)
    )
    year_start = calendar.school_year_start(calendar.school_year_of(end))
    completed_then = projects.filter(actual_end__gte=year_start, actual_end__lte=end)

    days = selectors.maintenance_days()
    behind = selectors.maintenance_gaps(user, days=days, as_of=end).filter(county=county)
    return [
        Figure(
            "rectifications_open",
            _("Open toilet rectifications"),
            open_then.count(),
            link("rectification-list", county=county.pk, open="true"),
        ),
        Figure(
            "rectifications_overdue",
            _("Overdue toilet rectifications"),
            overdue_then.count(),
            link("rectification-list", county=county.pk, overdue="true"),
        ),
        Figure(
            "rectifications_closed",
            _("Rectifications verified and closed this week"),
            closed_in_week.count(),
            link("rectification-list", county=county.pk, status=RectificationStatus.CLOSED),
        ),
        Figure(
            "projects_building",
            _("Improvement projects under construction"),
            building_then.count(),
            link("improvementproject-list", county=county.pk, status=ProjectStatus.BUILDING),
        ),
        Figure(
            "projects_completed",
            _("Improvement projects completed this school year"),
            completed_then.count(),
            link(
                "improvementproject-list",
                county=county.pk,
                school_year=calendar.school_year_of(end),
            ),
        ),
        Figure(
            "maintenance_behind",
            _("Schools without a toilet inspection or waste clearing in %(days)s days")
            % {"days": days},
            behind.count(),
            link(
                "facilities-maintenance-gaps",
                county=county.pk,
                days=days,
                as_of=end.isoformat(),
            ),
        ),
    ]


WEEKLY = area_section("facilities", gettext_lazy("School conditions"), figures)
