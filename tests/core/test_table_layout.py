"""Every list's and check list's table scrolls inside its box instead of widening the page, with
the ledger tables' look: a subclass that declares no Meta of its own would lose both (django-tables2
gives a table only the Meta it declares), as the check lists' tables once did."""

from __future__ import annotations

from core.checklists import all_checks
from core.ledger import all_ledgers

RESPONSIVE = "django_tables2/bootstrap5-responsive.html"


def _tables():
    yield from ((ledger.url_name("list"), ledger.table) for ledger in all_ledgers())
    yield from ((check.url_name, check.table) for check in all_checks())


def test_every_table_scrolls_inside_its_box():
    wrong = [
        (name, table.__name__, table._meta.template_name, table._meta.attrs.get("class", ""))
        for name, table in _tables()
        if table._meta.template_name != RESPONSIVE
        or "ledger-table" not in table._meta.attrs.get("class", "")
    ]
    assert not wrong, wrong
