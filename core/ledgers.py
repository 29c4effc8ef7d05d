"""The ledgers of the shared schema: schools, school enrolments, the student registry, regions,
and the roster 监测名单 (its versions and children) that several areas read.

FilterSet, Table, Form, serializer and import spec are found by name (core.ledger)."""

from core.ledger import Ledger, register
from core.models import Region, RosterChild, RosterVersion, School, SchoolEnrolment, Student

SCHOOLS = register(
    Ledger(model=School, api_prefix="schools", select_related=("county", "township"))
)

SCHOOL_ENROLMENTS = register(
    Ledger(model=SchoolEnrolment, api_prefix="enrolments", select_related=("school", "county"))
)

STUDENTS = register(
    Ledger(
        model=Student,
        api_prefix="students",
        select_related=("school", "county", "household_region"),
        detail_fields=Student.page_fields,
    )
)

REGIONS = register(
    Ledger(model=Region, api_prefix="regions", select_related=("parent",), editable=False)
)

# The roster: shared basic data (dropout screens it, aid pays from it). The versions are declared
# first: the API router then tries roster/versions/ before roster/<pk>/.

ROSTER_VERSIONS = register(
    Ledger(
        model=RosterVersion,
        api_prefix="roster/versions",
        select_related=("county", "imported_by"),
        detail_fields=(
            "label",
            "county",
            "as_of",
            "note",
            "imported_by",
            "source_name",
            "created_at",
        ),
    )
)

ROSTER = register(
    Ledger(
        model=RosterChild,
        api_prefix="roster",
        select_related=("county", "township", "roster_version"),
        detail_fields=RosterChild.page_fields,
    )
)
