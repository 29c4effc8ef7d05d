"""The roster 监测名单: children of poverty-alleviated 脱贫户 and monitored 监测户 households.

The rural-revitalization office sends it; each import makes a new RosterVersion of a county
(a versioned snapshot), so a screening round names exactly the list it screened. Several areas read
it: dropout control screens it against the registry, student aid pays from it, the overview
reconciles it. It therefore lives in core, beside the registry; its ledger pages are under basics.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import calendar
from core.fields import optional_reference, user_reference
from core.models import Gender, IdNumberField, LedgerUrlMixin, PersonMixin, Region, RegionLevel
from core.scoping import ScopedModel, ScopedQuerySet, TownshipScopedModel
from core.text import bracketed


class HouseholdCategory(models.TextChoices):
    POVERTY_ALLEVIATED = "poverty_alleviated", _("Poverty-alleviated household")
    MONITORED = "monitored", _("Monitored household")


class MonitoringType(models.TextChoices):
    UNSTABLE_ALLEVIATED = "unstable_alleviated", _("Unstable poverty-alleviated household")
    MARGINAL = "marginal", _("Marginal household prone to poverty")
    SUDDEN_HARDSHIP = "sudden_hardship", _("Household in sudden severe hardship")


class RosterVersionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return super().visible_to(user).annotate(children_count=models.Count("children"))

    def newest(self):
        """The newest version of each county (the current roster): what rounds screen, aid pays
        from and the roster list shows unless a version is asked for."""
        newest = (
            RosterVersion.objects.filter(county_id=models.OuterRef("county_id"))
            .order_by("-created_at", "-id")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class RosterVersion(LedgerUrlMixin, ScopedModel):
    """One snapshot of a county's roster 监测名单 (each import makes a new one)."""

    label = models.CharField(_("label"), max_length=100)
    imported_by = user_reference(_("imported by"), editable=False)
    import_run = optional_reference(
        "core.ImportRun", _("import run"), on_delete=models.SET_NULL, editable=False
    )
    source_name = models.CharField(_("source file"), max_length=200, blank=True, editable=False)
    as_of = models.DateField(
        _("list date"),
        default=calendar.today,
        help_text=_("The day the list describes (the office's sheet), not the day it was loaded."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RosterVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster version")
        verbose_name_plural = _("roster versions")
        indexes = [models.Index(fields=["county", "created_at"])]

    def __str__(self):
        if self.as_of is None:
            return self.label
        return bracketed(self.label, f"{self.as_of:%Y-%m-%d}")

    @property
    def audit_name(self) -> str:
        """In a history's list of versions (a round's ten counties'), each with its county."""
        return f"{self.county} · {self}"


class RosterChild(PersonMixin, TownshipScopedModel):
    """A child on a roster version: of a poverty-alleviated 脱贫户 or monitored 监测户 household."""

    # As Student's: the form's and the API's order, and the page's and the table's.
    ledger_fields = (
        "roster_version",
        "county",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "household_head",
        "household_category",
        "monitoring_type",
        "risk_eliminated",
        "township",
        "village",
        "guardian",
        "phone",
    )
    page_fields = (
        "name",
        "id_number",
        "gender",
        "birth_date",
        "county",
        "township",
        "village",
        "household_head",
        "household_category",
        "monitoring_type",
        "risk_eliminated",
        "guardian",
        "phone",
        "roster_version",
    )

    roster_version = models.ForeignKey(
        RosterVersion,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("roster version"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = IdNumberField()
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    household_head = models.CharField(_("household head"), max_length=50, blank=True)
    household_category = models.CharField(
        _("household category"), max_length=20, choices=HouseholdCategory.choices
    )
    monitoring_type = models.CharField(
        _("monitoring type"), max_length=20, choices=MonitoringType.choices, blank=True
    )
    risk_eliminated = models.BooleanField(_("risk eliminated"), default=False)
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    village = models.CharField(_("registered village"), max_length=60, blank=True)
    guardian = models.CharField(_("guardian"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["township__code", "name"]
        verbose_name = _("roster child")
        verbose_name_plural = _("roster")
        constraints = [
            models.UniqueConstraint(
                fields=["roster_version", "id_number"], name="one_roster_row_per_child_and_version"
            )
        ]
        indexes = [models.Index(fields=["roster_version", "birth_date"])]

    @property
    def age_day(self):
        """Ages on a roster are those of its school year's reference day (what rounds apply)."""
        as_of = self.roster_version.as_of if self.roster_version_id else None
        return calendar.reference_date(calendar.school_year_of(as_of)) if as_of else None

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (
            self.roster_version_id
            and self.township_id
            and self.roster_version.county_id != self.township.county_id
        ):
            raise ValidationError(
                {"township": _("The township is not in the roster version's county.")}
            )
        self.clean_identity()
        if self.household_category == HouseholdCategory.POVERTY_ALLEVIATED and self.monitoring_type:
            raise ValidationError(
                {"monitoring_type": _("Only a monitored household has a monitoring type.")}
            )
