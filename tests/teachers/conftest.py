"""The staffing standard of 2014 that the migration gives the city (a transactional test elsewhere
may have flushed it): every test of the area starts with it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from teachers.models import StaffingStandard


@pytest.fixture(autouse=True)
def standard_2014(request):
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return None
        request.getfixturevalue("db")
    return StaffingStandard.objects.get_or_create(
        effective_from=2014,
        defaults={"primary": Decimal("19"), "junior": Decimal("13.5"), "senior": Decimal("12.5")},
    )[0]
