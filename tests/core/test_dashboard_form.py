"""Every area dashboard's filters are one form (core.forms.DashboardForm): a city user chooses a
county or 全部县区, never "---------"; a county or school user has no county to choose."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DASHBOARDS = ("aid-dashboard", "facilities-dashboard", "teachers-dashboard")


@pytest.mark.parametrize("name", DASHBOARDS)
def test_a_city_user_chooses_a_county_or_all_counties(name, city_client, county, other_county):
    page = city_client.get(reverse(name)).content.decode()
    assert "---------" not in page
    select = page[
        page.index('name="county"') : page.index("</select>", page.index('name="county"'))
    ]
    assert '<option value="" selected>全部县区</option>' in select
    assert "海林市" in select and "东宁市" in select
    chosen = city_client.get(reverse(name), {"county": county.pk}).content.decode()
    assert f'<option value="{county.pk}" selected>海林市</option>' in chosen


@pytest.mark.parametrize("name", DASHBOARDS)
def test_a_county_or_school_user_has_no_county_to_choose(
    name, county_client, school_user, client, other_county
):
    assert 'name="county"' not in county_client.get(reverse(name)).content.decode()
    client.force_login(school_user)
    page = client.get(reverse(name)).content.decode()
    assert 'name="county"' not in page and "东宁市" not in page


@pytest.mark.parametrize("name", DASHBOARDS)
def test_another_countys_id_is_refused_not_widened(name, county_client, other_county):
    """A county user who types another county's id in the address sees their own figures."""
    response = county_client.get(reverse(name), {"county": other_county.pk})
    assert response.status_code == 200 and "东宁市" not in response.content.decode()
