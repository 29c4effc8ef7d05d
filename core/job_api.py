"""The job machinery for an API client: a job's state as JSON and its result file, with a token.

GET /api/v1/jobs/<id>/           status, progress, message; `download_url` once there is a file
GET /api/v1/jobs/<id>/download/  the result file (an export's workbook)

The jobs a user may open are the pages' (core.job_views.visible_jobs). The page links are kept
beside the API's, named as such (`page_url`, `result_page_url`).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.job_views import job_file_response, visible_jobs
from core.jobs import JobRun


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None and url else url


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    result_page_url = serializers.SerializerMethodField()

    class Meta:
        model = JobRun
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "message",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
            "page_url",
            "result_page_url",
        ]
        read_only_fields = fields

    def _request(self):
        return self.context.get("request")

    def _live(self, job) -> dict:
        if not hasattr(job, "_live_state"):
            job._live_state = job.live()
        return job._live_state

    def get_progress(self, job) -> int:
        return int(self._live(job).get("progress") or 0)

    def get_message(self, job) -> str:
        return str(self._live(job).get("message") or "")

    def get_url(self, job) -> str:
        """This resource: poll it until `status` is succeeded or failed."""
        return _absolute(self._request(), reverse("api-job-detail", args=[job.pk]))

    def get_download_url(self, job) -> str | None:
        """The result file through the API (with the token), once the job has one."""
        if not job.result_file:
            return None
        return _absolute(self._request(), reverse("api-job-download", args=[job.pk]))

    def get_page_url(self, job) -> str:
        """The job's page, for a person in a browser."""
        return _absolute(self._request(), job.get_absolute_url())

    def get_result_page_url(self, job) -> str | None:
        """The page the job's result is read on (an import's preview), for a browser."""
        return _absolute(self._request(), job.result_url) if job.result_url else None


class JobMixin:
    permission_classes = [permissions.IsAuthenticated]

    def get_job(self, pk) -> JobRun:
        job = visible_jobs(self.request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job


class JobDetailApiView(JobMixin, APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, pk):
        return Response(JobSerializer(self.get_job(pk), context={"request": request}).data)


class JobDownloadApiView(JobMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's type still gets refusals as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="the job's result file"
            ),
            404: OpenApiResponse(description="no such job for the caller, or no file (yet)"),
        }
    )
    def get(self, request, pk):
        return job_file_response(self.get_job(pk))
