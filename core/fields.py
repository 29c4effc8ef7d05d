"""The references many records carry, declared once: who did it, which county, which job.

Each returns a fresh ForeignKey, so a model states only what differs (its verbose name, a help
text); the fields are the same as when they were written out, and migrations see no change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def optional_reference(
    to, verbose_name, *, on_delete=models.PROTECT, blank=True, related_name="+", **options
):
    """A reference that may be empty, with no reverse accessor on the row it points to (unless
    it names one)."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def user_reference(verbose_name, **options) -> models.ForeignKey:
    """The user who entered, started, resolved … a record. Users are deactivated, never deleted
    (PROTECT keeps the record's history)."""
    return optional_reference(settings.AUTH_USER_MODEL, verbose_name, **options)


def county_reference(verbose_name=None, **options) -> models.ForeignKey:
    """The county a record of the platform's own machinery belongs to; empty for the city's."""
    return optional_reference("core.Region", verbose_name or _("county"), **options)


def job_reference() -> models.ForeignKey:
    """The background job that did the work (core.jobs); the record outlives the job's row."""
    return optional_reference("core.JobRun", _("job"), on_delete=models.SET_NULL)
