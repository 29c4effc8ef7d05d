"""The ledgers of the shared schema: schools, school enrolments, the student registry, regions."""

from core.api import (
    RegionSerializer,
    SchoolEnrolmentSerializer,
    SchoolSerializer,
    StudentSerializer,
)
from core.filters import (
    RegionFilterSet,
    SchoolEnrolmentFilterSet,
    SchoolFilterSet,
    StudentFilterSet,
)
from core.forms import SchoolEnrolmentForm, SchoolForm, StudentForm
from core.imports import SchoolEnrolmentImportSpec, SchoolImportSpec, StudentImportSpec
from core.ledger import Ledger, register
from core.models import Region, School, SchoolEnrolment, Student
from core.tables import RegionTable, SchoolEnrolmentTable, SchoolTable, StudentTable

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
