from django.utils.translation import gettext_lazy as _

from core.areas import AreaConfig


class DropoutConfig(AreaConfig):
    verbose_name = _("Dropout control")
    area_icon = "bi-person-check"
    area_order = 10
    area_api_enums = {
        "ClassificationEnum": "dropout.models.Classification",
        "RoundStatusEnum": "dropout.models.RoundStatus",
        "CaseStatusEnum": "dropout.models.CaseStatus",
        "CaseOutcomeEnum": "dropout.models.CaseOutcome",
        "ActionKindEnum": "dropout.models.ActionKind",
        "ExemptionKindEnum": "dropout.models.ExemptionKind",
        "VerificationMethodEnum": "dropout.models.VerificationMethod",
    }
    area_write_services = {"services": "screening rounds, cases and their actions"}

    def ready(self):
        super().ready()
        # The screening round's job runner and the cases' to-do providers register on import.
        from dropout import selectors, services  # noqa: F401
