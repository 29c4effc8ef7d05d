"""Pages of alliances and teaching beyond the generic ledger pages: an alliance's page with its
members and activities, the detail of a row with several schools, and the dashboard."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from alliances.models import Activity, AllianceMember
from core.models import School
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
