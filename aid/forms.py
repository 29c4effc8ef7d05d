"""Forms of student aid. Ledger forms are ScopedModelForms: every choice is limited to what the
user may see; the one-disbursement-per-term rule is the model's (Disbursement.validate_constraints)
so that the form, the API and the import give the same message."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aid.models import (
    AidProgramme,
    AidStandard,
    ContactLog,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    Term,
)
from aid.services import registry_students
from core.columns import columns
from core.forms import SchoolYearField, ScopedModelForm, StyledModelForm
from core.models import RegionLevel


def _only_counties(field):
    field.queryset = field.queryset.filter(level=RegionLevel.COUNTY)


class DisbursementForm(ScopedModelForm):
    class Meta:
        model = Disbursement
        fields = columns(Disbursement, first=("id_number",), without=("student", "county"))
        date_fields = ("paid_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Empty: the name in the registry.")
        programmes = self.fields["programme"].queryset
        if self.instance.pk:
            self.fields["programme"].queryset = programmes.filter(active=True) | programmes.filter(
                pk=self.instance.programme_id
            )
        else:
            self.fields["programme"].queryset = programmes.filter(active=True)

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        student = registry_students(self.user, [id_number]).get(id_number) if id_number else None
        self.instance.student = student
        if not cleaned.get("name"):
            if student is not None:
                cleaned["name"] = student.name
            elif id_number:
                self.add_error(
                    "name", _("This ID number is not in the registry: enter the student's name.")
                )
        return cleaned


class OutOfAreaStudentForm(ScopedModelForm):
    class Meta:
        model = OutOfAreaStudent
        fields = columns(OutOfAreaStudent, first=("id_number",), without=("source", "verified_on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _only_counties(self.fields["county"])
        region = self.fields["household_region"]
        region.queryset = region.queryset.filter(level=RegionLevel.TOWNSHIP)
        for name in ("receives_aid", "meets_standard"):
            self.fields[name].widget = forms.Select(
                choices=[("unknown", _("Not known yet")), ("true", _("Yes")), ("false", _("No"))],
                attrs={"class": "form-select"},
            )


class ContactLogForm(ScopedModelForm):
    class Meta:
        model = ContactLog
        fields = ["student", "method", "contacted_on", "contacted_by", "reached", "learned"]
        date_fields = ("contacted_on",)
        widgets = {"learned": forms.Textarea(attrs={"rows": 3})}


class PublicityActivityForm(ScopedModelForm):
    class Meta:
        model = PublicityActivity
        fields = ["county", "channel", "held_on", "title", "reach", "note"]
        date_fields = ("held_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _only_counties(self.fields["county"])


# --- City reference data -----------------------------------------------------------------------


class AidProgrammeForm(StyledModelForm):
    class Meta:
        model = AidProgramme
        fields = columns(AidProgramme)


class AidStandardForm(StyledModelForm):
    class Meta:
        model = AidStandard
        fields = ["programme", "school_year", "term", "amount"]


class CheckNoteForm(forms.Form):
    """The reason an officer gives on a check row; empty removes it."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class PeriodForm(forms.Form):
    """A check's period: the school year (the one drop-down of every page: the years with
    disbursements or standards, and the current one) and the term."""

    school_year = SchoolYearField()  # its years are set below
    term = forms.ChoiceField(label=_("term"), choices=Term.choices)

    def __init__(self, *args, term_required=True, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"] = SchoolYearField(years=years)
        self.fields["term"].required = term_required
        if not term_required:
            self.fields["term"].choices = [("", _("Both terms")), *Term.choices]
        self.fields["term"].widget.attrs["class"] = "form-select form-select-sm"
