"""Pages of dropout control beyond the generic ledger pages: the area dashboard, a round's page,
a case's page with its actions, starting a round, responsibility coverage and the rates.

Every row is obtained through `visible_to(user)`; a row outside the user's scope answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core import calendar
from core.attachments.models import Attachment
from core.errors import add_to_form
from core.forms import SchoolYearForm
from core.job_views import visible_jobs
from core.models import Region, RegionLevel, Student
from core.scoping import can_edit, is_city_admin, require_city_admin
from core.views import LedgerDetailView
from dropout import selectors, services
from dropout.forms import (
    CaseActionForm,
    CaseCloseForm,
    CaseOpenForm,
    CaseResolveForm,
    RoundStartForm,
)
from dropout.models import (
    CaseAction,
    CaseStatus,
    DropoutCase,
    Exemption,
    OutOfCityEnrolment,
    ScreeningResult,
    ScreeningRound,
    case_due_days,
)


def _county_param(request):
    """The `county` query parameter as a county the user sees; None when absent or not visible."""
    raw = request.GET.get("county", "")
    if not raw.isdigit():
        return None
    return (
        Region.objects.visible_to(request.user)
        .filter(level=RegionLevel.COUNTY, pk=int(raw))
        .first()
    )


def _year_form(request) -> SchoolYearForm:
    """The school-year control of the dashboard and the rates: the years with rounds or settled
    figures, and the current one; by default the newest finished round's year."""
    return SchoolYearForm(
        request.GET,
        years=selectors.school_years(request.user),
        default=selectors.latest_school_year(request.user),
    )


def may_open_case(user) -> bool:
    """May the user open a case by hand (CaseOpenView's and case_open's check)?"""
    return can_edit(user, DropoutCase)


class DashboardView(LoginRequiredMixin, View):
    """The area's landing page: rounds and person-times, cases, rates, coverage, spot checks."""

    def get(self, request):
        county = _county_param(request)
        year_form = _year_form(request)
        data = selectors.dashboard(user=request.user, county=county, school_year=year_form.year())
        age_min, age_max = calendar.school_age_range(data["school_year"])
        context = {
            "data": data,
            "year_form": year_form,
            "age_min": age_min,
            "age_max": age_max,
            "may_start_round": is_city_admin(request.user),
            "may_open_case": may_open_case(request.user),
            "counties": selectors.visible_counties(request.user),
        }
        return render(request, "dropout/dashboard.html", context)


class RoundStartView(LoginRequiredMixin, View):
    """City administrators start a round; they are taken to its job page to watch it run."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_city_admin(request.user, services.ROUND_REFUSED)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form):
        age_min, age_max = calendar.school_age_range()
        return render(
            request,
            "dropout/round_start.html",
            {
                "form": form,
                "age_min": age_min,
                "age_max": age_max,
                "submit_label": _("Start the round"),
            },
        )

    def get(self, request):
        return self._render(request, RoundStartForm())

    def post(self, request):
        form = RoundStartForm(request.POST)
        if form.is_valid():
            try:
                screening_round = services.round_start(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("The round %(name)s has started.") % {"name": screening_round.name},
                )
                return HttpResponseRedirect(screening_round.job.get_absolute_url())
        return self._render(request, form)


class RoundDetailView(LedgerDetailView):
    """A round: person-times, classes, counties, changes since the previous round, its job."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        screening_round = self.object
        context["figures"] = selectors.round_figures(
            screening_round=screening_round, user=self.request.user
        )
        job = visible_jobs(self.request.user).filter(pk=screening_round.job_id).first()
        context["job"] = job
        context["live"] = job.live() if job else None
        context["cumulative"] = selectors.cumulative(
            user=self.request.user, school_year=screening_round.school_year
        )
        context["may_start_round"] = is_city_admin(self.request.user)
        return context


class CaseDetailView(LedgerDetailView):
    """A case: what the rounds found, its actions (with attachments), resolve and close."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        user = self.request.user
        actions = list(
            CaseAction.objects.visible_to(user).filter(case=case).select_related("actor")
        )
        files = Attachment.objects.visible_to(user).filter(
            content_type=ContentType.objects.get_for_model(CaseAction),
            object_id__in=[a.pk for a in actions],
        )
        by_action: dict[int, list] = {}
        for item in files:
            by_action.setdefault(item.object_id, []).append(item)
        for item in actions:
            item.files = by_action.get(item.pk, [])
        editable = can_edit(user, DropoutCase)
        is_reviewer = services.is_county_reviewer_for(user, case.county_id)
        # The outcomes "enrolled elsewhere" and "exempt" need their evidence recorded first:
        # the resolve form links the pages that record it.
        evidence = [
            (reverse(f"{model._meta.model_name}-create"), model._meta.verbose_name)
            for model in (OutOfCityEnrolment, Exemption)
            if can_edit(user, model)
        ]
        context.update(
            actions=actions,
            action_form=kwargs.get("action_form") or CaseActionForm(),
            resolve_form=kwargs.get("resolve_form") or CaseResolveForm(user=user),
            may_act=editable and case.status != CaseStatus.CLOSED,
            may_resolve=editable and case.status == CaseStatus.OPEN,
            evidence_links=evidence,
            may_close=case.can_be_closed and is_reviewer,
            is_reviewer=is_reviewer,
            close_form=kwargs.get("close_form") or CaseCloseForm(),
            # What the registry (as far as the user sees it) says of the child now: what the
            # reviewer checks before closing a case no round confirmed.
            registry=Student.objects.visible_to(user)
            .filter(id_number=case.id_number)
            .select_related("school")
            .first()
            if case.closes_on_verification
            else None,
            results=ScreeningResult.objects.visible_to(user)
            .filter(  # by (round, ID number): the results table's one index
                round__in=ScreeningRound.objects.filter(counties=case.county_id).values("pk"),
                id_number=case.id_number,
            )
            .select_related("round", "school")
            .order_by("round__screening_date", "round_id"),
            earlier_cases=DropoutCase.objects.visible_to(user)
            .filter(id_number=case.id_number)
            .exclude(pk=case.pk)
            .order_by("-opened_on"),
            due_days=case_due_days(),
            can_edit=False,  # the generic edit/delete buttons: a case changes through its actions
        )
        return context


class CaseOperationView(CaseDetailView):
    """POST handlers of the case page; on an error the page comes back with the form."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            return self.operate(request, self.object)
        except PermissionDenied:
            raise
        except ValidationError as error:
            return self.refused(error)

    def refused(self, error, **forms):
        if not forms:
            for message in error.messages:
                messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(object=self.object, **forms))

    def done(self, message):
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("dropoutcase-detail", args=[self.object.pk]))


class CaseActionAddView(CaseOperationView):
    def operate(self, request, case):
        form = CaseActionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.refused(None, action_form=form)
        try:
            services.case_action_add(
                case=case,
                date=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                uploads=form.cleaned_data["files"],
                actor=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
            return self.refused(error, action_form=form)
        return self.done(_("Action recorded."))


class CaseResolveView(CaseOperationView):
    def operate(self, request, case):
        form = CaseResolveForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.refused(None, resolve_form=form)
        try:
            services.case_resolve(
                case=case,
                outcome=form.cleaned_data["outcome"],
                return_school=form.cleaned_data["return_school"],
                return_date=form.cleaned_data["return_date"],
                note=form.cleaned_data["outcome_note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
            return self.refused(error, resolve_form=form)
        if case.opened_by_hand:
            return self.done(
                _("Case resolved. The county reviewer verifies the outcome and closes the case.")
            )
        return self.done(
            _("Case resolved. A reviewer can close it once the next screening round confirms it.")
        )


class CaseCloseView(CaseOperationView):
    def operate(self, request, case):
        form = CaseCloseForm(request.POST)
        if not form.is_valid():
            return self.refused(None, close_form=form)
        try:
            services.case_close(case=case, note=form.cleaned_data["close_note"], actor=request.user)
        except ValidationError as error:
            add_to_form(form, error)
            return self.refused(error, close_form=form)
        return self.done(_("Case closed."))


class CaseOpenView(LoginRequiredMixin, View):
    """Open a case by hand (a report from a village or a school)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_open_case(request.user):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, "dropout/case_open.html", {"form": CaseOpenForm(user=request.user)})

    def post(self, request):
        form = CaseOpenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                case = services.case_open(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Case opened."))
                return HttpResponseRedirect(case.get_absolute_url())
        return render(request, "dropout/case_open.html", {"form": form})


class CoverageView(LoginRequiredMixin, View):
    """Dual-line responsibility: the townships that lack either line."""

    def get(self, request):
        county = _county_param(request)
        return render(
            request,
            "dropout/coverage.html",
            {
                "coverage": selectors.coverage(user=request.user, county=county),
                "county": county,
                "counties": selectors.visible_counties(request.user),
            },
        )


class RatesView(LoginRequiredMixin, View):
    """Dropout and consolidation rates per county, urban/rural and stage, with their formulas."""

    def get(self, request):
        county = _county_param(request)
        year_form = _year_form(request)
        school_year = year_form.year()
        return render(
            request,
            "dropout/rates.html",
            {
                "year_form": year_form,
                "rates": selectors.rates_table(
                    user=request.user, school_year=school_year, county=county
                ),
                "county": county,
                "counties": selectors.visible_counties(request.user),
            },
        )
