"""Operations of teacher staffing that follow their own rules: the city's reference data (the
staffing standard, the training programmes: city administrators only), and a hire through a
recruitment plan (the plan's posts, the school's county, an ID number held elsewhere).

Each is atomic and writes through core's write door (core.services: role, scope of the row inside
the transaction, full_clean, version, audit), so a refusal changes nothing and says why in
Chinese.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import services as door
from core.conflicts import ConflictSource, refuse
from core.scoping import require_city_admin
from teachers.models import RecruitmentPlan, StaffingStandard, Teacher, TrainingProgramme

STANDARD_REFUSED = gettext_lazy("Only city administrators may change the staffing standard.")
PROGRAMMES_REFUSED = gettext_lazy("Only city administrators may change the training programmes.")


def _reference_save(*, row, actor, version, message):
    require_city_admin(actor, message)
    if row.pk is None:
        if getattr(actor, "is_authenticated", False):
            row.set_by = actor
        return door.row_create(actor=actor, row=row)
    return door.row_update(actor=actor, row=row, version=version)


def standard_save(*, standard: StaffingStandard, actor, version=None) -> StaffingStandard:
    """Add a staffing standard from a year on, or correct one; the earlier rows stay (a past
    year's check keeps the standard it had). City administrators only."""
    return _reference_save(row=standard, actor=actor, version=version, message=STANDARD_REFUSED)


def programme_save(*, programme: TrainingProgramme, actor, version=None) -> TrainingProgramme:
    """Add or correct a training programme (its year, dates, hours). City administrators only."""
    return _reference_save(row=programme, actor=actor, version=version, message=PROGRAMMES_REFUSED)


@transaction.atomic
def teacher_hire(*, teacher: Teacher, plan: RecruitmentPlan, actor) -> Teacher:
    """Put a new teacher on the roster as a hire of `plan`: refused when the plan's posts are all
    filled, when the school is another county's than the plan's, or when the ID number is on the
    roster already (at which school, when that row is the user's to see; otherwise the neutral
    refusal of core.conflicts, and the city resolves it)."""
    # The plan row is locked so two hires cannot both take its last post.
    RecruitmentPlan.objects.select_for_update().filter(pk=plan.pk).first()
    teacher.plan = plan
    teacher.channel = teacher.channel or plan.channel
    message = refuse(teacher, user=actor, source=ConflictSource.FORM)
    if message:
        raise ValidationError({"id_number": [str(message)]})
    if teacher.school_id and teacher.school.county_id != plan.county_id:
        raise ValidationError(
            {
                "school": _("The school is not in the plan's county (%(county)s).")
                % {"county": plan.county}
            }
        )
    return door.row_create(actor=actor, row=teacher)
