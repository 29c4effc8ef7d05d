"""The one scoping mechanism: which rows a user may see and change.

City roles see every row; county roles see the rows of their county; a school officer sees the
rows of its school (in its school's county) and nothing of county-level rows without a school;
anyone else sees nothing.
Every ledger model's manager is built from ScopedQuerySet, and views, forms, the API, exports,
selectors and reports all start from `Model.objects.visible_to(user)`. Writes are re-checked with
`ensure_in_scope` inside the transaction, so a row created in, or moved to, another county (or,
for a school officer, another school) is refused and nothing is written.
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
    SCHOOL_OFFICER = "school_officer", _("School officer")


CITY_ROLES = {Role.CITY_ADMIN, Role.CITY_STAFF}
COUNTY_ROLES = {Role.COUNTY_REVIEWER, Role.COUNTY_OFFICER}
SCHOOL_ROLES = {Role.SCHOOL_OFFICER}
EDITOR_ROLES = {Role.CITY_ADMIN, Role.COUNTY_REVIEWER, Role.COUNTY_OFFICER, Role.SCHOOL_OFFICER}


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


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def county_of(user):
    """The county id a county-wide user (county officer or reviewer) sees all of, or None.

    None for a school officer too: it sees its school's rows (`school_of`), never a whole county,
    so code that shows "the county's rows" to whoever has a county shows it nothing.
    """
    if not _signed_in(user):
        return None
    if getattr(user, "role", None) in COUNTY_ROLES:
        return user.scope_id
    return None


def school_of(user):
    """The school id a school officer 学校填报员 is limited to, or None."""
    if not _signed_in(user) or user.is_superuser:
        return None
    if getattr(user, "role", None) in SCHOOL_ROLES:
        return getattr(user, "school_id", None) or 0  # no school: matches no row
    return None


def home_county_of(user):
    """The county a county or school user works in (a school officer: its school's county).

    For recording where a job, an import, an attachment or a conflict belongs — never for
    choosing the rows a user sees (that is `visible_to`).
    """
    if not _signed_in(user) or user.is_superuser:
        return None
    if getattr(user, "role", None) in COUNTY_ROLES | SCHOOL_ROLES:
        return user.scope_id
    return None


def school_path(model) -> str | None:
    """How a row of `model` names its school, for school officers' scope; None: no school rows.

    A model may say so itself (`school_field`, a lookup such as "school" or "actor__school", or
    None); otherwise the School ledger is its own school ("pk") and a model with a `school`
    foreign key to core.School belongs to that school.
    """
    if hasattr(model, "school_field"):
        return model.school_field
    if model._meta.label_lower == "core.school":
        return "pk"
    try:
        field = model._meta.get_field("school")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: a ledger without a school
        return None
    related = getattr(field, "related_model", None)
    if related is not None and related._meta.label_lower == "core.school":
        return "school"
    return None


def row_school_id(obj):
    """The school a row belongs to, for a school officer's write; None: not a school's row.

    Only rows that carry their own school are a school's to write: the School ledger itself is
    read-only for school officers. A model may answer for itself (`scope_school_id()`, e.g. an
    attachment answers with its row's school).
    """
    own = getattr(obj, "scope_school_id", None)
    if callable(own):
        return own()
    return getattr(obj, "school_id", None) if school_path(type(obj)) == "school" else None


def can_edit(user, model=None) -> bool:
    """May this user create, change and delete ledger rows (within scope)?

    With `model`: rows of that ledger. A school officer changes only ledgers whose rows carry a
    school (not the School ledger, not county-level ledgers), and not those whose model says
    `school_may_write = False` (rows about a school that the county records: the school reads
    them).
    """
    if not (
        _signed_in(user) and (user.is_superuser or getattr(user, "role", None) in EDITOR_ROLES)
    ):
        return False
    if model is not None and school_of(user) is not None:
        return school_path(model) == "school" and getattr(model, "school_may_write", True)
    return True


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field holds its rows' county (`scope_field`)."""

    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        if school_of(user) is not None:
            return self.school_rows(user)
        county_id = county_of(user)
        if county_id is None:
            return self.none()
        return self.filter(**{f"{self.model.scope_field}_id": county_id})

    def school_rows(self, user):
        """A school officer's rows: those of its school, in its school's county; none where the
        ledger has no school (county-level rows). Querysets of such ledgers may widen it
        (regions: the school's county and township, for its forms' choice lists)."""
        path = school_path(self.model)
        if path is None or not user.scope_id:
            return self.none()
        return self.filter(**{f"{self.model.scope_field}_id": user.scope_id, path: school_of(user)})


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
    row_county = getattr(obj, obj.scope_field + "_id", None)
    school_id = school_of(user)
    if school_id is not None:
        if not school_id or row_school_id(obj) != school_id or row_county != user.scope_id:
            raise PermissionDenied(_("This row belongs to a school outside your scope."))
        return
    county_id = county_of(user)
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


class CityLevelQuerySet(models.QuerySet):
    """Reference data of the whole city (aid programmes and standards, …): every signed-in user
    with a role reads all of it; only city administrators change it (`require_city_admin` in the
    write services)."""

    def visible_to(self, user):
        if sees_everything(user) or (
            user and user.is_authenticated and user.is_active and getattr(user, "role", "")
        ):
            return self.all()
        return self.none()


def require_city_admin(user, message) -> None:
    """Refuse anyone but a city administrator (`is_city_admin`): PermissionDenied with `message`
    (what was refused), the same check on every page, API call and service."""
    if not is_city_admin(user):
        raise PermissionDenied(message)
