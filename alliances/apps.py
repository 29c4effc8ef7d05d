from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class AlliancesConfig(AreaConfig):
    """Not built yet: the area registers its sidebar entry only."""

    verbose_name = _("Alliances and teaching")
    area_icon = "bi-diagram-3"
    area_order = 50
