"""Teacher staffing on the home page (a card) and in the weekly dispatch (a section).

Both read the dashboard's selector (`selectors.summary`), so the card, the sheet and the
dashboard agree: teachers on the roster, the special-post plan of the year against its hires,
the continuing-education coverage of rural teachers and the schools short of teachers.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.areas import Card, DispatchSection, Figure
from teachers import selectors


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def card(user) -> Card:
    figures = selectors.summary(user)
    special = figures["special_post"]
    cover = figures["training_coverage"]
    short = figures["schools_short_of_teachers"]
    return Card(
        area="teachers",
        title=_("Teacher staffing"),
        url=reverse("teachers-dashboard"),
        figures=(
            Figure(_("Teachers on the roster"), figures["teachers"], figures["teachers_url"]),
            Figure(
                _("Special-post teachers planned in %(year)s") % {"year": figures["year"]},
                special["planned"],
                special["url"],
            ),
            Figure(
                _("Special-post teachers hired"),
                special["hired"],
                special["hires_url"],
                "warning" if special["vacant"] else "",
            ),
            Figure(
                _("Continuing-education coverage of rural teachers"),
                _rate(cover["rate"]),
                cover["uncovered_url"],
                "success" if cover["rate"] == 100 else "warning",
            ),
            Figure(
                _("Schools short of teachers"),
                short,
                figures["short_url"],
                "warning" if short else "success",
            ),
        ),
    )


def dispatch_section(*, user, start: dt.date, end: dt.date) -> DispatchSection:
    """Per county in scope, then the total: teachers and rural teachers, the year's special-post
    plan, hires and teachers on duty, the coverage of rural teachers and the schools short."""
    figures = selectors.summary(user)
    rows = []
    for county in figures["counties"]:
        special, cover = county["special_post"], county["training_coverage"]
        rows.append(
            (
                county["name"],
                county["teachers"],
                county["rural_teachers"],
                special["planned"],
                special["hired"],
                special["on_duty"],
                cover["covered"],
                county["schools_short_of_teachers"],
            )
        )
    totals = tuple(sum(row[i] for row in rows) for i in range(1, 8))
    cover = figures["training_coverage"]
    paragraph = _(
        "%(start)s to %(end)s: %(teachers)s teachers on the roster, %(rural)s of them rural; "
        "%(planned)s special-post teachers planned in %(year)s, %(hired)s hired, %(on_duty)s on "
        "duty; continuing education of rural teachers %(rate)s; %(short)s schools short of "
        "teachers."
    ) % {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "teachers": f"{figures['teachers']:,}",
        "rural": f"{figures['rural_teachers']:,}",
        "planned": figures["special_post"]["planned"],
        "year": figures["year"],
        "hired": figures["special_post"]["hired"],
        "on_duty": figures["special_post"]["on_duty"],
        "rate": _rate(cover["rate"]),
        "short": figures["schools_short_of_teachers"],
    }
    return DispatchSection(
        area="teachers",
        title=_("Teacher staffing"),
        header=(
            _("county"),
            _("Teachers"),
            _("Rural teachers"),
            _("Special-post planned"),
            _("Special-post hired"),
            _("Special-post on duty"),
            _("Rural teachers covered"),
            _("Schools short of teachers"),
        ),
        rows=(*rows, (_("Total"), *totals)),
        paragraph=paragraph,
    )
