from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class TeachersConfig(AreaConfig):
    """Teacher staffing 教师队伍: roster, recruitment plans and hires, staffing, training."""

    verbose_name = _("Teacher staffing")
    area_icon = "bi-mortarboard"
    area_order = 40
    area_api_enums = {
        "TeacherStatusEnum": "teachers.models.TeacherStatus",
        "TeacherStageEnum": "teachers.models.Stage",
        "TeacherSubjectEnum": "teachers.models.Subject",
        "RecruitmentChannelEnum": "teachers.models.Channel",
        "ProgrammeKindEnum": "teachers.models.ProgrammeKind",
    }

    def ready(self):
        super().ready()
        # The to-do provider registers on import.
        from teachers import selectors  # noqa: F401
