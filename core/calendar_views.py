"""The city's school calendar page 学年与适龄规则: the current school year (a city administrator
starts the next one) and the school-age rule with its history (a city administrator adds a rule
from a school year on). Everyone with a role reads it; the rules are core.reference's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import calendar
from core.forms import SchoolYearField
from core.reference import (
    SchoolAgeRule,
    SchoolYearStart,
    school_age_rule_add,
    school_year_start,
)
from core.scoping import is_city_admin
from core.views import CityAdminRequiredMixin


class SchoolAgeRuleForm(forms.ModelForm):
    class Meta:
        model = SchoolAgeRule
        fields = ["effective_from", "age_min", "age_max", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = calendar.current_school_year()
        self.fields["effective_from"] = SchoolYearField(
            label=SchoolAgeRule._meta.get_field("effective_from").verbose_name,
            years=[current + 1],
            initial=current + 1,
        )
        for name, field in self.fields.items():
            if name != "effective_from":
                field.widget.attrs.setdefault("class", "form-control")
        # The one school-year drop-down's own width: "2024–2025" is never cut off.
        self.fields["effective_from"].widget.attrs["class"] = "form-select school-year-select"


def _page(request, *, rule_form=None, status=200):
    user = request.user
    current = calendar.current_school_year()
    rules = list(SchoolAgeRule.objects.visible_to(user).select_related("set_by"))
    age_min, age_max = calendar.school_age_range(current)
    editor = is_city_admin(user)
    context = {
        "current": current,
        "current_label": calendar.school_year_label(current),
        "next_label": calendar.school_year_label(current + 1),
        "clock_year": calendar.school_year_of(calendar.today()),
        "starts": list(SchoolYearStart.objects.visible_to(user).select_related("started_by")),
        "rules": rules,
        "age_min": age_min,
        "age_max": age_max,
        "may_edit": editor,
        "rule_form": (rule_form or SchoolAgeRuleForm()) if editor else None,
    }
    return render(request, "core/school_calendar.html", context, status=status)


class SchoolCalendarView(LoginRequiredMixin, View):
    def get(self, request):
        return _page(request)


class SchoolYearStartView(CityAdminRequiredMixin, View):
    """POST: start the school year after the current one."""

    refusal = gettext_lazy("Only city administrators may change the school calendar.")

    def post(self, request):
        year = calendar.current_school_year() + 1
        if request.POST.get("school_year") != str(year):  # the page was out of date
            messages.error(
                request,
                _("The next school year to start is %(year)s.")
                % {"year": calendar.school_year_label(year)},
            )
            return HttpResponseRedirect(reverse("school-calendar"))
        try:
            school_year_start(school_year=year, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("School year %(year)s has started.") % {"year": calendar.school_year_label(year)},
            )
        return HttpResponseRedirect(reverse("school-calendar"))


class SchoolAgeRuleCreateView(CityAdminRequiredMixin, View):
    """POST: a new school-age rule from a school year on (earlier rules stay)."""

    refusal = gettext_lazy("Only city administrators may change the school calendar.")

    def post(self, request):
        form = SchoolAgeRuleForm(request.POST)
        if form.is_valid():
            try:
                school_age_rule_add(rule=form.save(commit=False), actor=request.user)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The school-age rule is saved."))
                return HttpResponseRedirect(reverse("school-calendar"))
        return _page(request, rule_form=form, status=200)
