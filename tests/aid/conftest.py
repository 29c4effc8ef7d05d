"""Fixtures of the aid tests: programmes with their 2023 standards."""

from __future__ import annotations

import pytest

from tests.aid.factories import make_programmes


@pytest.fixture
def programmes(db):
    return make_programmes()
