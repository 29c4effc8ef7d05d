"""The import run: which file an import came from, who brought it, what it found and did."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import county_reference, job_reference, user_reference
from core.scoping import ScopedQuerySet

MAX_STORED_ERRORS = 1000


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Being checked")
    PREVIEWED = "previewed", _("Checked, not imported yet")
    COMMITTING = "committing", _("Being imported")
    COMMITTED = "committed", _("Imported")
    REJECTED = "rejected", _("File refused")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One uploaded file for one ledger: checked (preview), then perhaps imported (commit)."""

    scope_field = "county"
    school_field = "actor__school"  # a school officer's runs are its school's (its own, in fact)

    ledger = models.CharField(_("ledger"), max_length=60, db_index=True)
    actor = user_reference(_("user"))
    county = county_reference(
        help_text=_("The county of a county user's import; empty for city users.")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    stored_file = models.CharField(_("stored file"), max_length=200, blank=True)
    errors_file = models.CharField(_("rejected rows file"), max_length=200, blank=True)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    status = models.CharField(
        _("import status"),
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
    )
    message = models.TextField(_("message"), blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_rows = models.PositiveIntegerField(_("new rows"), default=0)
    changed_rows = models.PositiveIntegerField(_("changed rows"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    error_total = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    sample = models.JSONField(
        _("parsed rows"),
        default=dict,
        blank=True,
        help_text=_("The first rows and the changes as the preview shows them, masked."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    job = job_reference()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [models.Index(fields=["ledger", "county", "-created_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def confirmable(self) -> bool:
        """All rows or none: only a checked file without a single error may be imported (and
        only while it is kept: see services.forget_old_files)."""
        return (
            self.status == ImportStatus.PREVIEWED
            and self.error_total == 0
            and bool(self.stored_file)
        )

    def counts(self) -> dict:
        return {
            "total": self.total_rows,
            "new": self.new_rows,
            "changed": self.changed_rows,
            "unchanged": self.unchanged_rows,
            "errors": self.error_rows,
        }
