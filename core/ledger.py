"""Ledger declarations: a ledger is its model, FilterSet, Table, Form and serializer.

Each app declares its ledgers in `<app>/ledgers.py` with `register(Ledger(...))`; the registry
then gives the pages (list, detail, create, edit, delete, export), the API viewset, the sidebar
entries and the reusable scoping test — nobody writes a view body for a new ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import path

REGISTRY: dict[str, Ledger] = {}


@dataclass(frozen=True)
class Ledger:
    model: type
    filterset: type
    table: type
    form: type | None
    serializer: type
    slug: str  # URL prefix of the pages, e.g. "schools" or "roster/versions"
    api_prefix: str  # under /api/v1/, e.g. "schools" or "roster/versions"
    select_related: tuple[str, ...] = ()
    detail_fields: tuple[str, ...] = ()
    editable: bool = True
    extra: dict = field(default_factory=dict)
    import_spec: object | None = None  # a core.importing.spec.ImportSpec: gives the import pages

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def url_name(self, action: str) -> str:
        return f"{self.name}-{action}"

    def urlpatterns(self):
        from core import views

        patterns = [
            path(
                f"{self.slug}/",
                views.LedgerListView.as_view(ledger=self),
                name=self.url_name("list"),
            ),
            path(
                f"{self.slug}/export/",
                views.LedgerExportView.as_view(ledger=self),
                name=self.url_name("export"),
            ),
            path(
                f"{self.slug}/<int:pk>/",
                views.LedgerDetailView.as_view(ledger=self),
                name=self.url_name("detail"),
            ),
        ]
        if self.editable and self.form is not None:
            patterns += [
                path(
                    f"{self.slug}/new/",
                    views.LedgerCreateView.as_view(ledger=self),
                    name=self.url_name("create"),
                ),
                path(
                    f"{self.slug}/<int:pk>/edit/",
                    views.LedgerUpdateView.as_view(ledger=self),
                    name=self.url_name("update"),
                ),
                path(
                    f"{self.slug}/<int:pk>/delete/",
                    views.LedgerDeleteView.as_view(ledger=self),
                    name=self.url_name("delete"),
                ),
            ]
        if self.import_spec is not None:
            from core.importing.views import import_urlpatterns

            patterns += import_urlpatterns(self)
        return patterns

    def viewset(self):
        from core.api import LedgerViewSet

        attrs = {"ledger": self, "serializer_class": self.serializer}
        if not self.editable:
            attrs["http_method_names"] = ["get", "head", "options"]
        return type(f"{self.model.__name__}ViewSet", (LedgerViewSet,), attrs)


def register(ledger: Ledger) -> Ledger:
    if ledger.label in REGISTRY:
        raise ValueError(f"ledger {ledger.label} registered twice")
    REGISTRY[ledger.label] = ledger
    return ledger


def for_model(model) -> Ledger:
    return REGISTRY[model._meta.label_lower]


def all_ledgers() -> list[Ledger]:
    return list(REGISTRY.values())
