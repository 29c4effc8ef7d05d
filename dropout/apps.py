from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DropoutConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dropout"
    verbose_name = _("Dropout control")
