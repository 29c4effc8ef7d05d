"""A ledger's columns declared once: a model's `ledger_fields`, in the order its detail page,
table, form and API show them. Each reads them through `columns()`, naming only what it puts
first, leaves out or adds (the form has no computed column, the API leads with the id)."""

from __future__ import annotations


def columns(model, *, first=(), without=(), add=()) -> list[str]:
    """`model.ledger_fields` with `first` moved (or put) in front, `without` left out and `add`
    appended: `columns(Exemption, first=("id", "id_number"))` is the API's field list."""
    rest = [name for name in model.ledger_fields if name not in first and name not in without]
    return [*first, *rest, *add]
