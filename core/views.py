"""Generic ledger pages (configured by a Ledger declaration), the home page and user management.

Every queryset here starts from `visible_to(user)`; a row outside the user's scope answers 404,
exactly like a row that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django.views.generic.edit import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import areas, audit, calendar, errors, exports, selectors, services, todo
from core.errors import RowConflict, VersionConflict
from core.filters import IdNumberSearchMixin
from core.forms import PasswordResetByAdminForm, UserCreateForm, UserFilterForm, UserUpdateForm
from core.models import AuditAction, AuditEvent, Student, User
from core.scoping import can_edit, ensure_in_scope, is_city_admin, sees_everything
from core.tables import shows_id_numbers


class LedgerMixin(LoginRequiredMixin):
    ledger = None  # set by Ledger.urlpatterns()

    def get_queryset(self):
        queryset = self.ledger.model.objects.visible_to(self.request.user)
        if self.ledger.select_related:
            queryset = queryset.select_related(*self.ledger.select_related)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.ledger.model._meta
        context.update(
            ledger=self.ledger,
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            can_edit=can_edit(self.request.user, self.ledger.model) and self.ledger.editable,
            list_url=reverse(self.ledger.url_name("list")),
        )
        return context


class EditPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_edit(request.user, self.ledger.model):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        """The row to change or delete: one the user may write, not merely see (a ledger whose
        rows a county also reads through its schools: the other county's or the city's row
        answers 403 before any form is shown)."""
        row = super().get_object(queryset)
        if hasattr(row, "scope_field"):
            ensure_in_scope(self.request.user, row)
        return row


class LedgerListView(IdNumberSearchMixin, LedgerMixin, SingleTableMixin, FilterView):
    template_name = "core/ledger_list.html"
    strict = False

    def get_filterset_class(self):
        return self.ledger.filterset

    def get_table_class(self):
        return self.ledger.table

    def get_table_pagination(self, table):
        return {"per_page": 50}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["result_count"] = (
            context["table"].paginator.count
            if hasattr(context["table"], "paginator")
            else len(context["table"].rows)
        )
        # A list whose count needs saying what it counts says so (its filterset's count_text).
        count_text = getattr(context.get("filter"), "count_text", None)
        context["result_text"] = count_text(context["result_count"]) if count_text else ""
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_url"] = reverse(self.ledger.url_name("export")) + (
            "?" + query.urlencode() if query else ""
        )
        context["list_actions"] = [
            (reverse(action.url_name), action)
            for action in self.ledger.list_actions
            if action.allowed(self.request.user)
        ]
        context["may_export_unmasked"] = self.request.user.can_reveal_ids and shows_id_numbers(
            context["table"]
        )
        return context


class LedgerExportView(LedgerMixin, View):
    """The filtered rows, all pages, in the table's order, as .xlsx (ID numbers masked).

    Up to EXPORT_MAX_ROWS_INLINE rows are sent at once; more run as a job to download when ready.
    """

    def get(self, request):
        return exports.export_response(request, self.ledger)

    def post(self, request):
        """The same export with the ID numbers in full (the reveal right; audited as a reveal)."""
        return exports.export_response(request, self.ledger, reveal_ids=True)


class LedgerDetailView(LedgerMixin, DetailView):
    template_name = "core/ledger_detail.html"

    def get_template_names(self):
        meta = self.ledger.model._meta
        return [f"{meta.app_label}/{meta.model_name}_detail.html", self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        names = self.ledger.detail_fields or [
            f.name for f in obj._meta.concrete_fields if not f.primary_key
        ]
        rows = []
        for name in names:
            field = obj._meta.get_field(name)
            if name == "id_number":
                value = obj.masked_id
            elif name == "birth_date":  # the age only: beside the masked number a date rebuilds it
                rows.append(
                    ("age", _("age"), calendar.age(obj.birth_date, on=calendar.age_day(obj)))
                )
                continue
            elif getattr(field, "choices", None):
                value = getattr(obj, f"get_{name}_display")()
            elif calendar.is_school_year_field(field) and getattr(obj, name):
                value = calendar.school_year_label(getattr(obj, name))
            else:
                value = getattr(obj, name)
            rows.append((name, field.verbose_name, value))
        context["fields"] = rows
        context["history"] = audit.history_for(obj, self.request.user)
        return context


class LedgerFormMixin(EditPermissionMixin, LedgerMixin):
    template_name = "core/ledger_form.html"

    def get_form_class(self):
        return self.ledger.form

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save_scoped(self, form):
        """Save through the write door (core.services); a refusal comes back on the form."""
        row = form.save(commit=False)
        try:
            with transaction.atomic():
                if row.pk:
                    version = form.cleaned_data.get("row_version")
                    services.row_update(actor=self.request.user, row=row, version=version)
                else:
                    services.row_create(actor=self.request.user, row=row)
                form.save_m2m()
        except VersionConflict as conflict:
            return self.edit_conflict(form, conflict)
        except (ValidationError, PermissionDenied, RowConflict) as error:
            errors.add_to_form(form, error)
            return self.form_invalid(form)
        self.object = row
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def edit_conflict(self, form, conflict):
        """Someone saved the row since this form was opened: show their values, keep the user's.

        The form comes back with the newer version, so saving again deliberately overwrites.
        """
        current = conflict.current
        for name, field in form.fields.items():
            if name in ("row_version", "id_number") or name not in form.cleaned_data:
                continue
            theirs = getattr(current, name, None)
            mine = form.cleaned_data[name]
            if theirs != mine:
                model_field = current._meta.get_field(name)
                shown = getattr(current, f"get_{name}_display")() if model_field.choices else theirs
                form.conflict.append((field.label, shown, mine))
        data = form.data.copy()
        data["row_version"] = current.version
        form.data = data
        form.add_error(None, conflict.message)
        form.add_error(
            None,
            _(
                "Their values are shown below; your input is kept. Save again to overwrite "
                "their changes."
            ),
        )
        return self.form_invalid(form)

    def get_success_url(self):
        return reverse(self.ledger.url_name("detail"), args=[self.object.pk])


class LedgerCreateView(LedgerFormMixin, CreateView):
    def form_valid(self, form):
        return self.save_scoped(form)


class LedgerUpdateView(LedgerFormMixin, UpdateView):
    def form_valid(self, form):
        return self.save_scoped(form)


class LedgerDeleteView(EditPermissionMixin, LedgerMixin, DeleteView):
    template_name = "core/ledger_confirm_delete.html"

    def form_valid(self, form):
        pk = self.object.pk
        try:
            services.row_delete(actor=self.request.user, row=self.object)
        except (PermissionDenied, RowConflict) as error:
            errors.add_to_messages(self.request, error)
            return HttpResponseRedirect(reverse(self.ledger.url_name("detail"), args=[pk]))
        messages.success(self.request, _("Deleted."))
        return HttpResponseRedirect(reverse(self.ledger.url_name("list")))


class StudentRevealIdView(LoginRequiredMixin, View):
    """POST only (the number never travels in a URL); permission checked; every reveal logged."""

    def post(self, request, pk):
        student = get_object_or_404(Student.objects.visible_to(request.user), pk=pk)
        if not request.user.can_reveal_ids:
            raise PermissionDenied(_("Your role may not reveal ID numbers."))
        audit.record(actor=request.user, action=AuditAction.REVEAL, obj=student)
        response = render(request, "core/_revealed_id.html", {"id_number": student.id_number})
        response["Cache-Control"] = "no-store"
        return response


class HomeView(LoginRequiredMixin, View):
    def get(self, request):
        context = {
            "figures": selectors.home_figures(user=request.user),
            "todo_items": todo.items_for(request.user),
            "cards": areas.cards_for(request.user),
        }
        return render(request, "core/home.html", context)


# --- Audit log (city administrators) -----------------------------------------------------------


def text_param(params, name: str) -> str:
    """A search word from the query string, without the NUL characters PostgreSQL refuses."""
    return params.get(name, "").replace("\x00", "").strip()[:100]


def date_param(params, name: str):
    """A date from the query string (2023-09-01), or None when it is not a real date."""
    try:
        return dt.date.fromisoformat(params.get(name, "").strip())
    except ValueError:
        return None


class AllowedUsersMixin(LoginRequiredMixin):
    """A page only some users may open: `allowed(user)` says who; anyone else signed in is
    refused with `refusal` (403), signed-out visitors go to the log-in page."""

    refusal = ""

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class CityAdminRequiredMixin(AllowedUsersMixin):
    """Pages of city administrators only."""

    allowed = staticmethod(is_city_admin)
    refusal = gettext_lazy("Only city administrators may open this page.")


class CityStaffRequiredMixin(AllowedUsersMixin):
    """Pages of the city bureau's users (administrators and staff), not of counties or schools."""

    allowed = staticmethod(sees_everything)
    refusal = gettext_lazy("Only city bureau staff may open this page.")


class AuditLogView(CityAdminRequiredMixin, ListView):
    template_name = "core/audit_log.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = AuditEvent.objects.visible_to(self.request.user).select_related(
            "actor", "county"
        )
        params = self.request.GET
        if text_param(params, "user"):
            queryset = queryset.filter(actor__username__contains=text_param(params, "user"))
        if text_param(params, "ledger"):
            queryset = queryset.filter(ledger=text_param(params, "ledger"))
        if text_param(params, "action"):
            queryset = queryset.filter(action=text_param(params, "action"))
        for name, lookup in (("date_from", "at__date__gte"), ("date_to", "at__date__lte")):
            if not params.get(name):
                continue
            day = date_param(params, name)
            if day is None:
                self.bad_filters.append(name)
                continue
            queryset = queryset.filter(**{lookup: day})
        return queryset

    def get(self, request, *args, **kwargs):
        self.bad_filters = []
        response = super().get(request, *args, **kwargs)
        if self.bad_filters:
            messages.error(
                request, _("A date is not valid (write it as 2023-09-01); it was ignored.")
            )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        from core.ledger import all_ledgers

        context["ledgers"] = [
            (ledger.label, ledger.model._meta.verbose_name_plural) for ledger in all_ledgers()
        ]
        context["actions"] = AuditAction.choices
        context["object_list"] = audit.readable(context["object_list"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


# --- User management (city administrators) -----------------------------------------------------


class UserListView(CityAdminRequiredMixin, ListView):
    template_name = "core/user_list.html"
    paginate_by = 100

    def get_queryset(self):
        queryset = User.objects.select_related("scope", "school").order_by(
            "scope__code", "username"
        )
        self.filter_form = UserFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            wanted = self.filter_form.cleaned_data
            if wanted["role"]:
                queryset = queryset.filter(role=wanted["role"])
            if wanted["scope"]:
                queryset = queryset.filter(scope=wanted["scope"])
            if wanted["q"].strip():
                text = wanted["q"].strip()
                queryset = queryset.filter(
                    Q(username__icontains=text) | Q(full_name__contains=text)
                )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class UserCreateView(CityAdminRequiredMixin, CreateView):
    model = User
    form_class = UserCreateForm
    template_name = "core/user_form.html"

    def form_valid(self, form):
        with transaction.atomic():
            self.object = form.save()
            audit.record_create(self.request.user, self.object)
        messages.success(self.request, _("User %(name)s created.") % {"name": self.object.username})
        return HttpResponseRedirect(reverse("user-list"))


class UserUpdateView(CityAdminRequiredMixin, UpdateView):
    model = User
    form_class = UserUpdateForm
    template_name = "core/user_form.html"

    def form_valid(self, form):
        before = audit.snapshot(User.objects.get(pk=self.object.pk))
        with transaction.atomic():
            self.object = form.save()
            audit.record_update(self.request.user, self.object, before)
        messages.success(self.request, _("User %(name)s saved.") % {"name": self.object.username})
        return HttpResponseRedirect(reverse("user-list"))


class UserPasswordResetView(CityAdminRequiredMixin, FormView):
    form_class = PasswordResetByAdminForm
    template_name = "core/user_password.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = get_object_or_404(User, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.target
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.target, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            form.save()
            audit.record(
                actor=self.request.user,
                action=AuditAction.UPDATE,
                obj=self.target,
                changes={"password": ["***", "***"]},
            )
        messages.success(
            self.request, _("Password of %(name)s reset.") % {"name": self.target.username}
        )
        return HttpResponseRedirect(reverse("user-list"))


class AdminLoginView(View):
    """/admin/login/, where Django's admin sends whoever may not open it: the site's own log-in
    for someone not signed in, and for a signed-in user without admin access a page in the
    site's layout saying whom the admin is for — not Django's stock admin log-in in English."""

    def get(self, request):
        from django.contrib import admin
        from django.contrib.auth.views import redirect_to_login
        from django.utils.http import url_has_allowed_host_and_scheme

        wanted = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            wanted = ""
        wanted = wanted or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(wanted, login_url=reverse("login"))
        if admin.site.has_permission(request):
            return HttpResponseRedirect(wanted)
        return render(request, "core/admin_refused.html", status=403)

    post = get  # the stock form's POST: answered the same way (the site's log-in takes passwords)
