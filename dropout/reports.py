"""Dropout control's section of the weekly county report (core.reporting): the county's cases
open and overdue at the end of the week, and its latest screening round by then — computed from
the rows as they stood on the week's last day, so an approved week's figures change only when a
row of that week is corrected."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import link
from core.reporting.registry import Figure, area_section
from dropout.models import Classification, DropoutCase, RoundStatus, ScreeningResult, ScreeningRound


def figures(*, user, county, period) -> list[Figure]:
    end = period.end
    cases = DropoutCase.objects.visible_to(user).filter(county=county, opened_on__lte=end)
    still_open = Q(closed_on__isnull=True) | Q(closed_on__gt=end)
    open_cases = cases.filter(still_open)
    unresolved = Q(resolved_on__isnull=True) | Q(resolved_on__gt=end)
    overdue = open_cases.filter(unresolved, due_on__lt=end)
    latest = (
        ScreeningRound.objects.visible_to(user)
        .filter(counties=county, status=RoundStatus.FINISHED, screening_date__lte=end)
        .order_by("-screening_date", "-pk")
        .first()
    )
    suspected = 0
    if latest is not None:
        suspected = (
            ScreeningResult.objects.visible_to(user)
            .filter(round=latest, county=county, classification=Classification.SUSPECTED)
            .count()
        )
    return [
        Figure(
            "cases_open",
            _("Open suspected-dropout cases"),
            open_cases.count(),
            link("dropoutcase-list", county=county.pk),
        ),
        Figure(
            "cases_overdue",
            _("Overdue cases"),
            overdue.count(),
            link("dropoutcase-list", county=county.pk, overdue="true"),
        ),
        Figure(
            "latest_round",
            _("Latest screening round"),
            latest.name if latest is not None else "—",
            latest.get_absolute_url() if latest is not None else "",
        ),
        Figure(
            "latest_round_suspected",
            _("Suspected in the latest round"),
            suspected,
            link(
                "screeningresult-list",
                round=latest.pk,
                county=county.pk,
                classification=Classification.SUSPECTED,
            )
            if latest is not None
            else "",
        ),
    ]


WEEKLY = area_section("dropout", gettext_lazy("Dropout control"), figures)
