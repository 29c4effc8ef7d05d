"""The reusable scoping test's registry: every ledger joins by registering a ScopingCase.

`tests/core/test_scoping.py` runs the same checks for every ledger in core.ledger's registry — list,
filter, detail, edit, delete, create, API list/detail/update/create and export — for a county user
against another county's rows, and fails for a ledger that has no case registered here. The same
doors are proven for a school officer against another school of its county (every ledger with a
school), and rows without a school are shown to be invisible to it.
Programme areas register their cases in `tests/<app>/scoping_cases.py` (imported below).
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
    for module in ("tests.core.scoping_cases",):
        importlib.import_module(module)
    for app in ("dropout", "aid", "facilities", "teachers", "alliances", "disaster", "reports"):
        try:
            importlib.import_module(f"tests.{app}.scoping_cases")
        except ModuleNotFoundError as error:
            if error.name not in {f"tests.{app}", f"tests.{app}.scoping_cases"}:
                raise
    return CASES
