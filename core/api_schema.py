"""The OpenAPI schema's tags: each programme area's API under its own tag, named as its sidebar
entry (in the user's language), and core's endpoints under a few tags of their own, core's first.

One tag for all of it ("v1", drf-spectacular's default) put some 170 operations in one list, and
Swagger UI (5.x) draws a list of 150 or more as a virtual list: only the operations near the
window are in the page, the rest are drawn as one scrolls (a search of the page, or a look at the
page's elements, finds only the first dozen). Under their tags, folded until opened
(SWAGGER_UI_SETTINGS docExpansion "none"), each list is short and drawn whole.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema

from core import areas

API_ROOT = "/api/v1/"

# The first segment of a core endpoint's path → its tag.
CORE_TAGS = {
    "regions": gettext_lazy("Registry and roster"),
    "schools": gettext_lazy("Registry and roster"),
    "enrolments": gettext_lazy("Registry and roster"),
    "students": gettext_lazy("Registry and roster"),
    "roster": gettext_lazy("Registry and roster"),
    "imports": gettext_lazy("Imports"),
    "jobs": gettext_lazy("Jobs"),
    "reports": gettext_lazy("Periodic reports"),
    "auth": gettext_lazy("Sign-in and tokens"),
}
OTHER_TAG = gettext_lazy("Other")


def tag_of(path: str) -> str:
    """The tag of the endpoint at `path` (/api/v1/aid/disbursements/ → the area's title)."""
    segment = path.removeprefix(API_ROOT).split("/", 1)[0]
    for area in areas.areas():
        if area.prefix == segment:
            return str(area.title)
    return str(CORE_TAGS.get(segment, OTHER_TAG))


def tag_order() -> list[str]:
    """Core's tags, then the areas' in sidebar order, then the rest."""
    names = [str(tag) for tag in CORE_TAGS.values()]
    names += [str(area.title) for area in areas.areas()]
    names.append(str(OTHER_TAG))
    return list(dict.fromkeys(names))


class AreaTaggedAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        return [tag_of(self.path)]


def order_tags(result, generator, request, public):
    """drf-spectacular post-processing hook: the schema's `tags`, in tag_order() (Swagger UI
    draws the tags in this order), those with operations only."""
    used = {
        tag
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    order = tag_order()
    ranked = sorted(used, key=lambda tag: (order.index(tag) if tag in order else len(order), tag))
    result["tags"] = [{"name": tag} for tag in ranked]
    return result
