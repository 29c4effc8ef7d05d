from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class DisasterConfig(AreaConfig):
    """Not built yet: the area registers its sidebar entry only."""

    verbose_name = _("Flood recovery")
    area_icon = "bi-cloud-rain-heavy"
    area_order = 60
