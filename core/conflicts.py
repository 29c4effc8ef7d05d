"""Registry conflicts 登记冲突: a county tried to enter a child the registry holds elsewhere.

A county user must not learn whether an ID number exists in another county (that would tell them
where a child is registered), so the refusal reads like any other they cannot act on and points
to the city (`REFUSAL`). The city sees each conflict in a list and resolves it: the child moved,
so the record is transferred to a school of the county that asked, or the attempt is dismissed.
One conflict is kept per (ledger, ID number, asking county) while it is open.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import idnumbers
from core.fields import optional_reference, user_reference
from core.models import IdNumberField, Region
from core.scoping import ScopedQuerySet, home_county_of, sees_everything

REFUSAL = _("This record cannot be entered by you. Please contact the city bureau to check it.")


class ConflictSource(models.TextChoices):
    FORM = "form", _("form")
    API = "api", _("API")
    IMPORT = "import", _("import")


class ConflictResolution(models.TextChoices):
    TRANSFERRED = "transferred", _("record transferred")
    DISMISSED = "dismissed", _("dismissed")


class RegistryConflict(models.Model):
    """A county's attempt to enter a row whose ID number belongs to another county's row."""

    scope_field = "county"

    ledger = models.CharField(_("ledger"), max_length=60)
    id_number = IdNumberField()
    name = models.CharField(_("name as entered"), max_length=50, blank=True)
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("asking county")
    )
    existing_id = models.CharField(_("existing row"), max_length=40)
    existing_county = optional_reference(Region, _("county holding the row"), blank=False)
    actor = user_reference(_("user"), blank=False)
    source = models.CharField(_("entered through"), max_length=10, choices=ConflictSource.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    created_at = models.DateTimeField(_("first attempt"), auto_now_add=True)
    last_at = models.DateTimeField(_("last attempt"), auto_now=True)
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=ConflictResolution.choices, blank=True
    )
    resolved_by = user_reference(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["resolution", "-last_at"]
        verbose_name = _("registry conflict")
        verbose_name_plural = _("registry conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "id_number", "county"],
                condition=models.Q(resolution=""),
                name="one_open_conflict_per_number_and_county",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.county})"

    @property
    def masked_id(self) -> str:
        return idnumbers.mask(self.id_number)


def hidden_duplicate(instance, user):
    """The stored row another county holds with this row's unique ID number, when the user may
    not see it; None when there is none or the user may see it (then the usual message)."""
    if sees_everything(user):
        return None
    model = type(instance)
    for constraint in model._meta.total_unique_constraints:
        fields = [model._meta.get_field(name) for name in constraint.fields]
        if not any(isinstance(f, IdNumberField) for f in fields):
            continue
        values = {f.attname: getattr(instance, f.attname) for f in fields}
        if any(v in (None, "") for v in values.values()):
            continue
        others = model._base_manager.filter(**values)
        if instance.pk is not None:
            others = others.exclude(pk=instance.pk)
        existing = others.first()
        if existing is not None and not model.objects.visible_to(user).filter(pk=existing.pk):
            return existing
    return None


def record(*, user, model, rows: list[tuple[str, str, object]], source: str) -> None:
    """Keep (or count again) one open conflict per (ID number, existing row) the user hit.

    `rows` are (id_number, name as entered, the existing row's pk and county id)."""
    county_id = home_county_of(user)  # a school officer's attempt is its county's conflict
    if county_id is None or not rows:
        return
    label = model._meta.label_lower
    with transaction.atomic():
        for id_number, name, (existing_id, existing_county_id) in rows:
            updated = RegistryConflict.objects.filter(
                ledger=label, id_number=id_number, county_id=county_id, resolution=""
            ).update(
                attempts=models.F("attempts") + 1,
                last_at=timezone.now(),
                actor=user,
                source=source,
                name=str(name or "")[:50],
            )
            if not updated:
                RegistryConflict.objects.create(
                    ledger=label,
                    id_number=id_number,
                    name=str(name or "")[:50],
                    county_id=county_id,
                    existing_id=str(existing_id),
                    existing_county_id=existing_county_id,
                    actor=user,
                    source=source,
                )


def refuse(instance, *, user, source: str):
    """If the row duplicates one hidden from the user: record the conflict and return the
    refusal message; else None."""
    existing = hidden_duplicate(instance, user)
    if existing is None:
        return None
    record(
        user=user,
        model=type(instance),
        rows=[
            (
                instance.id_number,
                getattr(instance, "name", ""),
                (existing.pk, getattr(existing, "county_id", None)),
            )
        ],
        source=source,
    )
    return REFUSAL


def conflict_settle(*, actor, conflict, resolution: str, student=None, school=None) -> None:
    """Settle an open conflict (city administrators): `transferred` moves the registry record
    `student` to `school` of the asking county — an edit of the row through the write door
    (validated, audited, attachments follow) — `dismissed` only closes the conflict."""
    from core import services  # not at the top: core.models imports this module while loading

    with transaction.atomic():
        if resolution == ConflictResolution.TRANSFERRED:
            student.school = school
            services.row_update(actor=actor, row=student, version=student.version)
        conflict.resolution = resolution
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save()


def open_conflicts():
    return RegistryConflict.objects.filter(resolution="")
