"""The report types core declares: the weekly county report 周报, whose figures are the sections
the areas add to it (`<app>/reports.py`)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from core.reporting.periods import Cadence
from core.reporting.registry import ReportType, TextField, register_type

WEEKLY = register_type(
    ReportType(
        key="weekly",
        title=_("Weekly county report"),
        cadence=Cadence.WEEKLY,
        due_days=4,  # the Friday of the week …
        due_time=dt.time(17, 0),  # … at 17:00, Asia/Shanghai
        fields=(
            TextField("progress", _("Progress this week")),
            TextField("problems", _("Problems")),
            TextField("next_steps", _("Next steps")),
        ),
        description=_(
            "Every county, every week, due on Friday at 17:00: the week's figures of each "
            "programme area, computed from the ledgers, and the county's own account."
        ),
        order=10,
    )
)
