"""Periodic reports 报送: one submission per (report type, county, period), its transitions and
the city's comments, and the deadlines a city administrator extended.

Rows are written only by core.reporting.services (the state machine); they are read through
`visible_to(user)` like every county's row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import user_reference
from core.scoping import ScopedModel


class State(models.TextChoices):
    """A submission's state; a (county, period) without one is "not started"."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


NOT_STARTED = "not_started"  # a matrix cell's state where there is no submission


class Action(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SAVED = "saved", _("Saved")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    REOPENED = "reopened", _("Asked to resubmit")


class CountyPeriodRecord(ScopedModel):
    """A record of one county's report of one period (its submission, its deadline extension):
    a county's, so no school officer's; newest period first."""

    school_field = None

    report_type = models.CharField(_("report"), max_length=40)
    period_start = models.DateField(_("period from"))

    class Meta:
        abstract = True
        app_label = "core"
        ordering = ["-period_start", "county__code"]


def one_per_county_and_period(name: str) -> models.UniqueConstraint:
    """At most one such record for a report, a county and a period."""
    return models.UniqueConstraint(fields=["report_type", "county", "period_start"], name=name)


class Submission(CountyPeriodRecord):
    """A county's report for one period 报送: prepared by its officer, submitted by its reviewer
    (一审), approved or returned by the city (二审). The figures submitted are frozen in
    `snapshot`; the live figures are always computed from the rows."""

    period_end = models.DateField(_("period until"))
    period_key = models.CharField(_("period"), max_length=20)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    notes = models.JSONField(_("written by the county"), default=dict, blank=True)
    # {"sections": {section key: {figure key: value}}}: the figures as last submitted.
    snapshot = models.JSONField(_("figures as submitted"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = user_reference(_("submitted by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = user_reference(_("approved by"))
    prepared_by = user_reference(_("prepared by"))

    class Meta(CountyPeriodRecord.Meta):
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [one_per_county_and_period("one_submission_per_county_and_period")]
        indexes = [models.Index(fields=["report_type", "period_start"])]

    def __str__(self):
        return f"{self.county} {self.period_key}"

    def get_absolute_url(self):
        return reverse("report-submission", args=[self.pk])


class SubmissionEvent(models.Model):
    """One transition of a submission: who, when, from which state to which, and why."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="events", verbose_name=_("submission")
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        app_label = "core"
        ordering = ["-at", "-pk"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class SubmissionComment(models.Model):
    """The city's comment on one figure (or a whole section) when returning a report."""

    event = models.ForeignKey(
        SubmissionEvent, models.CASCADE, related_name="comments", verbose_name=_("event")
    )
    section = models.CharField(_("section"), max_length=40)
    figure = models.CharField(_("figure"), max_length=40, blank=True)  # "": the whole section
    text = models.TextField(_("comment"))

    class Meta:
        app_label = "core"
        ordering = ["pk"]
        verbose_name = _("comment on a figure")
        verbose_name_plural = _("comments on figures")

    def __str__(self):
        return self.text[:50]

    @property
    def where(self) -> str:
        """What it is on, as the report named it when submitted: 学生资助 · 外地就读未核实."""
        snapshot = self.event.submission.snapshot or {}
        title = snapshot.get("titles", {}).get(self.section, self.section)
        if not self.figure:
            return title
        label = snapshot.get("labels", {}).get(self.section, {}).get(self.figure, self.figure)
        return f"{title} · {label}"


class DeadlineExtension(CountyPeriodRecord):
    """A later due time for one county and one period, set by a city administrator with a
    reason (audited)."""

    due_at = models.DateTimeField(_("new due time"))
    reason = models.CharField(_("reason"), max_length=300)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("extended by")
    )

    class Meta(CountyPeriodRecord.Meta):
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [one_per_county_and_period("one_extension_per_county_and_period")]

    def __str__(self):
        return f"{self.county} {self.period_start}"
