"""No ID number in a log or an error: integrity errors are caught before they become 500s, and
the redaction filter on every handler masks whatever gets through (conftest greps every log)."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError
from rest_framework.test import APIClient

from core import idnumbers
from core.logredact import RedactIdNumbers
from core.models import Student

pytestmark = pytest.mark.django_db
NUMBER = idnumbers.make("231086", dt.date(2013, 5, 4), 123)


@pytest.fixture
def web_log(tmp_path):
    """What the root logger's configured handlers would write: a file handler with their filters."""
    handler = logging.FileHandler(tmp_path / "web.log", encoding="utf-8")
    for configured in logging.getLogger().handlers:
        for log_filter in configured.filters:
            handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)

    def read() -> str:
        handler.flush()
        return (tmp_path / "web.log").read_text("utf-8")

    yield read
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_every_configured_handler_redacts():
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("redact_id_numbers" in h.get("filters", []) for h in handlers.values())
    assert any(
        isinstance(f, RedactIdNumbers) for h in logging.getLogger().handlers for f in h.filters
    )


def test_a_logged_number_and_traceback_are_masked(web_log):
    logger = logging.getLogger("core.test")
    logger.warning("student %s refused", NUMBER)
    try:
        raise IntegrityError(f"Key (id_number)=({NUMBER}) already exists.")
    except IntegrityError:
        logger.exception("save failed")
    text = web_log()
    assert NUMBER not in text
    assert text.count(idnumbers.mask(NUMBER)) >= 2


def test_an_api_save_that_loses_a_race_answers_409_without_the_number(county_user, school, web_log):
    api = APIClient()
    api.force_authenticate(county_user)
    number = idnumbers.make("231083", dt.date(2013, 5, 4), 123)
    payload = {
        "id_number": number,
        "name": "赵六",
        "school": school.pk,
        "grade": 4,
        "status": "enrolled",
        "gender": idnumbers.gender(number),
    }
    raced = IntegrityError(
        f"duplicate key value violates unique constraint: Key (id_number)=({number})"
    )
    # The row's save inside the write door is where the database refuses the racing insert.
    with mock.patch.object(Student, "save", side_effect=raced):
        response = api.post("/api/v1/students/", payload)
    assert response.status_code == 409
    assert not Student.objects.filter(name="赵六").exists()
    assert number not in response.content.decode()
    assert "刚才有人保存了同一行" in response.json()["detail"]
    assert number not in web_log() and "Conflict" in web_log()
