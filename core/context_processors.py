"""The sidebar: the overview and the six programme areas, with the ledgers each area declares."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

AREAS = [
    ("dropout", _("Dropout control"), "bi-person-check"),
    ("aid", _("Student aid"), "bi-cash-coin"),
    ("facilities", _("School conditions"), "bi-building"),
    ("teachers", _("Teacher staffing"), "bi-mortarboard"),
    ("alliances", _("Alliances and teaching"), "bi-diagram-3"),
    ("disaster", _("Flood recovery"), "bi-cloud-rain-heavy"),
]


def _landing(app: str) -> str:
    """An area's own landing page (url name "<app>-dashboard"), if it has one."""
    try:
        return reverse(f"{app}-dashboard")
    except NoReverseMatch:
        return ""


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from core.ledger import all_ledgers
    from core.scoping import school_of, school_path

    # A school officer gets the ledgers that hold its school's rows, and no area dashboards
    # (county figures): nothing in its sidebar leads to an empty county-level page.
    school_user = school_of(request.user) is not None
    by_app: dict[str, list] = {}
    for ledger in all_ledgers():
        if school_user and school_path(ledger.model) is None:
            continue
        try:
            url = reverse(ledger.url_name("list"))
        except NoReverseMatch:
            continue
        by_app.setdefault(ledger.model._meta.app_label, []).append(
            {"title": ledger.model._meta.verbose_name_plural, "url": url}
        )
    return {
        "nav_basics": by_app.get("core", []),
        "nav_areas": [
            {
                "app": app,
                "title": title,
                "icon": icon,
                "url": "" if school_user else _landing(app),
                "ledgers": by_app.get(app, []),
            }
            for app, title, icon in AREAS
            if not school_user or by_app.get(app)
        ],
    }
