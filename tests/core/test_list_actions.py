"""A ledger's list page offers the area's other actions (start a round, open a case by hand…) to
exactly the roles that may take them: a role that sees the button gets the page behind it, and a
role the page refuses does not see the button."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.ledger import all_ledgers

pytestmark = pytest.mark.django_db

ROLES = ("city_admin", "city_user", "county_user", "county_reviewer", "school_user")
WITH_ACTIONS = [ledger for ledger in all_ledgers() if ledger.list_actions]


def test_some_ledger_declares_list_actions():
    assert WITH_ACTIONS  # otherwise the test below checks nothing


@pytest.mark.parametrize("ledger", WITH_ACTIONS, ids=lambda ledger: ledger.label)
@pytest.mark.parametrize("role", ROLES)
def test_a_list_action_is_shown_to_whoever_may_take_it(request, ledger, role):
    user = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)
    listing = client.get(reverse(ledger.url_name("list")))
    assert listing.status_code == 200
    page = listing.content.decode()
    for action in ledger.list_actions:
        target = reverse(action.url_name)
        shown = f'href="{target}"' in page
        assert shown == action.allowed(user), (action.url_name, role)
        reached = client.get(target).status_code
        assert reached == (200 if shown else 403), (action.url_name, role, reached)
        if shown and action.element_id:
            assert f'id="{action.element_id}"' in page
