"""Dropout control 控辍保学: screening rounds, suspected-dropout cases, responsibility.

The roster 监测名单 (children of poverty-alleviated 脱贫户 and monitored 监测户 households, kept
as versioned snapshots) is shared data and lives in core (core/roster.py). A screening round
排查 matches every school-age child of the chosen versions against the registry 学籍 and keeps
one ScreeningResult per child; suspected and recorded dropouts open a DropoutCase that is
followed up until a county reviewer closes it 销号 after a later round confirms it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.areas import setting
from core.calendar import birth_window
from core.fields import job_reference, user_reference
from core.models import (
    Grade,
    HouseholdCategory,
    IdNumberField,
    LedgerUrlMixin,
    Locality,
    PersonMixin,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    School,
    Student,
    StudentStatus,
)
from core.scoping import (
    ScopedModel,
    TownshipScopedModel,
    county_of,
    sees_everything,
)
from core.text import bracketed, listed

# The names dropout/migrations/0001_initial.py records as model bases (migrations are never
# edited): the mixins themselves are core's.
LinkedMixin = LedgerUrlMixin
__all__ = ["LinkedMixin", "PersonMixin"]

TOWNSHIP = {"level": RegionLevel.TOWNSHIP}
COUNTY = {"level": RegionLevel.COUNTY}


# --- Settings ----------------------------------------------------------------------------------


# The area's own settings (from the environment; core.areas.setting), kept out of config.


def case_due_days() -> int:
    """Days a suspected-dropout case may stay open before it is overdue."""
    return int(setting("DROPOUT_CASE_DUE_DAYS", 15))


def round_work_mem() -> str:
    """PostgreSQL work_mem of a screening round's transaction ("" leaves the server's)."""
    return str(setting("DROPOUT_ROUND_WORK_MEM", "64MB"))


# --- Choices -----------------------------------------------------------------------------------


class Classification(models.TextChoices):
    """What a screening round found for one child."""

    ENROLLED_LOCAL = "enrolled_local", _("Enrolled locally")
    ENROLLED_ELSEWHERE = "enrolled_elsewhere", _("Enrolled elsewhere")
    SUSPENDED = "suspended", _("Suspended")
    HOME_DELIVERED = "home_delivered", _("Home-delivered schooling")
    EXEMPT = "exempt", _("Deferred or exempt")
    COMPLETED = "completed", _("Completed compulsory education")
    DECEASED = "deceased", _("Deceased")
    DROPPED_OUT = "dropped_out", _("Recorded dropout")
    SUSPECTED = "suspected", _("Suspected dropout")
    AMBIGUOUS = "ambiguous", _("To verify (several candidates)")


# The classes that open a case.
CASE_CLASSES = (Classification.SUSPECTED, Classification.DROPPED_OUT)


class MatchMethod(models.TextChoices):
    ID = "id", _("ID number")
    NAME_BIRTH = "name_birth", _("Name and birth date")
    NONE = "none", _("Not found")


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class VerificationMethod(models.TextChoices):
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    PROVINCIAL_REGISTRY = "provincial_registry", _("Provincial registry")
    OTHER = "other", _("Other")


class ExemptionKind(models.TextChoices):
    DEFERRAL = "deferral", _("Deferred enrolment")
    EXEMPTION = "exemption", _("Exemption from school")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    RETURNED = "returned", _("Returned to school")
    ENROLLED_ELSEWHERE = "enrolled_elsewhere", _("Enrolled elsewhere")
    EXEMPT = "exempt", _("Deferred or exempt")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class ActionKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE_CALL = "phone_call", _("Phone call")
    PERSUASION = "persuasion", _("Persuasion to return")
    CONTACT_SCHOOL = "contact_school", _("Contact with the school elsewhere")
    OTHER = "other", _("Other")


class ResponsibilityLine(models.TextChoices):
    GOVERNMENT = "government", _("Government line")
    EDUCATION = "education", _("Education line")


# --- Evidence ----------------------------------------------------------------------------------


class OutOfCityEnrolment(PersonMixin, TownshipScopedModel):
    """Verified evidence that a child studies outside the city 外地就读核实, for a school year."""

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "county",
        "township",
        "school_year",
        "place",
        "school_name",
        "grade",
        "verified_how",
        "verified_on",
        "verifier",
        "document",
    )

    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to=TOWNSHIP,
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2023 for 2023–2024.")
    )
    place = models.CharField(_("where"), max_length=100, help_text=_("Province and city."))
    school_name = models.CharField(_("school"), max_length=100)
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True)
    verified_how = models.CharField(
        _("verified by"), max_length=20, choices=VerificationMethod.choices
    )
    verified_on = models.DateField(_("verified on"))
    verifier = models.CharField(_("verified by whom"), max_length=50)
    document = models.CharField(
        _("document"), max_length=200, blank=True, help_text=_("Letter number or other reference.")
    )

    class Meta:
        ordering = ["-school_year", "name"]
        verbose_name = _("out-of-city enrolment")
        verbose_name_plural = _("out-of-city enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number", "school_year"], name="one_out_of_city_enrolment_per_year"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.school_year}"


class Exemption(PersonMixin, TownshipScopedModel):
    """An approved deferral 缓学 or exemption 免学, valid for a period."""

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "county",
        "township",
        "kind",
        "reason",
        "approval_document",
        "approved_on",
        "valid_from",
        "valid_until",
    )

    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to=TOWNSHIP,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExemptionKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    approval_document = models.CharField(_("approval document"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: valid with no end date.")
    )

    class Meta:
        ordering = ["-valid_from", "name"]
        verbose_name = _("deferral or exemption")
        verbose_name_plural = _("deferrals and exemptions")
        indexes = [models.Index(fields=["id_number"])]

    def __str__(self):
        return f"{self.name} {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end is before the start.")})
        if self.kind == ExemptionKind.DEFERRAL and self.valid_from and not self.valid_until:
            raise ValidationError({"valid_until": _("A deferral needs an end date.")})


# --- Screening rounds --------------------------------------------------------------------------


class RoundQuerySet(models.QuerySet):
    """A round spans counties: county users see the rounds that include their county.

    Each round comes with its person-times 人次 as the user sees them: a county user counts only
    the county's children.
    """

    def visible_to(self, user):
        if sees_everything(user):
            return self.with_person_times(None).prefetch_related("counties")
        county_id = county_of(user)
        if county_id is None:
            return self.none()
        through = ScreeningRound.counties.through
        rounds = self.filter(
            pk__in=through.objects.filter(region_id=county_id).values("screeninground_id")
        )
        return rounds.with_person_times(county_id).prefetch_related("counties")

    def with_person_times(self, county_id):
        results = ScreeningResult.objects.filter(round=models.OuterRef("pk"))
        if county_id is not None:
            results = results.filter(county_id=county_id)
        counted = results.order_by().values("round").annotate(n=models.Count("*")).values("n")
        return self.annotate(person_times=Coalesce(models.Subquery(counted), 0))


class ScreeningRound(LedgerUrlMixin, models.Model):
    """A screening round 排查轮次 over some counties' rosters against the registry."""

    scope_field = "county"  # for the generic machinery; the county filter is on `counties`
    # The counts a finished round records in its history (core.audit reads them with these).
    audit_labels = {
        "screened": _("children screened"),
        "opened": _("cases opened"),
        "confirmed": _("resolved cases confirmed"),
        "refuted": _("resolved cases found out of school again"),
    }

    name = models.CharField(_("name"), max_length=100)
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2023 for 2023–2024.")
    )
    reference_date = models.DateField(
        _("age reference date"), help_text=_("Ages are counted on this day (31 August).")
    )
    screening_date = models.DateField(
        _("screening date"), help_text=_("Exemptions must be valid on this day.")
    )
    age_min = models.PositiveSmallIntegerField(_("youngest school age"))
    age_max = models.PositiveSmallIntegerField(_("oldest school age"))
    counties = models.ManyToManyField(
        Region, related_name="+", verbose_name=_("counties"), limit_choices_to=COUNTY
    )
    roster_versions = models.ManyToManyField(
        RosterVersion, related_name="rounds", verbose_name=_("roster versions")
    )
    started_by = user_reference(_("started by"))
    scheduled = models.BooleanField(_("started by the schedule"), default=False)
    job = job_reference()
    status = models.CharField(
        pgettext_lazy("screening round", "status"),
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.QUEUED,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        constraints = [
            # The schedule screens the whole city once per date: a retried or twice-delivered
            # task, or two beat processes, find this round instead of starting a second one.
            models.UniqueConstraint(
                fields=["screening_date"],
                condition=models.Q(scheduled=True),
                name="one_scheduled_round_per_date",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def county_names(self) -> str:
        return listed(c.name for c in self.counties.all())

    def birth_window(self) -> tuple[dt.date, dt.date]:
        return birth_window(self.reference_date, self.age_min, self.age_max)


class ScreeningResult(PersonMixin, ScopedModel):
    """One child's result in one round (a snapshot: later registry changes do not alter it).

    A round writes its results in one INSERT … SELECT (100,000 rows for a large city), so the
    table carries only what that write can afford: the unique (round, ID number) index, which
    also serves every per-round query. Its references are copied in the same statement from
    rows that exist, so they are neither indexed (but for the round, by that index) nor checked
    row by row by the database — a foreign-key check is a trigger per row, and at 100,000 rows
    it would cost more than the matching itself. Django still applies their on_delete rules.
    """

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "birth_date",
        "county",
        "township",
        "household_category",
        "classification",
        "match_method",
        "needs_confirmation",
        "candidates",
        "student",
        "school",
        "grade",
        "registry_status",
        "round",
        "roster_child",
    )

    # Its school is where the registry placed the child, not a row the school keeps: results
    # are the county's screening work, and school officers see none of them.
    school_field = None

    county = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("county"),
        limit_choices_to=COUNTY,
        db_index=False,
        db_constraint=False,
    )
    round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("round"),
        db_index=False,  # the unique (round, id_number) index leads with it
        db_constraint=False,
    )
    roster_child = models.ForeignKey(
        RosterChild,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("roster child"),
        db_index=False,
        db_constraint=False,
    )
    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    birth_date = models.DateField(_("birth date"))
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to=TOWNSHIP,
        db_index=False,
        db_constraint=False,
    )
    household_category = models.CharField(
        _("household category"), max_length=20, choices=HouseholdCategory.choices
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices
    )
    match_method = models.CharField(_("matched by"), max_length=12, choices=MatchMethod.choices)
    student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registry student"),
        db_index=False,
        db_constraint=False,
    )
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        db_index=False,
        db_constraint=False,
    )
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True)
    registry_status = models.CharField(
        _("registry status"), max_length=20, choices=StudentStatus.choices, blank=True
    )
    candidates = models.PositiveSmallIntegerField(_("registry candidates"), default=0)
    needs_confirmation = models.BooleanField(_("needs confirmation"), default=False)

    class Meta:
        ordering = ["round", "township__code", "name"]
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        constraints = [
            models.UniqueConstraint(fields=["round", "id_number"], name="one_result_per_child")
        ]

    @property
    def age_day(self):
        """A result's age is the one the round's rule was applied to: on its reference day."""
        return self.round.reference_date

    def __str__(self):
        return f"{self.name} · {self.get_classification_display()}"

    def derive_county(self) -> None:  # the county is copied from the roster row by the round
        return None


# --- Responsibility ----------------------------------------------------------------------------


class Responsibility(LedgerUrlMixin, TownshipScopedModel):
    """A dual-line responsible person 双线控辍责任人 of a township (or of one of its schools)."""

    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("township"),
        limit_choices_to=TOWNSHIP,
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty: responsible for the whole township."),
    )
    line = models.CharField(_("line"), max_length=12, choices=ResponsibilityLine.choices)
    person = models.CharField(_("responsible person"), max_length=50)
    title = models.CharField(_("position held"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30)

    class Meta:
        ordering = ["township__code", "school__code", "line"]
        verbose_name = _("responsible person")
        verbose_name_plural = _("dual-line responsibility")
        constraints = [
            # NULL schools are distinct in a plain unique constraint: two partial ones instead.
            models.UniqueConstraint(
                fields=["township", "line"],
                condition=Q(school__isnull=True),
                name="one_township_responsible_per_line",
            ),
            models.UniqueConstraint(
                fields=["school", "line"],
                condition=Q(school__isnull=False),
                name="one_school_responsible_per_line",
            ),
        ]

    def __str__(self):
        return bracketed(self.person, self.get_line_display())

    def derive_county(self) -> None:
        if self.township_id:
            self.county_id = self.township.county_id

    def clean(self):
        super().clean()
        if self.school_id and self.township_id and self.school.township_id != self.township_id:
            raise ValidationError({"school": _("The school is not in this township.")})


# --- Cases -------------------------------------------------------------------------------------


class DropoutCase(PersonMixin, TownshipScopedModel):
    """A suspected-dropout case 疑似辍学跟踪, followed up until it is closed 销号."""

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "county",
        "township",
        "reason",
        "status",
        "opened_in_round",
        "previous_case",
        "opened_on",
        "due_on",
        "gov_responsible",
        "edu_responsible",
        "outcome",
        "return_school",
        "return_date",
        "outcome_note",
        "resolved_by",
        "resolved_on",
        "confirmed_in_round",
        "refuted_in_round",
        "closed_by",
        "closed_on",
        "close_note",
    )

    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    roster_child = models.ForeignKey(
        RosterChild,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("roster child"),
    )
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to=TOWNSHIP,
    )
    reason = models.CharField(
        _("opened as"), max_length=20, choices=Classification.choices, default="suspected"
    )
    opened_in_round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opened_cases",
        verbose_name=_("opened in round"),
    )
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier closed case"),
        db_index=False,  # never filtered on; kept out of the round's bulk insert
    )
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        pgettext_lazy("case", "status"),
        max_length=10,
        choices=CaseStatus.choices,
        default=CaseStatus.OPEN,
    )
    gov_responsible = models.ForeignKey(
        Responsibility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("government-line responsible"),
        db_index=False,  # never filtered on; kept out of the round's bulk insert
    )
    edu_responsible = models.ForeignKey(
        Responsibility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("education-line responsible"),
        db_index=False,  # never filtered on; kept out of the round's bulk insert
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    return_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned to school"),
        db_index=False,  # never filtered on; kept out of the round's bulk insert
    )
    return_date = models.DateField(_("back at school from"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    # never filtered on; kept out of the round's bulk insert
    resolved_by = user_reference(_("resolved by"), db_index=False)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    confirmed_in_round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmed_cases",
        verbose_name=_("confirmed in round"),
    )
    refuted_in_round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("not confirmed in round"),
        help_text=_("A round after the resolution still found the child out of school."),
        db_index=False,  # never filtered on; kept out of the round's bulk insert
    )
    # never filtered on; kept out of the round's bulk insert
    closed_by = user_reference(_("closed by"), db_index=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_note = models.TextField(
        _("verified at closing"),
        blank=True,
        help_text=_(
            "What the county reviewer checked before closing a case opened by hand, which no "
            "screening round confirmed."
        ),
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("suspected-dropout case")
        verbose_name_plural = _("suspected-dropout cases")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(status="closed"),
                name="one_open_case_per_child",
            )
        ]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["status", "due_on"]),
            # A child's cases of every status (the partial unique index holds only open ones).
            models.Index(fields=["id_number"]),
        ]

    def __str__(self):
        return bracketed(self.name, self.get_status_display())

    @property
    def is_overdue(self) -> bool:
        return self.status == CaseStatus.OPEN and self.due_on < timezone.localdate()

    @property
    def opened_by_hand(self) -> bool:
        return self.opened_in_round_id is None

    @property
    def closes_on_verification(self) -> bool:
        """Resolved, opened by hand and not confirmed by a round: the county reviewer verifies
        the outcome and closes it (a child reported by a village or a school is often not on
        the roster, so no round would ever screen the child)."""
        return (
            self.status == CaseStatus.RESOLVED
            and self.confirmed_in_round_id is None
            and self.opened_by_hand
        )

    @property
    def can_be_closed(self) -> bool:
        """Resolved, and confirmed by a round or to be verified by the reviewer at closing."""
        return self.status == CaseStatus.RESOLVED and (
            self.confirmed_in_round_id is not None or self.opened_by_hand
        )


class CaseAction(ScopedModel):
    """One follow-up action on a case: home visit 家访, phone call, persuasion 劝返, ..."""

    case = models.ForeignKey(
        DropoutCase, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    note = models.TextField(_("note"))
    actor = user_reference(_("recorded by"))

    class Meta:
        ordering = ["case", "date", "id"]
        verbose_name = _("case action")
        verbose_name_plural = _("case actions")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("dropoutcase-detail", args=[self.case_id])

    def derive_county(self) -> None:
        if self.case_id:
            self.county_id = self.case.county_id


# --- Grade-6 spot checks -----------------------------------------------------------------------


class Grade6SpotCheck(LedgerUrlMixin, ScopedModel):
    """An on-site check of a school's grade-6 registrations 六年级学籍实地检查."""

    # Its columns (core.columns); `discrepancy` is computed: shown, never entered.
    ledger_fields = (
        "school",
        "county",
        "date",
        "inspector",
        "registry_count",
        "present_count",
        "discrepancy",
        "discrepancy_names",
        "explanation",
    )

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    date = models.DateField(_("date"))
    inspector = models.CharField(_("inspector"), max_length=50)
    registry_count = models.PositiveIntegerField(
        _("grade 6 in the registry"),
        editable=False,
        default=0,
        help_text=_("Filled from the registry when the check is saved."),
    )
    present_count = models.PositiveIntegerField(_("found present"))
    discrepancy_names = models.TextField(_("discrepancies (names)"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["-date", "school__code"]
        verbose_name = _("grade-6 spot check")
        verbose_name_plural = _("grade-6 spot checks")

    def __str__(self):
        return f"{self.school} {self.date:%Y-%m-%d}"

    @property
    def discrepancy(self) -> int:
        return self.registry_count - self.present_count

    def counted_registry(self) -> int:
        """The registry count this check keeps: the school's enrolled grade-6 pupils when the
        check is first saved (or moved to another school); an edit keeps the day's count."""
        previous = (
            type(self).objects.filter(pk=self.pk).values_list("school_id", "registry_count").first()
            if self.pk
            else None
        )
        if previous is not None and previous[0] == self.school_id:
            return previous[1]
        return Student.objects.filter(
            school_id=self.school_id, grade=6, status=StudentStatus.ENROLLED
        ).count()

    def save(self, *args, **kwargs):
        if self.school_id:
            self.registry_count = self.counted_registry()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.discrepancy_names.strip() == ""
            and self.school_id
            and self.present_count is not None
            and self.present_count != self.counted_registry()
        ):
            raise ValidationError(
                {"discrepancy_names": _("Name the pupils behind the discrepancy.")}
            )


# --- Cohort baselines --------------------------------------------------------------------------


class CohortBaseline(LedgerUrlMixin, ScopedModel):
    """A county's grade-1 enrolment of one entry year: the base of the consolidation rate 巩固率."""

    entry_year = models.PositiveSmallIntegerField(
        _("entry year"), help_text=_("The school year the cohort entered grade 1.")
    )
    locality = models.CharField(
        _("urban or rural"),
        max_length=10,
        choices=Locality.choices,
        blank=True,
        help_text=_("Empty: the whole county."),
    )
    grade1_enrolment = models.PositiveIntegerField(_("grade-1 enrolment"))

    class Meta:
        ordering = ["-entry_year", "county__code", "locality"]
        verbose_name = _("cohort baseline")
        verbose_name_plural = _("cohort baselines")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "entry_year", "locality"], name="one_baseline_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.county} {self.entry_year}"


class Stage(models.TextChoices):
    """The stages the dropout rate is given for (blank: compulsory education, both)."""

    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior middle")


class SettledRateFigures(ScopedModel):
    """A county's registry figures of a school year as they stood when the city started the next
    one 学年末数据: that year's dropout and consolidation rates come from these for good, so
    editing a student today changes no past year's rate."""

    school_year = models.PositiveSmallIntegerField(_("school year"))
    locality = models.CharField(
        _("urban or rural"), max_length=10, choices=Locality.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    enrolled = models.PositiveIntegerField(_("enrolment at the start of the year"))
    dropped_out = models.PositiveIntegerField(_("dropouts during the year"))
    grade9_enrolled = models.PositiveIntegerField(_("grade-9 enrolment"))

    class Meta:
        ordering = ["-school_year", "county__code", "locality", "stage"]
        verbose_name = _("settled rate figures")
        verbose_name_plural = _("settled rate figures")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "county", "locality", "stage"],
                name="one_settled_figure_per_year_county_locality_stage",
            )
        ]

    def __str__(self):
        return f"{self.county} {self.school_year}"
