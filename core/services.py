"""The one write door of ledger rows: `row_create`, `row_update`, `row_delete`.

Pages, the API, the admin and the areas' services write a plain ledger row only through these.
Each is one transaction that
- refuses an actor who may not change the ledger (`can_edit`; city-level reference data: city
  administrators only);
- validates the row as it will be saved (`full_clean`: fields, `clean()`, uniqueness and
  constraints), so every door refuses the same input with the same Chinese message;
- re-checks scope inside the transaction: the row as saved — and, for a change or a deletion, the
  stored row — must be the actor's (a county's, a school's), or nothing is written;
- refuses a change based on an older version of the row (`version`, required wherever the model
  has one: on forms and in the API alike) with one conflict message;
- records the audit event and lets the row's attachments follow it to its county.

Refusals are Django's `ValidationError` and `PermissionDenied` and core.errors' `VersionConflict`
and `RowConflict`; core.errors turns them into a form's errors or an API response.

A few modules write rows themselves, in bulk or as part of an operation with its own rules (a
screening round, a case's actions, an import's COPY): they are the write services, declared in
WRITE_SERVICES (core's) and by the areas (`write_services()`). They keep their own audit;
nothing else writes a ledger row, which tests/core/test_no_bypass_writes.py checks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.areas import registry
from core.attachments.services import attachments_follow_row
from core.errors import RowConflict, VersionConflict
from core.scoping import CityLevelQuerySet, can_edit, ensure_in_scope, require_city_admin

# Modules of core that may write ledger rows besides this door (each records its own audit
# events); an area declares its own in its AppConfig (`area_write_services`, core.areas). Keep it
# short: a plain create, change or deletion of one row belongs in row_create / row_update /
# row_delete.
WRITE_SERVICES = {
    "core.services": "the door itself",
    "core.audit": "the audit trail (its events are what every write leaves)",
    "core.conflicts": "records a registry conflict and settles it (transfer of a student)",
    "core.attachments.services": "attachments and their files, audited with the row",
    "core.importing.write": "the import's write step: rows in bulk by COPY, its own audit",
    "core.importing.services": "import runs (not ledger rows) through upload, preview, commit",
    "core.importing.jobs": "an import run's status as its job starts or is recovered",
    "core.imports": "the roster import makes its version row inside the import's transaction",
    "core.jobs": "job rows (not ledger rows)",
    "core.demo": "the demo city (a seed, not a user's write)",
    "core.reporting.services": "periodic reports: submissions, their transitions and comments, "
    "deadline extensions (a state machine with its own audit)",
    "core.reporting.demo": "the demo's reports: its wipe (its reports go through "
    "core.reporting.services)",
    "core.reference": "the school calendar: starting a school year (with the areas' year-end) "
    "and the school-age rules",
}


def write_services() -> dict[str, str]:
    """Every module that may write ledger rows besides the door: core's and the areas'."""
    return {**WRITE_SERVICES, **registry["write_services"]}


# Said when the database refused a save that validation had let through: another save of the
# same key won the race. (A model whose constraints name the existing row says that instead.)
SAVED_MEANWHILE = gettext_noop("Someone saved the same row a moment ago. Reload it and check.")


def _refuse_role(actor, model) -> None:
    if isinstance(model._default_manager.all(), CityLevelQuerySet):
        require_city_admin(actor, _("Your role may not change ledger rows."))
    elif not can_edit(actor, model):
        raise PermissionDenied(_("Your role may not change ledger rows."))


def _check_scope(actor, row) -> None:
    if hasattr(row, "scope_field"):
        ensure_in_scope(actor, row)


def _derive(row) -> None:
    derive = getattr(row, "derive_county", None)
    if derive is not None:
        derive()  # the county a school's row takes from its school, before it is checked


def _save(row, **kwargs) -> None:
    """Save in a savepoint; a unique key lost to a concurrent save is reported as a refusal,
    never as a database error carrying the values into the log."""
    try:
        with transaction.atomic():
            row.save(**kwargs)
    except IntegrityError:
        try:
            row.validate_constraints()  # the winner is committed now: the model's own message
            row.validate_unique()
        except ValidationError as error:
            raise error from None
        raise RowConflict(_(SAVED_MEANWHILE)) from None


def conflict_message(current) -> str:
    """The same words on a page and in the API: who changed the row, when, and its version."""
    last = audit.history(current).select_related("actor").first()
    changed = getattr(current, "updated_at", None)
    return _(
        "This row was changed by %(user)s at %(time)s while you were editing "
        "(it is now version %(version)s)."
    ) % {
        "user": getattr(last, "actor", None) or _("another user"),
        "time": timezone.localtime(changed).strftime("%Y-%m-%d %H:%M:%S") if changed else "",
        "version": current.version,
    }


def _locked(actor, row) -> Model:
    """The stored row, locked for this transaction; it must be the actor's."""
    model = type(row)
    current = model._default_manager.select_for_update().filter(pk=row.pk).first()
    if current is None:
        raise Http404  # deleted meanwhile (or never there)
    _check_scope(actor, current)  # the message says whose it is: a county's, a school's
    if not model._default_manager.visible_to(actor).filter(pk=row.pk).exists():
        raise PermissionDenied(_("This row belongs to a county outside your scope."))
    return current


def _has_version(model) -> bool:
    return any(field.name == "version" for field in model._meta.concrete_fields)


@transaction.atomic
def row_create(*, actor, row: Model) -> Model:
    """Validate, scope-check, save and audit a new row; returns it."""
    _refuse_role(actor, type(row))
    _derive(row)
    _check_scope(actor, row)  # before validation: nothing is said about others' rows
    row.full_clean()
    _save(row)
    _check_scope(actor, row)
    audit.record_create(actor, row)
    return row


@transaction.atomic
def row_update(*, actor, row: Model, version=None) -> Model:
    """Save the changed `row` (its new values set on it) if it is still at `version`, the
    version the user read; audited with the fields that changed."""
    model = type(row)
    _refuse_role(actor, model)
    current = _locked(actor, row)
    if _has_version(model):
        if version in (None, ""):
            raise ValidationError(
                {"version": [_("Send the version of the row you read (the field version).")]}
            )
        if str(current.version) != str(version):
            raise VersionConflict(conflict_message(current), current=current)
        row.version = current.version
    before = audit.snapshot(current)
    _derive(row)
    _check_scope(actor, row)
    row.full_clean()
    _save(row)
    audit.record_update(actor, row, before)
    attachments_follow_row(row)
    return row


@transaction.atomic
def row_delete(*, actor, row: Model) -> None:
    """Delete a row (its attachments with it); refused while other rows refer to it."""
    _refuse_role(actor, type(row))
    current = _locked(actor, row)
    before, pk = audit.snapshot(current), current.pk
    try:
        with transaction.atomic():
            current.delete()
    except ProtectedError:
        raise RowConflict(
            _("This row cannot be deleted: other rows still refer to it."), current=current
        ) from None
    current.pk = row.pk = pk
    audit.record_delete(actor, current, before, pk)
