"""Pages of alliances and teaching beyond the generic ledger pages: an alliance's page with its
members and activities, the detail of a row with several schools, and the dashboard."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from alliances import selectors
from alliances.models import ActionLine, Activity, AllianceMember, ClassroomType
from core.forms import DashboardForm
from core.models import Region, School
from core.scoping import ensure_in_scope
from core.views import LedgerDetailView


def _own_row(user, row) -> bool:
    """May the user write this row (not merely see it: a city alliance, another county's
    activity its school joined)?"""
    try:
        ensure_in_scope(user, row)
    except PermissionDenied:
        return False
    return True


def schools_shown(user, schools) -> str:
    """The schools of a row the user may see, by name; the others counted, not named."""
    visible = set(School.objects.visible_to(user).values_list("pk", flat=True))
    names = [school.name for school in schools if school.pk in visible]
    hidden = len(schools) - len(names)
    text = "、".join(names)
    if hidden:
        more = _("%(count)s schools of other counties") % {"count": hidden}
        text = f"{text}（{more}）" if text else more
    return text


class _OwnRowDetailView(LedgerDetailView):
    """A row's page: its edit and delete buttons only where the user may write the row."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = context["can_edit"] and _own_row(self.request.user, self.object)
        return context


class WithSchoolsDetailView(_OwnRowDetailView):
    """An activity's or a session's page: its schools by name (those the user may see)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for name, label, value in context["fields"]:
            field = self.object._meta.get_field(name)
            if field.many_to_many:
                value = schools_shown(self.request.user, list(value.order_by("code")))
            rows.append((name, label, value))
        context["fields"] = rows
        return context


class AllianceDetailView(_OwnRowDetailView):
    template_name = "alliances/alliance_detail.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["members"] = (
            AllianceMember.objects.visible_to(user)
            .filter(alliance=self.object)
            .select_related("school", "county")
        )
        context["activities"] = (
            Activity.objects.visible_to(user)
            .filter(alliance=self.object)
            .select_related("school")[:20]
        )
        return context


class AlliancesDashboardView(LoginRequiredMixin, View):
    """The area's landing page: figures for the user's scope, each linking to its rows."""

    def get(self, request):
        user = request.user
        form = DashboardForm(
            request.GET, user=user, years=selectors.years(user), default=selectors.latest_year(user)
        )
        if form.is_valid():
            figures = selectors.summary(
                user,
                county=form.cleaned_data.get("county"),
                school_year=form.cleaned_data["school_year"],
            )
        else:  # an invalid filter shows nothing, never the wider figures
            figures = selectors.summary(user, county=Region(pk=0))
        lines = figures["activities"]["by_action_line"]
        context = {
            "form": form,
            "figures": figures,
            "lines": [
                (line.value, line.label, lines[line.value], figures["urls"]["lines"][line.value])
                for line in ActionLine
            ],
            "types": [
                (kind.value, kind.label, figures["online_sessions"]["by_type"][kind.value])
                for kind in ClassroomType
            ],
            "charts": selectors.chart_data(figures),
            "area_nav": "dashboard",
        }
        return render(request, "alliances/dashboard.html", context)
