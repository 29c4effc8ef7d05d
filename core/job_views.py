"""Pages of the job machinery: a job's page with a live progress bar, and its download."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views import View
from django.views.generic import ListView

from core.jobs import JobRun
from core.scoping import Role, sees_everything


def visible_jobs(user):
    """Own jobs, plus what the scope shows: city users every job, county reviewers their county's.

    A county officer sees only their own jobs (another officer's export is not theirs to take).
    """
    if sees_everything(user):
        return JobRun.objects.visible_to(user)
    mine = Q(actor=user) if user.is_authenticated else Q(pk__in=[])
    if getattr(user, "role", None) == Role.COUNTY_REVIEWER:
        mine |= Q(pk__in=JobRun.objects.visible_to(user).values("pk"))
    return JobRun.objects.filter(mine)


class JobListView(LoginRequiredMixin, ListView):
    template_name = "core/job_list.html"
    paginate_by = 50

    def get_queryset(self):
        return visible_jobs(self.request.user).select_related("actor")


class JobDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(visible_jobs(request.user), pk=pk)
        return render(request, "core/job_detail.html", {"job": job, "live": job.live()})


class JobProgressView(LoginRequiredMixin, View):
    """The htmx fragment the job page polls until the job is finished."""

    def get(self, request, pk):
        job = get_object_or_404(visible_jobs(request.user), pk=pk)
        return render(request, "core/_job_progress.html", {"job": job, "live": job.live()})


def job_file_response(job: JobRun) -> FileResponse:
    """The job's result file as a download (the page's and the API's); 404 without one."""
    if not job.result_file:
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / job.result_file).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.exists():
        raise Http404
    name = job.result.get("download_name") or path.name
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


class JobDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return job_file_response(get_object_or_404(visible_jobs(request.user), pk=pk))
