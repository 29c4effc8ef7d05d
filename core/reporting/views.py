"""The report pages: the list per report type, preparing a period's report, a submission's detail
(figures live, as submitted and last period's; comments; history) with its actions, the
completeness and timeliness matrix, and a deadline extension.

Every submission is found through `visible_to(user)`: another county's answers 404, like one that
does not exist. Every action is a button shown only to whoever may take it (core.reporting.
services' may_*), and every refusal reaches the page through core.errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.base import TemplateResponseMixin
from django_tables2 import RequestConfig

from core import errors
from core.errors import RowConflict
from core.models import Region, RegionLevel
from core.reporting import deadlines, selectors, services
from core.reporting.filters import SubmissionFilterSet
from core.reporting.forms import ExtensionForm, NotesForm, RangeForm, ReturnForm
from core.reporting.models import State, Submission
from core.reporting.periods import period_from_key
from core.reporting.registry import get_type, report_types
from core.reporting.tables import SubmissionTable
from core.scoping import county_of


class ReportMixin(LoginRequiredMixin, TemplateResponseMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "report" in kwargs:
            self.report_type = get_type(kwargs["report"])
            if self.report_type is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def base_context(self, **extra) -> dict:
        return {
            "report_type": getattr(self, "report_type", None),
            "report_types": report_types(),
            **extra,
        }


class ReportIndexView(ReportMixin, View):
    """/reports/: the report types (with the weekly report first, usually the only one)."""

    template_name = "core/reporting/index.html"

    def get(self, request):
        types = report_types()
        if len(types) == 1:
            return HttpResponseRedirect(reverse("report-type", args=[types[0].key]))
        return self.render_to_response(self.base_context())


class ReportTypeView(ReportMixin, View):
    """A report type's page: this period (the county's own report, or the counties not yet
    submitted) and every submission the user sees, filtered."""

    template_name = "core/reporting/type.html"

    def get(self, request, report):
        user = request.user
        report_type = self.report_type
        now = deadlines.now()
        current = selectors.current_period(report_type, now)
        rows = selectors.submissions(user, report_type)
        filterset = SubmissionFilterSet(request.GET or None, queryset=rows, request=request)
        filterset.form.fields.pop("report_type", None)
        table = SubmissionTable(filterset.qs)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        county_id = county_of(user)
        own = None
        if county_id is not None:
            own = rows.filter(county_id=county_id, period_start=current.start).first()
        context = self.base_context(
            current=current,
            filter=filterset,
            table=table,
            result_count=table.paginator.count,
            own=own,
            may_prepare=county_id is not None and services.may_prepare(user, county_id),
            prepare_url=reverse("report-prepare", args=[report_type.key, current.key]),
            outstanding=selectors.not_submitted(user, report_type, current, at=now),
            matrix_url=reverse("report-matrix", args=[report_type.key]),
            list_url=reverse("report-type", args=[report_type.key]),
            may_extend=services.may_extend(user),
        )
        return self.render_to_response(context)


class PrepareView(ReportMixin, View):
    """The county's report of a period: the figures computed now, beside last period's, and
    the officer's written fields."""

    template_name = "core/reporting/prepare.html"

    def setup_period(self, request, period_key):
        self.period = period_from_key(self.report_type.cadence, period_key)
        if self.period is None:
            raise Http404
        self.county_id = county_of(request.user)
        if self.county_id is None or not services.may_prepare(request.user, self.county_id):
            raise PermissionDenied(
                _("Only the county's officers and reviewers prepare its report.")
            )
        self.county = get_object_or_404(
            Region.objects.visible_to(request.user), pk=self.county_id, level=RegionLevel.COUNTY
        )
        self.existing = (
            selectors.submissions(request.user, self.report_type)
            .filter(county_id=self.county_id, period_start=self.period.start)
            .first()
        )

    def render_form(self, form):
        sections = selectors.figure_table(
            self.report_type,
            user=self.request.user,
            county=self.county,
            period=self.period,
            submission=self.existing,
        )
        event, _comments = selectors.latest_comments(self.existing) if self.existing else (None, {})
        return self.render_to_response(
            self.base_context(
                period=self.period,
                county=self.county,
                form=form,
                sections=sections,
                submission=self.existing,
                returned=event if self.existing and self.existing.state == State.RETURNED else None,
                cancel_url=self.existing.get_absolute_url()
                if self.existing
                else reverse("report-type", args=[self.report_type.key]),
            )
        )

    def get(self, request, report, period):
        self.setup_period(request, period)
        initial = dict(self.existing.notes) if self.existing else {}
        if self.existing:
            initial["version"] = self.existing.version
        return self.render_form(NotesForm(initial=initial, report_type=self.report_type))

    def post(self, request, report, period):
        self.setup_period(request, period)
        form = NotesForm(request.POST, report_type=self.report_type)
        if form.is_valid():
            notes = {
                field.key: form.cleaned_data.get(field.key, "") for field in self.report_type.fields
            }
            try:
                submission = services.submission_prepare(
                    actor=request.user,
                    report_type=self.report_type,
                    county=self.county,
                    period=self.period,
                    notes=notes,
                    version=form.cleaned_data.get("version") or None,
                )
            except (ValidationError, PermissionDenied, RowConflict) as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("The report is saved."))
                return HttpResponseRedirect(submission.get_absolute_url())
        return self.render_form(form)


class SubmissionDetailView(ReportMixin, View):
    template_name = "core/reporting/submission.html"

    def get_submission(self, request, pk):
        submission = get_object_or_404(
            Submission.objects.visible_to(request.user).select_related(
                "county", "submitted_by", "approved_by", "prepared_by"
            ),
            pk=pk,
        )
        self.report_type = get_type(submission.report_type)
        if self.report_type is None:
            raise Http404
        return submission

    def render_detail(self, submission, return_form=None, open_form=""):
        user = self.request.user
        period = selectors.period_of_submission(self.report_type, submission)
        sections = selectors.figure_table(
            self.report_type,
            user=user,
            county=submission.county,
            period=period,
            submission=submission,
        )
        event, _comments = selectors.latest_comments(submission)
        cell = selectors.cells(user, self.report_type, first=period.start, last=period.start)
        timing = next(
            (
                row["cells"][0]
                for row in cell["rows"]
                if row["county"].pk == submission.county_id and row["cells"]
            ),
            None,
        )
        return_form = return_form or ReturnForm(
            initial={"version": submission.version}, sections=sections
        )
        for section in sections:  # what the city typed comes back with a refused form
            section["typed"] = return_form.data.get(section["comment_field"], "")
            for row in section["rows"]:
                row.typed = return_form.data.get(row.field_name, "")
        state = submission.state
        may_review = (
            services.may_review(user, submission) and county_of(user) != submission.county_id
        )
        context = self.base_context(
            submission=submission,
            period=period,
            sections=sections,
            changes=selectors.changes_since_approval(sections, submission),
            returned=event if state == State.RETURNED else None,
            events=submission.events.select_related("actor").prefetch_related("comments"),
            notes=[
                (field.label, submission.notes.get(field.key, ""))
                for field in self.report_type.fields
            ],
            timing=timing,
            may_edit=state in (State.DRAFT, State.RETURNED)
            and services.may_prepare(user, submission.county_id),
            edit_url=reverse("report-prepare", args=[self.report_type.key, submission.period_key]),
            may_submit=state in (State.DRAFT, State.RETURNED)
            and services.may_submit(user, submission.county_id),
            may_approve=state == State.SUBMITTED and may_review,
            may_return=state == State.SUBMITTED and may_review,
            may_reopen=state == State.APPROVED and may_review,
            return_form=return_form
            or ReturnForm(initial={"version": submission.version}, sections=sections),
            open_form=open_form,
        )
        return self.render_to_response(context)

    def get(self, request, pk):
        return self.render_detail(self.get_submission(request, pk))


class SubmissionActionView(SubmissionDetailView):
    """POST an action: submit, approve, return (with a reason and comments), reopen."""

    ACTIONS = ("submit", "approve", "return", "reopen")

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        submission = self.get_submission(request, pk)
        version = request.POST.get("version")
        try:
            if action == "submit":
                services.submission_submit(
                    actor=request.user, submission=submission, version=version
                )
                messages.success(request, _("The report is submitted to the city."))
            elif action == "approve":
                services.submission_approve(
                    actor=request.user,
                    submission=submission,
                    version=version,
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("The report is approved."))
            else:
                period = selectors.period_of_submission(self.report_type, submission)
                sections = selectors.figure_table(
                    self.report_type,
                    user=request.user,
                    county=submission.county,
                    period=period,
                    submission=submission,
                )
                form = ReturnForm(request.POST, sections=sections)
                if not form.is_valid():
                    return self.render_detail(submission, return_form=form, open_form=action)
                service = (
                    services.submission_return if action == "return" else services.submission_reopen
                )
                try:
                    service(
                        actor=request.user,
                        submission=submission,
                        version=form.cleaned_data["version"],
                        reason=form.cleaned_data["reason"],
                        comments=form.comments(),
                    )
                except ValidationError as error:
                    errors.add_to_form(form, error)
                    return self.render_detail(submission, return_form=form, open_form=action)
                messages.success(request, _("The report is sent back to the county."))
        except (ValidationError, PermissionDenied, RowConflict) as error:
            errors.add_to_messages(request, error)
        return HttpResponseRedirect(submission.get_absolute_url())


class MatrixView(ReportMixin, View):
    """Counties × periods: each cell's state and timeliness, each county's rate (on time ÷ due)
    over the range, and the counties that have not submitted the current period."""

    template_name = "core/reporting/matrix.html"

    def get(self, request, report):
        report_type = self.report_type
        now = deadlines.now()
        first, last = selectors.default_range(report_type, now)
        form = RangeForm(request.GET or None, initial={"first": first, "last": last})
        if request.GET:
            if form.is_valid():
                first, last = form.cleaned_data["first"], form.cleaned_data["last"]
            else:
                first = last = None
        matrix = (
            selectors.cells(request.user, report_type, first=first, last=last, at=now)
            if first is not None
            else {"periods": [], "rows": [], "current": selectors.current_period(report_type, now)}
        )
        context = self.base_context(
            form=form,
            matrix=matrix,
            outstanding=selectors.not_submitted(request.user, report_type, at=now),
            current=matrix["current"],
            list_url=reverse("report-type", args=[report_type.key]),
            may_extend=services.may_extend(request.user),
            legend=selectors.legend(),
        )
        return self.render_to_response(context)


class ExtendDeadlineView(ReportMixin, View):
    """A city administrator moves one county's due time for one period, with a reason."""

    template_name = "core/reporting/extend.html"

    def check(self, request):
        if not services.may_extend(request.user):
            raise PermissionDenied(_("Only a city administrator extends a deadline."))

    def form(self, data=None):
        counties = Region.objects.visible_to(self.request.user).filter(level=RegionLevel.COUNTY)
        initial = {"period": self.request.GET.get("period", "")}
        if self.request.GET.get("county", "").isdigit():
            initial["county"] = self.request.GET["county"]
        return ExtensionForm(data, initial=initial, report_type=self.report_type, counties=counties)

    def get(self, request, report):
        self.check(request)
        return self.render_to_response(self.base_context(form=self.form()))

    def post(self, request, report):
        self.check(request)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.deadline_extend(
                    actor=request.user,
                    report_type=self.report_type,
                    county=form.cleaned_data["county"],
                    period=form.cleaned_data["period"],
                    due_at=form.cleaned_data["due_at"],
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("The deadline is extended."))
                return HttpResponseRedirect(reverse("report-matrix", args=[self.report_type.key]))
        return self.render_to_response(self.base_context(form=form))
