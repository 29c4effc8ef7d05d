"""The rules of the area that a row's clean() cannot check: who may write a city-level row (the
actor is not the row's), and the schools of a row that are saved after it (many-to-many: an
activity's participating schools, a session's receiving schools). The forms and the API call
them before the write door; each raises Django's ValidationError with the Chinese message."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alliances.models import AllianceLevel, members_on
from core.scoping import sees_everything


def city_row_refused(user, *, level) -> str | None:
    """A county's (or a school's) user may not write a city-level alliance or its members: they
    are the city's rows (the write door refuses them too, as outside the user's scope)."""
    if level == AllianceLevel.CITY and not sees_everything(user):
        return _(
            "A city-level alliance and its members are recorded by the city bureau; a county "
            "records its county-level alliances."
        )
    return None


def check_participants(alliance, day, schools) -> None:
    """Refuse participating schools that were not members of the alliance on the day.

    Refused, not warned: every figure of the area (a member school's activities, the check list
    of members without one) reads the participating schools as the alliance's members, so a
    non-member would be counted as one. A guest school is named in the summary instead."""
    if alliance is None or day is None:
        return
    members = set(members_on(alliance.pk, day).values_list("school_id", flat=True))
    outside = [school.name for school in schools if school.pk not in members]
    if outside:
        raise ValidationError(
            {
                "schools": _(
                    "Not members of %(alliance)s on %(day)s: %(schools)s. Add them to the "
                    "alliance's members first, or name a guest school in the summary."
                )
                % {
                    "schools": "、".join(outside),
                    "alliance": alliance.name,
                    "day": f"{day:%Y-%m-%d}",
                }
            }
        )


def check_receivers(provider, receivers) -> None:
    """Refuse a session received by its own provider (or received by no school)."""
    receivers = list(receivers)
    if not receivers:
        raise ValidationError({"receivers": _("Choose the schools that received the sessions.")})
    if provider is not None and any(school.pk == provider.pk for school in receivers):
        raise ValidationError(
            {
                "receivers": _(
                    "%(school)s provides these sessions: it cannot also be a receiving school."
                )
                % {"school": provider.name}
            }
        )
