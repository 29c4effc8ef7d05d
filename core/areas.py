"""The programme areas and what they contribute, in one frozen registry of named stores.

An area is a Django app whose `AppConfig` subclasses `AreaConfig`: it declares its sidebar title
(the app's `verbose_name`), icon and order, and `AreaConfig.ready()` registers an `Area` with what
the app has at the conventional paths — `<app>/urls.py` (pages under `/<prefix>/`),
`<app>/api_urls.py` (under `/api/v1/<prefix>/`), `<app>/demo.py` (`seed` and `wipe`),
`<app>/overview.py` (`card(user)` for the home page, `dispatch_section(...)` for the weekly
dispatch; either may return None for a user who has nothing of the area), `<app>/schedules.py`
(`SCHEDULE`: its periodic tasks, given to Celery beat by config/beat.py), `<app>/yearend.py`
(`close_school_year(...)`, run when the city starts a new school year: what the closing year's
figures were is kept), `<app>/reports.py` (the periodic report types it declares and its
sections of others', core.reporting) and `tests/<app>/scoping_cases.py`; its API's enum names
(`area_api_enums`) go to drf-spectacular, and its settings are read with `setting()`. Ledgers
(`<app>/ledgers.py`) and check lists (`<app>/checks.py`) register themselves into the same
registry; to-do providers with `core.todo.register`. core and config read the stores and name
no area: adding an area edits no file of theirs (docs/areas.md).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import AppConfig
from django.urls import NoReverseMatch, include, path, reverse


class Registry(dict):
    """A dict whose keys — the stores — are fixed when it is made (after NetBox's registry).

    Stores are filled, never added or replaced: `registry["cards"]` works, `registry["card"] =
    …` raises, so a typo cannot quietly start a second registry.
    """

    def __setitem__(self, key, value):
        raise TypeError(f"the registry's stores are fixed; cannot set {key!r}")

    def __delitem__(self, key):
        raise TypeError(f"the registry's stores are fixed; cannot delete {key!r}")

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            stores = ", ".join(self)
            raise KeyError(f"no store {key!r} in the registry (stores: {stores})") from None


registry = Registry(
    areas={},  # app label → Area
    ledgers={},  # model label → core.ledger.Ledger
    checks={},  # check list key ("aid.gap") → core.checklists.CheckList
    todo=[],  # provider(user) -> list[core.todo.TodoItem]
    cards={},  # app label → card(user) -> Card
    dispatch={},  # app label → dispatch_section(*, user, start, end) -> DispatchSection
    demo={},  # app label → module name with seed(rng=, stdout=) and wipe()
    scoping={},  # app label → module name of the area's ScopingCases (tests/<app>/...)
    schedules={},  # beat entry name → Celery beat entry ({"task": …, "schedule": …})
    api_enums={},  # OpenAPI enum name → choices import path (drf-spectacular's overrides)
    yearend={},  # app label → close_school_year(*, school_year, actor): settle the closing year
    write_services={},  # module name → why it may write ledger rows besides core.services' door
    report_types={},  # report type key ("weekly") → core.reporting.registry.ReportType
    report_sections={},  # report type key → [core.reporting.registry.Section], from the areas
)


@dataclass(frozen=True)
class Area:
    """One programme area as the sidebar, the URL configuration and the overview see it."""

    app: str  # the app label, e.g. "dropout"
    title: str  # the sidebar title (the app's verbose_name)
    icon: str  # a Bootstrap icon class, e.g. "bi-person-check"
    order: int  # place in the sidebar (and the order the demo steps run: later builds on earlier)
    prefix: str  # URL prefix: pages at /<prefix>/, API at /api/v1/<prefix>/
    urls: str | None = None  # module with `urlpatterns` of the area's own pages
    api_urls: str | None = None  # module with `urlpatterns` of the area's own API views
    dashboard: str | None = None  # URL name of the area's landing page

    def dashboard_url(self) -> str:
        if not self.dashboard:
            return ""
        try:
            return reverse(self.dashboard)
        except NoReverseMatch:
            return ""


# --- What the overview and the weekly dispatch ask of an area -------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: object  # a number (or None when there is nothing to count yet)
    url: str = ""  # the rows behind the figure, in the user's scope
    level: str = ""  # bootstrap colour for a figure that needs attention ("danger", "warning")


@dataclass(frozen=True)
class Card:
    """An area's headline figures for the home page, computed for the user's scope."""

    area: str  # app label
    title: str
    url: str  # the area's dashboard
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class DispatchSection:
    """An area's part of the weekly dispatch: one workbook sheet and one e-mail paragraph."""

    area: str
    title: str  # the sheet's title and the paragraph's heading
    header: tuple[str, ...]  # the sheet's column headers
    rows: tuple[tuple, ...]  # one row per county in the user's scope, then a total row
    paragraph: str  # plain text for the e-mail


# --- Registration ------------------------------------------------------------------------------


def register_area(area: Area) -> Area:
    if area.app in registry["areas"]:
        raise ValueError(f"area {area.app} registered twice")
    registry["areas"][area.app] = area
    return area


def areas() -> list[Area]:
    """Every registered area, in sidebar order."""
    return sorted(registry["areas"].values(), key=lambda area: (area.order, area.app))


def _module(name: str) -> str | None:
    """`name` if that module exists (a module that exists but fails to import still raises)."""
    try:
        return name if importlib.util.find_spec(name) is not None else None
    except ModuleNotFoundError:
        return None


def _add(store: dict, entries: dict, *, what: str) -> None:
    for key, value in entries.items():
        if key in store and store[key] != value:
            raise ValueError(f"{what} {key} registered twice")
        store[key] = value


def setting(name: str, default):
    """An area's setting: Django's (tests override it), else the environment's (read as the
    default's type), else the default. Areas keep their settings out of config/settings.py."""
    from django.conf import settings

    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return type(default)(raw)


class ApiEnumNames(Mapping):
    """drf-spectacular's ENUM_NAME_OVERRIDES (config/settings.py): core's names, given here, and
    every area's, read when the schema is built (after the apps have registered)."""

    def __init__(self, core: dict[str, str]):
        self.core = core

    def _names(self) -> dict[str, str]:
        return {**self.core, **registry["api_enums"]}

    def __getitem__(self, key):
        return self._names()[key]

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


class AreaConfig(AppConfig):
    """Base of a programme area's AppConfig: set `area_icon` and `area_order`, and put the
    area's pieces at the conventional paths; `ready()` registers what it finds."""

    default = False  # never an app's config itself; each subclass is its app's one config
    default_auto_field = "django.db.models.BigAutoField"
    area_icon = "bi-grid"
    area_order = 100
    area_prefix: str | None = None  # default: the app label
    area_dashboard: str | None = None  # default: "<label>-dashboard"
    # Names of the area's choice sets in the OpenAPI schema, where two share a field name
    # ("status"): {"CaseStatusEnum": "<app>.models.CaseStatus"}.
    area_api_enums: dict[str, str] = {}
    # The area's modules that write ledger rows themselves (an operation with its own rules, a
    # bulk write), besides the write door: {"services": "screening rounds, cases"}. Its demo
    # and year-end modules are write services without saying so.
    area_write_services: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        """A subclass in `<app>/apps.py` is that app's default config, named after its package,
        unless it says otherwise."""
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)
        if "name" not in cls.__dict__:
            cls.name = cls.__module__.rpartition(".")[0]

    def ready(self):
        name, label = self.name, self.label
        register_area(
            Area(
                app=label,
                title=self.verbose_name,
                icon=self.area_icon,
                order=self.area_order,
                prefix=self.area_prefix or label,
                urls=_module(f"{name}.urls"),
                api_urls=_module(f"{name}.api_urls"),
                dashboard=self.area_dashboard or f"{label}-dashboard",
            )
        )
        if demo := _module(f"{name}.demo"):
            registry["demo"][label] = demo
            registry["write_services"][demo] = "the demo city's rows (a seed, not a user's write)"
        for module, why in self.area_write_services.items():
            registry["write_services"][f"{name}.{module}"] = why
        registry["scoping"][label] = f"tests.{label}.scoping_cases"
        _add(registry["api_enums"], self.area_api_enums, what="API enum")
        if _module(f"{name}.schedules"):
            schedules = importlib.import_module(f"{name}.schedules")
            _add(registry["schedules"], getattr(schedules, "SCHEDULE", {}), what="beat entry")
        if _module(f"{name}.yearend"):
            yearend = importlib.import_module(f"{name}.yearend")
            registry["yearend"][label] = yearend.close_school_year
            registry["write_services"][f"{name}.yearend"] = "the closing year's settled figures"
        if _module(f"{name}.reports"):
            importlib.import_module(f"{name}.reports")  # registers report types and sections
        if _module(f"{name}.overview"):
            overview = importlib.import_module(f"{name}.overview")
            if hasattr(overview, "card"):
                registry["cards"][label] = overview.card
            if hasattr(overview, "dispatch_section"):
                registry["dispatch"][label] = overview.dispatch_section


# --- What core and config read -----------------------------------------------------------------


def page_urlpatterns() -> list:
    """Each area's own pages under its prefix (config/urls.py, before the ledgers' pages)."""
    return [path(f"{area.prefix}/", include(area.urls)) for area in areas() if area.urls]


def api_urlpatterns() -> list:
    """Each area's own API views under /api/v1/<prefix>/ (core/api_urls.py)."""
    return [path(f"{area.prefix}/", include(area.api_urls)) for area in areas() if area.api_urls]


def demo_modules() -> list:
    """The areas' demo modules, in area order: an area may build on the ones before it."""
    return [
        importlib.import_module(registry["demo"][area.app])
        for area in areas()
        if area.app in registry["demo"]
    ]


def scoping_modules() -> list[str]:
    return [registry["scoping"][area.app] for area in areas() if area.app in registry["scoping"]]


def beat_schedule(base: dict) -> dict:
    """Celery beat's schedule: `base` (core's own, config/schedules.py) and every area's."""
    merged = dict(base)
    _add(merged, registry["schedules"], what="beat entry")  # once more (the same) is no clash
    return merged


def cards_for(user) -> list[Card]:
    """Every area's card for this user, in sidebar order: an area without a card provider, or
    whose provider returns None (nothing of the area is the user's, e.g. a school officer and
    county-level rows), is left out."""
    cards = (registry["cards"][a.app](user) for a in areas() if a.app in registry["cards"])
    return [card for card in cards if card is not None]


def dispatch_sections(*, user, start: dt.date, end: dt.date) -> list[DispatchSection]:
    """Every area's section of the dispatch for the week start..end (inclusive); a provider
    returning None has no section for this user."""
    sections = (
        registry["dispatch"][area.app](user=user, start=start, end=end)
        for area in areas()
        if area.app in registry["dispatch"]
    )
    return [section for section in sections if section is not None]
