"""The to-do list: one store of the registry (core.areas) that every programme area feeds.

A provider is a function `provider(user) -> list[TodoItem]`, registered with `@register` in a
module its app imports in `ready()` (the areas: their selectors); it must compute its items from
rows visible to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.areas import registry

PROVIDERS: list[Callable] = registry["todo"]


@dataclass(frozen=True)
class TodoItem:
    title: str
    count: int
    url: str
    level: str = "warning"  # bootstrap colour: danger for overdue, warning for due, info


def register(provider: Callable) -> Callable:
    PROVIDERS.append(provider)
    return provider


def items_for(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    for provider in PROVIDERS:
        items.extend(item for item in provider(user) if item.count)
    return items
