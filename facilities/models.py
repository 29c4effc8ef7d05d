"""School conditions 办学条件: kindergarten coverage (exemptions), improvement projects, the
per-pupil public-funding quotas 生均公用经费 and allocations, the sanitary-toilet look-back
卫生厕所"回头看" (inspections, findings, rectifications) and the maintenance log 运维.

Coverage is read from the school rows (core.School: kind, ownership, township, the central
kindergarten flag); nothing here stores a total. Money is Decimal yuan with two decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import user_reference
from core.models import LedgerUrlMixin, RegionLevel, School
from core.money import CENT, ZERO, fen, wan  # noqa: F401  (re-exported)
from core.reference import YEAR_VALIDATORS
from core.scoping import CityLevelQuerySet, ScopedModel, TownshipScopedModel


def money_field(verbose_name, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,
    )


# --- Kindergarten coverage --------------------------------------------------------------------


class KindergartenExemption(LedgerUrlMixin, TownshipScopedModel):
    """A township the county marks as needing no public central kindergarten 免设中心园 (no
    preschool children at all), with the reason; the coverage figures leave it out."""

    township = models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("township"),
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["county__code", "township__code"]
        verbose_name = _("kindergarten exemption")
        verbose_name_plural = _("kindergarten exemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["township"],
                name="facilities_one_exemption_per_township",
                violation_error_message=_("This township is exempt already."),
            )
        ]

    def __str__(self):
        return str(self.township)

    def clean(self):
        if self.township_id and not self.county_id:
            self.county_id = self.township.county_id
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason the township is exempt.")})


# --- Improvement projects ---------------------------------------------------------------------


class ProjectKind(models.TextChoices):
    CLASSROOM = "classroom", _("Classrooms")
    DORMITORY = "dormitory", _("Dormitory")
    CANTEEN = "canteen", _("Canteen")
    TOILET = "toilet", _("Toilets")
    HEATING = "heating", _("Heating")
    WATER = "water", _("Water supply")
    PLAYGROUND = "playground", _("Playground")
    BOARDING = "boarding", _("Boarding facilities")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BUILDING = "building", _("Under construction")
    COMPLETED = "completed", _("Completed")
    ACCEPTED = "accepted", _("Accepted")


FUND_SOURCES = ("fund_central", "fund_provincial", "fund_city", "fund_county", "fund_other")


class ImprovementProject(LedgerUrlMixin, ScopedModel):
    """A project of 薄弱环节改善与能力提升 at a school: what is built, its budget and funds by
    source, status, dates and progress; photos before and after are its attachments."""

    # Its columns (core.columns): the form's and the API's.
    ledger_fields = (
        "school",
        "county",
        "name",
        "kind",
        "school_year",
        "remote",
        "area_m2",
        "beds_added",
        "beds_left_behind",
        "budget",
        "fund_central",
        "fund_provincial",
        "fund_city",
        "fund_county",
        "fund_other",
        "funds_note",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "progress",
        "note",
    )

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    name = models.CharField(_("project"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ProjectKind.choices)
    school_year = models.PositiveSmallIntegerField(
        _("school year"),
        validators=YEAR_VALIDATORS,
        help_text=_("The year the school year starts, e.g. 2023 for 2023–2024."),
    )
    remote = models.BooleanField(
        _("remote school"), default=False, help_text=_("The school is in a remote area 偏远地区.")
    )
    area_m2 = models.DecimalField(
        _("floor area built (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    beds_added = models.PositiveIntegerField(_("beds added"), default=0)
    beds_left_behind = models.PositiveIntegerField(
        _("of which for left-behind children"), default=0
    )
    budget = money_field(_("budget (yuan)"))
    fund_central = money_field(_("central funds (yuan)"))
    fund_provincial = money_field(_("provincial funds (yuan)"))
    fund_city = money_field(_("city funds (yuan)"))
    fund_county = money_field(_("county funds (yuan)"))
    fund_other = money_field(_("other funds (yuan)"))
    funds_note = models.CharField(
        _("note on the funds"),
        max_length=300,
        blank=True,
        help_text=_("Required when the funds by source exceed the budget."),
    )
    status = models.CharField(
        pgettext_lazy("project", "status"),
        max_length=10,
        choices=ProjectStatus.choices,
        default=ProjectStatus.PLANNED,
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned completion"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-school_year", "school__code", "name"]
        verbose_name = _("improvement project")
        verbose_name_plural = _("improvement projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="facilities_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(beds_left_behind__lte=F("beds_added")),
                name="facilities_left_behind_beds_within_beds",
            ),
        ]
        indexes = [models.Index(fields=["county", "school_year"], name="facilities_proj_year")]

    def __str__(self):
        return self.name

    @property
    def funds_total(self) -> Decimal:
        return fen(sum((getattr(self, name) or ZERO) for name in FUND_SOURCES))

    def clean(self):
        super().clean()
        errors = {}
        if self.budget is not None and self.budget <= 0:
            errors["budget"] = _("Enter a budget above zero.")
        elif self.budget is not None and self.funds_total > self.budget and not self.funds_note:
            errors["funds_note"] = _(
                "The funds by source (%(funds)s yuan) exceed the budget (%(budget)s yuan): "
                "say why in the note on the funds, or correct the amounts."
            ) % {"funds": self.funds_total, "budget": fen(self.budget)}
        if self.beds_left_behind and self.beds_left_behind > (self.beds_added or 0):
            errors["beds_left_behind"] = _(
                "The beds for left-behind children cannot be more than the beds added."
            )
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned completion is before the planned start.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The actual completion is before the actual start.")
        done = self.status in (ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED)
        if done and not self.actual_end:
            errors["actual_end"] = _("A completed project needs its actual completion date.")
        if done and self.progress != 100:
            errors["progress"] = _("A completed project is at 100%.")
        if self.status == ProjectStatus.PLANNED and (self.actual_start or self.progress):
            errors["status"] = _("A project that has started is no longer planned.")
        if errors:
            raise ValidationError(errors)


# --- Public funding 生均公用经费 ------------------------------------------------------------------


class FundingRate(models.Model):
    """The per-pupil public-funding quotas 生均公用经费基准定额 in force from a school year on,
    and the boarder supplement: the city's reference data, edited by city administrators. A
    change is a new row from a later year, so a past year's table keeps the quotas it had."""

    effective_from = models.PositiveSmallIntegerField(
        _("in force from school year"),
        unique=True,
        validators=YEAR_VALIDATORS,
        error_messages={"unique": _("Quotas from this school year exist already.")},
    )
    primary = models.DecimalField(
        _("primary, yuan per pupil per year"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(CENT)],
    )
    junior = models.DecimalField(
        _("junior middle, yuan per pupil per year"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(CENT)],
    )
    preschool = models.DecimalField(
        _("kindergarten, yuan per child per year"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT)],
        help_text=_("Empty: the city sets no kindergarten quota."),
    )
    special_education = models.DecimalField(
        _("special education, yuan per pupil per year"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT)],
        help_text=_("Empty: the city sets no special-education quota."),
    )
    boarder_supplement = models.DecimalField(
        _("boarder supplement, yuan per boarder per year"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("200.00"),
        validators=[MinValueValidator(ZERO)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = user_reference(_("set by"), editable=False)

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("funding quota")
        verbose_name_plural = _("funding quotas")
        constraints = [
            models.CheckConstraint(
                condition=Q(primary__gt=0) & Q(junior__gt=0),
                name="facilities_quotas_positive",
            ),
            models.CheckConstraint(
                condition=Q(preschool__isnull=True) | Q(preschool__gt=0),
                name="facilities_preschool_quota_positive",
            ),
            models.CheckConstraint(
                condition=Q(special_education__isnull=True) | Q(special_education__gt=0),
                name="facilities_special_education_quota_positive",
            ),
        ]

    def __str__(self):
        return _("Quotas from %(year)s") % {
            "year": f"{self.effective_from}–{self.effective_from + 1}"
        }

    def get_absolute_url(self):
        return reverse("facilities-rates")

    def clean(self):
        super().clean()
        errors = {}
        for name in ("primary", "junior", "preschool", "special_education"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = _("A quota is above zero.")
        if self.boarder_supplement is not None and self.boarder_supplement < 0:
            errors["boarder_supplement"] = _("The boarder supplement cannot be negative.")
        if errors:
            raise ValidationError(errors)


class FundingAllocation(LedgerUrlMixin, ScopedModel):
    """The public funding the finance office allocated 实际拨付 to a school for a school year."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"),
        validators=YEAR_VALIDATORS,
        help_text=_("The year the school year starts, e.g. 2023 for 2023–2024."),
    )
    amount = money_field(_("allocated (yuan)"), default=None)
    allocated_on = models.DateField(_("allocated on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-school_year", "school__code"]
        verbose_name = _("funding allocation")
        verbose_name_plural = _("funding allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"],
                name="facilities_one_allocation_per_school_year",
                violation_error_message=_(
                    "This school has an allocation for this school year already: change that row."
                ),
            )
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}–{self.school_year + 1}"


class FundingNote(LedgerUrlMixin, ScopedModel):
    """An officer's reason why a school got less than its computed funding 差额说明."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(_("school year"), validators=YEAR_VALIDATORS)
    reason = models.TextField(_("reason"))
    recorded_by = user_reference(_("recorded by"), editable=False)

    class Meta:
        ordering = ["-school_year", "school__code"]
        verbose_name = _("funding note")
        verbose_name_plural = _("funding notes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="facilities_one_note_per_school_year"
            )
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}–{self.school_year + 1}"


# --- The sanitary-toilet look-back 卫生厕所"回头看" ---------------------------------------------


class InspectionKind(models.TextChoices):
    SELF_CHECK = "self_check", _("County self-check")
    SPOT_CHECK = "spot_check", _("City spot-check")


class ToiletType(models.TextChoices):
    FLUSH = "flush", _("Flush toilet")
    SEPTIC = "septic", _("Three-compartment septic tank")
    DOUBLE_VAULT = "double_vault", _("Double-vault")
    DIVERTING = "diverting", _("Urine-diverting")
    PIT = "pit", _("Improved pit")
    OTHER = "other", _("Other")


class ToiletInspection(LedgerUrlMixin, ScopedModel):
    """An inspection of a school's toilets in the look-back: a county self-check 自查 or a city
    spot-check 抽查; its findings are ToiletFinding rows."""

    # Its columns (core.columns): the form's and the API's.
    ledger_fields = (
        "school",
        "county",
        "kind",
        "inspected_on",
        "inspector",
        "blocks_checked",
        "blocks_ok",
        "note",
    )

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("date"))
    inspector = models.CharField(_("inspector"), max_length=100)
    blocks_checked = models.PositiveSmallIntegerField(
        _("toilet blocks checked"), default=1, validators=[MinValueValidator(1)]
    )
    blocks_ok = models.PositiveSmallIntegerField(_("blocks in good order"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("toilet inspection")
        verbose_name_plural = _("toilet inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(blocks_ok__lte=F("blocks_checked")),
                name="facilities_blocks_ok_within_checked",
            )
        ]

    def __str__(self):
        return f"{self.school} {self.inspected_on:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if (
            self.blocks_ok is not None
            and self.blocks_checked is not None
            and self.blocks_ok > self.blocks_checked
        ):
            raise ValidationError(
                {"blocks_ok": _("More blocks in good order than blocks checked.")}
            )


class FindingProblem(models.TextChoices):
    DAMAGED = "damaged", _("Damaged")
    NOT_CLEANED = "not_cleaned", _("Not cleaned")
    ODOUR = "odour", _("Odour")
    NO_HANDWASHING = "no_handwashing", _("No hand-washing")
    FULL = "full", _("Pit or septic tank full")
    UNSAFE = "unsafe", _("Unsafe for small children")
    OTHER = "other", _("Other")


class ToiletFinding(LedgerUrlMixin, ScopedModel):
    """A problem found at an inspection (a toilet block, its type, what is wrong); its photos
    are the before photos. Recorded through facilities.services.finding_record, which opens its
    rectification item."""

    inspection = models.ForeignKey(
        ToiletInspection,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("inspection"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("school")
    )
    block = models.CharField(_("toilet block"), max_length=100)
    toilet_type = models.CharField(_("toilet type"), max_length=12, choices=ToiletType.choices)
    problem = models.CharField(_("problem"), max_length=16, choices=FindingProblem.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-inspection__inspected_on", "-id"]
        verbose_name = _("look-back finding")
        verbose_name_plural = _("look-back findings")

    def __str__(self):
        return f"{self.block} · {self.get_problem_display()}"

    def derive_county(self) -> None:
        if self.inspection_id:
            self.school_id = self.inspection.school_id
        super().derive_county()


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Submitted for verification")
    CLOSED = "closed", _("Verified and closed")
    RETURNED = "returned", _("Returned")


class Rectification(LedgerUrlMixin, ScopedModel):
    """The rectification item 整改 a finding opens: who is responsible, by when, the measures and
    where it stands; its photos are the after photos. It moves only through the services
    (start, submit, verify, return); the one who verifies is not the one who submitted it."""

    # Its columns (core.columns): the detail page's and the API's.
    ledger_fields = (
        "finding",
        "school",
        "county",
        "responsible_unit",
        "deadline",
        "measures",
        "status",
        "submitted_by",
        "submitted_on",
        "verified_by",
        "closed_on",
        "return_reason",
    )

    finding = models.OneToOneField(
        ToiletFinding,
        on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name=_("finding"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("school")
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=100)
    deadline = models.DateField(_("deadline"))
    measures = models.TextField(_("measures"), blank=True)
    status = models.CharField(
        pgettext_lazy("rectification", "status"),
        max_length=12,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        editable=False,
    )
    submitted_by = user_reference(_("submitted by"), editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    verified_by = user_reference(_("verified by"), editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    return_reason = models.CharField(
        _("reason returned"), max_length=300, blank=True, editable=False
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["county", "status", "deadline"], name="facilities_rect_due")
        ]

    def __str__(self):
        return _("Rectification of %(finding)s") % {"finding": self.finding}

    def derive_county(self) -> None:
        if self.finding_id:
            self.school_id = self.finding.school_id
        super().derive_county()

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != RectificationStatus.CLOSED and self.deadline < today

    @property
    def overdue(self) -> bool:
        """Open past its deadline today (core.calendar.today)."""
        from core import calendar

        return self.is_overdue(calendar.today())


# --- Maintenance log 运维 ----------------------------------------------------------------------


class MaintenanceKind(models.TextChoices):
    INSPECTION = "inspection", _("Daily inspection")
    EQUIPMENT = "equipment", _("Equipment maintenance")
    WASTE = "waste", _("Waste clearing")


class MaintenanceEntry(LedgerUrlMixin, ScopedModel):
    """One entry of a school's toilet maintenance log: a daily inspection 日常巡检, equipment
    maintenance 设备维护 or waste clearing 粪污清掏, with the date and who did it."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    done_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=MaintenanceKind.choices)
    done_by = models.CharField(_("by whom"), max_length=50)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name = _("maintenance entry")
        verbose_name_plural = _("maintenance log")
        indexes = [
            models.Index(fields=["school", "kind", "done_on"], name="facilities_maint_latest")
        ]

    def __str__(self):
        return f"{self.done_on:%Y-%m-%d} {self.get_kind_display()}"
