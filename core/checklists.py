"""Check lists: a selector's rows that an officer works through, as a page with an export.

A check list is declared in `<app>/checks.py` with `register(CheckList(...))`: a selector that
returns the rows for the user's scope (a queryset built from `visible_to`), the FilterSet and
Table that show them, and optionally the parameters the selector needs (a period, say) as a form.
The page (`CheckListView`) and its export (`CheckListExportView`) are generic; the export takes
the same path as a ledger's (core.exports: at once up to EXPORT_MAX_ROWS_INLINE rows, as a job
above). A table that carries the officer's note or reason on each row shows it as a form on
screen and as a text column in the export (core.tables.CheckTable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path, reverse
from django.views import View
from django.views.generic.base import TemplateResponseMixin
from django_tables2 import RequestConfig

from core.areas import registry
from core.filters import IdNumberSearchMixin

CHECKS: dict[str, CheckList] = registry["checks"]


def _no_params(query, user):
    return None, {}


@dataclass(frozen=True)
class CheckList:
    app: str  # the app label, e.g. "aid"
    name: str  # short name inside the app, e.g. "gap" (the audit trail's "check")
    url_name: str  # the page's URL name; the export's is "<url_name>-export"
    route: str  # the page's path, e.g. "aid/checks/gaps/"
    title: str
    rows: Callable  # rows(user, **params) -> the rows for the user's scope (a queryset)
    filterset: type
    table: type  # table(rows, **table_kwargs(params))
    description: str = ""
    # params(query, user) -> (form to show or None, the selector's parameters or None when the
    # query's are not valid: then the page shows no rows, never wider ones)
    params: Callable = _no_params
    table_kwargs: Callable | None = None  # table_kwargs(params) -> dict
    audit_model: type | None = None  # the export is audited under this model (default: the rows')
    note_model: type | None = None  # the model an officer's note is saved to (edit permission)

    @property
    def key(self) -> str:
        return f"{self.app}.{self.name}"

    def urlpatterns(self):
        return [
            path(self.route, CheckListView.as_view(check=self), name=self.url_name),
            path(
                f"{self.route}export/",
                CheckListExportView.as_view(check=self),
                name=f"{self.url_name}-export",
            ),
        ]

    def build(self, *, user, query):
        """(params form, filterset, table, params) for this user and query string."""
        form, params = self.params(query, user)
        if params is None:
            rows = self.filterset._meta.model.objects.none()
        else:
            rows = self.rows(user, **params)
        request = SimpleNamespace(user=user, GET=query, META={})
        filterset = self.filterset(query, queryset=rows, request=request)
        kwargs = self.table_kwargs(params or {}) if self.table_kwargs else {}
        return form, filterset, self.table(filterset.qs, **kwargs), params

    # --- The export source (core.exports) ---------------------------------------------------

    def export_table(self, *, user, query):
        _form, filterset, table, _params = self.build(user=user, query=query)
        return table, filterset.qs

    def export_title(self) -> str:
        return str(self.title)

    def export_stem(self) -> str:
        return f"{self.app}-{self.name}"

    def export_audit(self) -> tuple[type, dict]:
        return self.audit_model or self.filterset._meta.model, {"check": self.name}

    def job_params(self) -> dict:
        return {"check": self.key}


def register(check: CheckList) -> CheckList:
    if check.key in CHECKS:
        raise ValueError(f"check list {check.key} registered twice")
    CHECKS[check.key] = check
    return check


def all_checks() -> list[CheckList]:
    return list(CHECKS.values())


class CheckListMixin(LoginRequiredMixin):
    check: CheckList | None = None  # set by CheckList.urlpatterns()


class CheckListView(IdNumberSearchMixin, CheckListMixin, TemplateResponseMixin, View):
    template_name = "core/check_list.html"

    def get_template_names(self):
        return [f"{self.check.app}/check_list.html", self.template_name]

    def id_search_model(self):
        return self.check.export_audit()[0]

    def id_search_found(self, number: str) -> None:
        return None  # a check's rows are a selector's, not the audited model's

    def get(self, request):
        from core import tables
        from core.areas import registry as stores
        from core.scoping import can_edit

        check = self.check
        form, filterset, table, params = check.build(user=request.user, query=request.GET)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        for name, value in (params or {}).items():  # the export gets the period the page used
            if value not in (None, ""):
                query[name] = value
        area = stores["areas"].get(check.app)
        context = {
            "check": check,
            "title": check.title,
            "description": check.description,
            "period_form": form,
            "filter": filterset,
            "table": table,
            "result_count": table.paginator.count,
            "export_url": reverse(f"{check.url_name}-export") + "?" + query.urlencode(),
            "may_export_unmasked": request.user.can_reveal_ids and tables.shows_id_numbers(table),
            "list_url": reverse(check.url_name),
            "can_edit": can_edit(request.user, check.note_model),
            "area": area,
            "area_nav": check.name,
            **(params or {}),
        }
        return self.render_to_response(context)


class CheckListExportView(CheckListMixin, View):
    """The check's rows under the page's filters, all pages, as .xlsx (ID numbers masked)."""

    def get(self, request):
        from core import exports

        return exports.export_response(request, self.check)

    def post(self, request):
        """The same export with the ID numbers in full (the reveal right; audited as a reveal)."""
        from core import exports

        return exports.export_response(request, self.check, reveal_ids=True)
