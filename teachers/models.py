"""Teacher staffing 教师队伍: the teacher roster 教师名册, recruitment plans 招聘计划 and their
hires, training programmes 培训项目 and records 培训记录, and the staffing standard 编制标准.

A teacher is rural when their school is rural (core.School.locality); a hire is a roster row that
names its plan. The staffing standard and the training programmes are the city's reference data
(every role reads them, city administrators change them); the roster, the plans and the records
are the counties' ledgers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import user_reference
from core.models import Gender, IdNumberField, LedgerUrlMixin, PersonMixin, School
from core.reference import YEAR_VALIDATORS
from core.scoping import CityLevelQuerySet, ScopedModel

SERVICE_YEARS = 3  # a special-post teacher serves three years 服务期三年


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior middle")
    SENIOR = "senior", _("Senior high")


class Subject(models.TextChoices):
    CHINESE = "chinese", _("Chinese")
    MATHS = "maths", _("Mathematics")
    ENGLISH = "english", _("English")
    SCIENCE = "science", _("Science")
    PHYSICS = "physics", _("Physics")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology")
    POLITICS = "politics", _("Ethics and law")
    HISTORY = "history", _("History")
    GEOGRAPHY = "geography", _("Geography")
    PE = "pe", _("Physical education")
    MUSIC = "music", _("Music")
    ART = "art", _("Art")
    IT = "it", _("Information technology")
    PRESCHOOL = "preschool", _("Preschool education")
    OTHER = "other", _("Other")


class Employment(models.TextChoices):
    ESTABLISHMENT = "establishment", _("On the establishment")
    SPECIAL_POST = "special_post", _("Special-post")
    CONTRACT = "contract", _("Contract or substitute")
    SUPPORTING = "supporting", _("Supporting teacher")
    ROTATION = "rotation", _("Rotation")


class Title(models.TextChoices):
    NONE = "none", _("No title")
    THIRD = "third", _("Third-grade teacher")
    SECOND = "second", _("Second-grade teacher")
    FIRST = "first", _("First-grade teacher")
    SENIOR = "senior", _("Senior teacher")
    PROFESSOR = "professor", _("Professor-level senior teacher")


class Qualification(models.TextChoices):
    SECONDARY = "secondary", _("Secondary or below")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTOR = "doctor", _("Doctorate")


class Channel(models.TextChoices):
    SPECIAL_POST = "special_post", _("Special-post teachers")
    XUECHENG = "xuecheng", _("Xuecheng talent")
    SECRETARY = "secretary", _("Party secretary on campus")
    OPEN = "open", _("Open recruitment")
    TARGETED = "targeted", _("Targeted training")
    OTHER = "other", _("Other")


class TeacherStatus(models.TextChoices):
    IN_POST = "in_post", _("In post")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")
    RETIRED = "retired", _("Retired")


GONE = (TeacherStatus.LEFT, TeacherStatus.RETIRED)


# --- The staffing standard 编制标准 (city reference data) -----------------------------------------


def _ratio(verbose_name, default):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("1"))],
    )


class StaffingStandard(models.Model):
    """The unified staffing standard 城乡统一编制标准 in force from a year on: pupils per teacher
    by stage, and the small-school rule (a teaching point, or a school under the threshold of
    pupils, is staffed by its classes: teachers per class). A change is a new row from a later
    year, so a past year's check keeps the standard it had."""

    effective_from = models.PositiveSmallIntegerField(
        _("in force from year"),
        unique=True,
        validators=YEAR_VALIDATORS,
        error_messages={"unique": _("A standard from this year exists already.")},
    )
    primary = _ratio(_("primary, pupils per teacher"), "19")
    junior = _ratio(_("junior middle, pupils per teacher"), "13.5")
    senior = _ratio(_("senior high, pupils per teacher"), "12.5")
    small_school_pupils = models.PositiveSmallIntegerField(
        _("small school: fewer pupils than"),
        default=100,
        validators=[MinValueValidator(1)],
        help_text=_("A teaching point or a school with fewer pupils is staffed by its classes."),
    )
    teachers_per_class = models.DecimalField(
        _("small school: teachers per class"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.5"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = user_reference(_("set by"), editable=False)

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("staffing standard")
        verbose_name_plural = _("staffing standards")
        constraints = [
            models.CheckConstraint(
                condition=Q(primary__gt=0) & Q(junior__gt=0) & Q(senior__gt=0),
                name="teachers_standard_ratios_positive",
            )
        ]

    def __str__(self):
        return _("Staffing standard from %(year)s") % {"year": self.effective_from}

    def get_absolute_url(self):
        return reverse("teachers-standards")

    def clean(self):
        super().clean()
        errors = {}
        for name in ("primary", "junior", "senior"):
            value = getattr(self, name)
            if value is not None and value < 1:
                errors[name] = _("Pupils per teacher is at least 1.")
        if errors:
            raise ValidationError(errors)

    def ratio(self, stage: str) -> Decimal:
        return {Stage.PRIMARY: self.primary, Stage.JUNIOR: self.junior, Stage.SENIOR: self.senior}[
            stage
        ]


# --- Recruitment plans 招聘计划 -----------------------------------------------------------------


class RecruitmentPlan(LedgerUrlMixin, ScopedModel):
    """A county's posts of one year and recruitment channel for a stage (and subject, when the
    plan names one), with the provincial approval; its hires are the roster rows naming it."""

    ledger_fields = (
        "year",
        "county",
        "channel",
        "stage",
        "subject",
        "posts",
        "approval_number",
        "approved_on",
        "note",
    )

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    subject = models.CharField(
        _("subject"),
        max_length=12,
        choices=Subject.choices,
        blank=True,
        help_text=_("Empty: any subject."),
    )
    posts = models.PositiveSmallIntegerField(_("posts"), validators=[MinValueValidator(1)])
    approval_number = models.CharField(_("approval number"), max_length=60, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-year", "county__code", "channel", "stage", "subject"]
        verbose_name = _("recruitment plan")
        verbose_name_plural = _("recruitment plans")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county", "channel", "stage", "subject"],
                name="teachers_one_plan_per_post_kind",
                violation_error_message=_(
                    "This county has a plan of this year, channel, stage and subject already: "
                    "change its posts."
                ),
            ),
            models.CheckConstraint(condition=Q(posts__gte=1), name="teachers_plan_posts"),
        ]
        indexes = [models.Index(fields=["county", "year"], name="teachers_plan_year")]

    def __str__(self):
        parts = [str(self.year), self.get_channel_display(), self.get_stage_display()]
        if self.subject:
            parts.append(self.get_subject_display())
        return " ".join(parts)

    def clean(self):
        super().clean()
        if self.pk and self.posts is not None:
            hired = Teacher._base_manager.filter(plan_id=self.pk).count()
            if self.posts < hired:
                raise ValidationError(
                    {
                        "posts": _(
                            "%(hired)s teachers are hired on this plan: it cannot have fewer posts."
                        )
                        % {"hired": hired}
                    }
                )


# --- The teacher roster 教师名册 ----------------------------------------------------------------


class Teacher(PersonMixin, ScopedModel):
    """A teacher on the roster: who, where, what they teach, how they are employed and hired,
    and whether they are still in post. A hire through a recruitment plan names the plan."""

    ledger_fields = (
        "id_number",
        "name",
        "gender",
        "birth_date",
        "school",
        "county",
        "stage",
        "subject",
        "employment",
        "title",
        "qualification",
        "hired_on",
        "channel",
        "plan",
        "reported_on",
        "status",
        "left_on",
    )

    id_number = IdNumberField()  # unique: see Meta.constraints
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    employment = models.CharField(
        _("employment"),
        max_length=16,
        choices=Employment.choices,
        default=Employment.ESTABLISHMENT,
    )
    title = models.CharField(
        _("professional title"), max_length=12, choices=Title.choices, default=Title.NONE
    )
    qualification = models.CharField(
        _("highest qualification"),
        max_length=12,
        choices=Qualification.choices,
        default=Qualification.BACHELOR,
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    channel = models.CharField(
        _("recruitment channel"), max_length=16, choices=Channel.choices, blank=True
    )
    plan = models.ForeignKey(
        RecruitmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
        verbose_name=_("recruitment plan"),
    )
    reported_on = models.DateField(
        _("reported for duty on"), null=True, blank=True, help_text=_("到岗: empty until then.")
    )
    status = models.CharField(
        pgettext_lazy("teacher", "status"),
        max_length=10,
        choices=TeacherStatus.choices,
        default=TeacherStatus.IN_POST,
    )
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("For a teacher who left or retired.")
    )

    class Meta:
        ordering = ["school__code", "name"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teacher roster")
        indexes = [
            models.Index(fields=["county", "status"], name="teachers_teacher_status"),
            models.Index(fields=["school", "subject"], name="teachers_teacher_subject"),
        ]
        constraints = [
            # Its message names the school holding the number (validate_constraints).
            models.UniqueConstraint(fields=["id_number"], name="teachers_teacher_id_number_unique")
        ]

    def __str__(self):
        return self.name

    def service_ends(self) -> int | None:
        """The year a special-post teacher's three-year service ends (hired in 2020: 2023)."""
        if self.channel != Channel.SPECIAL_POST or self.hired_on is None:
            return None
        return self.hired_on.year + SERVICE_YEARS

    def clean(self):
        self.clean_identity()
        errors = {}
        if self.status in GONE and not self.left_on:
            errors["left_on"] = _("Give the date the teacher left or retired.")
        if self.status not in GONE and self.left_on:
            errors["left_on"] = _("Only a teacher who left or retired has a leaving date.")
        if self.hired_on and self.left_on and self.left_on < self.hired_on:
            errors["left_on"] = _("The leaving date is before the hiring date.")
        if self.hired_on and self.reported_on and self.reported_on < self.hired_on:
            errors["reported_on"] = _("The teacher cannot report for duty before being hired.")
        if self.plan_id:
            errors.update(self._plan_errors())
        if errors:
            raise ValidationError(errors)

    def _plan_errors(self) -> dict:
        plan = self.plan
        if self.school_id and plan.county_id != self.school.county_id:
            return {
                "plan": _("The plan is another county's: choose a plan of the school's county.")
            }
        errors = {}
        if self.channel and self.channel != plan.channel:
            errors["channel"] = _("The channel is not the plan's (%(channel)s).") % {
                "channel": plan.get_channel_display()
            }
        if self.hired_on and self.hired_on.year != plan.year:
            errors["hired_on"] = _("A hire of the %(year)s plan is hired in %(year)s.") % {
                "year": plan.year
            }
        others = Teacher._base_manager.filter(plan_id=plan.pk)
        if self.pk:
            others = others.exclude(pk=self.pk)
        hired = others.count()
        if hired >= plan.posts:
            errors["plan"] = _(
                "The plan has %(posts)s posts and all of them are filled (%(hired)s hired): "
                "no more hires on it."
            ) % {"posts": plan.posts, "hired": hired}
        return errors

    def validate_constraints(self, exclude=None):
        """The roster's one row per ID number; the message names the school holding it (the
        doors refuse a number held outside the user's scope before this, neutrally:
        core.conflicts)."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            existing = (
                Teacher._base_manager.filter(id_number=self.id_number)
                .exclude(pk=self.pk)
                .select_related("school")
                .first()
                if self.id_number
                else None
            )
            if existing is None or "id_number" not in error.error_dict:
                raise
            error.error_dict["id_number"] = [
                ValidationError(
                    _("This ID number is on the roster already, at %(school)s.")
                    % {"school": existing.school},
                    code="unique",
                )
            ]
            raise error from None

    def save(self, *args, **kwargs):
        if self.plan_id and not self.channel:
            self.channel = self.plan.channel
        super().save(*args, **kwargs)


# --- Training 培训 -------------------------------------------------------------------------------


class ProgrammeKind(models.TextChoices):
    CONTINUING = "continuing", _("Full-staff continuing education")
    NATIONAL = "national", _("National training")
    PROVINCIAL = "provincial", _("Provincial training")
    CITY = "city", _("City training")
    SCHOOL = "school", _("School-based training")
    LECTURE = "lecture", _("Online lecture")


class TrainingProgramme(models.Model):
    """A training programme of a year: the year's continuing education 全员继续教育, a 国培
    project, a provincial, city or school-based course, an online lecture; the hours required to
    complete it and the most hours a record may carry. The city's reference data."""

    name = models.CharField(_("programme"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours_required = models.DecimalField(
        _("hours required"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    max_hours = models.DecimalField(
        _("most hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = user_reference(_("set by"), editable=False)

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "name"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="teachers_programme_name_per_year",
                violation_error_message=_("A programme of this name exists in this year."),
            )
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def get_absolute_url(self):
        return reverse("teachers-programmes")

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The programme ends before it starts.")
        if self.starts_on and self.year and self.starts_on.year != self.year:
            errors["starts_on"] = _("A programme of %(year)s starts in %(year)s.") % {
                "year": self.year
            }
        if (
            self.max_hours is not None
            and self.hours_required is not None
            and self.hours_required > self.max_hours
        ):
            errors["hours_required"] = _("The hours required exceed the most hours.")
        if errors:
            raise ValidationError(errors)


class TrainingRecord(LedgerUrlMixin, ScopedModel):
    """A teacher's record in a programme (from the training platform's export): the hours, whether
    they completed it, the certificate. Its school is the teacher's when recorded."""

    ledger_fields = (
        "teacher",
        "school",
        "county",
        "programme",
        "hours",
        "completed",
        "certificate",
        "recorded_on",
    )

    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="training", verbose_name=_("teacher")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("school")
    )
    programme = models.ForeignKey(
        TrainingProgramme,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("programme"),
    )
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    completed = models.BooleanField(_("completed"), default=False)
    certificate = models.CharField(_("certificate number"), max_length=60, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)

    class Meta:
        ordering = ["-programme__year", "teacher__name"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "programme"],
                name="teachers_one_record_per_programme",
                violation_error_message=_(
                    "This teacher has a record of this programme already: change that row."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["programme", "completed"], name="teachers_record_programme")
        ]

    def __str__(self):
        return f"{self.teacher} · {self.programme}"

    def derive_county(self) -> None:
        if self.teacher_id:
            self.school_id = self.teacher.school_id
        super().derive_county()

    def clean(self):
        super().clean()
        if not (self.teacher_id and self.programme_id):
            return
        errors = record_errors(
            teacher_left_on=self.teacher.left_on,
            programme=self.programme,
            hours=self.hours,
        )
        if errors:
            raise ValidationError(errors)


def record_errors(*, teacher_left_on: dt.date | None, programme, hours) -> dict:
    """A training record's rules (the form's, the API's and the import's): the teacher had not
    left before the programme started, and the hours are within the programme's most hours."""
    errors = {}
    if teacher_left_on and teacher_left_on < programme.starts_on:
        errors["teacher"] = _(
            "The teacher left on %(left)s, before the programme started (%(start)s)."
        ) % {"left": teacher_left_on.isoformat(), "start": programme.starts_on.isoformat()}
    if hours is not None and hours > programme.max_hours:
        errors["hours"] = _("%(hours)s hours is more than the programme's most (%(most)s).") % {
            "hours": hours,
            "most": programme.max_hours,
        }
    return errors
