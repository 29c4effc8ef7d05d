from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class AidConfig(AreaConfig):
    verbose_name = _("Student aid")
    area_icon = "bi-cash-coin"
    area_order = 20
    area_api_enums = {"AidStageEnum": "aid.models.Stage", "CheckKindEnum": "aid.models.CheckKind"}

    def ready(self):
        super().ready()
        # The to-do providers register on import.
        from aid import selectors  # noqa: F401
