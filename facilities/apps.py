from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class FacilitiesConfig(AreaConfig):
    """School conditions 办学条件: coverage, projects, funding, toilet look-back, maintenance."""

    verbose_name = _("School conditions")
    area_icon = "bi-building"
    area_order = 30
    area_api_enums = {
        "ProjectStatusEnum": "facilities.models.ProjectStatus",
        "RectificationStatusEnum": "facilities.models.RectificationStatus",
        "FacilitiesProjectKindEnum": "facilities.models.ProjectKind",
        "InspectionKindEnum": "facilities.models.InspectionKind",
        "MaintenanceKindEnum": "facilities.models.MaintenanceKind",
    }

    def ready(self):
        super().ready()
        # The to-do provider registers on import.
        from facilities import selectors  # noqa: F401
