"""The shared schema: regions, schools, the student registry 学籍, users and their scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import idnumbers
from core.fields import county_reference, optional_reference, user_reference
from core.scoping import Role, ScopedModel, ScopedQuerySet, school_of


class LedgerUrlMixin:
    """The row's page among the generated ledger pages (url name `<model>-detail`)."""

    def get_absolute_url(self):
        return reverse(f"{self._meta.model_name}-detail", args=[self.pk])


def tidy_name(value):
    """A person's name as every door stores it: runs of spaces inside it collapsed to one
    (张  三 → 张 三) and none at the ends, as an import reads a name."""
    return " ".join(value.split()) if isinstance(value, str) else value


class PersonMixin(LedgerUrlMixin):
    """A row about a person with an ID number: its page, and the number as it may be shown."""

    @property
    def masked_id(self) -> str:
        return idnumbers.mask(self.id_number)

    def clean_fields(self, exclude=None):
        """The name tidied (tidy_name) before the fields are checked: a form's save."""
        if hasattr(self, "name"):
            self.name = tidy_name(self.name)
        super().clean_fields(exclude=exclude)

    def clean_identity(self):
        """For a row with a birth date and a gender (a student, a roster child): both agree with
        a valid ID number; an empty birth date is read from it (forms and the admin leave it
        out)."""
        if not (self.id_number and idnumbers.is_valid(self.id_number)):
            return
        born = idnumbers.birth_date(self.id_number)
        if self.birth_date is None:
            self.birth_date = born
        elif born != self.birth_date:
            raise ValidationError(
                {"birth_date": _("The birth date does not agree with the ID number.")}
            )
        if self.gender and idnumbers.gender(self.id_number) != self.gender:
            raise ValidationError({"gender": _("The gender does not agree with the ID number.")})


class IdNumberField(models.CharField):
    """An 18-character resident ID number, normalised and checked (GB 11643) on every save path."""

    default_validators = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("verbose_name", _("ID number"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 18:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return idnumbers.normalize(value) if value else value

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value:
            idnumbers.validate(value)

    def formfield(self, **kwargs):
        from core.forms import IdNumberFormField

        kwargs.setdefault("form_class", IdNumberFormField)
        return super().formfield(**kwargs)


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


class RegionQuerySet(ScopedQuerySet):
    def school_rows(self, user):
        """A school officer's regions: its school's county and township, what its forms offer."""
        township = School.objects.filter(pk=school_of(user)).values("township_id")
        return self.filter(models.Q(pk=user.scope_id) | models.Q(pk__in=township))


class Region(models.Model):
    """An administrative division (GB/T 2260): city, county, township or village."""

    scope_field = "county"

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^(\d{6}|\d{9}|\d{12})$", _("A code has 6, 9 or 12 digits."))],
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = optional_reference("self", _("parent"), related_name="children")
    county = optional_reference(
        "self",
        _("county"),
        editable=False,
        help_text=_("The county this region lies in (itself for a county); empty for the city."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "county"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.level == RegionLevel.COUNTY:
            if self.pk is None:  # a county is its own county: needs its key first
                self.county = None
                super().save(*args, **kwargs)
                self.county_id = self.pk
                type(self).objects.filter(pk=self.pk).update(county_id=self.pk)
                return
            self.county_id = self.pk
        elif self.level == RegionLevel.CITY:
            self.county = None
        elif self.parent_id:
            self.county_id = self.parent.county_id
        super().save(*args, **kwargs)

    def clean(self):
        expected_parent = {
            RegionLevel.COUNTY: RegionLevel.CITY,
            RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
            RegionLevel.VILLAGE: RegionLevel.TOWNSHIP,
        }.get(self.level)
        if expected_parent and (self.parent is None or self.parent.level != expected_parent):
            raise ValidationError(
                {
                    "parent": _("A %(level)s must lie in a %(parent)s.")
                    % {
                        "level": self.get_level_display(),
                        "parent": RegionLevel(expected_parent).label,
                    }
                }
            )


class SchoolKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    COMPLETE_MIDDLE = "complete_middle", _("Complete middle school")
    SENIOR = "senior", _("Senior high school")
    VOCATIONAL = "vocational", _("Vocational school")
    TEACHING_POINT = "teaching_point", _("Teaching point")
    SPECIAL = "special", _("Special education school")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class Locality(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class School(LedgerUrlMixin, ScopedModel):
    """A school, identified by its 10-digit school code 学校标识码."""

    # The school ledger's columns, in this order in its table, form and API.
    ledger_fields = (
        "code",
        "name",
        "county",
        "township",
        "kind",
        "ownership",
        "locality",
        "boarding",
        "is_central_kindergarten",
    )

    code = models.CharField(
        _("school code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d{10}$", _("A school code has 10 digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schools",
        verbose_name=_("township"),
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SchoolKind.choices)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    locality = models.CharField(_("urban or rural"), max_length=10, choices=Locality.choices)
    boarding = models.BooleanField(_("boarding"), default=False)
    is_central_kindergarten = models.BooleanField(
        _("township public central kindergarten"), default=False
    )

    class Meta:
        ordering = ["county__code", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [models.Index(fields=["county", "kind"])]

    def __str__(self):
        return self.name

    def clean(self):
        if self.township_id and self.county_id and self.township.county_id != self.county_id:
            raise ValidationError({"township": _("The township is not in the school's county.")})
        if self.is_central_kindergarten and self.kind != SchoolKind.KINDERGARTEN:
            raise ValidationError(
                {"is_central_kindergarten": _("Only a kindergarten can be a central kindergarten.")}
            )

    def derive_county(self):
        if self.township_id and not self.county_id:
            self.county_id = self.township.county_id


class SchoolEnrolment(ScopedModel):
    """A school's enrolment and boarders in one school year (the year it starts, e.g. 2023)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2023 for 2023–2024.")
    )
    enrolment = models.PositiveIntegerField(_("enrolment"))
    boarders = models.PositiveIntegerField(_("boarders"), default=0)

    class Meta:
        ordering = ["-school_year", "school__code"]
        verbose_name = _("school enrolment")
        verbose_name_plural = _("school enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="unique_enrolment_per_school_year"
            ),
            models.CheckConstraint(
                condition=models.Q(boarders__lte=models.F("enrolment")),
                name="boarders_not_above_enrolment",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}"


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    SUSPENDED = "suspended", _("Suspended")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    GRADUATED = "graduated", _("Graduated")
    HOME_DELIVERED = "home_delivered", _("Home-delivered schooling")
    DECEASED = "deceased", _("Deceased")


class Grade(models.IntegerChoices):
    K1 = -3, _("Kindergarten, junior class")
    K2 = -2, _("Kindergarten, middle class")
    K3 = -1, _("Kindergarten, senior class")
    G1 = 1, _("Grade 1")
    G2 = 2, _("Grade 2")
    G3 = 3, _("Grade 3")
    G4 = 4, _("Grade 4")
    G5 = 5, _("Grade 5")
    G6 = 6, _("Grade 6")
    G7 = 7, _("Grade 7")
    G8 = 8, _("Grade 8")
    G9 = 9, _("Grade 9")
    G10 = 10, _("Grade 10")
    G11 = 11, _("Grade 11")
    G12 = 12, _("Grade 12")


class Student(PersonMixin, ScopedModel):
    """A student in the registry 学籍, as imported from the provincial registry."""

    # The columns in this order in its form and API (the form leaves out what follows from
    # the rest: core.forms.entered_fields), and in this order on its page and in its table.
    ledger_fields = (
        "id_number",
        "name",
        "gender",
        "birth_date",
        "school",
        "county",
        "grade",
        "status",
        "household_region",
    )
    page_fields = (
        "name",
        "id_number",
        "gender",
        "birth_date",
        "county",
        "school",
        "grade",
        "status",
        "household_region",
    )

    id_number = IdNumberField()  # unique: see Meta.constraints
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("school"),
        db_index=False,  # the (school, grade) index serves every look-up by school
    )
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices)
    status = models.CharField(
        pgettext_lazy("student", "status"),
        max_length=20,
        choices=StudentStatus.choices,
        default=StudentStatus.ENROLLED,
    )
    household_region = optional_reference(Region, _("household registration"))

    class Meta:
        ordering = ["school__code", "grade", "name"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["school", "grade"]),
            models.Index(fields=["name", "birth_date"]),
        ]
        # A constraint rather than unique=True: the same unique index, without the second,
        # pattern-matching index PostgreSQL gets for a unique text column. ID numbers are never
        # searched by prefix (they never travel in a URL), and every index is paid for on each
        # of the registry's hundreds of thousands of imported rows.
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="core_student_id_number_unique")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.clean_identity()


CITY_ADMIN_APPS = ("django_celery_beat",)  # what a city administrator keeps in the admin


class User(AbstractUser):
    """A person who signs in: a role and its scope (the city, one county, or — for a school
    officer 学校填报员 — one school, whose county is then its county)."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    scope = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("scope"),
        limit_choices_to={"level__in": [RegionLevel.CITY, RegionLevel.COUNTY]},
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("school"),
        help_text=_("A school officer's school; its county becomes the user's scope."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.SCHOOL_OFFICER, school__isnull=False)
                    | (~models.Q(role=Role.SCHOOL_OFFICER) & models.Q(school__isnull=True))
                ),
                name="school_officers_and_only_they_have_a_school",
                violation_error_message=_(
                    "A school officer, and only a school officer, has a school."
                ),
            )
        ]

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.derive_scope()
        self.derive_staff()
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._role_at_load = getattr(user, "role", None)  # what derive_staff compares with
        return user

    def derive_staff(self) -> None:
        """A city administrator opens the admin (/admin/: the schedules are kept there, DESIGN):
        the role gives `is_staff`, whoever made the account (the user pages, the demo, the
        admin), and taking the role away takes it (a superuser keeps it). A staff account of
        another role, which a superuser gave rights in the admin, is left as it is."""
        if self.role == Role.CITY_ADMIN:
            self.is_staff = True
        elif getattr(self, "_role_at_load", None) == Role.CITY_ADMIN and not self.is_superuser:
            self.is_staff = False

    def _keeps_in_admin(self, app_label: str) -> bool:
        """What a city administrator (not a superuser) keeps in the admin: the schedules of
        the periodic work (django-celery-beat). The rest is on the platform's own pages, under
        its scope and audit; users and their rights too (never is_superuser through the admin)."""
        return self.is_active and self.role == Role.CITY_ADMIN and app_label in CITY_ADMIN_APPS

    def has_perm(self, perm, obj=None):
        return super().has_perm(perm, obj) or self._keeps_in_admin(perm.split(".", 1)[0])

    def has_module_perms(self, app_label):
        return super().has_module_perms(app_label) or self._keeps_in_admin(app_label)

    def derive_scope(self) -> None:
        """A school officer's scope is its school's county (never typed, never out of date)."""
        if self.school_id:
            self.scope_id = School.objects.values_list("county_id", flat=True).get(
                pk=self.school_id
            )

    def clean(self):
        super().clean()
        if self.role == Role.SCHOOL_OFFICER:
            if not self.school_id:
                raise ValidationError({"school": _("A school officer needs a school.")})
            self.derive_scope()
            return
        if self.school_id:
            raise ValidationError({"school": _("Only a school officer has a school.")})
        if self.role in (Role.COUNTY_OFFICER, Role.COUNTY_REVIEWER):
            if not self.scope or self.scope.level != RegionLevel.COUNTY:
                raise ValidationError({"scope": _("A county role needs a county as its scope.")})
        elif (
            self.role in (Role.CITY_ADMIN, Role.CITY_STAFF)
            and self.scope
            and self.scope.level != RegionLevel.CITY
        ):
            raise ValidationError({"scope": _("A city role needs the city as its scope.")})

    @property
    def can_reveal_ids(self) -> bool:
        from django.conf import settings

        return self.is_active and (self.is_superuser or self.role in settings.ID_REVEAL_ROLES)


__all__ = [
    "JobRun",
    "JobStatus",
    "AuditAction",
    "HouseholdCategory",
    "LedgerUrlMixin",
    "MonitoringType",
    "PersonMixin",
    "RosterChild",
    "RosterVersion",
    "AuditEvent",
    "Gender",
    "Grade",
    "IdNumberField",
    "Locality",
    "MinValueValidator",
    "Ownership",
    "Region",
    "RegionLevel",
    "Role",
    "School",
    "SchoolEnrolment",
    "SchoolKind",
    "Student",
    "StudentStatus",
    "User",
]


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    REVEAL = "reveal", _("Revealed ID number")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    # A search by ID number (a list page's or the API's): the number kept masked, never in full.
    ID_SEARCH = "id_search", _("Searched by ID number")


class AuditEvent(models.Model):
    """One entry of the audit trail: who did what to which row, and the fields that changed."""

    scope_field = "county"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The trail refers to users and counties without database constraints: Django still
    # protects both from deletion while events name them (on_delete), and an import writes an
    # event per row, for which PostgreSQL would otherwise run two constraint triggers each.
    actor = user_reference(_("user"), db_constraint=False)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    # Searched by ledger, and a row's history by (ledger, row): the index in Meta serves both.
    ledger = models.CharField(_("ledger"), max_length=60)
    object_id = models.CharField(_("row"), max_length=40, blank=True)
    object_repr = models.CharField(_("row description"), max_length=200, blank=True)
    county = county_reference(db_constraint=False)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["ledger", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"


from core.attachments.models import Attachment  # noqa: E402,F401
from core.conflicts import RegistryConflict  # noqa: E402,F401
from core.importing.models import ImportRun  # noqa: E402,F401
from core.jobs import JobRun, JobStatus  # noqa: E402  (models of the job machinery)
from core.reference import SchoolAgeRule, SchoolYearStart  # noqa: E402,F401
from core.reporting.models import (  # noqa: E402,F401  (periodic reports, core.reporting)
    DeadlineExtension,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)
from core.roster import HouseholdCategory, MonitoringType, RosterChild, RosterVersion  # noqa: E402
