"""The sidebar: the overview and the programme areas (as they registered in core.areas), with the
ledgers each area declares."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from core.areas import areas
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
    from core.reporting.registry import report_types

    return {
        "nav_basics": by_app.get("core", []),
        # Periodic reports are the counties' and the city's, none is a school's.
        "nav_reports": []
        if school_user
        else [
            {"title": t.title, "url": reverse("report-type", args=[t.key]), "key": t.key}
            for t in report_types()
        ],
        "nav_areas": [
            {
                "app": area.app,
                "title": area.title,
                "icon": area.icon,
                "url": "" if school_user else area.dashboard_url(),
                "ledgers": by_app.get(area.app, []),
            }
            for area in areas()
            if not school_user or by_app.get(area.app)
        ],
    }
