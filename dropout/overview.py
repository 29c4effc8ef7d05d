"""Dropout control on the home page (a card) and in the weekly dispatch (a section).

Both come from the dashboard's own figures (`selectors.dashboard`), so the card, the sheet and
the dashboard never disagree, and every figure links to the rows it counts. A school officer
gets neither: screening results and cases are the county's (by township), none is a school's.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core import calendar
from core.areas import Card, DispatchSection, Figure
from core.scoping import school_of
from dropout import selectors
from dropout.models import DropoutCase


def card(user) -> Card | None:
    if school_of(user) is not None:
        return None
    data = selectors.dashboard(user=user)
    rate = data["dropout_rate"]
    return Card(
        area="dropout",
        title=_("Dropout control"),
        url=reverse("dropout-dashboard"),
        figures=(
            Figure(_("Person-times screened"), data["person_times"], data["person_times_url"]),
            Figure(
                _("Open cases (clear to zero)"),
                data["cases_open"],
                data["cases_open_url"],
                "danger" if data["cases_open"] else "success",
            ),
            Figure(
                _("Overdue cases"),
                data["cases_overdue"],
                data["cases_overdue_url"],
                "danger" if data["cases_overdue"] else "",
            ),
            Figure(
                _("Dropout rate"),
                rate.percent if rate is not None and rate.value is not None else None,
                data["rates_url"],
            ),
        ),
    )


def dispatch_section(*, user, start: dt.date, end: dt.date) -> DispatchSection | None:
    """Per county in scope, then the total: the school year's screening, suspected children of
    the latest round, open and overdue cases, and the cases opened and closed this week."""
    if school_of(user) is not None:
        return None
    data = selectors.dashboard(user=user)
    week = (
        DropoutCase.objects.visible_to(user)
        .order_by()
        .values("county_id")
        .annotate(
            opened=Count("pk", filter=Q(opened_on__range=(start, end))),
            closed=Count("pk", filter=Q(closed_on__range=(start, end))),
        )
    )
    per_county = {row["county_id"]: (row["opened"], row["closed"]) for row in week}
    rows = []
    for row in data["county_rows"]:
        opened, closed = per_county.get(row["county"].pk, (0, 0))
        rows.append(
            (
                row["county"].name,
                row["person_times"],
                row["suspected_open"],
                row["cases_open"],
                row["cases_overdue"],
                opened,
                closed,
            )
        )
    totals = tuple(sum(row[i] for row in rows) for i in range(1, 7))
    person_times, suspected, cases_open, overdue, opened, closed = totals
    paragraph = _(
        "%(start)s to %(end)s: %(opened)s cases opened and %(closed)s closed; %(open)s cases "
        "still open, %(overdue)s of them overdue; %(suspected)s children suspected in the "
        "latest round; school year %(year)s: %(rounds)s screening rounds, %(person_times)s "
        "person-times screened."
    ) % {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "opened": opened,
        "closed": closed,
        "open": cases_open,
        "overdue": overdue,
        "suspected": suspected,
        "year": calendar.school_year_label(data["school_year"]),
        "rounds": data["rounds"],
        "person_times": person_times,
    }
    return DispatchSection(
        area="dropout",
        title=_("Dropout control"),
        header=(
            _("county"),
            _("Person-times screened"),
            _("Suspected in the latest round"),
            _("Open cases"),
            _("Overdue cases"),
            _("Cases opened this week"),
            _("Cases closed this week"),
        ),
        rows=(*rows, (_("Total"), *totals)),
        paragraph=paragraph,
    )
