"""Teacher staffing's section of the weekly county report (core.reporting): the county's teachers
on the roster and its rural teachers on the week's last day, the special-post teachers of the
year's plans hired and on duty by then, and the rural teachers who had not yet completed the
year's continuing education.

Every figure is computed from the rows as they stood on the week's last day (`period.end`): a
teacher is on the roster from the hiring date until the leaving date (teachers.selectors.
on_roster_on), a hire is on duty from the day reported for duty 到岗, and a training record counts
from the day it was recorded (its `recorded_on`, else the day it was entered)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import link
from core.models import Locality
from core.reporting.registry import Figure, area_section
from teachers import selectors
from teachers.models import Channel, Teacher, TrainingRecord


def figures(*, user, county, period) -> list[Figure]:
    end = period.end
    year = end.year
    roster = (
        Teacher.objects.visible_to(user).filter(county=county).filter(selectors.on_roster_on(end))
    )
    rural = roster.filter(school__locality=Locality.RURAL)
    ids = list(selectors.continuing_programmes(user, year).values_list("pk", flat=True))
    done_by_then = (
        TrainingRecord.objects.visible_to(user)
        .filter(teacher=OuterRef("pk"), programme_id__in=ids, completed=True)
        .filter(Q(recorded_on__lte=end) | Q(recorded_on__isnull=True, created_at__date__lte=end))
    )
    hires = Teacher.objects.visible_to(user).filter(
        county=county, plan__year=year, plan__channel=Channel.SPECIAL_POST, hired_on__lte=end
    )
    on_duty = hires.filter(reported_on__lte=end).filter(selectors.on_roster_on(end))
    return [
        Figure(
            "teachers",
            _("Teachers on the roster"),
            roster.count(),
            link("teacher-list", county=county.pk),
        ),
        Figure(
            "rural_teachers",
            _("Rural teachers on the roster"),
            rural.count(),
            link("teacher-list", county=county.pk, locality=Locality.RURAL),
        ),
        Figure(
            "special_post_hired",
            _("Special-post teachers hired this year"),
            hires.count(),
            link("teacher-list", county=county.pk, channel=Channel.SPECIAL_POST, hired_year=year),
        ),
        Figure(
            "special_post_on_duty",
            _("Special-post teachers on duty"),
            on_duty.count(),
            link(
                "teacher-list",
                county=county.pk,
                channel=Channel.SPECIAL_POST,
                hired_year=year,
                reported="true",
            ),
        ),
        Figure(
            "rural_not_covered",
            _("Rural teachers without this year's continuing education"),
            rural.exclude(Exists(done_by_then)).count(),
            link("teachers-uncovered", county=county.pk, year=year),
        ),
    ]


WEEKLY = area_section("teachers", gettext_lazy("Teacher staffing"), figures)
