from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisasterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disaster"
    verbose_name = _("Flood recovery")
