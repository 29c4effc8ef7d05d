"""Forms of alliances and teaching: the ledgers' forms (scoped choices). A city-level alliance
and its members are the city's rows: the forms say so to a county before the write door refuses
it; an activity's participating schools and a session's receiving schools are checked here
(the row's own rules are its model's clean(), run by the write door)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliances import rules
from alliances.models import (
    Activity,
    Alliance,
    AllianceMember,
    EntranceQuota,
    OnlineSession,
    TrusteeshipIndicator,
    TrusteeshipPair,
)
from core import calendar
from core.columns import columns
from core.forms import ScopedModelForm, style_widgets
from core.models import RegionLevel


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = list(Alliance.ledger_fields)
        date_fields = ("founded_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.fields["county"]
        county.queryset = county.queryset.filter(level=RegionLevel.COUNTY)

    def clean(self):
        cleaned = super().clean()
        message = rules.city_row_refused(self.user, level=cleaned.get("level"))
        if message:
            self.add_error("level", message)
        return cleaned


class AllianceMemberForm(ScopedModelForm):
    class Meta:
        model = AllianceMember
        fields = columns(AllianceMember, without=("county",))
        date_fields = ("joined_on", "left_on")

    def clean(self):
        cleaned = super().clean()
        alliance = cleaned.get("alliance")
        message = rules.city_row_refused(self.user, level=getattr(alliance, "level", None))
        if message:
            self.add_error("alliance", message)
        return cleaned


class _WithSchools(ScopedModelForm):
    """A form with several schools (`schools_field`): on a change, the schools the user cannot
    see (another county's, chosen by the city) are kept, not dropped."""

    schools_field = ""

    def _clean_fields(self):
        super()._clean_fields()
        name = self.schools_field
        if name in self.cleaned_data and self.instance.pk:
            shown = self.fields[name].queryset
            hidden = getattr(self.instance, name).exclude(pk__in=shown.values("pk"))
            self.cleaned_data[name] = [*self.cleaned_data[name], *hidden]

    def check_schools(self, cleaned) -> None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        try:
            self.check_schools(cleaned)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class ActivityForm(_WithSchools):
    schools_field = "schools"

    class Meta:
        model = Activity
        fields = columns(Activity, without=("county",))
        date_fields = ("held_on",)

    def check_schools(self, cleaned):
        rules.check_participants(
            cleaned.get("alliance"), cleaned.get("held_on"), cleaned.get("schools") or []
        )


class OnlineSessionForm(_WithSchools):
    schools_field = "receivers"

    class Meta:
        model = OnlineSession
        fields = columns(OnlineSession, without=("county",))
        date_fields = ("week",)

    def check_schools(self, cleaned):
        if "receivers" in cleaned:
            rules.check_receivers(cleaned.get("school"), cleaned["receivers"])


class EntranceQuotaForm(ScopedModelForm):
    class Meta:
        model = EntranceQuota
        fields = columns(EntranceQuota, without=("county",))


class TrusteeshipPairForm(ScopedModelForm):
    class Meta:
        model = TrusteeshipPair
        fields = columns(TrusteeshipPair, without=("county",))
        date_fields = ("started_on", "ended_on")


class TrusteeshipIndicatorForm(ScopedModelForm):
    class Meta:
        model = TrusteeshipIndicator
        fields = columns(TrusteeshipIndicator, without=("county",))


class TermParamsForm(forms.Form):
    """The check list's term: the school year and autumn or spring."""

    school_year = forms.IntegerField(label=_("school year"), min_value=2000, max_value=2100)
    term = forms.ChoiceField(label=_("term"), choices=calendar.Term.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class WeekParamsForm(forms.Form):
    week = forms.DateField(label=_("week"), help_text=_("Any day of the week."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["week"].widget.input_type = "date"
