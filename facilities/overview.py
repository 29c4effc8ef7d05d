"""School conditions on the home page (a card) and in the weekly dispatch (a section).

Both read the dashboard's selector (`selectors.summary`), so the card, the sheet and the
dashboard agree: townships without a public central kindergarten, projects of the school year,
under-funded schools, and the look-back's open and overdue rectifications.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core.areas import Card, DispatchSection, Figure
from facilities import selectors
from facilities.models import MaintenanceEntry, Rectification, RectificationStatus


def card(user) -> Card:
    figures = selectors.summary(user)
    rect = figures["rectifications"]
    items = []
    if figures["coverage_shown"]:
        missing = figures["townships_without_central_kindergarten"]
        items.append(
            Figure(
                _("Townships without a public central kindergarten"),
                missing,
                figures["missing_url"],
                "danger" if missing else "success",
            )
        )
    items += [
        Figure(
            _("Improvement projects in %(year)s") % {"year": figures["school_year_label"]},
            figures["projects"]["count"],
            figures["projects"]["url"],
        ),
        Figure(
            _("Under-funded schools"),
            figures["funding"]["underfunded_schools"],
            figures["funding"]["underfunded_url"],
            "warning" if figures["funding"]["underfunded_schools"] else "",
        ),
        Figure(_("Open toilet rectifications"), rect["open"], rect["open_url"]),
        Figure(
            _("Overdue rectifications"),
            rect["overdue"],
            rect["overdue_url"],
            "danger" if rect["overdue"] else "success",
        ),
    ]
    return Card(
        area="facilities",
        title=_("School conditions"),
        url=reverse("facilities-dashboard"),
        figures=tuple(items),
    )


def dispatch_section(*, user, start: dt.date, end: dt.date) -> DispatchSection:
    """Per county in scope, then the total: rectifications closed and maintenance entries logged
    this week, open and overdue rectifications, townships without a central kindergarten and
    under-funded schools of the newest funding year."""
    figures = selectors.summary(user)
    closed_week = {
        row["county_id"]: row["n"]
        for row in Rectification.objects.visible_to(user)
        .filter(status=RectificationStatus.CLOSED, closed_on__range=(start, end))
        .order_by()
        .values("county_id")
        .annotate(n=Count("pk"))
    }
    logged_week = {
        row["county_id"]: (row["n"], row["waste"])
        for row in MaintenanceEntry.objects.visible_to(user)
        .filter(done_on__range=(start, end))
        .order_by()
        .values("county_id")
        .annotate(n=Count("pk"), waste=Count("pk", filter=Q(kind="waste")))
    }
    rows = []
    for county in figures["counties"]:
        logged, waste = logged_week.get(county["id"], (0, 0))
        rows.append(
            (
                county["name"],
                closed_week.get(county["id"], 0),
                county["rectifications_open"],
                county["rectifications_overdue"],
                logged,
                waste,
                county["townships_without_central_kindergarten"],
                county["underfunded_schools"],
            )
        )
    totals = tuple(sum(row[i] for row in rows) for i in range(1, 8))
    closed, open_, overdue, logged, waste, missing, under = totals
    paragraph = _(
        "%(start)s to %(end)s: %(closed)s toilet rectifications verified and closed, "
        "%(open)s open (%(overdue)s overdue); %(logged)s maintenance entries logged, "
        "%(waste)s of them waste clearings; %(missing)s townships without a public central "
        "kindergarten; %(under)s under-funded schools in %(year)s."
    ) % {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "closed": closed,
        "open": open_,
        "overdue": overdue,
        "logged": logged,
        "waste": waste,
        "missing": missing,
        "under": under,
        "year": figures["school_year_label"],
    }
    return DispatchSection(
        area="facilities",
        title=_("School conditions"),
        header=(
            _("county"),
            _("Rectifications closed this week"),
            _("Open rectifications"),
            _("Overdue rectifications"),
            _("Maintenance entries this week"),
            _("Waste clearings this week"),
            _("Townships without a public central kindergarten"),
            _("Under-funded schools"),
        ),
        rows=(*rows, (_("Total"), *totals)),
        paragraph=paragraph,
    )
