"""The ledgers of teacher staffing: the roster, the recruitment plans and the training records;
each gets list/detail/form/export/import pages, its API and the sidebar entry from core.ledger.
The staffing standard and the training programmes are the city's reference data, not a county
ledger: their pages are in teachers/views.py, their API in teachers/api.py."""

from django.utils.translation import gettext_lazy as _

from core.ledger import Ledger, ListAction, Route, register
from teachers import models, views

ROSTER = register(
    Ledger(
        model=models.Teacher,
        api_prefix="teachers/staff",
        select_related=("county", "school", "plan"),
        detail_fields=models.Teacher.ledger_fields,
        routes=(Route("<int:pk>/reveal-id/", views.TeacherRevealIdView, "teacher-reveal-id"),),
        list_actions=(
            ListAction(
                "teachers-standards",
                _("Staffing standard"),
                lambda user: user.is_authenticated,
                icon="bi-rulers",
                element_id="staffing-standards",
            ),
        ),
    )
)

PLANS = register(
    Ledger(
        model=models.RecruitmentPlan,
        api_prefix="teachers/plans",
        select_related=("county",),
        detail_fields=models.RecruitmentPlan.ledger_fields,
    )
)

TRAINING = register(
    Ledger(
        model=models.TrainingRecord,
        api_prefix="teachers/training",
        select_related=("county", "school", "teacher", "programme"),
        detail_fields=models.TrainingRecord.ledger_fields,
        list_actions=(
            ListAction(
                "teachers-programmes",
                _("Training programmes"),
                lambda user: user.is_authenticated,
                icon="bi-journal-bookmark",
                element_id="training-programmes",
            ),
        ),
    )
)
