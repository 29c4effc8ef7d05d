"""The submissions' FilterSet: the list page and /api/v1/reports/submissions/ share it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import ScopedFilterSet, counties
from core.reporting.models import State, Submission
from core.reporting.registry import report_types


class SubmissionFilterSet(ScopedFilterSet):
    report_type = django_filters.ChoiceFilter(
        label=_("report"), choices=lambda: [(t.key, t.title) for t in report_types()]
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    period = django_filters.CharFilter(label=_("period"), field_name="period_key")
    state = django_filters.ChoiceFilter(label=_("state"), choices=State.choices)

    class Meta:
        model = Submission
        fields = ["report_type", "county", "period", "state"]
