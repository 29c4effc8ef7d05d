"""Ledger declarations: a ledger is its model, FilterSet, Table, Form and serializer.

Each app declares its ledgers in `<app>/ledgers.py` with `register(Ledger(...))`; the registry
then gives the pages (list, detail, create, edit, delete, export), the API viewset, the sidebar
entries and the reusable scoping test — nobody writes a view body for a new ledger.

A plain ledger names its model and API prefix; the rest is found by name in the model's app:
`<Model>FilterSet` in filters.py, `<Model>Table` in tables.py, `<Model>Form` in forms.py (editable
ledgers only), `<Model>Serializer` in api.py and `<Model>ImportSpec` in imports.py (which gives
the import pages); a model that declares its columns (`ledger_fields`) may leave its table and
serializer to core (core.tables.derived_table, core.api.derived_serializer). The pages' URL prefix
(`slug`) is the API prefix unless given. A ledger that
needs more says so through its hooks: `detail_view` (a LedgerDetailView subclass), `viewset_base`
(a LedgerViewSet subclass), `routes` (more pages bound to the ledger under its prefix),
`list_actions` (buttons on its list page to the area's other pages, each shown only to users who
may take it) and `api_actions` (DRF `@action` functions added to its viewset).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.urls import path

from core.areas import registry

REGISTRY: dict[str, Ledger] = registry["ledgers"]

_DERIVED = object()  # "find it by name in the model's app" (a default that is not None)


@dataclass(frozen=True)
class Route:
    """A page of a ledger beyond the generic ones: `view` is bound to the ledger
    (`view.as_view(ledger=…)`) and served at `<slug>/<route>`."""

    route: str  # relative to the ledger's slug, e.g. "<int:pk>/actions/"
    view: type
    name: str  # the URL name, e.g. "dropout-case-action"


@dataclass(frozen=True)
class ListAction:
    """A button on a ledger's list page for an action beyond Add and Import (e.g. "start a
    round"), linking the page at `url_name`. It is shown only to users `allowed(user)` accepts:
    pass the very check the target page makes, so no one sees a button that leads to a refusal."""

    url_name: str
    label: str  # lazy, translated
    allowed: Callable[[object], bool]
    icon: str = "bi-plus-circle"
    element_id: str = ""  # the button's HTML id (for tests and the browser)


def _by_name(model, module: str, suffix: str, *, required: bool):
    """`<Model><suffix>` from the model's app's `module` (e.g. core.filters.SchoolFilterSet)."""
    app = model._meta.app_config.name
    name = f"{model.__name__}{suffix}"
    try:
        found = getattr(importlib.import_module(f"{app}.{module}"), name, None)
    except ModuleNotFoundError as error:
        if error.name != f"{app}.{module}":
            raise
        found = None
    if found is None and required:
        raise LookupError(f"{app}.{module}.{name} not found: declare it or pass it to the Ledger")
    return found


@dataclass(frozen=True)
class Ledger:
    model: type
    api_prefix: str  # under /api/v1/, e.g. "schools" or "roster/versions"
    slug: str = ""  # URL prefix of the pages; default: the API prefix
    filterset: type = _DERIVED
    table: type = _DERIVED
    form: type | None = _DERIVED  # None: no create/edit pages
    serializer: type = _DERIVED
    import_spec: object | None = _DERIVED  # a core.importing.spec.ImportSpec: the import pages
    select_related: tuple[str, ...] = ()
    detail_fields: tuple[str, ...] = ()
    editable: bool = True
    detail_view: type | None = None  # default core.views.LedgerDetailView
    viewset_base: type | None = None  # default core.api.LedgerViewSet
    routes: tuple[Route, ...] = ()
    list_actions: tuple[ListAction, ...] = ()  # more buttons on the list page
    api_actions: tuple = field(default=())  # functions decorated with rest_framework's @action

    def __post_init__(self):
        model = self.model

        def fill(name, value):
            object.__setattr__(self, name, value)

        fill("slug", self.slug or self.api_prefix)
        if self.filterset is _DERIVED:
            fill("filterset", _by_name(model, "filters", "FilterSet", required=True))
        declared = hasattr(model, "ledger_fields")  # its columns: core may derive its pieces
        if self.table is _DERIVED:
            found = _by_name(model, "tables", "Table", required=not declared)
            if found is None:
                from core.tables import derived_table

                found = derived_table(model)
            fill("table", found)
        if self.serializer is _DERIVED:
            found = _by_name(model, "api", "Serializer", required=not declared)
            if found is None:
                from core.api import derived_serializer

                found = derived_serializer(model)
            fill("serializer", found)
        if self.form is _DERIVED:
            fill("form", _by_name(model, "forms", "Form", required=True) if self.editable else None)
        if self.import_spec is _DERIVED:
            spec = _by_name(model, "imports", "ImportSpec", required=False)
            fill("import_spec", spec() if spec is not None else None)

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def url_name(self, action: str) -> str:
        return f"{self.name}-{action}"

    def page(self, route: str, view: type, action: str):
        """The URL pattern of one of the ledger's pages: `view` bound to the ledger, served at
        `<slug>/<route>` and named `<model>-<action>`."""
        return path(f"{self.slug}/{route}", view.as_view(ledger=self), name=self.url_name(action))

    def urlpatterns(self):
        from core import views

        pages = [
            ("", views.LedgerListView, "list"),
            ("export/", views.LedgerExportView, "export"),
            ("<int:pk>/", self.detail_view or views.LedgerDetailView, "detail"),
        ]
        if self.editable and self.form is not None:
            pages += [
                ("new/", views.LedgerCreateView, "create"),
                ("<int:pk>/edit/", views.LedgerUpdateView, "update"),
                ("<int:pk>/delete/", views.LedgerDeleteView, "delete"),
            ]
        patterns = [self.page(route, view, action) for route, view, action in pages]
        patterns += [
            path(f"{self.slug}/{route.route}", route.view.as_view(ledger=self), name=route.name)
            for route in self.routes
        ]
        if self.import_spec is not None:
            from core.importing.views import import_urlpatterns

            patterns += import_urlpatterns(self)
        return patterns

    # --- The export source (core.exports) ---------------------------------------------------

    def export_table(self, *, user, query):
        """The list page's rows for `user` under `query` (filters; `sort` applies to the table)."""
        queryset = self.model.objects.visible_to(user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        request = SimpleNamespace(user=user, GET=query, META={})
        rows = self.filterset(query or None, queryset=queryset, request=request).qs
        return self.table(rows), rows

    def export_title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def export_stem(self) -> str:
        return self.name

    def export_audit(self) -> tuple[type, dict]:
        return self.model, {}

    def job_params(self) -> dict:
        return {"ledger": self.label}

    def viewset(self):
        from core.api import LedgerViewSet, ReadOnlyLedgerViewSet, id_search_action
        from core.filters import id_number_field

        attrs = {"ledger": self, "serializer_class": self.serializer}
        if id_number_field(self.model) is not None:  # POST <prefix>/id-search/
            attrs["id_search"] = id_search_action(self)
        attrs.update({action.__name__: action for action in self.api_actions})
        default = LedgerViewSet if self.editable else ReadOnlyLedgerViewSet
        base = self.viewset_base or default
        return type(f"{self.model.__name__}ViewSet", (base,), attrs)


def register(ledger: Ledger) -> Ledger:
    if ledger.label in REGISTRY:
        raise ValueError(f"ledger {ledger.label} registered twice")
    REGISTRY[ledger.label] = ledger
    return ledger


def for_model(model) -> Ledger:
    return REGISTRY[model._meta.label_lower]


def all_ledgers() -> list[Ledger]:
    return list(REGISTRY.values())
