"""Pages of student aid beyond the generated ledger pages: the area dashboard, the three checks
(lists with export and a reason per row), the city's programmes and standards, and two actions
(seed the out-of-area list from the dropout ledger; log a contact from a student's page).

Every queryset starts from visible_to(user) (directly or through aid.selectors); a row that is
not the user's answers 404.
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aid import selectors, services
from aid.forms import (
    AidProgrammeForm,
    AidStandardForm,
    CheckNoteForm,
    ContactLogForm,
    PeriodForm,
)
from aid.models import (
    AidProgramme,
    AidStandard,
    CheckKind,
    ContactLog,
    Disbursement,
    OutOfAreaStudent,
    RecipientCategory,
    Term,
)
from core import audit
from core import forms as core_forms
from core import services as core_services
from core.errors import add_to_messages
from core.links import safe_next
from core.models import AuditEvent, Region, Student
from core.scoping import can_edit, is_city_admin
from core.views import CityAdminRequiredMixin

# --- Dashboard ---------------------------------------------------------------------------------


class DashboardForm(core_forms.DashboardForm):
    """The school year, the county (for a city user) and the recipient category."""

    category = forms.ChoiceField(label=gettext_lazy("recipient category"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All")), *RecipientCategory.choices]
        self.fields["category"].widget.attrs["class"] = "form-select form-select-sm"


class AidDashboardView(LoginRequiredMixin, View):
    """The area's landing page: figures for the user's scope, each linking to its rows."""

    def get(self, request):
        user = request.user
        form = DashboardForm(
            request.GET,
            user=user,
            years=selectors.dashboard_years(user),
            default=selectors.latest_school_year(user),
        )
        if form.is_valid():
            params = form.cleaned_data
            figures = selectors.summary(
                user=user,
                county=params.get("county"),
                school_year=params["school_year"],
                category=params.get("category") or "",
            )
        else:  # an invalid filter shows nothing, never the wider figures
            figures = selectors.summary(user=user, county=Region(pk=0))
        context = {
            "form": form,
            "figures": figures,
            "charts": selectors.chart_data(figures),
            "area_nav": "dashboard",
            "can_edit": can_edit(user),
        }
        return render(request, "aid/dashboard.html", context)


# --- The checks: their pages are check lists (aid/checks.py); here the reason of a row ----


class CheckNoteView(LoginRequiredMixin, View):
    """POST a reason on one check row (the row by its id, never by ID number)."""

    def post(self, request):
        if not can_edit(request.user):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        check = request.POST.get("check")
        if check not in CheckKind.values:
            return HttpResponse(status=400)
        period = PeriodForm(request.POST, years=selectors.dashboard_years(request.user))
        if not period.is_valid():
            return HttpResponse(status=400)
        model = Student if check == CheckKind.GAP else Disbursement
        row = get_object_or_404(
            model.objects.visible_to(request.user).select_related("school"),
            pk=request.POST.get("row") if str(request.POST.get("row", "")).isdigit() else 0,
        )
        form = CheckNoteForm(request.POST)
        saved = False
        if form.is_valid():
            services.check_note_record(
                actor=request.user,
                check=check,
                row=row,
                school_year=period.cleaned_data["school_year"],
                term=period.cleaned_data["term"],
                reason=form.cleaned_data["reason"],
            )
            saved = True
        if request.headers.get("HX-Request"):
            row.reason = form.cleaned_data.get("reason") if saved else request.POST.get("reason")
            context = {
                "record": row,
                "table": SimpleNamespace(
                    check_kind=check,
                    school_year=period.cleaned_data["school_year"],
                    term=period.cleaned_data["term"],
                ),
                "form_errors": form.errors.get("reason"),
                "saved": saved,
                "next": request.POST.get("next", ""),
                "can_edit": True,
            }
            return render(request, "aid/_check_note_form.html", context)
        if saved:
            messages.success(request, _("Reason saved."))
        else:
            messages.error(request, " ".join(form.errors.get("reason", [])))
        return HttpResponseRedirect(safe_next(request, reverse("aid-dashboard")))


# --- Out-of-area actions -----------------------------------------------------------------------


class OutOfAreaSeedView(LoginRequiredMixin, View):
    """Add the children of the dropout ledger's out-of-city evidence to the out-of-area list."""

    def post(self, request):
        if not can_edit(request.user, OutOfAreaStudent):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        result = services.out_of_area_seed_from_dropout(actor=request.user)
        messages.success(
            request,
            _(
                "%(created)s students added from the out-of-city enrolment evidence "
                "(%(existing)s were already on the list)."
            )
            % result,
        )
        return HttpResponseRedirect(reverse("outofareastudent-list"))


class ContactAddView(LoginRequiredMixin, View):
    """Log a contact from the out-of-area student's page."""

    def post(self, request, pk):
        if not can_edit(request.user, ContactLog):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        student = get_object_or_404(OutOfAreaStudent.objects.visible_to(request.user), pk=pk)
        data = request.POST.copy()
        data["student"] = str(student.pk)
        form = ContactLogForm(data, user=request.user)
        if form.is_valid():
            try:
                core_services.row_create(actor=request.user, row=form.save(commit=False))
            except (ValidationError, PermissionDenied) as error:
                add_to_messages(request, error)
            else:
                messages.success(request, _("Contact logged."))
        else:
            errors = [
                f"{form.fields[name].label}: {' '.join(e)}"
                for name, e in form.errors.items()
                if name in form.fields
            ] + list(form.non_field_errors())
            messages.error(request, "；".join(errors))
        return HttpResponseRedirect(student.get_absolute_url())


# --- Programmes and standards (the city's reference data) --------------------------------------


class CityAdminMixin(CityAdminRequiredMixin):
    refusal = services.PROGRAMMES_REFUSED


class ProgrammeListView(LoginRequiredMixin, View):
    """Every programme with its standard per school year and term (a matrix)."""

    def get(self, request):
        programmes = list(AidProgramme.objects.visible_to(request.user))
        standards = AidStandard.objects.visible_to(request.user)
        years = sorted({s.school_year for s in standards}, reverse=True)
        amounts = {(s.programme_id, s.school_year, s.term): s for s in standards}
        columns = [(year, term, label) for year in years for term, label in Term.choices]
        rows = [
            {
                "programme": programme,
                "cells": [amounts.get((programme.pk, year, term)) for year, term, _l in columns],
            }
            for programme in programmes
        ]
        return render(
            request,
            "aid/programme_list.html",
            {
                "rows": rows,
                "columns": columns,
                "may_edit": is_city_admin(request.user),
                "area_nav": "programmes",
            },
        )


class ProgrammeDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        programme = get_object_or_404(AidProgramme.objects.visible_to(request.user), pk=pk)
        standards = programme.standards.order_by("-school_year", "term")
        history = audit.history_for(programme, request.user)
        standard_history = audit.readable(
            AuditEvent.objects.filter(
                ledger=audit.ledger_label(AidStandard),
                object_id__in=[str(pk) for pk in standards.values_list("pk", flat=True)],
            )
            .select_related("actor")
            .order_by("-at")[:100]
        )
        return render(
            request,
            "aid/programme_detail.html",
            {
                "programme": programme,
                "standards": standards,
                "history": history,
                "standard_history": standard_history,
                "may_edit": is_city_admin(request.user),
                "area_nav": "programmes",
            },
        )


class _CityFormView(CityAdminMixin, LoginRequiredMixin, View):
    """A city administrator's form for a programme or a standard: a new one, or (with a pk in
    the URL) the row it edits."""

    form_class = None
    title = ""

    def get_object(self, pk):
        if pk is None:
            return None
        model = self.form_class._meta.model
        return get_object_or_404(model.objects.visible_to(self.request.user), pk=pk)

    def initial(self, request):
        return {}

    def render_form(self, request, form, obj):
        return render(
            request,
            "aid/city_form.html",
            {
                "form": form,
                "title": self.title,
                "object": obj,
                "cancel_url": self.cancel_url(obj, form),
                "area_nav": "programmes",
            },
        )

    def cancel_url(self, obj, form):
        return obj.get_absolute_url() if obj is not None else reverse("aid-programme-list")

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(instance=obj, initial=self.initial(request))
        return self.render_form(request, form, obj)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(request, form, obj)
        saved = self.write(form.save(commit=False), request.user)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class ProgrammeCreateView(_CityFormView):
    form_class = AidProgrammeForm
    title = gettext_lazy("New aid programme")

    def write(self, programme, actor):
        return services.programme_save(programme=programme, actor=actor)


class ProgrammeUpdateView(ProgrammeCreateView):
    title = gettext_lazy("Edit aid programme")


class StandardCreateView(_CityFormView):
    form_class = AidStandardForm
    title = gettext_lazy("New aid standard")

    def initial(self, request):
        programme = request.GET.get("programme", "")
        return {"programme": programme} if programme.isdigit() else {}

    def write(self, standard, actor):
        return services.standard_save(standard=standard, actor=actor)


class StandardUpdateView(StandardCreateView):
    title = gettext_lazy("Edit aid standard")


class StandardDeleteView(CityAdminMixin, LoginRequiredMixin, View):
    def post(self, request, pk):
        standard = get_object_or_404(AidStandard.objects.visible_to(request.user), pk=pk)
        target = standard.get_absolute_url()
        services.standard_delete(standard=standard, actor=request.user)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(target)
