from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class AlliancesConfig(AreaConfig):
    """Alliances and teaching 联盟与教学: school alliances and their members, activities on the
    three action lines, the online classrooms, entrance-exam quotas and trusteeship pairs."""

    verbose_name = _("Alliances and teaching")
    area_icon = "bi-diagram-3"
    area_order = 50
    area_api_enums = {
        "AllianceLevelEnum": "alliances.models.AllianceLevel",
        "AllianceKindEnum": "alliances.models.AllianceKind",
        "MemberRoleEnum": "alliances.models.MemberRole",
        "ActivityKindEnum": "alliances.models.ActivityKind",
        "ActionLineEnum": "alliances.models.ActionLine",
        "ClassroomTypeEnum": "alliances.models.ClassroomType",
        "IndicatorKindEnum": "alliances.models.IndicatorKind",
    }
