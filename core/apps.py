from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Basics")

    def ready(self):
        # Each app declares its ledgers in <app>/ledgers.py (machinery in core.ledger) and its
        # check lists in <app>/checks.py (core.checklists); both land in core.areas.registry.
        autodiscover_modules("ledgers")
        autodiscover_modules("checks")
        # Core's periodic report types (the areas add theirs, and their sections, in
        # <app>/reports.py, imported by core.areas.AreaConfig.ready()).
        # API tokens are revoked on log-out, a new password and deactivation.
        from core import tokens  # noqa: F401
        from core.reporting import selectors, types  # noqa: F401  (its to-do items too)
