from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class TeachersConfig(AreaConfig):
    """Not built yet: the area registers its sidebar entry only."""

    verbose_name = _("Teacher staffing")
    area_icon = "bi-mortarboard"
    area_order = 40
