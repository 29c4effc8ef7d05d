"""Student aid 学生资助: programmes and standards, disbursements, check notes, out-of-area
supervision 本地户籍外地就读 and publicity 政策宣传.

Money is Decimal from the database to the JSON: DecimalField columns, Sum() over them, quantized
to fen (0.01 yuan). A school year is named by the year it starts (2023 = 2023–2024): its autumn
term is autumn 2023, its spring term spring 2024.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import idnumbers
from core.calendar import Term
from core.fields import user_reference
from core.models import IdNumberField, LedgerUrlMixin, PersonMixin, Region, RegionLevel, School
from core.money import CENT, fen, wan  # noqa: F401  (re-exported: aid.models.fen)
from core.scoping import CityLevelQuerySet, ScopedModel

# --- Choices -----------------------------------------------------------------------------------


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior high school")
    VOCATIONAL = "vocational", _("Secondary vocational school")
    OTHER = "other", _("Other stage")


class BoardingRule(models.TextChoices):
    """Which pupils of a stage a programme pays (the school's boarding flag stands for theirs)."""

    ANY = "any", _("All pupils")
    BOARDERS = "boarders", _("Boarders")
    DAY = "day", _("Non-boarders")


class RecipientCategory(models.TextChoices):
    FORMERLY_POOR = "formerly_poor", _("Formerly registered poor")
    MONITORED = "monitored", _("Monitored household")
    DIBAO = "dibao", _("Minimum living allowance")
    TEKUN = "tekun", _("Extreme hardship support")
    DISABLED = "disabled", _("Disability")
    OTHER = "other", _("Other")


class CheckKind(models.TextChoices):
    GAP = "gap", _("Eligible but not aided")
    BELOW_STANDARD = "below_standard", _("Below the standard")
    DUPLICATE = "duplicate", _("Paid by two counties")


class OutOfAreaSource(models.TextChoices):
    EVIDENCE = "evidence", _("Out-of-city enrolment evidence")
    ROSTER = "roster", _("Roster")
    MANUAL = "manual", _("Entered")


class ContactMethod(models.TextChoices):
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")


class Channel(models.TextChoices):
    OFFICIAL_ACCOUNT = "official_account", _("Official account")
    PARENTS_MEETING = "parents_meeting", _("Parents' meeting")
    BROADCAST = "broadcast", _("Broadcast")
    NEWSPAPER = "newspaper", _("Newspaper")
    BROCHURE = "brochure", _("Brochure")
    TV = "tv", _("TV programme (News 110)")
    OTHER = "other", _("Other")


# --- Programmes and standards (city level: everyone reads, city administrators edit) ----------


class AidProgramme(models.Model):
    """A national or local aid programme 资助项目, for one stage of schooling."""

    # Its columns (core.columns): the form's and the API's.
    ledger_fields = (
        "name",
        "code",
        "stage",
        "boarding",
        "counts_for_gap",
        "active",
        "sort_order",
        "note",
    )

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("A short code that payment sheets may use instead of the name."),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    boarding = models.CharField(
        _("who is paid"), max_length=10, choices=BoardingRule.choices, default=BoardingRule.ANY
    )
    counts_for_gap = models.BooleanField(
        _("checked for aid to every eligible student"),
        default=True,
        help_text=_(
            "Eligible students of this stage without any aid in a term appear on the gap list."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("aid programme")
        verbose_name_plural = _("aid programmes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("aid-programme-detail", args=[self.pk])


class AidStandard(models.Model):
    """The amount per student per term of a programme in one school year 资助标准."""

    programme = models.ForeignKey(
        AidProgramme,
        on_delete=models.PROTECT,
        related_name="standards",
        verbose_name=_("programme"),
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2023 for 2023–2024.")
    )
    term = models.CharField(_("term"), max_length=6, choices=Term.choices)
    amount = models.DecimalField(
        _("amount per student (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(CENT)],
    )

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["programme__sort_order", "programme_id", "-school_year", "term"]
        verbose_name = _("aid standard")
        verbose_name_plural = _("aid standards")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "school_year", "term"], name="aid_one_standard_per_term"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_standard_positive"),
        ]

    def __str__(self):
        return f"{self.programme} {self.school_year} {self.get_term_display()}"

    def get_absolute_url(self):
        return reverse("aid-programme-detail", args=[self.programme_id])


# --- Disbursements -----------------------------------------------------------------------------


def already_paid_message(*, pk, school, paid_on, amount, county, shown: bool) -> str:
    """The one-per-term rule broken: names the stored payment — in full when the user may see it
    (`shown`: it is in the county of the row being entered), otherwise only its county (another
    county's rows are never shown). The form, the API and the import all say this."""
    if shown:
        return _(
            "This student already has this programme for this term: row %(pk)s, paid by "
            "%(school)s on %(date)s, %(amount)s yuan."
        ) % {"pk": pk, "school": school, "date": paid_on.isoformat(), "amount": fen(amount)}
    return _(
        "This student already has this programme for this term, paid by another county "
        "(%(county)s)."
    ) % {"county": county}


class Disbursement(PersonMixin, ScopedModel):
    """One payment of one programme to one student for one term 资助发放台账; county = the
    paying school's county."""

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "student",
        "programme",
        "school_year",
        "term",
        "amount",
        "paid_on",
        "school",
        "county",
        "category",
        "note",
    )

    KEY = ("id_number", "programme", "school_year", "term")

    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    student = models.ForeignKey(
        "core.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("registry student"),
        help_text=_("Linked by ID number when the student is in the registry."),
    )
    programme = models.ForeignKey(
        AidProgramme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2023 for 2023–2024.")
    )
    term = models.CharField(_("term"), max_length=6, choices=Term.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    paid_on = models.DateField(_("paid on"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("paying school")
    )
    category = models.CharField(
        _("recipient category"), max_length=16, choices=RecipientCategory.choices
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-school_year", "term", "school__code", "name"]
        verbose_name = _("aid disbursement")
        verbose_name_plural = _("aid disbursements")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number", "programme", "school_year", "term"],
                name="aid_one_disbursement_per_student_programme_term",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_disbursement_positive"),
        ]
        indexes = [
            # The gap list's anti-join and the duplicate check look rows up by these.
            models.Index(fields=["school_year", "term", "id_number"], name="aid_disb_term_id"),
            models.Index(fields=["county", "school_year", "term"], name="aid_disb_county_term"),
        ]

    def __str__(self):
        return f"{self.name} {self.school_year} {self.get_term_display()}"

    def duplicate(self):
        """The stored row with this row's key (student, programme, year, term), or None."""
        if not (self.id_number and self.programme_id and self.school_year and self.term):
            return None
        rows = Disbursement.objects.filter(
            id_number=idnumbers.normalize(self.id_number),
            programme_id=self.programme_id,
            school_year=self.school_year,
            term=self.term,
        )
        if self.pk:
            rows = rows.exclude(pk=self.pk)
        return rows.select_related("school", "county").first()

    def duplicate_message(self, existing) -> str:
        county_id = self.school.county_id if self.school_id else self.county_id
        return already_paid_message(
            pk=existing.pk,
            school=existing.school.name,
            paid_on=existing.paid_on,
            amount=existing.amount,
            county=existing.county.name,
            shown=existing.county_id == county_id,
        )

    def validate_constraints(self, exclude=None):
        """The one-per-term rule with a message that names the existing row (instead of
        Django's generic "already exists")."""
        errors = {}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not set(self.KEY) & set(exclude or ()):
            existing = self.duplicate()
            if existing is not None:
                kept = [
                    e
                    for e in errors.get(NON_FIELD_ERRORS, [])
                    if getattr(e, "code", None) not in ("unique", "unique_together")
                ]
                errors[NON_FIELD_ERRORS] = [
                    *kept,
                    ValidationError(self.duplicate_message(existing), code="duplicate"),
                ]
        if errors:
            raise ValidationError(errors)


# --- Notes on check rows -----------------------------------------------------------------------


class CheckNote(PersonMixin, ScopedModel):
    """An officer's reason on a row of a check 核查说明: why an eligible student was not aided,
    why a payment is below the standard, why two counties paid."""

    # Its columns (core.columns): the table's and the API's.
    ledger_fields = (
        "check_kind",
        "name",
        "id_number",
        "county",
        "school",
        "school_year",
        "term",
        "programme",
        "reason",
        "recorded_by",
        "updated_at",
    )

    check_kind = models.CharField(_("check"), max_length=16, choices=CheckKind.choices)
    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    term = models.CharField(_("term"), max_length=6, choices=Term.choices)
    programme = models.ForeignKey(
        AidProgramme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    reason = models.TextField(_("reason"))
    recorded_by = user_reference(_("recorded by"), editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("check note")
        verbose_name_plural = _("check notes")
        constraints = [
            # NULL programmes are distinct in a plain unique constraint: two partial ones.
            models.UniqueConstraint(
                fields=["county", "check_kind", "id_number", "school_year", "term"],
                condition=Q(programme__isnull=True),
                name="aid_one_note_per_check_row",
            ),
            models.UniqueConstraint(
                fields=["county", "check_kind", "id_number", "school_year", "term", "programme"],
                condition=Q(programme__isnull=False),
                name="aid_one_note_per_check_programme_row",
            ),
        ]
        indexes = [
            models.Index(
                fields=["check_kind", "school_year", "term", "id_number"], name="aid_note_lookup"
            )
        ]

    def __str__(self):
        return f"{self.get_check_kind_display()} · {self.name}"


# --- Out-of-area supervision -------------------------------------------------------------------


class OutOfAreaStudent(PersonMixin, ScopedModel):
    """A locally registered student studying elsewhere 本地户籍外地就读; county = the county of
    household registration. Verified once a contact verified the schooling and the aid received
    there (ContactLog.reached): `verified_on` is that contact's date, kept by ContactLog."""

    # Its columns, in order: detail page, table, form and API (core.columns).
    ledger_fields = (
        "name",
        "id_number",
        "county",
        "household_region",
        "province",
        "city",
        "school_name",
        "stage",
        "source",
        "verified_on",
        "receives_aid",
        "aid_programme",
        "aid_amount",
        "meets_standard",
        "follow_up_needed",
        "follow_up",
    )

    id_number = IdNumberField()
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    household_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered township"),
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30, blank=True)
    school_name = models.CharField(_("school"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=OutOfAreaSource.choices, default=OutOfAreaSource.MANUAL
    )
    receives_aid = models.BooleanField(_("receives aid there"), null=True, blank=True)
    aid_programme = models.CharField(_("aid received there"), max_length=100, blank=True)
    aid_amount = models.DecimalField(
        _("amount per term there (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    meets_standard = models.BooleanField(_("at the national standard"), null=True, blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    verified_on = models.DateField(
        _("verified on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The first contact that reached the student."),
    )

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("out-of-area student")
        verbose_name_plural = _("out-of-area students")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "id_number"], name="aid_one_out_of_area_row_per_student"
            )
        ]
        indexes = [models.Index(fields=["county", "verified_on"], name="aid_ooa_verified")]

    def __str__(self):
        return self.name

    @property
    def where(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.school_name) if part)

    def clean(self):
        super().clean()
        region = self.household_region if self.household_region_id else None
        if region is not None and self.county_id and region.county_id != self.county_id:
            raise ValidationError(
                {"household_region": _("The township is not in the chosen county.")}
            )
        if self.receives_aid is False and (self.aid_amount or self.meets_standard):
            raise ValidationError(
                {"receives_aid": _("A student who receives no aid has no amount or standard.")}
            )

    def save(self, *args, **kwargs):
        # verified_on is derived from the contact log, never from what the instance holds.
        if self.pk is not None:
            self.verified_on = (
                ContactLog.objects.filter(student_id=self.pk, reached=True)
                .order_by("contacted_on")
                .values_list("contacted_on", flat=True)
                .first()
            )
        super().save(*args, **kwargs)


def refresh_verification(student_ids) -> None:
    """verified_on = the date of the first contact that reached the student (one UPDATE)."""
    first_reached = (
        ContactLog.objects.filter(student_id=models.OuterRef("pk"), reached=True)
        .order_by("contacted_on")
        .values("contacted_on")[:1]
    )
    OutOfAreaStudent.objects.filter(pk__in=list(student_ids)).update(
        verified_on=models.Subquery(first_reached)
    )


class ContactLog(LedgerUrlMixin, ScopedModel):
    """One contact with an out-of-area student or their school: letter 信函, phone 电话, WeChat
    微信 or visit 走访; what was learned."""

    student = models.ForeignKey(
        OutOfAreaStudent,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("out-of-area student"),
    )
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices)
    contacted_on = models.DateField(_("date"))
    contacted_by = models.CharField(_("by whom"), max_length=50)
    reached = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_(
            "The contact reached the student, the family or the school and verified where the "
            "student studies and what aid they receive there."
        ),
    )
    learned = models.TextField(_("what was learned"), blank=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")

    def __str__(self):
        return f"{self.contacted_on:%Y-%m-%d} {self.get_method_display()}"

    def derive_county(self) -> None:
        if self.student_id:
            self.county_id = self.student.county_id

    def save(self, *args, **kwargs):
        previous = (
            type(self).objects.filter(pk=self.pk).values_list("student_id", flat=True).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        refresh_verification({self.student_id, previous} - {None})

    def delete(self, *args, **kwargs):
        student_id = self.student_id
        result = super().delete(*args, **kwargs)
        refresh_verification([student_id])
        return result


# --- Publicity ---------------------------------------------------------------------------------


class PublicityActivity(LedgerUrlMixin, ScopedModel):
    """A publicity activity on aid policy 资助政策宣传: channel, date, title, people reached."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    reach = models.PositiveIntegerField(_("people reached"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("publicity activity")
        verbose_name_plural = _("publicity activities")
        indexes = [models.Index(fields=["county", "held_on"], name="aid_publicity_county_date")]

    def __str__(self):
        return self.title
