"""Student aid's section of the weekly county report (core.reporting): the size of the county's
gap list (eligible but not aided) for the term the week is in, and its students studying
elsewhere not verified by the week's last day."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aid import selectors
from aid.models import OutOfAreaStudent
from core import calendar
from core.links import link
from core.reporting.registry import Figure, area_section


def figures(*, user, county, period) -> list[Figure]:
    school_year, term = calendar.term_of(period.end)
    gaps = selectors.gap_list(user=user, school_year=school_year, term=term).filter(county=county)
    not_verified = (
        OutOfAreaStudent.objects.visible_to(user)
        .filter(county=county)
        .filter(Q(verified_on__isnull=True) | Q(verified_on__gt=period.end))
    )
    return [
        Figure(
            "gap_list",
            _("Eligible but not aided"),
            gaps.count(),
            link("aid-gap-list", school_year=school_year, term=term, county=county.pk),
        ),
        Figure(
            "out_of_area_not_verified",
            _("Studying elsewhere, not verified"),
            not_verified.count(),
            link("outofareastudent-list", county=county.pk, verified="false"),
        ),
    ]


WEEKLY = area_section("aid", gettext_lazy("Student aid"), figures)
