"""The city's list of registry conflicts (core.conflicts) and their resolution.

City staff and administrators see the list; a city administrator resolves a conflict: the child
moved, so the registry record is transferred to a school of the asking county (an audited edit
of the row, attachments follow), or the attempt is dismissed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.conflicts import ConflictResolution, RegistryConflict, conflict_settle
from core.models import School, Student
from core.scoping import is_city_admin, require_city_admin
from core.views import CityStaffRequiredMixin


class ConflictListView(CityStaffRequiredMixin, ListView):
    template_name = "core/conflict_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = RegistryConflict.objects.visible_to(self.request.user).select_related(
            "county", "existing_county", "actor", "resolved_by"
        )
        if self.request.GET.get("state") != "all":
            queryset = queryset.filter(resolution="")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conflicts = context["object_list"]
        counties = {c.county_id for c in conflicts}
        user = self.request.user
        schools = School.objects.visible_to(user).filter(county_id__in=counties).order_by("code")
        students = (
            Student.objects.visible_to(user)
            .filter(pk__in=[c.existing_id for c in conflicts if c.ledger == "core.student"])
            .select_related("school")
        )
        by_pk = {str(s.pk): s for s in students}
        context["rows"] = [
            (
                conflict,
                by_pk.get(conflict.existing_id),
                [s for s in schools if s.county_id == conflict.county_id],
            )
            for conflict in conflicts
        ]
        context["can_resolve"] = is_city_admin(self.request.user)
        return context


class ConflictResolveView(CityStaffRequiredMixin, View):
    def post(self, request, pk):
        require_city_admin(request.user, _("Only city administrators may resolve conflicts."))
        conflict = get_object_or_404(
            RegistryConflict.objects.visible_to(request.user).filter(resolution=""), pk=pk
        )
        action = request.POST.get("action")
        with transaction.atomic():
            if action == "transfer":
                if conflict.ledger != "core.student":
                    raise PermissionDenied(_("Only registry records can be transferred."))
                student = get_object_or_404(
                    Student.objects.visible_to(request.user).select_for_update(),
                    pk=conflict.existing_id,
                )
                school = (
                    School.objects.visible_to(request.user)
                    .filter(county=conflict.county, pk=request.POST.get("school") or 0)
                    .first()
                )
                if school is None:
                    messages.error(
                        request, _("Choose a school of %(county)s.") % {"county": conflict.county}
                    )
                    return HttpResponseRedirect(reverse("conflict-list"))
                conflict_settle(
                    actor=request.user,
                    conflict=conflict,
                    resolution=ConflictResolution.TRANSFERRED,
                    student=student,
                    school=school,
                )
                done = _("The record of %(name)s was transferred to %(school)s.") % {
                    "name": student.name,
                    "school": school,
                }
            elif action == "dismiss":
                conflict_settle(
                    actor=request.user, conflict=conflict, resolution=ConflictResolution.DISMISSED
                )
                done = _("The conflict was dismissed.")
            else:
                raise PermissionDenied(_("Unknown action."))
        messages.success(request, done)
        return HttpResponseRedirect(reverse("conflict-list"))
