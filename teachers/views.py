"""Pages of teacher staffing beyond the generated ledger pages: the dashboard, a teacher's ID
number revealed (logged), and the city's reference data — the staffing standard and the training
programmes (everyone reads, city administrators change).

Every queryset starts from visible_to(user) (directly or through teachers.selectors); a row that
is not the user's answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import audit
from core.errors import add_to_form
from core.forms import DashboardForm
from core.models import AuditAction, Region
from core.scoping import is_city_admin
from teachers import selectors, services
from teachers.forms import StaffingStandardForm, TrainingProgrammeForm
from teachers.models import StaffingStandard, Teacher, TrainingProgramme

# --- Dashboard ---------------------------------------------------------------------------------


class TeachersDashboardView(LoginRequiredMixin, View):
    """The area's landing page: figures for the user's scope and year, each linking to its rows.
    The year is the school year's first: the plans of 2023 staff the 2023–2024 school year, and
    the continuing education of 2023 is that year's."""

    def get(self, request):
        user = request.user
        form = DashboardForm(
            request.GET, user=user, years=selectors.years(user), default=selectors.latest_year(user)
        )
        if form.is_valid():
            figures = selectors.summary(
                user, county=form.cleaned_data.get("county"), year=form.cleaned_data["school_year"]
            )
        else:  # an invalid filter shows nothing, never the wider figures
            figures = selectors.summary(user, county=Region(pk=0))
        context = {
            "form": form,
            "figures": figures,
            "charts": selectors.chart_data(figures),
            "area_nav": "dashboard",
        }
        return render(request, "teachers/dashboard.html", context)


# --- A teacher's ID number, revealed ----------------------------------------------------------


class TeacherRevealIdView(LoginRequiredMixin, View):
    """POST only (the number never travels in a URL); permission checked; every reveal logged."""

    ledger = None

    def post(self, request, pk):
        teacher = get_object_or_404(Teacher.objects.visible_to(request.user), pk=pk)
        if not request.user.can_reveal_ids:
            raise PermissionDenied(_("Your role may not reveal ID numbers."))
        audit.record(actor=request.user, action=AuditAction.REVEAL, obj=teacher)
        response = render(request, "core/_revealed_id.html", {"id_number": teacher.id_number})
        response["Cache-Control"] = "no-store"
        return response


# --- The city's reference data: everyone reads, city administrators change --------------------


class _Reference:
    model = None
    form_class = None
    save = None  # the service: save(row, actor)
    refused = ""
    list_name = ""
    template = ""
    nav = ""
    create_title = ""
    edit_title = ""


class StandardRef(_Reference):
    model = StaffingStandard
    form_class = StaffingStandardForm
    refused = services.STANDARD_REFUSED
    list_name = "teachers-standards"
    template = "teachers/standards.html"
    nav = "standards"
    create_title = gettext_lazy("New staffing standard")
    edit_title = gettext_lazy("Edit staffing standard")

    @staticmethod
    def save(row, actor):
        return services.standard_save(standard=row, actor=actor)


class ProgrammeRef(_Reference):
    model = TrainingProgramme
    form_class = TrainingProgrammeForm
    refused = services.PROGRAMMES_REFUSED
    list_name = "teachers-programmes"
    template = "teachers/programmes.html"
    nav = "programmes"
    create_title = gettext_lazy("New training programme")
    edit_title = gettext_lazy("Edit training programme")

    @staticmethod
    def save(row, actor):
        return services.programme_save(programme=row, actor=actor)


class ReferenceListView(LoginRequiredMixin, View):
    ref = _Reference

    def get(self, request):
        rows = self.ref.model.objects.visible_to(request.user).select_related("set_by")
        context = {"rows": rows, "may_edit": is_city_admin(request.user), "area_nav": self.ref.nav}
        return render(request, self.ref.template, context)


class ReferenceFormView(LoginRequiredMixin, View):
    ref = _Reference

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_city_admin(request.user):
            raise PermissionDenied(self.ref.refused)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk):
        if pk is None:
            return None
        return get_object_or_404(self.ref.model.objects.visible_to(self.request.user), pk=pk)

    def render_form(self, request, form, obj):
        context = {
            "form": form,
            "title": self.ref.edit_title if obj else self.ref.create_title,
            "object": obj,
            "cancel_url": reverse(self.ref.list_name),
            "list_url": reverse(self.ref.list_name),
            "list_title": self.ref.model._meta.verbose_name_plural,
            "area_nav": self.ref.nav,
        }
        return render(request, "teachers/reference_form.html", context)

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        return self.render_form(request, self.ref.form_class(instance=obj), obj)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.ref.form_class(request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(request, form, obj)
        try:
            self.ref.save(form.save(commit=False), request.user)
        except (ValidationError, PermissionDenied) as error:
            add_to_form(form, error)
            return self.render_form(request, form, obj)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse(self.ref.list_name))
