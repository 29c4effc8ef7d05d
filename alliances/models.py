"""Alliances and teaching 联盟与教学: school alliances 学校联盟 and their members, alliance
activities 联盟活动 on the three action lines 改薄 / 固本 / 培优, the online classrooms 三个课堂,
entrance-exam quotas 配额 for remote rural schools and county high-school trusteeship 县中托管帮扶.

Who sees what (the rule the scoping tests prove):

* A **county-level alliance** 县域学校联盟 is its county's row: its county sees it and writes it.
* A **city-level alliance** 市级学校联盟 is the city's row (it has no county): the city writes it;
  a county sees the city alliances one of its schools is (or was) a member of, and only reads them.
* A **membership** is the row of its school's county for a county alliance, and the city's row
  for a city alliance (its county is empty): a county sees the memberships of its own schools
  only — of a city alliance it sees its schools, never another county's.
* An **activity** is its host school's county's row, a **session** its provider school's; a county
  (and a school officer) also sees, read-only, those its schools took part in or received.
* Quotas and trusteeship pairs are the county's rows (the rural junior school's, the supported
  high school's).
* A school officer sees its school's memberships, the alliances its school is in, and the
  activities and sessions its school hosted, provided, joined or received; it writes only the
  activities it hosts (memberships and sessions are the county's to record).

Figures are counted from these rows; nothing here stores a total.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Grade, LedgerUrlMixin, RegionLevel, School, SchoolKind
from core.reference import YEAR_VALIDATORS
from core.scoping import ScopedModel, ScopedQuerySet, county_of, school_of, sees_everything

SENIOR_KINDS = (SchoolKind.SENIOR, SchoolKind.COMPLETE_MIDDLE)
JUNIOR_KINDS = (SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_MIDDLE)


class ReachQuerySet(ScopedQuerySet):
    """A row of one county (or of the city: no county) that a county — and a school officer —
    also sees, read-only, through the schools it concerns: `reach` names the lookups from the
    row to core.School (an activity's participating schools, a session's receiving schools)."""

    reach: tuple[str, ...] = ()

    def _or_reached(self, own, condition: Q):
        reached = self.model._default_manager.filter(condition).values("pk")
        return self.filter(Q(pk__in=own.values("pk")) | Q(pk__in=reached))

    def visible_to(self, user):
        if sees_everything(user) or school_of(user) is not None:
            return super().visible_to(user)
        county_id = county_of(user)
        if county_id is None:
            return self.none()
        condition = Q(pk__in=[])
        for path in self.reach:
            condition |= Q(**{f"{path}__county_id": county_id})
        return self._or_reached(super().visible_to(user), condition)

    def school_rows(self, user):
        own = super().school_rows(user)
        school_id = school_of(user)
        if not school_id:
            return own
        condition = Q(pk__in=[])
        for path in self.reach:
            condition |= Q(**{path: school_id})
        return self._or_reached(own, condition)


def _school_reference(verbose_name, **kwargs):
    return models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=verbose_name, **kwargs
    )


def _city_or_county():
    """The county of a row that may be the city's (empty: a city-level alliance's)."""
    return models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("county"),
        limit_choices_to={"level": RegionLevel.COUNTY},
        help_text=_("Empty for a city-level alliance: it is the city's."),
    )


# --- Alliances 学校联盟 ------------------------------------------------------------------------


class AllianceLevel(models.TextChoices):
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")


class AllianceKind(models.TextChoices):
    COMPULSORY = "compulsory", _("Compulsory-education alliance")
    PRESCHOOL = "preschool", _("Preschool zone")


class AllianceQuerySet(ReachQuerySet):
    reach = ("memberships__school",)


class Alliance(LedgerUrlMixin, ScopedModel):
    """A school alliance 学校联盟: city level (the city's) or county level (a county's), its lead
    school 牵头学校, kind (compulsory-education alliance, preschool zone 学前区域), founding
    date and goals. Its member schools are AllianceMember rows."""

    ledger_fields = ("name", "level", "county", "kind", "lead_school", "founded_on", "goals")

    county = _city_or_county()
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=AllianceLevel.choices)
    kind = models.CharField(
        _("kind"), max_length=12, choices=AllianceKind.choices, default=AllianceKind.COMPULSORY
    )
    lead_school = _school_reference(_("lead school"))
    founded_on = models.DateField(_("founded on"))
    goals = models.TextField(_("goals"), blank=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["level", "county__code", "name"]
        verbose_name = _("school alliance")
        verbose_name_plural = _("school alliances")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="city", county__isnull=True)
                | Q(level="county", county__isnull=False),
                name="alliances_county_level_has_county",
            ),
            models.UniqueConstraint(
                fields=["name"],
                name="alliances_one_name",
                violation_error_message=_("An alliance of this name exists already."),
            ),
        ]

    def __str__(self):
        return self.name

    def derive_county(self) -> None:
        if self.level == AllianceLevel.CITY:
            self.county_id = None

    def clean(self):
        super().clean()
        errors = {}
        if self.level == AllianceLevel.COUNTY and not self.county_id:
            errors["county"] = _("A county-level alliance belongs to a county: choose it.")
        if self.level == AllianceLevel.CITY and self.county_id:
            errors["county"] = _("A city-level alliance belongs to no county: leave it empty.")
        lead = self.lead_school if self.lead_school_id else None
        if (
            lead is not None
            and self.level == AllianceLevel.COUNTY
            and self.county_id
            and lead.county_id != self.county_id
        ):
            errors["lead_school"] = _(
                "%(school)s is a school of %(its)s: a county-level alliance of %(county)s is led "
                "by one of its own schools."
            ) % {"school": lead.name, "its": lead.county, "county": self.county}
        if errors:
            raise ValidationError(errors)


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead school")
    MEMBER = "member", _("Member school")


class MembershipQuerySet(ReachQuerySet):
    reach = ("school",)  # a city alliance's membership: the city's row about the county's school


class AllianceMember(LedgerUrlMixin, ScopedModel):
    """A school's membership of an alliance: its role (lead, member), when it joined and — once
    it left — when it left. One row per school and alliance (a school that rejoins has its leave
    date cleared)."""

    ledger_fields = ("alliance", "school", "county", "role", "joined_on", "left_on", "note")
    # A school officer reads its school's memberships; the county (or the city) records them.
    school_may_write = False

    county = _city_or_county()
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("alliance")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(pgettext_lazy("alliance", "left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["alliance__name", "role", "school__code"]
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "school"],
                name="alliances_member_once",
                violation_error_message=_(
                    "This school is a member of this alliance already: change its row."
                ),
            )
        ]

    def __str__(self):
        return f"{self.alliance} · {self.school}"

    def derive_county(self) -> None:
        """A county alliance's membership is the county's row; a city alliance's the city's."""
        if self.alliance_id:
            self.county_id = self.alliance.county_id

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)

    def clean(self):
        super().clean()
        errors = {}
        alliance = self.alliance if self.alliance_id else None
        school = self.school if self.school_id else None
        if alliance is not None and school is not None:
            if (
                alliance.level == AllianceLevel.COUNTY
                and alliance.county_id
                and school.county_id != alliance.county_id
            ):
                errors["school"] = _(
                    "%(school)s is a school of %(its)s: a county-level alliance of %(county)s "
                    "takes only its own schools."
                ) % {"school": school.name, "its": school.county, "county": alliance.county}
            elif (
                AllianceMember.objects.filter(alliance=alliance, school=school)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["school"] = _(
                    "%(school)s is a member of %(alliance)s already: change its row (a school "
                    "that left and rejoins has its leave date cleared)."
                ) % {"school": school.name, "alliance": alliance.name}
            if self.role == MemberRole.LEAD and alliance.lead_school_id != school.pk:
                errors["role"] = _(
                    "Only the alliance's lead school (%(lead)s) has the role lead."
                ) % {"lead": alliance.lead_school}
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors["left_on"] = _("The school left before it joined.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """The one-membership rule is said by clean(), naming the school and the alliance."""
        exclude = set(exclude or ())
        if "school" not in exclude and self.school_id and self.alliance_id:
            exclude.add("alliance")  # clean() has said it, by name
        super().validate_constraints(exclude=exclude)


def members_on(alliance_id, day: dt.date):
    """The schools that were members of the alliance on `day` (joined, not yet left)."""
    return AllianceMember.objects.filter(alliance_id=alliance_id, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )


# --- Activities 联盟活动 -----------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    RESEARCH = "research", _("Joint teaching research")
    DEMONSTRATION = "demonstration", _("Demonstration lesson")
    EXCHANGE = "exchange", _("Teacher exchange")
    RESOURCES = "resources", _("Shared resources")
    TRAINING = "training", _("Training")
    STUDENTS = "students", _("Students' activity")
    OTHER = "other", _("Other")


class ActionLine(models.TextChoices):
    """The three actions 三大行动 of the alliances."""

    IMPROVE = "improve", _("Fix the weak")  # 改薄
    CONSOLIDATE = "consolidate", _("Consolidate the base")  # 固本
    EXCEL = "excel", _("Cultivate excellence")  # 培优


class ActivityQuerySet(ReachQuerySet):
    reach = ("schools",)


class Activity(LedgerUrlMixin, ScopedModel):
    """An alliance activity 联盟活动: its date, alliance, kind, action line, host school (whose
    county's row it is), the participating member schools, the number of participants and a
    summary; its photos are its attachments."""

    ledger_fields = (
        "held_on",
        "alliance",
        "kind",
        "action_line",
        "school",
        "county",
        "schools",
        "participants",
        "summary",
    )

    held_on = models.DateField(_("date"))
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="activities", verbose_name=_("alliance")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    action_line = models.CharField(_("action line"), max_length=12, choices=ActionLine.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("host school")
    )
    schools = models.ManyToManyField(
        School,
        related_name="+",
        blank=True,
        verbose_name=_("participating schools"),
        help_text=_("The alliance's member schools that took part (the host need not be listed)."),
    )
    participants = models.PositiveIntegerField(
        _("participants"), default=0, help_text=_("The number of people who took part.")
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("alliance activity")
        verbose_name_plural = _("alliance activities")
        indexes = [models.Index(fields=["county", "held_on"], name="alliances_activity_day")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.alliance} · {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if (
            self.alliance_id
            and self.school_id
            and self.held_on
            and not members_on(self.alliance_id, self.held_on).filter(school=self.school).exists()
        ):
            raise ValidationError(
                {
                    "school": _(
                        "%(school)s was not a member of %(alliance)s on %(day)s: an "
                        "activity is hosted by a member school."
                    )
                    % {
                        "school": self.school.name,
                        "alliance": self.alliance.name,
                        "day": f"{self.held_on:%Y-%m-%d}",
                    }
                }
            )


# --- The online classrooms 三个课堂 ------------------------------------------------------------


class ClassroomType(models.TextChoices):
    DELIVERY = "delivery", _("Delivered classroom")  # 专递课堂
    MASTER_TEACHER = "master_teacher", _("Master-teacher classroom")  # 名师课堂
    FAMOUS_SCHOOL = "famous_school", _("Famous-school online classroom")  # 名校网络课堂


class SessionQuerySet(ReachQuerySet):
    reach = ("receivers",)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class OnlineSession(LedgerUrlMixin, ScopedModel):
    """Sessions of an online classroom in one week: its type, the providing school (whose
    county's row it is), the receiving schools, subject, grade, how many sessions that week and
    the minutes of each. The week is kept as its Monday."""

    ledger_fields = (
        "week",
        "classroom",
        "school",
        "county",
        "receivers",
        "subject",
        "grade",
        "sessions",
        "minutes",
    )

    # Recorded by the county (from the usage sheets, the import); a school reads its sessions.
    school_may_write = False

    week = models.DateField(_("week"), help_text=_("Any day of the week; kept as its Monday."))
    classroom = models.CharField(_("classroom"), max_length=16, choices=ClassroomType.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("providing school")
    )
    receivers = models.ManyToManyField(
        School, related_name="+", blank=True, verbose_name=_("receiving schools")
    )
    subject = models.CharField(_("subject"), max_length=30)
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True)
    sessions = models.PositiveSmallIntegerField(
        _("sessions"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many sessions of this lesson were given that week."),
    )
    minutes = models.IntegerField(_("minutes per session"))

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "-id"]
        verbose_name = _("online classroom session")
        verbose_name_plural = _("online classroom sessions")
        indexes = [models.Index(fields=["county", "week"], name="alliances_session_week")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="alliances_minutes_positive")
        ]

    def __str__(self):
        return f"{self.week:%Y-%m-%d} {self.get_classroom_display()} · {self.subject}"

    def clean(self):
        if self.week:
            self.week = monday_of(self.week)
        super().clean()
        if self.minutes is not None and self.minutes <= 0:
            raise ValidationError({"minutes": _("The minutes of a session are above zero.")})


# --- Entrance-exam quotas 配额 ---------------------------------------------------------------


class EntranceQuota(LedgerUrlMixin, ScopedModel):
    """The places a provincial demonstration high school 省级示范高中 keeps for a remote rural
    junior school's graduates in a year's entrance exam 中考, with the score concession 降分 and
    the places used; the junior school's county's row."""

    ledger_fields = (
        "year",
        "high_school",
        "junior_school",
        "county",
        "places",
        "score_concession",
        "places_used",
        "note",
    )

    year = models.PositiveSmallIntegerField(
        _("exam year"), validators=YEAR_VALIDATORS, help_text=_("The year of the entrance exam.")
    )
    high_school = _school_reference(_("provincial demonstration high school"))
    junior_school = _school_reference(_("remote rural junior school"))
    places = models.PositiveSmallIntegerField(_("quota places"), validators=[MinValueValidator(1)])
    score_concession = models.DecimalField(
        _("score concession"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Points below the school's admission line."),
    )
    places_used = models.PositiveSmallIntegerField(_("places used"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "junior_school__code"]
        verbose_name = _("entrance-exam quota")
        verbose_name_plural = _("entrance-exam quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "high_school", "junior_school"],
                name="alliances_one_quota",
                violation_error_message=_(
                    "This high school has a quota for this junior school in this year already."
                ),
            ),
            models.CheckConstraint(
                condition=Q(places_used__lte=models.F("places")),
                name="alliances_quota_used_within_places",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.high_school} → {self.junior_school}"

    def derive_county(self) -> None:
        if self.junior_school_id:
            self.county_id = self.junior_school.county_id

    def clean(self):
        super().clean()
        errors = {}
        if self.high_school_id and self.high_school.kind not in SENIOR_KINDS:
            errors["high_school"] = _("%(school)s is not a high school.") % {
                "school": self.high_school.name
            }
        if self.junior_school_id and self.junior_school.kind not in JUNIOR_KINDS:
            errors["junior_school"] = _("%(school)s has no junior-middle grades.") % {
                "school": self.junior_school.name
            }
        if (
            self.places is not None
            and self.places_used is not None
            and self.places_used > self.places
        ):
            errors["places_used"] = _("More places used than the quota has.")
        if errors:
            raise ValidationError(errors)


# --- Trusteeship 县中托管帮扶 --------------------------------------------------------------------


class TrusteeshipPair(LedgerUrlMixin, ScopedModel):
    """A trusteeship pair 托管帮扶: the trustee institution (a strong high school, a university)
    and the county high school it supports, the period, the agreement and the measures; the
    supported school's county's row. Its yearly figures are TrusteeshipIndicator rows; the
    agreement's scan is an attachment."""

    ledger_fields = (
        "trustee",
        "supported_school",
        "county",
        "started_on",
        "ended_on",
        "agreement",
        "measures",
    )

    trustee = models.CharField(_("trustee institution"), max_length=100)
    supported_school = _school_reference(_("supported county high school"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    agreement = models.CharField(_("agreement"), max_length=200, blank=True)
    measures = models.TextField(_("measures"), blank=True)

    class Meta:
        ordering = ["county__code", "supported_school__code"]
        verbose_name = _("trusteeship pair")
        verbose_name_plural = _("trusteeship pairs")

    def __str__(self):
        return f"{self.trustee} → {self.supported_school}"

    def derive_county(self) -> None:
        if self.supported_school_id:
            self.county_id = self.supported_school.county_id

    def clean(self):
        super().clean()
        errors = {}
        if self.supported_school_id and self.supported_school.kind not in SENIOR_KINDS:
            errors["supported_school"] = _("%(school)s is not a high school.") % {
                "school": self.supported_school.name
            }
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end is before the start.")
        if errors:
            raise ValidationError(errors)


class IndicatorKind(models.TextChoices):
    INTAKE_SCORE = "intake_score", _("Average entrance score of the intake")
    UNDERGRADUATE_RATE = "undergraduate_rate", _("Undergraduate admission rate (%)")
    TEACHER_EXCHANGES = "teacher_exchanges", _("Teacher exchanges (person-times)")
    TEACHERS_TRAINED = "teachers_trained", _("Teachers trained (person-times)")
    OTHER = "other", _("Other")


class TrusteeshipIndicator(LedgerUrlMixin, ScopedModel):
    """One yearly indicator of a trusteeship pair (its value and, where set, the target)."""

    ledger_fields = ("pair", "county", "year", "indicator", "value", "target", "note")

    pair = models.ForeignKey(
        TrusteeshipPair,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("trusteeship pair"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    indicator = models.CharField(_("indicator"), max_length=20, choices=IndicatorKind.choices)
    value = models.DecimalField(
        _("value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    target = models.DecimalField(
        _("target"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["pair", "-year", "indicator"]
        verbose_name = _("trusteeship indicator")
        verbose_name_plural = _("trusteeship indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "year", "indicator"],
                name="alliances_one_indicator_per_year",
                violation_error_message=_(
                    "This pair has this indicator for this year already: change that row."
                ),
            )
        ]

    def __str__(self):
        return f"{self.pair} {self.year} {self.get_indicator_display()}"

    def derive_county(self) -> None:
        if self.pair_id:
            self.county_id = self.pair.county_id
