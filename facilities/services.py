"""Operations of school conditions that follow their own rules: the funding quotas (city
administrators), a look-back finding with its rectification item, the rectification's steps, and
the reason on an under-funded school.

Each is atomic and writes through core's write door (core.services: role, scope of the row inside
the transaction, full_clean, version, audit), so a refusal changes nothing and says why in
Chinese.

The rectification's state machine 整改流程::

    open ──start──▶ rectifying ──submit──▶ submitted ──verify──▶ closed
      │                 ▲                     │
      └────submit───────┼──────────────────── └──return──▶ returned ──start / submit──▶ …

Submitting needs an after photo on the rectification (its attachments); verifying needs one
too, and is done by a county or city user other than the one who submitted it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import calendar
from core import services as door
from core.attachments.models import AttachmentKind
from core.attachments.services import attachments_add
from core.scoping import require_city_admin, school_of
from facilities.models import (
    FundingNote,
    FundingRate,
    Rectification,
    RectificationStatus,
    ToiletFinding,
    ToiletInspection,
)

RATES_REFUSED = _("Only city administrators may change the funding quotas.")


# --- Funding quotas (city reference data) -----------------------------------------------------


def funding_rate_save(*, rate: FundingRate, actor, version=None) -> FundingRate:
    """Add quotas from a school year on, or correct a row; the earlier rows stay (the history).
    A quota of 0 or below is refused (FundingRate.clean); only city administrators write."""
    require_city_admin(actor, RATES_REFUSED)
    if rate.pk is None:
        if getattr(actor, "is_authenticated", False):
            rate.set_by = actor
        return door.row_create(actor=actor, row=rate)
    return door.row_update(actor=actor, row=rate, version=version)


# --- Look-back findings and their rectification items ----------------------------------------


@transaction.atomic
def finding_record(
    *,
    inspection: ToiletInspection,
    finding: ToiletFinding,
    responsible_unit: str,
    deadline,
    measures: str = "",
    photos=(),
    actor,
) -> Rectification:
    """Record a finding of an inspection (its photos: the before photos) and open its
    rectification item (responsible unit, deadline, measures), in one transaction."""
    if school_of(actor) is not None:
        raise PermissionDenied(_("Findings are recorded by the county or the city."))
    if deadline is not None and deadline < inspection.inspected_on:
        raise ValidationError({"deadline": _("The deadline is before the inspection.")})
    finding.inspection = inspection
    door.row_create(actor=actor, row=finding)
    rectification = Rectification(
        finding=finding,
        responsible_unit=responsible_unit,
        deadline=deadline,
        measures=measures,
    )
    door.row_create(actor=actor, row=rectification)
    if photos:
        attachments_add(row=finding, uploads=list(photos), actor=actor)
    return rectification


def has_after_photo(rectification: Rectification) -> bool:
    """A photo on the rectification item itself (the finding's photos are the before ones)."""
    return rectification.attachments.filter(kind=AttachmentKind.PHOTO).exists()


def _locked(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().get(pk=rectification.pk)


def _move(rectification, current, *, actor, allowed_from, **changes) -> Rectification:
    if current.status not in allowed_from:
        raise ValidationError(
            _("This rectification is %(status)s: that step is not possible now.")
            % {"status": current.get_status_display()}
        )
    for name, value in changes.items():
        setattr(current, name, value)
    door.row_update(actor=actor, row=current, version=current.version)
    rectification.refresh_from_db()
    return rectification


@transaction.atomic
def rectification_start(*, rectification: Rectification, measures: str, actor) -> Rectification:
    """Begin the work (from open or returned), saying what will be done."""
    current = _locked(rectification)
    if not (measures or "").strip():
        raise ValidationError({"measures": _("Say what measures are taken.")})
    return _move(
        rectification,
        current,
        actor=actor,
        allowed_from=(RectificationStatus.OPEN, RectificationStatus.RETURNED),
        status=RectificationStatus.RECTIFYING,
        measures=measures.strip(),
        return_reason="",
    )


@transaction.atomic
def rectification_submit(
    *, rectification: Rectification, measures: str = "", actor
) -> Rectification:
    """The work is done: submitted for verification, with an after photo on the item."""
    current = _locked(rectification)
    if not has_after_photo(current):
        raise ValidationError(
            _("Upload a photo of the rectified toilet (the after photo) before submitting.")
        )
    changes = {}
    if (measures or "").strip():
        changes["measures"] = measures.strip()
    if not (changes.get("measures") or current.measures):
        raise ValidationError({"measures": _("Say what measures are taken.")})
    return _move(
        rectification,
        current,
        actor=actor,
        allowed_from=(
            RectificationStatus.OPEN,
            RectificationStatus.RECTIFYING,
            RectificationStatus.RETURNED,
        ),
        status=RectificationStatus.SUBMITTED,
        submitted_by=actor,
        submitted_on=calendar.today(),
        return_reason="",
        **changes,
    )


def _refuse_verifier(current: Rectification, actor) -> None:
    if school_of(actor) is not None:
        raise PermissionDenied(_("A rectification is verified by the county or the city."))
    if current.submitted_by_id is not None and current.submitted_by_id == actor.pk:
        raise PermissionDenied(_("You submitted this rectification: someone else must verify it."))


@transaction.atomic
def rectification_verify(*, rectification: Rectification, actor) -> Rectification:
    """Verified and closed 验收销号, by someone other than the one who submitted it; the after
    photo must be there."""
    current = _locked(rectification)
    if current.status == RectificationStatus.SUBMITTED:
        _refuse_verifier(current, actor)
    if not has_after_photo(current):
        raise ValidationError(_("A rectification cannot be closed without an after photo."))
    return _move(
        rectification,
        current,
        actor=actor,
        allowed_from=(RectificationStatus.SUBMITTED,),
        status=RectificationStatus.CLOSED,
        verified_by=actor,
        closed_on=calendar.today(),
    )


@transaction.atomic
def rectification_return(*, rectification: Rectification, reason: str, actor) -> Rectification:
    """Not accepted: back to the school with the reason (the same people as verify)."""
    current = _locked(rectification)
    if current.status == RectificationStatus.SUBMITTED:
        _refuse_verifier(current, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the rectification is returned.")})
    return _move(
        rectification,
        current,
        actor=actor,
        allowed_from=(RectificationStatus.SUBMITTED,),
        status=RectificationStatus.RETURNED,
        return_reason=reason.strip()[:300],
    )


# --- The reason on an under-funded school -----------------------------------------------------


@transaction.atomic
def funding_note_save(*, school, school_year: int, reason: str, actor) -> FundingNote | None:
    """Record (or change, or with an empty reason remove) why a school got less than computed."""
    reason = (reason or "").strip()
    note = (
        FundingNote.objects.visible_to(actor)
        .select_for_update()
        .filter(school=school, school_year=school_year)
        .first()
    )
    if note is None:
        if not reason:
            return None
        note = FundingNote(school=school, school_year=school_year, reason=reason)
        note.recorded_by = actor
        return door.row_create(actor=actor, row=note)
    if not reason:
        door.row_delete(actor=actor, row=note)
        return None
    note.reason, note.recorded_by = reason, actor
    return door.row_update(actor=actor, row=note, version=note.version)


__all__ = [
    "finding_record",
    "funding_note_save",
    "funding_rate_save",
    "has_after_photo",
    "rectification_return",
    "rectification_start",
    "rectification_submit",
    "rectification_verify",
]
