"""The ledgers of the shared schema: schools, school enrolments, the student registry, regions,
and the roster 监测名单 (its versions and children) that several areas read."""

from core.api import (
    RegionSerializer,
    RosterChildSerializer,
    RosterVersionSerializer,
    SchoolEnrolmentSerializer,
    SchoolSerializer,
    StudentSerializer,
)
from core.filters import (
    RegionFilterSet,
    RosterChildFilterSet,
    RosterVersionFilterSet,
    SchoolEnrolmentFilterSet,
    SchoolFilterSet,
    StudentFilterSet,
)
from core.forms import (
    RosterChildForm,
    RosterVersionForm,
    SchoolEnrolmentForm,
    SchoolForm,
    StudentForm,
)
from core.imports import (
    RosterChildImportSpec,
    SchoolEnrolmentImportSpec,
    SchoolImportSpec,
    StudentImportSpec,
)
from core.ledger import Ledger, register
from core.models import Region, RosterChild, RosterVersion, School, SchoolEnrolment, Student
from core.tables import (
    RegionTable,
    RosterChildTable,
    RosterVersionTable,
    SchoolEnrolmentTable,
    SchoolTable,
    StudentTable,
)

SCHOOLS = register(
    Ledger(
        model=School,
        filterset=SchoolFilterSet,
        table=SchoolTable,
        form=SchoolForm,
        serializer=SchoolSerializer,
        slug="schools",
        api_prefix="schools",
        select_related=("county", "township"),
        import_spec=SchoolImportSpec(),
    )
)

SCHOOL_ENROLMENTS = register(
    Ledger(
        model=SchoolEnrolment,
        filterset=SchoolEnrolmentFilterSet,
        table=SchoolEnrolmentTable,
        form=SchoolEnrolmentForm,
        serializer=SchoolEnrolmentSerializer,
        slug="enrolments",
        api_prefix="enrolments",
        select_related=("school", "county"),
        import_spec=SchoolEnrolmentImportSpec(),
    )
)

STUDENTS = register(
    Ledger(
        model=Student,
        filterset=StudentFilterSet,
        table=StudentTable,
        form=StudentForm,
        serializer=StudentSerializer,
        slug="students",
        api_prefix="students",
        select_related=("school", "county", "household_region"),
        import_spec=StudentImportSpec(),
        detail_fields=(
            "name",
            "id_number",
            "gender",
            "birth_date",
            "county",
            "school",
            "grade",
            "status",
            "household_region",
        ),
    )
)

REGIONS = register(
    Ledger(
        model=Region,
        filterset=RegionFilterSet,
        table=RegionTable,
        form=None,
        serializer=RegionSerializer,
        slug="regions",
        api_prefix="regions",
        select_related=("parent",),
        editable=False,
    )
)

# The roster: shared basic data (dropout screens it, aid pays from it). The versions are declared
# first: the API router then tries roster/versions/ before roster/<pk>/.

ROSTER_VERSIONS = register(
    Ledger(
        model=RosterVersion,
        filterset=RosterVersionFilterSet,
        table=RosterVersionTable,
        form=RosterVersionForm,
        serializer=RosterVersionSerializer,
        slug="roster/versions",
        api_prefix="roster/versions",
        select_related=("county", "imported_by"),
        detail_fields=("label", "county", "note", "imported_by", "source_name", "created_at"),
    )
)

ROSTER = register(
    Ledger(
        model=RosterChild,
        filterset=RosterChildFilterSet,
        table=RosterChildTable,
        form=RosterChildForm,
        serializer=RosterChildSerializer,
        slug="roster",
        api_prefix="roster",
        import_spec=RosterChildImportSpec(),
        select_related=("county", "township", "roster_version"),
        detail_fields=(
            "name",
            "id_number",
            "gender",
            "birth_date",
            "county",
            "township",
            "village",
            "household_head",
            "household_category",
            "monitoring_type",
            "risk_eliminated",
            "guardian",
            "phone",
            "roster_version",
        ),
    )
)
