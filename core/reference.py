"""The city's school calendar: reference data a city administrator keeps, read by core.calendar.

* **The current school year** 当前学年 is the one the data is in: the newest school year a city
  administrator started (SchoolYearStart). The clock does not move it — a new school year begins
  on the platform when the city starts it (its figures are then settled: the areas' `yearend`
  hooks keep what the closing year's rates were).
* **The school-age rule** 义务教育适龄规则: the ages of compulsory education on the reference day,
  in force from a school year on (SchoolAgeRule). A change is a new row from a later school year,
  so a past year's rounds and figures keep the rule they were made under; every row is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.fields import user_reference
from core.scoping import CityLevelQuerySet, require_city_admin

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
DEFAULT_SCHOOL_AGES = (6, 15)  # 6 through 15 on 31 August: the rule until the city sets one

CALENDAR_REFUSED = _("Only city administrators may change the school calendar.")


class SchoolYearStart(models.Model):
    """A school year the city started 开启学年: from then on, the current school year."""

    school_year = models.PositiveSmallIntegerField(
        _("school year"), unique=True, validators=YEAR_VALIDATORS
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = user_reference(_("started by"))

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year"]
        verbose_name = _("school year start")
        verbose_name_plural = _("school year starts")

    def __str__(self):
        return f"{self.school_year}–{self.school_year + 1}"


class SchoolAgeRule(models.Model):
    """The compulsory-school ages 义务教育适龄, in force from a school year until the next rule."""

    effective_from = models.PositiveSmallIntegerField(
        _("in force from school year"),
        unique=True,
        validators=YEAR_VALIDATORS,
        error_messages={"unique": _("A rule from this school year exists already.")},
    )
    age_min = models.PositiveSmallIntegerField(
        _("youngest age"), validators=[MinValueValidator(3), MaxValueValidator(20)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("oldest age"), validators=[MinValueValidator(3), MaxValueValidator(20)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = user_reference(_("set by"))

    objects = CityLevelQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("school-age rule")
        verbose_name_plural = _("school-age rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")),
                name="school_age_rule_min_not_above_max",
            )
        ]

    def __str__(self):
        return _("From %(year)s: ages %(min)s to %(max)s") % {
            "year": f"{self.effective_from}–{self.effective_from + 1}",
            "min": self.age_min,
            "max": self.age_max,
        }

    def clean(self):
        super().clean()
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError(
                {"age_max": _("The oldest age cannot be below the youngest age.")}
            )


# --- Services: city administrators only, audited ----------------------------------------------


def school_year_start(*, school_year: int, actor) -> SchoolYearStart:
    """Start a school year: it becomes the current one. After the first, only the year after
    the current one may be started (years are neither skipped nor gone back to), and the areas'
    year-end hooks settle the closing year's figures in the same transaction. The first one
    names the year the city's data is in (at most next year by the clock)."""
    from core import audit, calendar
    from core.areas import registry

    require_city_admin(actor, CALENDAR_REFUSED)
    first = not SchoolYearStart.objects.exists()
    current = calendar.current_school_year()
    if first:
        latest = calendar.school_year_of(calendar.today()) + 1
        if not (2000 <= school_year <= latest):
            raise ValidationError(
                _("Enter a school year from 2000 to %(year)s.") % {"year": latest}
            )
    elif school_year != current + 1:
        raise ValidationError(
            _("The next school year to start is %(year)s.")
            % {"year": calendar.school_year_label(current + 1)}
        )
    with transaction.atomic():
        if not first:
            for close in registry["yearend"].values():
                close(school_year=current, actor=actor)
        started = SchoolYearStart.objects.create(school_year=school_year, started_by=actor)
        audit.record_create(actor, started)
    return started


def school_age_rule_add(*, rule: SchoolAgeRule, actor) -> SchoolAgeRule:
    """Add a school-age rule from a school year on; earlier rules stay (the history)."""
    from core import audit

    require_city_admin(actor, CALENDAR_REFUSED)
    rule.set_by = actor if getattr(actor, "is_authenticated", False) else None
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit.record_create(actor, rule)
    return rule
