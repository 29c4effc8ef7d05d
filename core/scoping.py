"""The one scoping mechanism: which rows a user may see and change.

City roles see every row; county roles see the rows of their county; anyone else sees nothing.
Every ledger model's manager is built from ScopedQuerySet, and views, forms, the API, exports,
selectors and reports all start from `Model.objects.visible_to(user)`. Writes are re-checked with
`ensure_in_scope` inside the transaction, so a row created in, or moved to, another county is
refused and nothing is written.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    CITY_STAFF = "city_staff", _("City bureau staff")
    COUNTY_REVIEWER = "county_reviewer", _("County reviewer")
    COUNTY_OFFICER = "county_officer", _("County officer")


CITY_ROLES = {Role.CITY_ADMIN, Role.CITY_STAFF}
COUNTY_ROLES = {Role.COUNTY_REVIEWER, Role.COUNTY_OFFICER}
EDITOR_ROLES = {Role.CITY_ADMIN, Role.COUNTY_REVIEWER, Role.COUNTY_OFFICER}


def is_city_admin(user) -> bool:
    """A city administrator 市局管理员 (or a superuser): users, standards, rounds, conflicts."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.CITY_ADMIN)
    )


def sees_everything(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) in CITY_ROLES)
    )


def county_of(user):
    """The county id a county user is limited to, or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if getattr(user, "role", None) in COUNTY_ROLES:
        return user.scope_id
    return None


def can_edit(user) -> bool:
    """May this user create, change and delete ledger rows (within scope)?"""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) in EDITOR_ROLES)
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field holds its rows' county (`scope_field`)."""

    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        county_id = county_of(user)
        if county_id is None:
            return self.none()
        return self.filter(**{f"{self.model.scope_field}_id": county_id})


class ScopedModel(models.Model):
    """Base of every ledger row: the county it belongs to, denormalised, and timestamps.

    Rows with a school take their county from the school (`derive_county`), so the county can
    never disagree with the school.
    """

    scope_field = "county"

    county = models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("county"),
        limit_choices_to={"level": "county"},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: a save based on an older version is refused (see core.views).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Deleting a row deletes its attachments (and, once committed, their files).
    attachments = GenericRelation("core.Attachment")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.derive_county()
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def derive_county(self) -> None:
        school = getattr(self, "school", None) if hasattr(self, "school_id") else None
        if school is not None:
            self.county_id = school.county_id


def ensure_in_scope(user, obj) -> None:
    """Refuse a write whose row would land outside the user's scope (call inside the atomic)."""
    if sees_everything(user):
        return
    county_id = county_of(user)
    row_county = getattr(obj, obj.scope_field + "_id", None)
    if county_id is None or row_county != county_id:
        raise PermissionDenied(_("This row belongs to a county outside your scope."))


# --- Shared variants -----------------------------------------------------------------------------


class TownshipScopedModel(ScopedModel):
    """A row whose county comes from its township (when it has one and no school)."""

    class Meta:
        abstract = True

    def derive_county(self) -> None:
        super().derive_county()
        if getattr(self, "township_id", None) and not getattr(self, "school_id", None):
            self.county_id = self.township.county_id

    def clean(self):
        super().clean()
        township = self.township if getattr(self, "township_id", None) else None
        # "township" is RegionLevel.TOWNSHIP (core.models imports this module, not the reverse).
        if township is not None and township.level != "township":
            raise ValidationError({"township": _("Choose a township.")})
        county_id = getattr(self, "county_id", None)
        if township is not None and county_id and township.county_id != county_id:
            raise ValidationError({"township": _("The township is not in the chosen county.")})
