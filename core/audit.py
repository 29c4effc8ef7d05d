"""The audit trail: every write of a ledger row, every ID reveal and every export leaves a record.

ID numbers never enter the trail in clear: changed ID fields are recorded masked, and birth dates
by their year only.
"""

from __future__ import annotations

import datetime as dt
import decimal

from django.db import models

from core import idnumbers
from core.models import AuditAction, AuditEvent, IdNumberField

NOT_AUDITED = {"created_at", "updated_at", "password", "last_login"}
# A person's birth date is kept as its year only: beside the masked ID number it would rebuild it.
BIRTH_DATE_FIELDS = {"birth_date"}


def ledger_label(model) -> str:
    return model._meta.label_lower


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj) -> dict:
    """The row's editable fields as JSON-ready values (ID numbers masked)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in NOT_AUDITED:
            continue
        value = getattr(obj, field.name)
        if isinstance(field, IdNumberField):
            value = idnumbers.mask(value) if value else value
        elif field.name in BIRTH_DATE_FIELDS:
            value = idnumbers.masked_birth_date(value)
        values[field.name] = _plain(value)
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def record(*, actor, action: str, obj=None, model=None, changes=None, note: str = "", county=None):
    """Write one audit event. `obj` is the row (or `model` for a whole-ledger action)."""
    model = model or type(obj)
    if county is None and obj is not None:
        county_id = getattr(obj, getattr(obj, "scope_field", "county") + "_id", None)
    else:
        county_id = getattr(county, "pk", county)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        ledger=ledger_label(model),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        county_id=county_id,
        changes=changes or {},
        note=note[:300],
    )


def record_create(actor, obj):
    return record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=diff({}, snapshot(obj)))


def record_update(actor, obj, before: dict):
    changes = diff(before, snapshot(obj))
    if changes:
        return record(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=changes)
    return None


def record_delete(actor, obj, before: dict, pk):
    event = record(actor=actor, action=AuditAction.DELETE, obj=obj, changes=diff(before, {}))
    if not event.object_id:
        event.object_id = str(pk)
        event.save(update_fields=["object_id"])
    return event


def history(obj):
    return AuditEvent.objects.filter(ledger=ledger_label(type(obj)), object_id=str(obj.pk))


def history_for(obj, user, limit: int = 50) -> list:
    """A row's history as `user` may read it: what another county's users did to a shared row
    (a city-wide round, say) is shown without their names, file names or values."""
    from core.scoping import home_county_of

    events = list(history(obj).select_related("actor")[:limit])
    own = home_county_of(user)
    if own is None:
        return events
    for event in events:
        actor = event.actor
        scope = getattr(actor, "scope_id", None)
        if actor is not None and actor.role in COUNTY_ROLE_NAMES and scope != own:
            event.actor = None
            event.actor_hidden = True
            event.changes = {}
            event.note = ""
    return events


COUNTY_ROLE_NAMES = {"county_officer", "county_reviewer", "school_officer"}
