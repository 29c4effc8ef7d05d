"""Read-side queries behind the home page. Every one takes the user and starts from visible_to."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from core import calendar, charts
from core.links import link
from core.models import Region, RegionLevel, School, SchoolEnrolment, SchoolKind, Student
from core.todo import TodoItem, register


def home_figures(*, user) -> dict:
    """Schools and students by county and school kind, each cell linking to the filtered list."""
    counties = list(
        Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code")
    )
    school_counts = defaultdict(int)
    for row in School.objects.visible_to(user).values("county_id", "kind").annotate(n=Count("id")):
        school_counts[(row["county_id"], row["kind"])] = row["n"]
    student_counts = defaultdict(int)
    students = Student.objects.visible_to(user).values("county_id", "school__kind")
    for row in students.annotate(n=Count("id")):
        student_counts[(row["county_id"], row["school__kind"])] = row["n"]

    kinds = list(SchoolKind)
    rows = []
    for county in counties:
        cells = [
            {
                "kind": kind,
                "schools": school_counts[(county.pk, kind.value)],
                "students": student_counts[(county.pk, kind.value)],
                "schools_url": link("school-list", county=county.pk, kind=kind.value),
                "students_url": link("student-list", county=county.pk, school_kind=kind.value),
            }
            for kind in kinds
        ]
        rows.append(
            {
                "county": county,
                "cells": cells,
                "schools": sum(c["schools"] for c in cells),
                "students": sum(c["students"] for c in cells),
                "schools_url": link("school-list", county=county.pk),
                "students_url": link("student-list", county=county.pk),
            }
        )
    totals = [
        {
            "kind": kind,
            "schools": sum(school_counts[(c.pk, kind.value)] for c in counties),
            "students": sum(student_counts[(c.pk, kind.value)] for c in counties),
            "schools_url": link("school-list", kind=kind.value),
            "students_url": link("student-list", school_kind=kind.value),
        }
        for kind in kinds
    ]
    return {
        "kinds": kinds,
        "rows": rows,
        "totals": totals,
        "schools": sum(r["schools"] for r in rows),
        "students": sum(r["students"] for r in rows),
        "chart": charts.bars(
            categories=[c.name for c in counties],
            series=[
                charts.Series.of(_("Schools"), rows, "schools", "schools_url"),
                charts.Series.of(_("Students"), rows, "students", "students_url", axis=1),
            ],
            category_urls=[r["schools_url"] for r in rows],
        ),
    }


@register
def schools_without_enrolment(user) -> list[TodoItem]:
    """Schools with no enrolment figures for the current school year."""
    year = calendar.current_school_year()
    missing = (
        School.objects.visible_to(user)
        .exclude(
            pk__in=SchoolEnrolment.objects.visible_to(user)
            .filter(school_year=year)
            .values("school_id")
        )
        .count()
    )
    return [
        TodoItem(
            title=_("Schools without enrolment figures for %(year)s") % {"year": year},
            count=missing,
            url=link("schoolenrolment-list", school_year=year),
            level="info",
        )
    ]
