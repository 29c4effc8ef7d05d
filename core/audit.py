"""The audit trail: every write of a ledger row, every ID reveal, every export and every search by
ID number leaves a record.

ID numbers never enter the trail in clear: changed ID fields are recorded masked, and birth dates
by their year only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar, idnumbers
from core.models import AuditAction, AuditEvent, IdNumberField
from core.text import listed

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


ID_SEARCH_VIA = ("page", "api")


def record_id_search(*, actor, model, number: str, via: str, found: int | None = None):
    """A search by ID number on `model`'s list (`via` "page" or "api"): who, when, which ledger,
    the number masked (never in full: a hash would not do either, a masked number leaves a few
    thousand candidates to hash) and how many rows it found."""
    from core.scoping import home_county_of

    if via not in ID_SEARCH_VIA:
        raise ValueError(f"unknown ID search source {via!r}")
    changes = {"id_number": idnumbers.mask(number), "via": via}
    if found is not None:
        changes["found"] = found
    return record(
        actor=actor,
        action=AuditAction.ID_SEARCH,
        model=model,
        changes=changes,
        county=home_county_of(actor),
    )


def history(obj):
    return AuditEvent.objects.filter(ledger=ledger_label(type(obj)), object_id=str(obj.pk))


def history_for(obj, user, limit: int = 50) -> list:
    """A row's history as `user` may read it: what another county's users did to a shared row
    (a city-wide round, say) is shown without their names, file names or values."""
    from core.scoping import home_county_of

    events = list(history(obj).select_related("actor")[:limit])
    own = home_county_of(user)
    if own is None:
        return readable(events)
    for event in events:
        actor = event.actor
        scope = getattr(actor, "scope_id", None)
        if actor is not None and actor.role in COUNTY_ROLE_NAMES and scope != own:
            event.actor = None
            event.actor_hidden = True
            event.changes = {}
            event.note = ""
    return readable(events)


COUNTY_ROLE_NAMES = {"county_officer", "county_reviewer", "school_officer"}


# --- Reading the trail ---------------------------------------------------------------------------
# What a city administrator reads: the model's and the fields' Chinese names, choice labels,
# region and school names for the codes and ids a change holds, lists and empty values written
# out. The stored events are left as they are; this is how they are shown.

# Keys of changes that are not fields of the row's model (exports, imports, tokens, attachments).
KEY_LABELS = {
    "rows": gettext_lazy("rows"),
    "import_run": gettext_lazy("import run"),
    "run": gettext_lazy("import run"),
    "new": gettext_lazy("new rows"),
    "changed": gettext_lazy("changed rows"),
    "api_tokens": gettext_lazy("API tokens"),
    "password": gettext_lazy("password"),
    "attachments": gettext_lazy("attachments"),
    "q": gettext_lazy("Search"),
    "sort": gettext_lazy("sorted by"),
    "id_numbers": gettext_lazy("ID numbers"),
    "via": gettext_lazy("searched on"),
    "found": gettext_lazy("rows found"),
}
# Values an export or a reveal writes as a word of its own: their words for a reader.
VALUE_LABELS = {
    ("id_numbers", "full"): gettext_lazy("in full (unmasked)"),
    ("via", "page"): gettext_lazy("the list page"),
    ("via", "api"): gettext_lazy("the API"),
}
EMPTY = "—"


@dataclass
class Change:
    """One line of an event's changes: `field：old → new`, or `field：value` (old None) when there
    is one value only (a new row's, a deleted row's, a count)."""

    label: str
    old: str | None
    new: str

    def __str__(self):
        if self.old is None:
            return _("%(field)s: %(value)s") % {"field": self.label, "value": self.new}
        return _("%(field)s: %(old)s → %(new)s") % {
            "field": self.label,
            "old": self.old,
            "new": self.new,
        }


def _model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_of(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _lookup_key(field):
    """(related model, the field its stored values name) for a relation whose values are codes or
    ids; None for any other field. Rows recorded by `snapshot` keep a foreign key's text, which
    needs no look-up: only codes (a region's, a school's) and integer ids are looked up."""
    if field is None or not field.is_relation or field.related_model is None:
        return None
    related = field.related_model
    code = _field_of(related, "code")
    return related, ("code" if code is not None and code.unique else "pk")


def _filter_named(model, name: str):
    """The filter `name` of the model's ledger list, or None."""
    from core import ledger

    try:
        return ledger.for_model(model).filterset.base_filters.get(name)
    except (KeyError, AttributeError):
        return None


def _filters_of(event, model) -> list:
    """An export's filters, from its note (the list page's query string):
    [(label, field, choices, value)]."""
    exported = event.action == AuditAction.EXPORT or (
        event.action == AuditAction.REVEAL and "rows" in (event.changes or {})  # unmasked export
    )
    if not exported or "=" not in event.note:
        return []
    filters = []
    for name, value in parse_qsl(event.note, keep_blank_values=True):
        # ids: an ID number search's token; the export's changes keep the number, masked.
        if name in ("page", "ids"):
            continue
        filter_ = _filter_named(model, name) if model is not None else None
        field = _field_of(model, getattr(filter_, "field_name", None) or name)
        label = getattr(filter_, "label", None) or (
            field.verbose_name if field is not None else KEY_LABELS.get(name, name)
        )
        choices = {str(k): v for k, v in getattr(filter_, "extra", {}).get("choices") or []}
        filters.append((label, field, choices, value))
    return filters


def _names_wanted(events) -> dict:
    wanted: dict = {}
    for event in events:
        model = _model_of(event.ledger)
        for _label, field, _choices, value in _filters_of(event, model):
            key = _lookup_key(field)
            if key is not None and value.isdigit():  # a filter names its choice by id
                wanted.setdefault((key[0], "pk"), set()).add(value)
        for name, change in (event.changes or {}).items():
            key = _lookup_key(_field_of(model, name))
            if key is None:
                continue
            values = change if isinstance(change, list) and len(change) == 2 else [None, change]
            for value in values:
                items = value if isinstance(value, list) else [value]
                for item in items:
                    if isinstance(item, bool) or _is_empty(item):
                        continue
                    if isinstance(item, int) or (isinstance(item, str) and item.isdigit()):
                        wanted.setdefault(key, set()).add(str(item))
    return wanted


def _names(wanted: dict) -> dict:
    """{(model, field): {stored value: name}}, one query per related model. A model whose rows
    need more than their str() to be told apart in a list (ten counties' versions of one label)
    says how with an `audit_name` property, read with its foreign keys joined."""
    found = {}
    for (related, field), values in wanted.items():
        rows = related._default_manager.filter(**{f"{field}__in": values})
        if hasattr(related, "audit_name"):
            rows = rows.select_related()
        found[(related, field)] = {
            str(getattr(row, field)): str(getattr(row, "audit_name", None) or row) for row in rows
        }
    return found


def _label_of(model, name: str, field=None):
    """A change's label: the field's name, else the model's own word for a key that is not a
    field (`audit_labels`: a round's counts), else core's (KEY_LABELS), else the key."""
    if field is not None:
        return field.verbose_name
    own = getattr(model, "audit_labels", None) or {}
    return own.get(name) or KEY_LABELS.get(name, name)


_NOTE_COUNTS = re.compile(r"^(?:\w+=[^\s=]+\s*)+$")


def _readable_note(note: str, model) -> str:
    """A note of `key=value` counts (written so by rounds before their counts became changes),
    in the model's words: "children screened: 557；…"; any other note as it is."""
    own = getattr(model, "audit_labels", None) or {}
    if not own or not _NOTE_COUNTS.match(note or ""):
        return note
    pairs = [pair.split("=", 1) for pair in note.split()]
    if any(key not in own for key, _value in pairs):
        return note
    return "；".join(str(Change(str(own[key]), None, value)) for key, value in pairs)


def _show(value, field, names: dict, key=None) -> str:
    if _is_empty(value):
        return EMPTY
    if isinstance(value, list):
        return listed(_show(item, field, names, key) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_show(v, None, names)}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, IdNumberField):
        return idnumbers.mask(value)
    if field is not None and getattr(field, "flatchoices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if calendar.is_school_year_field(field) and str(value).isdigit():
        return calendar.school_year_label(int(value))  # 学年：2023–2024, as the pages show it
    key = key or _lookup_key(field)
    if key is not None and str(value) in names.get(key, {}):
        return names[key][str(value)]
    return idnumbers.redact(str(value))


def readable(events) -> list:
    """The events with `model_name` (the ledger's Chinese name) and `readable_changes` (a list of
    Change) set, the names of codes and ids looked up once for all of them."""
    events = list(events)
    names = _names(_names_wanted(events))
    for event in events:
        model = _model_of(event.ledger)
        event.model_name = model._meta.verbose_name if model is not None else event.ledger
        lines = []
        # The model's own keys (a round's counts) after its fields, in the order it declares
        # them: the stored JSON keeps no order.
        own = list(getattr(model, "audit_labels", None) or {})
        changes = sorted(
            (event.changes or {}).items(),
            key=lambda item: own.index(item[0]) + 1 if item[0] in own else 0,
        )
        for name, change in changes:
            field = _field_of(model, name)
            label = _label_of(model, name, field)
            if isinstance(change, list) and len(change) == 2:
                old, new = change
            else:  # a single value (a count, an id)
                old, new = None, change
            if _is_empty(old) and _is_empty(new):
                continue
            if not isinstance(change, list) or (
                event.action == AuditAction.CREATE and _is_empty(old)
            ):
                shown = VALUE_LABELS.get((name, new)) if isinstance(new, str) else None
                line = Change(str(label), None, str(shown or _show(new, field, names)))
            elif event.action == AuditAction.DELETE and _is_empty(new):
                line = Change(str(label), None, _show(old, field, names))
            else:
                line = Change(str(label), _show(old, field, names), _show(new, field, names))
            lines.append(line)
        event.readable_changes = lines
        event.readable_note = _readable_note(event.note, model)
        filters = _filters_of(event, model)
        if filters:
            shown = []
            for label, field, choices, value in filters:
                key = _lookup_key(field)
                key = (key[0], "pk") if key is not None else None
                if not value:  # an empty filter: the export was not narrowed by it
                    text = _("Any")
                else:
                    text = choices.get(value) or _show(value, field, names, key)
                shown.append(_("%(label)s: %(value)s") % {"label": label, "value": text})
            event.readable_note = _("Filters: %(filters)s") % {"filters": "，".join(shown)}
    return events
