"""The import pages of every ledger that declares an import spec (routes in `import_urlpatterns`).

upload (with the template link and this ledger's earlier runs) → preview (counts, errors, the
file with its errors marked as .xlsx, Confirm) → confirm (POST). Runs are reached only through
`visible_runs(user)`: another county's or another officer's run answers 404. Only users who may
change ledger rows (core.scoping.can_edit) upload and confirm; the rows' own scope is checked row
by row by the pipeline.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import audit
from core.importing import jobs, services
from core.importing.base import ImportFailed, stored_path
from core.importing.errors import masked_copy
from core.importing.models import ImportStatus
from core.importing.xlsx_template import build_template
from core.models import AuditAction
from core.scoping import can_edit

logger = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.xls,.csv", "class": "form-control"}
        ),
    )


class ImportMixin(LoginRequiredMixin):
    ledger = None  # set by import_urlpatterns()

    @property
    def spec(self):
        return self.ledger.import_spec

    def runs(self):
        return services.visible_runs(self.request.user).filter(ledger=self.ledger.label)

    def get_run(self, run_id):
        return get_object_or_404(self.runs().select_related("actor", "job"), pk=run_id)

    def require_edit(self):
        if not (can_edit(self.request.user, self.ledger.model) and self.ledger.editable):
            raise PermissionDenied(_("Your role may not change ledger rows."))

    def context(self, **extra):
        meta = self.ledger.model._meta
        return {
            "ledger": self.ledger,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.ledger.url_name("list")),
            "upload_url": reverse(self.ledger.url_name("import")),
            "template_url": reverse(self.ledger.url_name("import-template")),
            "can_import": can_edit(self.request.user, self.ledger.model) and self.ledger.editable,
            **extra,
        }

    def preview_redirect(self, run):
        return HttpResponseRedirect(reverse(self.ledger.url_name("import-preview"), args=[run.pk]))


class ImportUploadView(ImportMixin, View):
    def get(self, request):
        return self.render(ImportUploadForm())

    def render(self, form, status=200):
        runs = self.runs().select_related("actor")[:20]
        return render(
            self.request,
            "core/import_upload.html",
            self.context(form=form, runs=runs, spec=self.spec, columns=self.column_list()),
            status=status,
        )

    def column_list(self):
        """(column, what it is in the page's language): the headers are Chinese, as in the
        template and the offices' sheets; an English page says what each one holds."""
        meta = self.spec.model._meta
        listed = []
        for column in self.spec.columns:
            try:
                label = capfirst(meta.get_field(column.field).verbose_name)
            except FieldDoesNotExist:
                label = ""
            listed.append((column, label))
        return listed

    def post(self, request):
        self.require_edit()
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        run, checked = services.import_run_create(
            ledger=self.ledger, user=request.user, upload=form.cleaned_data["file"]
        )
        if run.status == ImportStatus.REJECTED:
            return self.preview_redirect(run)
        if checked.rows_hint > services.inline_max_rows():
            job = jobs.start(run, kind=jobs.PREVIEW, user=request.user)
            return HttpResponseRedirect(job.get_absolute_url())
        services.import_run_preview(run=run, spec=self.spec, checked=checked)
        return self.preview_redirect(run)


class ImportTemplateView(ImportMixin, View):
    def get(self, request):
        content = build_template(self.spec, request.user)
        response = HttpResponse(content, content_type=XLSX_TYPE)
        name = _("%(ledger)s import template.xlsx") % {"ledger": self.spec.title()}
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ImportPreviewView(ImportMixin, View):
    def get(self, request, run_id):
        run = self.get_run(run_id)
        return render(
            request,
            "core/import_preview.html",
            self.context(
                run=run,
                errors=run.errors,
                more_errors=max(0, run.error_total - len(run.errors)),
                sample=run.sample,
                masked_download=not request.user.can_reveal_ids,
                keep_days=services.keep_files_days(),
                can_confirm=run.confirmable
                and run.actor_id == request.user.pk
                and can_edit(request.user, self.ledger.model),
                errors_url=reverse(self.ledger.url_name("import-errors"), args=[run.pk])
                if run.errors_file
                else "",
                confirm_url=reverse(self.ledger.url_name("import-confirm"), args=[run.pk]),
                working=run.status in (ImportStatus.QUEUED, ImportStatus.COMMITTING),
                committed=run.status == ImportStatus.COMMITTED,
            ),
        )


def errors_workbook_response(request, run, ledger):
    """The checked file of `run` with its errors marked (every row, an error column), as .xlsx:
    ID numbers masked unless the user has the reveal right; audited as an export (or a reveal).
    The import page's download and the API's (core.importing.api). 404 without the file."""
    if not run.errors_file:
        raise Http404
    try:
        path = stored_path(run.errors_file)
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    name = _("%(file)s with errors marked.xlsx") % {"file": run.file_name.rsplit(".", 1)[0]}
    revealed = request.user.can_reveal_ids
    audit.record(
        actor=request.user,
        action=AuditAction.REVEAL if revealed else AuditAction.EXPORT,
        model=ledger.model,
        county=run.county_id,
        changes={"import_run": run.pk, "rows": run.total_rows},
        note=_("an import's file with its errors marked")
        if not revealed
        else _("an import's file with its errors marked, ID numbers in full"),
    )
    if not revealed:
        with handle:
            content = masked_copy(path, ledger.import_spec)
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class ImportErrorsView(ImportMixin, View):
    """The checked file with its errors marked (every row, an error column), as .xlsx."""

    def get(self, request, run_id):
        return errors_workbook_response(request, self.get_run(run_id), self.ledger)


class ImportConfirmView(ImportMixin, View):
    def post(self, request, run_id):
        self.require_edit()
        run = self.get_run(run_id)
        if run.actor_id != request.user.pk:
            raise PermissionDenied(_("Only the user who uploaded the file may import it."))
        run = jobs.recover_stale_commit(run)  # left "being imported" by a vanished worker
        if not services.claim_for_commit(run):
            run.refresh_from_db()
            messages.error(request, jobs.commit_refusal(run))
            return self.preview_redirect(run)
        if run.total_rows > services.inline_max_rows():
            job = jobs.start(run, kind=jobs.COMMIT, user=request.user)
            return HttpResponseRedirect(job.get_absolute_url())
        try:
            services.import_run_commit(run=run, spec=self.spec)
        except ImportFailed as error:
            messages.error(request, error.message)
            return self.preview_redirect(run)
        except Exception:
            logger.exception("import run %s failed", run.pk)
            message = _("The import failed unexpectedly and changed nothing.")
            services.mark_failed(run, message)
            messages.error(request, message)
            return self.preview_redirect(run)
        messages.success(
            request,
            _("Imported: %(new)s new rows, %(changed)s changed, %(unchanged)s unchanged.")
            % {"new": run.new_rows, "changed": run.changed_rows, "unchanged": run.unchanged_rows},
        )
        return self.preview_redirect(run)


def import_urlpatterns(ledger) -> list:
    return [
        ledger.page("import/", ImportUploadView, "import"),
        ledger.page("import/template/", ImportTemplateView, "import-template"),
        ledger.page("import/<int:run_id>/", ImportPreviewView, "import-preview"),
        ledger.page("import/<int:run_id>/errors.xlsx", ImportErrorsView, "import-errors"),
        ledger.page("import/<int:run_id>/confirm/", ImportConfirmView, "import-confirm"),
    ]
