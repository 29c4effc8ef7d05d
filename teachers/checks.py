"""The check lists of teacher staffing (core.checklists): schools short of teachers against the
standard, subjects without a teacher, and rural teachers not covered by the year's continuing
education. Each is a selector's rows for the user's scope, with the page's export."""

from __future__ import annotations

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.checklists import CheckList, register
from core.filters import ScopedFilterSet, counties
from core.models import School, SchoolKind
from teachers import selectors
from teachers.forms import YearParamsForm
from teachers.models import Subject, Teacher
from teachers.tables import MissingSubjectTable, ShortTable, UncoveredTable


def year_params(query, user):
    data = QueryDict(mutable=True)
    data["year"] = query.get("year") or str(selectors.latest_year(user))
    form = YearParamsForm(data)
    if not form.is_valid():
        return form, None
    return form, {"year": form.cleaned_data["year"]}


class SchoolCheckFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    kind = django_filters.ChoiceFilter(
        label=_("kind"),
        choices=[(k.value, k.label) for k in selectors.STANDARD_KINDS],
    )

    class Meta:
        model = School
        fields = ["county", "kind"]


class UncoveredFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    subject = django_filters.ChoiceFilter(label=_("subject"), choices=Subject.choices)

    class Meta:
        model = Teacher
        fields = ["county", "school", "subject"]


SHORT = register(
    CheckList(
        app="teachers",
        name="short",
        url_name="teachers-short",
        route="teachers/short/",
        title=_("Schools short of teachers"),
        description=_(
            "Teachers required by the city's staffing standard (pupils per teacher by stage; a "
            "teaching point or a school under the small-school threshold is staffed by its "
            "classes as well) against the teachers in post."
        ),
        rows=lambda user, year: selectors.short_of_teachers(user, year),
        params=year_params,
        filterset=SchoolCheckFilterSet,
        table=ShortTable,
        audit_model=Teacher,
    )
)

MISSING_SUBJECTS = register(
    CheckList(
        app="teachers",
        name="missing_subjects",
        url_name="teachers-missing-subjects",
        route="teachers/missing-subjects/",
        title=_("Subjects without a teacher"),
        description=_(
            "Schools without a teacher in post of a subject their stages need (a teaching "
            "point: Chinese and mathematics)."
        ),
        rows=lambda user, year: selectors.missing_subjects(user, year),
        params=year_params,
        filterset=SchoolCheckFilterSet,
        table=MissingSubjectTable,
        audit_model=Teacher,
    )
)

UNCOVERED = register(
    CheckList(
        app="teachers",
        name="uncovered",
        url_name="teachers-uncovered",
        route="teachers/uncovered/",
        title=_("Rural teachers not covered by continuing education"),
        description=_(
            "Rural teachers on the roster in the year who have not completed its full-staff "
            "continuing education: the list that stands between the county and full coverage."
        ),
        rows=lambda user, year: selectors.uncovered(user, year),
        params=year_params,
        filterset=UncoveredFilterSet,
        table=UncoveredTable,
        audit_model=Teacher,
    )
)

__all__ = ["SchoolKind"]
