"""Pages of school conditions beyond the generated ledger pages: the dashboard, the preschool
network, the city's funding quotas, the reason on an under-funded school, an inspection's page
with its findings (recording one opens its rectification) and a rectification's steps.

Every queryset starts from visible_to(user) (directly or through facilities.selectors); a row
that is not the user's answers 404.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import add_to_form, add_to_messages
from core.forms import DashboardForm
from core.links import safe_next
from core.models import Region, RegionLevel
from core.scoping import can_edit, is_city_admin, school_of
from core.views import LedgerDetailView
from facilities import selectors, services
from facilities.forms import FindingForm, FundingNoteForm, FundingRateForm, RectificationStepForm
from facilities.models import (
    FundingRate,
    Rectification,
    RectificationStatus,
    ToiletFinding,
    ToiletInspection,
)

# --- Dashboard ---------------------------------------------------------------------------------


class FacilitiesDashboardView(LoginRequiredMixin, View):
    """The area's landing page: figures for the user's scope, each linking to its rows."""

    def get(self, request):
        user = request.user
        form = DashboardForm(
            request.GET,
            user=user,
            years={*selectors.funding_years(user), *selectors.project_years(user)},
            default=selectors.latest_funding_year(user),
        )
        if form.is_valid():
            figures = selectors.summary(
                user,
                county=form.cleaned_data.get("county"),
                school_year=form.cleaned_data["school_year"],
            )
        else:  # an invalid filter shows nothing, never the wider figures
            figures = selectors.summary(user, county=Region(pk=0))
        context = {
            "form": form,
            "figures": figures,
            "charts": selectors.chart_data(figures),
            "area_nav": "dashboard",
        }
        return render(request, "facilities/dashboard.html", context)


class NetworkView(LoginRequiredMixin, View):
    """The county–township–village preschool network of the user's scope."""

    def get(self, request):
        county = None
        if str(request.GET.get("county", "")).isdigit():
            county = get_object_or_404(
                Region.objects.visible_to(request.user).filter(level=RegionLevel.COUNTY),
                pk=request.GET["county"],
            )
        context = {
            "network": selectors.network(request.user, county),
            "county": county,
            "area_nav": "network",
        }
        return render(request, "facilities/network.html", context)


# --- Funding quotas: everyone reads, city administrators change -------------------------------


class RateListView(LoginRequiredMixin, View):
    def get(self, request):
        rates = FundingRate.objects.visible_to(request.user).select_related("set_by")
        context = {
            "rates": rates,
            "may_edit": is_city_admin(request.user),
            "area_nav": "rates",
        }
        return render(request, "facilities/rates.html", context)


class CityAdminMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_city_admin(request.user):
            raise PermissionDenied(services.RATES_REFUSED)
        return super().dispatch(request, *args, **kwargs)


class RateFormView(CityAdminMixin, LoginRequiredMixin, View):
    title = gettext_lazy("New funding quotas")

    def get_object(self, pk):
        if pk is None:
            return None
        return get_object_or_404(FundingRate.objects.visible_to(self.request.user), pk=pk)

    def render_form(self, request, form, obj):
        return render(
            request,
            "facilities/rate_form.html",
            {
                "form": form,
                "title": self.title,
                "object": obj,
                "cancel_url": reverse("facilities-rates"),
                "area_nav": "rates",
            },
        )

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        return self.render_form(request, FundingRateForm(instance=obj), obj)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = FundingRateForm(request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(request, form, obj)
        try:
            services.funding_rate_save(rate=form.save(commit=False), actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            add_to_form(form, error)
            return self.render_form(request, form, obj)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("facilities-rates"))


class RateUpdateView(RateFormView):
    title = gettext_lazy("Edit funding quotas")


# --- The reason on an under-funded school -------------------------------------------------


class FundingNoteView(LoginRequiredMixin, View):
    """POST the reason on one school of the under-funded list (the school by its id)."""

    def post(self, request):
        from facilities.models import FundingNote

        if not can_edit(request.user, FundingNote):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        form = FundingNoteForm(request.POST, user=request.user)
        if not form.is_valid():
            if "school" in form.errors:
                return HttpResponse(status=404)
            messages.error(request, " ".join(m for e in form.errors.values() for m in e))
            return HttpResponseRedirect(safe_next(request, reverse("facilities-underfunded")))
        data = form.cleaned_data
        try:
            services.funding_note_save(
                school=data["school"],
                school_year=data["school_year"],
                reason=data["reason"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            add_to_messages(request, error)
            return HttpResponseRedirect(safe_next(request, reverse("facilities-underfunded")))
        if request.headers.get("HX-Request"):
            record = SimpleNamespace(
                pk=data["school"].pk, school_id=data["school"].pk, reason=data["reason"]
            )
            context = {
                "record": record,
                "table": SimpleNamespace(school_year=data["school_year"]),
                "saved": True,
                "next": request.POST.get("next", ""),
                "can_edit": True,
            }
            return render(request, "facilities/_funding_note_form.html", context)
        messages.success(request, _("Reason saved."))
        return HttpResponseRedirect(safe_next(request, reverse("facilities-underfunded")))


# --- Inspections and their findings ----------------------------------------------------------


def may_record_findings(user) -> bool:
    """County and city users who may write; school officers log, they do not inspect."""
    return can_edit(user, ToiletFinding) and school_of(user) is None


class InspectionDetailView(LedgerDetailView):
    template_name = "facilities/toiletinspection_detail.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["findings"] = (
            ToiletFinding.objects.visible_to(user)
            .filter(inspection=self.object)
            .select_related("rectification")
        )
        context["may_record"] = may_record_findings(user)
        context["finding_form"] = kwargs.get("finding_form") or FindingForm()
        return context


class FindingRecordView(InspectionDetailView):
    """POST a finding of the inspection; its rectification item is opened with it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not may_record_findings(request.user):
            raise PermissionDenied(_("Findings are recorded by the county or the city."))
        form = FindingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rectification = services.finding_record(
                    inspection=self.object,
                    finding=form.save(commit=False),
                    responsible_unit=data["responsible_unit"],
                    deadline=data["deadline"],
                    measures=data["measures"],
                    photos=data["photos"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Finding recorded; its rectification is open."))
                return HttpResponseRedirect(rectification.get_absolute_url())
        return self.render_to_response(self.get_context_data(finding_form=form))


class RectificationDetailView(LedgerDetailView):
    template_name = "facilities/rectification_detail.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        item = self.object
        editable = can_edit(user, Rectification)
        verifier = (
            editable
            and school_of(user) is None
            and (item.submitted_by_id is None or item.submitted_by_id != user.pk)
        )
        context.update(
            step_form=kwargs.get("step_form") or RectificationStepForm(),
            may_start=editable
            and item.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED),
            may_submit=editable
            and item.status
            in (
                RectificationStatus.OPEN,
                RectificationStatus.RECTIFYING,
                RectificationStatus.RETURNED,
            ),
            may_verify=verifier and item.status == RectificationStatus.SUBMITTED,
            submitted_by_me=item.submitted_by_id == user.pk,
            has_after_photo=services.has_after_photo(item),
            finding=item.finding,
        )
        return context


class RectificationStepView(RectificationDetailView):
    """POST one step of the rectification: start, submit, verify or return."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from facilities.api import run_step

        self.object = self.get_object()
        form = RectificationStepForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run_step(
                    rectification=self.object,
                    step=data["step"],
                    measures=data["measures"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                add_to_form(form, error)
            else:
                done = {
                    "start": _("Rectification started."),
                    "submit": _("Submitted for verification."),
                    "verify": _("Verified and closed."),
                    "return": _("Returned for more work."),
                }[data["step"]]
                messages.success(request, done)
                return HttpResponseRedirect(self.object.get_absolute_url())
        self.object.refresh_from_db()
        return self.render_to_response(self.get_context_data(step_form=form))


__all__ = ["ToiletInspection"]
