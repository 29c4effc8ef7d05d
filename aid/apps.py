from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "aid"
    verbose_name = _("Student aid")

    def ready(self):
        # The to-do providers register on import.
        from aid import selectors  # noqa: F401
