"""The list of a report type's submissions."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.reporting.models import Submission


class SubmissionTable(tables.Table):
    period_key = tables.Column(verbose_name=_("period"), order_by=("period_start",))
    county = tables.Column(verbose_name=_("county"), order_by=("county__code",))
    state = tables.Column(verbose_name=_("state"))
    first_submitted_at = tables.DateTimeColumn(
        format="Y-m-d H:i", verbose_name=_("first submitted at")
    )
    approved_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("approved at"))

    class Meta:
        model = Submission
        fields = ("period_key", "county", "state", "first_submitted_at", "approved_at")
        attrs = {"class": "table table-sm table-hover", "id": "submission-table"}
        order_by = ("-period_key",)

    def render_period_key(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_state(self, value, record):
        from core.reporting.selectors import COLOURS

        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            COLOURS[record.state],
            record.get_state_display(),
        )
