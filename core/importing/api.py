"""The import, open to other systems: the same pipeline, scoping and validation as the pages.

GET  /api/v1/imports/ledgers/        the ledgers the caller may import, their columns and
                                     template links
GET  /api/v1/imports/templates/<ledger>/  the ledger's template (.xlsx), as the import page's
                                     (its school list: the caller's schools)
POST /api/v1/imports/                multipart `ledger` + `file` → the preview (201), or 202
                                     and a job for a large file, or 400 for a refused file
GET  /api/v1/imports/<id>/           the run: status, counts, errors, parsed rows
GET  /api/v1/imports/<id>/errors/    the rows with their errors marked (.xlsx), as the page's
POST /api/v1/imports/<id>/confirm/   import it: 200, or 202 and a job for a large file;
                                     409 if imported already, 400 if it has errors
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.importing import jobs, services
from core.importing.base import ImportFailed, ImportRaced
from core.importing.models import ImportRun, ImportStatus
from core.importing.spec import Kind
from core.importing.views import errors_workbook_response
from core.importing.xlsx_template import build_template
from core.scoping import can_edit

logger = logging.getLogger(__name__)


def importable_ledgers() -> list:
    from core.ledger import all_ledgers

    return [ledger for ledger in all_ledgers() if ledger.import_spec is not None]


def _find_ledger(name: str):
    for ledger in importable_ledgers():
        if name in (ledger.label, ledger.api_prefix, ledger.name):
            return ledger
    return None


def may_import(user, ledger) -> bool:
    """The rule of the import pages (core.importing.views.ImportMixin.require_edit): an editor
    role whose scope holds the ledger's rows (a school officer: ledgers of school rows)."""
    return ledger.editable and can_edit(user, ledger.model)


def _importable_by(user, name: str):
    """The ledger `name` names, if `user` may import it: unknown → 404, not theirs → 403."""
    ledger = _find_ledger(name)
    if ledger is None:
        raise NotFound(_("Unknown or not importable ledger."))
    if not may_import(user, ledger):
        raise PermissionDenied(_("Your role may not change ledger rows."))
    return ledger


def _ledger_of(run: ImportRun):
    from core.ledger import REGISTRY

    return REGISTRY[run.ledger]


class CanImport(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or can_edit(request.user)


class ImportRunSerializer(serializers.ModelSerializer):
    """A run as an API client reads it: `url` (this resource: the preview, as JSON),
    `errors_url` (the rows with their errors as .xlsx, through the API) and `job_url` (the job's
    state, as JSON) are API resources a token opens; the pages a person opens in a browser are
    `preview_page_url`, `errors_page_url` and `job_page_url`."""

    counts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    job_url = serializers.SerializerMethodField()
    confirm_url = serializers.SerializerMethodField()
    preview_page_url = serializers.SerializerMethodField()
    errors_page_url = serializers.SerializerMethodField()
    job_page_url = serializers.SerializerMethodField()
    errors = serializers.JSONField(read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "ledger",
            "file_name",
            "sha256",
            "size",
            "status",
            "message",
            "refusal_code",
            "sheet_name",
            "header_row",
            "counts",
            "error_total",
            "errors",
            "sample",
            "ignored_columns",
            "created_at",
            "committed_at",
            "job",
            "url",
            "preview_url",
            "errors_url",
            "job_url",
            "confirm_url",
            "preview_page_url",
            "errors_page_url",
            "job_page_url",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_counts(self, run) -> dict:
        return run.counts()

    def get_url(self, run) -> str:
        return self._absolute(reverse("api-import-detail", args=[run.pk]))

    def get_preview_url(self, run) -> str:
        """The preview through the API: this run as JSON (counts, errors, parsed rows)."""
        return self.get_url(run)

    def get_errors_url(self, run) -> str | None:
        if not run.errors_file:
            return None
        return self._absolute(reverse("api-import-errors", args=[run.pk]))

    def get_job_url(self, run) -> str | None:
        return self._absolute(reverse("api-job-detail", args=[run.job_id])) if run.job_id else None

    def get_confirm_url(self, run) -> str:
        return self._absolute(reverse("api-import-confirm", args=[run.pk]))

    def get_preview_page_url(self, run) -> str:
        return self._absolute(jobs.preview_url(run))

    def get_errors_page_url(self, run) -> str | None:
        if not run.errors_file:
            return None
        return self._absolute(reverse(_ledger_of(run).url_name("import-errors"), args=[run.pk]))

    def get_job_page_url(self, run) -> str | None:
        return self._absolute(reverse("job-detail", args=[run.job_id])) if run.job_id else None


LEDGER_SCHEMA = inline_serializer(
    "ImportableLedger",
    {
        "ledger": serializers.CharField(),
        "api_prefix": serializers.CharField(),
        "name": serializers.CharField(),
        "template_url": serializers.URLField(),
        "natural_key": serializers.ListField(child=serializers.CharField()),
        "columns": serializers.ListField(child=serializers.DictField()),
    },
    many=True,
)
UPLOAD_SCHEMA = inline_serializer(
    "ImportUpload",
    {
        "ledger": serializers.CharField(help_text="core.student, or the API prefix: students"),
        "file": serializers.FileField(),
    },
)


class ImportLedgerListView(APIView):
    permission_classes = [CanImport]

    @extend_schema(responses=LEDGER_SCHEMA)
    def get(self, request):
        data = []
        for ledger in importable_ledgers():
            if not may_import(request.user, ledger):
                continue
            spec = ledger.import_spec
            data.append(
                {
                    "ledger": ledger.label,
                    "api_prefix": ledger.api_prefix,
                    "name": str(ledger.model._meta.verbose_name_plural),
                    "template_url": request.build_absolute_uri(
                        reverse("api-import-template", args=[ledger.label])
                    ),
                    "natural_key": list(spec.natural_key),
                    "columns": [
                        {
                            "field": column.field,
                            "header": column.header,
                            "variants": list(column.variants),
                            "kind": str(column.kind),
                            "required": column.required,
                            "choices": column.labels()
                            if column.kind in (Kind.CHOICE, Kind.BOOL)
                            else [],
                        }
                        for column in spec.columns
                    ],
                }
            )
        return Response(data)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportTemplateView(APIView):
    """The import template of a ledger the caller may import, for a client with a token (the
    import page's link needs a browser session)."""

    permission_classes = [CanImport]

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the workbook (Accept: the .xlsx type) still gets refusals as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="the template"),
            403: OpenApiResponse(description="the caller may not import this ledger"),
            404: OpenApiResponse(description="no importable ledger of that name"),
        }
    )
    def get(self, request, ledger):
        spec = _importable_by(request.user, ledger).import_spec
        response = HttpResponse(build_template(spec, request.user), content_type=XLSX_TYPE)
        name = _("%(ledger)s import template.xlsx") % {"ledger": spec.title()}
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ImportCreateView(APIView):
    permission_classes = [CanImport]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UPLOAD_SCHEMA}, responses=ImportRunSerializer)
    def post(self, request):
        ledger = _find_ledger(str(request.data.get("ledger", "")))
        if ledger is None:
            raise ValidationError({"ledger": [_("Unknown or not importable ledger.")]})
        if not may_import(request.user, ledger):
            raise PermissionDenied(_("Your role may not change ledger rows."))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Attach the file to import.")]})
        run, checked = services.import_run_create(ledger=ledger, user=request.user, upload=upload)
        if run.status == ImportStatus.REJECTED:
            return Response(self.serialize(run), status=status.HTTP_400_BAD_REQUEST)
        if checked.rows_hint > services.inline_max_rows():
            jobs.start(run, kind=jobs.PREVIEW, user=request.user)
            return Response(self.serialize(run), status=status.HTTP_202_ACCEPTED)
        services.import_run_preview(run=run, spec=ledger.import_spec, checked=checked)
        if run.status == ImportStatus.REJECTED:  # e.g. a corrupt .xls found when it was read
            return Response(self.serialize(run), status=status.HTTP_400_BAD_REQUEST)
        return Response(self.serialize(run), status=status.HTTP_201_CREATED)

    def serialize(self, run):
        return ImportRunSerializer(run, context={"request": self.request}).data


class ImportRunMixin:
    def get_run(self, pk) -> ImportRun:
        run = services.visible_runs(self.request.user).filter(pk=pk).first()
        if run is None:
            raise NotFound
        return run


class ImportRunDetailView(ImportRunMixin, APIView):
    permission_classes = [CanImport]

    @extend_schema(responses=ImportRunSerializer)
    def get(self, request, pk):
        run = self.get_run(pk)
        return Response(ImportRunSerializer(run, context={"request": request}).data)


class ImportErrorsView(ImportRunMixin, APIView):
    """The run's rows with their errors marked, as .xlsx, for a client with a token (the page's
    download needs a browser session): masked unless the caller has the reveal right, audited."""

    permission_classes = [CanImport]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, XLSX_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="the rows with an error column"
            ),
            404: OpenApiResponse(description="no such run for the caller, or no errors file"),
        }
    )
    def get(self, request, pk):
        run = self.get_run(pk)
        return errors_workbook_response(request, run, _ledger_of(run))


class Conflict(serializers.ValidationError):
    status_code = status.HTTP_409_CONFLICT


class ImportConfirmView(ImportRunMixin, APIView):
    permission_classes = [CanImport]

    @extend_schema(request=None, responses=ImportRunSerializer)
    def post(self, request, pk):
        run = self.get_run(pk)
        if run.actor_id != request.user.pk:
            raise PermissionDenied(_("Only the user who uploaded the file may import it."))
        run = jobs.recover_stale_commit(run)  # left "being imported" by a vanished worker
        if run.status in (ImportStatus.COMMITTED, ImportStatus.COMMITTING):
            raise Conflict({"detail": jobs.commit_refusal(run)})
        if not services.claim_for_commit(run):
            raise ValidationError(
                {"detail": _("This file cannot be imported (it has errors or was imported).")}
            )
        spec = _ledger_of(run).import_spec
        if run.total_rows > services.inline_max_rows():
            jobs.start(run, kind=jobs.COMMIT, user=request.user)
            return Response(
                ImportRunSerializer(run, context={"request": request}).data,
                status=status.HTTP_202_ACCEPTED,
            )
        try:
            services.import_run_commit(run=run, spec=spec)
        except ImportRaced as error:
            run.refresh_from_db()
            raise Conflict({"detail": error.message}) from None
        except ImportFailed as error:
            run.refresh_from_db()
            raise ValidationError({"detail": error.message}) from None
        except Exception:
            logger.exception("import run %s failed", run.pk)
            services.mark_failed(run, _("The import failed unexpectedly and changed nothing."))
            raise
        return Response(ImportRunSerializer(run, context={"request": request}).data)
