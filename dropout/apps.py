from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DropoutConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dropout"
    verbose_name = _("Dropout control")

    def ready(self):
        # The screening round's job runner and the overdue-cases to-do provider register on import.
        from dropout import selectors, services  # noqa: F401
