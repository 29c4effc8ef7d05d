"""Student aid on the home page (a card) and in the weekly dispatch (a section).

The card is the dashboard's headline (`selectors.summary`): aid paid in the newest school year
with payments, the part to formerly registered poor students the bulletin reports (196.63万元,
2,618 person-times), and the eligible students not aided in the newest term. Each figure links
to the rows it counts; a school officer's figures are its school's payments and pupils.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from aid import selectors
from aid.models import Disbursement, fen
from core.areas import Card, DispatchSection, Figure
from core.calendar import Term, school_year_label


def _newest_term_gaps(user, figures: dict) -> dict:
    """The summary's gap entry of the newest term with payments (that of its school year)."""
    school_year, term = selectors.latest_period(user)
    if school_year != figures["school_year"]:
        term = Term.AUTUMN
    return next(gap for gap in figures["gaps"] if gap["term"] == term)


def card(user) -> Card:
    figures = selectors.summary(user=user)
    gaps = _newest_term_gaps(user, figures)
    year = school_year_label(figures["school_year"])
    return Card(
        area="aid",
        title=_("Student aid"),
        url=reverse("aid-dashboard"),
        figures=(
            Figure(
                _("Aid paid in %(year)s (10,000 yuan)") % {"year": year},
                figures["total"]["wan"],
                figures["total"]["url"],
            ),
            Figure(
                _("Person-times aided"), figures["total"]["person_times"], figures["total"]["url"]
            ),
            Figure(
                _("Formerly registered poor students (10,000 yuan)"),
                figures["formerly_poor"]["wan"],
                figures["formerly_poor"]["url"],
            ),
            Figure(
                _("Eligible but not aided, %(term)s") % {"term": gaps["name"]},
                gaps["count"],
                gaps["url"],
                "danger" if gaps["count"] else "success",
            ),
        ),
    )


def dispatch_section(*, user, start: dt.date, end: dt.date) -> DispatchSection:
    """Per county in scope, then the total: payments made this week (by paid date), the newest
    school year's payments, and its newest term's eligible students not aided."""
    figures = selectors.summary(user=user)
    gaps = _newest_term_gaps(user, figures)
    week = {
        row["county_id"]: (row["n"], fen(row["amount"]))
        for row in Disbursement.objects.visible_to(user)
        .filter(paid_on__range=(start, end))
        .order_by()
        .values("county_id")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    }
    gap_counts = {
        row["county_id"]: row["n"]
        for row in selectors.gap_list(
            user=user, school_year=figures["school_year"], term=gaps["term"]
        )
        .order_by()
        .values("county_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    for county in figures["by_county"]:
        paid, amount = week.get(county["id"], (0, Decimal("0.00")))
        rows.append(
            (
                county["name"],
                paid,
                amount,
                county["person_times"],
                county["amount"],
                gap_counts.get(county["id"], 0),
            )
        )
    totals = tuple(sum(row[i] for row in rows) for i in range(1, 6))
    week_paid, week_amount, year_paid, year_amount, gap_count = totals
    year = school_year_label(figures["school_year"])
    paragraph = _(
        "%(start)s to %(end)s: %(week_paid)s payments, %(week_amount)s yuan; school year "
        "%(year)s: %(year_paid)s person-times, %(year_amount)s yuan, of which %(poor_amount)s "
        "yuan to formerly registered poor students (%(poor_paid)s person-times); %(gaps)s "
        "eligible students not aided in %(term)s."
    ) % {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "week_paid": week_paid,
        "week_amount": fen(week_amount),
        "year": year,
        "year_paid": year_paid,
        "year_amount": fen(year_amount),
        "poor_amount": figures["formerly_poor"]["amount"],
        "poor_paid": figures["formerly_poor"]["person_times"],
        "gaps": gap_count,
        "term": gaps["name"],
    }
    return DispatchSection(
        area="aid",
        title=_("Student aid"),
        header=(
            _("county"),
            _("Payments this week"),
            _("Paid this week (yuan)"),
            _("Person-times in %(year)s") % {"year": year},
            _("Paid in %(year)s (yuan)") % {"year": year},
            _("Eligible but not aided, %(term)s") % {"term": gaps["name"]},
        ),
        rows=(*rows, (_("Total"), *totals)),
        paragraph=paragraph,
    )
