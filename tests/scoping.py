"""The reusable scoping test's registry: every ledger joins by registering a ScopingCase.

`tests/core/test_scoping.py` runs the same checks for every ledger in core.ledger's registry — list,
filter, detail, edit, delete, create, API list/detail/update/create and export — for a county user
against another county's rows, and fails for a ledger that has no case registered here. The same
doors are proven for a school officer against another school of its county (every ledger with a
school), and rows without a school are shown to be invisible to it.
Programme areas register their cases in `tests/<app>/scoping_cases.py`, which each area names
in the registry (core.areas: the `scoping` store).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

CASES: dict[str, ScopingCase] = {}


@dataclass(frozen=True)
class ScopingCase:
    label: str  # the ledger's model label, e.g. "core.school"
    make: Callable  # make(school) -> a row belonging to that school's county
    form_data: Callable | None = None  # form_data(school, row=None) -> valid POST data
    api_data: Callable | None = None  # api_data(school, row=None) -> valid JSON for the API
    marker: Callable = str  # marker(row) -> text identifying the row in an export
    county_filter: str = "county"  # the FilterSet parameter that names a county
    # school_make(school) -> a row of that school itself, where `make` gives a row without one
    # (a township's responsible person): then `make`'s row is also shown invisible to the school
    school_make: Callable | None = None


def register(case: ScopingCase) -> ScopingCase:
    CASES[case.label] = case
    return case


def load_all() -> dict[str, ScopingCase]:
    from core.areas import scoping_modules

    for module in ("tests.core.scoping_cases", *scoping_modules()):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            # An area without ledgers has no cases; a case module that fails inside still raises.
            if module == "tests.core.scoping_cases" or error.name not in _parents(module):
                raise
    return CASES


def _parents(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[: index + 1]) for index in range(len(parts))}
