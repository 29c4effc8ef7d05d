"""The reusable scoping test: a county user reaches none of another county's rows, by any door.

Runs for every ledger in the registry (core.ledger); a ledger without a ScopingCase fails here.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.ledger import all_ledgers
from tests.scoping import load_all

CASES = load_all()
LEDGERS = {ledger.label: ledger for ledger in all_ledgers()}
pytestmark = pytest.mark.django_db


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


def test_create_in_or_move_to_another_county_is_refused(setup, county_client, other_school):
    ledger, case, mine, theirs = setup
    if not ledger.editable:
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
