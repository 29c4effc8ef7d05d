from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class FacilitiesConfig(AreaConfig):
    """Not built yet: the area registers its sidebar entry only."""

    verbose_name = _("School conditions")
    area_icon = "bi-building"
    area_order = 30
