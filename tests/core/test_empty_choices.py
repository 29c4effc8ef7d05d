"""A drop-down's empty choice says what it means (请选择, （不选）), never Django's "---------",
and a detail page shows an empty field as —, not as a label with nothing beside it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from core.ledger import all_ledgers

pytestmark = pytest.mark.django_db


def test_no_ledger_form_offers_dashes_as_a_choice(client, county_user, city_admin, school):
    seen = 0
    for user in (county_user, city_admin):
        client.force_login(user)
        for ledger in all_ledgers():
            try:
                url = reverse(ledger.url_name("create"))
            except NoReverseMatch:
                continue
            response = client.get(url)
            if response.status_code != 200:
                continue
            html = response.content.decode()
            seen += 1
            assert "---------" not in html, url
    assert seen > 10


def test_the_case_page_offers_choose_and_shows_empty_fields_as_a_dash(
    county_client, county_user, township
):
    from dropout import services
    from tests.factories import id_for

    case = services.case_open(
        id_number=id_for("231083", dt.date(2012, 5, 5)),
        name="村里报告",
        township=township,
        actor=county_user,
    )
    html = county_client.get(case.get_absolute_url()).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>请选择</option>' in html  # the outcome: needed
    assert '<option value="" selected>（不选）</option>' in html  # the school: only if returned
    assert '<dd class="col-sm-9" id="field-outcome">—</dd>' in html
