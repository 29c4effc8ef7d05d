"""The reusable scoping test: a county user reaches none of another county's rows, by any door;
a school officer reaches none of another school's rows of its own county, and nothing of the
county-level rows (rows without a school).

Runs for every ledger in the registry (core.ledger); a ledger without a ScopingCase fails here.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.ledger import all_ledgers
from core.scoping import ScopedQuerySet, can_edit, school_path
from tests.scoping import load_all

CASES = load_all()
LEDGERS = {ledger.label: ledger for ledger in all_ledgers()}
pytestmark = [pytest.mark.long, pytest.mark.django_db]


def test_every_registered_ledger_joins_the_scoping_test():
    missing = sorted(set(LEDGERS) - set(CASES))
    assert not missing, f"ledgers without a ScopingCase in tests/<app>/scoping_cases.py: {missing}"


@pytest.fixture(params=sorted(LEDGERS))
def setup(request, school, other_school, county_user):
    ledger = LEDGERS[request.param]
    case = CASES[request.param]
    return ledger, case, case.make(school), case.make(other_school)


def _ids_on_page(response):
    return {row.record.pk for row in response.context["table"].paginated_rows}


def _url(ledger, action, *args):
    try:
        return reverse(ledger.url_name(action), args=args)
    except NoReverseMatch:
        return None


def test_list_and_filter(setup, county_client, other_county):
    ledger, case, mine, theirs = setup
    response = county_client.get(_url(ledger, "list"))
    assert response.status_code == 200
    ids = _ids_on_page(response)
    assert mine.pk in ids and theirs.pk not in ids

    assert other_county.name not in response.content.decode()  # not even as a filter choice

    response = county_client.get(_url(ledger, "list"), {case.county_filter: other_county.pk})
    assert response.status_code == 200
    assert _ids_on_page(response) == set()


def test_detail_edit_delete_answer_404(setup, county_client):
    ledger, case, mine, theirs = setup
    assert county_client.get(_url(ledger, "detail", mine.pk)).status_code == 200
    assert county_client.get(_url(ledger, "detail", theirs.pk)).status_code == 404
    missing = 987654321
    assert county_client.get(_url(ledger, "detail", missing)).status_code == 404
    if not ledger.editable:
        assert _url(ledger, "update", theirs.pk) is None
        return
    before = ledger.model.objects.filter(pk=theirs.pk).values().get()
    assert county_client.get(_url(ledger, "update", theirs.pk)).status_code == 404
    data = case.form_data(theirs.school if hasattr(theirs, "school") else theirs, theirs)
    assert county_client.post(_url(ledger, "update", theirs.pk), data).status_code == 404
    assert county_client.get(_url(ledger, "delete", theirs.pk)).status_code == 404
    assert county_client.post(_url(ledger, "delete", theirs.pk)).status_code == 404
    assert ledger.model.objects.filter(pk=theirs.pk).values().get() == before


def _read_only_refuses_creation(ledger, case, client, user, outside_school):
    """A read-only ledger has no create page, and its API refuses a POST outside the caller's
    scope; nothing is written. Some read-only ledgers take a POST of their own (a round started,
    a case opened): their case's `api_data` is that request, aimed at `outside_school`."""
    count = ledger.model.objects.count()
    assert _url(ledger, "create") is None
    slug = reverse(ledger.url_name("list"))
    assert client.post(f"{slug}new/", {}).status_code in (403, 404, 405)
    api = APIClient()
    api.force_authenticate(user)
    base = f"/api/v1/{ledger.api_prefix}/"
    response = api.post(base, {}, format="json")
    assert response.status_code in (400, 403, 405)
    if response.status_code == 400:  # it takes a POST of its own: aim a real one outside
        assert case.api_data, f"{ledger.label} accepts POST: its ScopingCase needs api_data"
        response = api.post(base, case.api_data(outside_school), format="json")
        assert response.status_code in (400, 403)
    assert ledger.model.objects.count() == count


def test_create_in_or_move_to_another_county_is_refused(
    setup, county_client, county_user, other_school
):
    ledger, case, mine, theirs = setup
    if not ledger.editable:
        _read_only_refuses_creation(ledger, case, county_client, county_user, other_school)
        return
    count = ledger.model.objects.count()
    response = county_client.post(_url(ledger, "create"), case.form_data(other_school))
    assert response.status_code == 200  # the form comes back with an error
    assert response.context["form"].errors
    assert ledger.model.objects.count() == count

    before = ledger.model.objects.filter(pk=mine.pk).values().get()
    response = county_client.post(
        _url(ledger, "update", mine.pk), case.form_data(other_school, mine)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ledger.model.objects.filter(pk=mine.pk).values().get() == before


def test_api(setup, county_user, other_school, other_county):
    ledger, case, mine, theirs = setup
    api = APIClient()
    api.force_authenticate(county_user)
    base = f"/api/v1/{ledger.api_prefix}/"
    listed = api.get(base).json()
    ids = {row["id"] for row in listed["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    filtered = api.get(base, {case.county_filter: other_county.pk}).json()
    assert filtered["count"] == 0
    assert api.get(f"{base}{mine.pk}/").status_code == 200
    assert api.get(f"{base}{theirs.pk}/").status_code == 404
    if not ledger.editable:
        assert api.patch(f"{base}{theirs.pk}/", {}, format="json").status_code in (404, 405)
        return
    before_theirs = ledger.model.objects.filter(pk=theirs.pk).values().get()
    response = api.put(f"{base}{theirs.pk}/", case.api_data(other_school, theirs), format="json")
    assert response.status_code == 404
    assert api.delete(f"{base}{theirs.pk}/").status_code == 404
    assert ledger.model.objects.filter(pk=theirs.pk).values().get() == before_theirs

    count = ledger.model.objects.count()
    response = api.post(base, case.api_data(other_school), format="json")
    assert response.status_code in (400, 403)
    assert ledger.model.objects.count() == count

    before_mine = ledger.model.objects.filter(pk=mine.pk).values().get()
    response = api.put(f"{base}{mine.pk}/", case.api_data(other_school, mine), format="json")
    assert response.status_code in (400, 403)
    assert ledger.model.objects.filter(pk=mine.pk).values().get() == before_mine


def test_export(setup, county_client):
    ledger, case, mine, theirs = setup
    response = county_client.get(_url(ledger, "export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert case.marker(mine) in cells
    assert case.marker(theirs) not in cells


# --- School officers ---------------------------------------------------------------------------
#
# A school officer of `school` against `neighbour_school`, another school of the same county (in
# another township). Which ledgers hold a school's rows is read from the code (core.scoping):
# the ledgers with a school, and those whose queryset widens the school's rows (regions: its
# school's county and township, for its forms). Every other ledger is county-level: invisible.


def _school_scoped(ledger) -> bool:
    queryset_class = type(ledger.model.objects.get_queryset())
    widened = getattr(queryset_class, "school_rows", None)
    return school_path(ledger.model) is not None or widened not in (
        None,
        ScopedQuerySet.school_rows,
    )


SCHOOL_LEDGERS = sorted(label for label, ledger in LEDGERS.items() if _school_scoped(ledger))
# County-level ledgers, and ledgers whose `make` gives a row without a school (the school's own
# rows come from `school_make`): a school officer sees none of those rows.
WITHOUT_SCHOOL = sorted(
    label for label in LEDGERS if label not in SCHOOL_LEDGERS or CASES[label].school_make
)
# Ledgers with a `school` foreign key whose rows are nonetheless not the school's (they say so
# with `school_field = None`): a screening result's school is where the registry placed the child.
OPTED_OUT = {"dropout.screeningresult"}


def test_every_ledger_with_a_school_is_proven_for_school_officers():
    with_school = set()
    for label, ledger in LEDGERS.items():
        names = {f.name for f in ledger.model._meta.get_fields()}
        if "school" in names or label == "core.school":
            with_school.add(label)
    assert with_school - OPTED_OUT <= set(SCHOOL_LEDGERS)
    assert not OPTED_OUT & set(SCHOOL_LEDGERS)
    # The suite cannot shrink unnoticed: the ledgers known to hold a school's rows today.
    assert {
        "core.school",
        "core.schoolenrolment",
        "core.student",
        "core.region",
        "dropout.grade6spotcheck",
        "dropout.responsibility",
        "aid.disbursement",
        "aid.checknote",
    } <= set(SCHOOL_LEDGERS)


@pytest.fixture(params=SCHOOL_LEDGERS)
def school_setup(request, school, neighbour_school, school_user):
    ledger = LEDGERS[request.param]
    case = CASES[request.param]
    make = case.school_make or case.make
    return ledger, case, make(school), make(neighbour_school)


def _writes(ledger, user) -> bool:
    return ledger.editable and can_edit(user, ledger.model)


def _cells(response) -> set[str]:
    sheet = load_workbook(BytesIO(response.content)).active
    return {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}


def test_school_officer_list_and_filter(school_setup, school_client, county, neighbour_school):
    ledger, case, mine, theirs = school_setup
    response = school_client.get(_url(ledger, "list"))
    assert response.status_code == 200
    ids = _ids_on_page(response)
    assert mine.pk in ids and theirs.pk not in ids
    page = response.content.decode()
    # not even as a filter choice
    assert neighbour_school.name not in page and neighbour_school.township.name not in page

    # Filtering by its own county does not widen the school's rows to the county's.
    filter_value = county.pk
    response = school_client.get(_url(ledger, "list"), {case.county_filter: filter_value})
    assert response.status_code == 200
    assert mine.pk in _ids_on_page(response) and theirs.pk not in _ids_on_page(response)
    if "school" in ledger.filterset.base_filters:
        response = school_client.get(_url(ledger, "list"), {"school": neighbour_school.pk})
        assert response.status_code == 200
        assert _ids_on_page(response) == set()


def test_school_officer_detail_edit_delete(school_setup, school_client, school_user):
    ledger, case, mine, theirs = school_setup
    assert school_client.get(_url(ledger, "detail", mine.pk)).status_code == 200
    assert school_client.get(_url(ledger, "detail", theirs.pk)).status_code == 404
    if not ledger.editable:
        assert _url(ledger, "update", theirs.pk) is None
        return
    # Not its school's row: 404 (a ledger the school may only read: 403 before any look-up).
    refused = (404,) if _writes(ledger, school_user) else (403,)
    before = ledger.model.objects.filter(pk=theirs.pk).values().get()
    assert school_client.get(_url(ledger, "update", theirs.pk)).status_code in refused
    data = case.form_data(getattr(theirs, "school", None) or theirs, theirs)
    assert school_client.post(_url(ledger, "update", theirs.pk), data).status_code in refused
    assert school_client.get(_url(ledger, "delete", theirs.pk)).status_code in refused
    assert school_client.post(_url(ledger, "delete", theirs.pk)).status_code in refused
    assert ledger.model.objects.filter(pk=theirs.pk).values().get() == before
    if not _writes(ledger, school_user):  # its own school's row is read-only too
        mine_before = ledger.model.objects.filter(pk=mine.pk).values().get()
        assert school_client.get(_url(ledger, "update", mine.pk)).status_code == 403
        assert school_client.post(_url(ledger, "delete", mine.pk)).status_code == 403
        assert ledger.model.objects.filter(pk=mine.pk).values().get() == mine_before


def test_school_officer_creates_only_in_its_school(
    school_setup, school_client, school_user, school, neighbour_school
):
    ledger, case, mine, theirs = school_setup
    if not ledger.editable:
        _read_only_refuses_creation(ledger, case, school_client, school_user, neighbour_school)
        return
    count = ledger.model.objects.count()
    response = school_client.post(_url(ledger, "create"), case.form_data(neighbour_school))
    if not _writes(ledger, school_user):
        assert response.status_code == 403
        assert ledger.model.objects.count() == count
        return
    assert response.status_code == 200  # the form comes back with an error
    assert response.context["form"].errors
    assert ledger.model.objects.count() == count

    before = ledger.model.objects.filter(pk=mine.pk).values().get()
    response = school_client.post(
        _url(ledger, "update", mine.pk), case.form_data(neighbour_school, mine)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ledger.model.objects.filter(pk=mine.pk).values().get() == before

    # Its own school's row: entered, and it is the school's.
    response = school_client.post(_url(ledger, "create"), case.form_data(school))
    assert response.status_code == 302, (
        getattr(response, "context", {}) and response.context["form"].errors
    )
    created = ledger.model.objects.exclude(pk=mine.pk).exclude(pk=theirs.pk).latest("pk")
    assert created.school_id == school.pk and created.county_id == school.county_id
    assert ledger.model.objects.visible_to(school_user).filter(pk=created.pk).exists()


def test_school_officer_api(school_setup, school_user, neighbour_school, county):
    ledger, case, mine, theirs = school_setup
    api = APIClient()
    api.force_authenticate(school_user)
    base = f"/api/v1/{ledger.api_prefix}/"
    listed = api.get(base).json()
    ids = {row["id"] for row in listed["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    filtered = api.get(base, {case.county_filter: county.pk}).json()
    assert theirs.pk not in {row["id"] for row in filtered["results"]}
    assert api.get(f"{base}{mine.pk}/").status_code == 200
    assert api.get(f"{base}{theirs.pk}/").status_code == 404
    if not ledger.editable:
        assert api.patch(f"{base}{theirs.pk}/", {}, format="json").status_code in (403, 404, 405)
        return
    writes = _writes(ledger, school_user)
    refused = (404,) if writes else (403,)
    before_theirs = ledger.model.objects.filter(pk=theirs.pk).values().get()
    response = api.put(
        f"{base}{theirs.pk}/", case.api_data(neighbour_school, theirs), format="json"
    )
    assert response.status_code in refused
    assert api.delete(f"{base}{theirs.pk}/").status_code in refused
    assert ledger.model.objects.filter(pk=theirs.pk).values().get() == before_theirs

    count = ledger.model.objects.count()
    response = api.post(base, case.api_data(neighbour_school), format="json")
    assert response.status_code in (400, 403)
    assert ledger.model.objects.count() == count

    before_mine = ledger.model.objects.filter(pk=mine.pk).values().get()
    response = api.put(f"{base}{mine.pk}/", case.api_data(neighbour_school, mine), format="json")
    assert response.status_code in (400, 403)
    if not writes:
        assert api.delete(f"{base}{mine.pk}/").status_code == 403
    assert ledger.model.objects.filter(pk=mine.pk).values().get() == before_mine


def test_school_officer_export(school_setup, school_client):
    ledger, case, mine, theirs = school_setup
    response = school_client.get(_url(ledger, "export"))
    assert response.status_code == 200
    cells = _cells(response)
    assert case.marker(mine) in cells
    assert case.marker(theirs) not in cells


@pytest.fixture(params=WITHOUT_SCHOOL)
def county_level_row(request, school, school_user):
    """A row of the school's own county and township that belongs to no school."""
    ledger = LEDGERS[request.param]
    row = CASES[request.param].make(school)
    assert getattr(row, "school_id", None) is None
    return ledger, CASES[request.param], row


def test_rows_without_a_school_are_invisible_to_a_school_officer(
    county_level_row, school_client, school_user, county_user
):
    ledger, case, row = county_level_row
    # The county sees it: the row is there to be found.
    assert ledger.model.objects.visible_to(county_user).filter(pk=row.pk).exists()

    response = school_client.get(_url(ledger, "list"))
    assert response.status_code == 200
    assert row.pk not in _ids_on_page(response)
    assert school_client.get(_url(ledger, "detail", row.pk)).status_code == 404
    cells = _cells(school_client.get(_url(ledger, "export")))
    assert case.marker(row) not in cells

    api = APIClient()
    api.force_authenticate(school_user)
    base = f"/api/v1/{ledger.api_prefix}/"
    assert row.pk not in {item["id"] for item in api.get(base).json()["results"]}
    assert api.get(f"{base}{row.pk}/").status_code == 404
    before = ledger.model.objects.filter(pk=row.pk).values().get()
    if ledger.editable:
        assert school_client.post(_url(ledger, "delete", row.pk)).status_code in (403, 404)
        assert api.delete(f"{base}{row.pk}/").status_code in (403, 404)
        if not school_path(ledger.model):  # a county-level ledger: nothing to enter at all
            assert school_client.get(_url(ledger, "create")).status_code == 403
            assert api.post(base, {}, format="json").status_code == 403
    assert ledger.model.objects.filter(pk=row.pk).values().get() == before
