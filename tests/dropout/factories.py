"""Factories and helpers of the dropout tests: rows made the way the real code makes them."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from core.jobs import execute
from dropout import services
from dropout.models import Responsibility, ResponsibilityLine, ScreeningRound

_round_names = itertools.count(1)


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    township = None
    line = ResponsibilityLine.GOVERNMENT
    person = factory.Sequence(lambda n: f"责任人{n}")
    title = "副镇长"
    phone = "0453-6000000"


def run_round(
    actor, *, counties=None, school_year=2023, screening_date=dt.date(2023, 9, 15), name=None
) -> ScreeningRound:
    """Start a round through the service and run its job here and now (as the worker would)."""
    screening_round = services.round_start(
        name=name or f"排查{next(_round_names)}",
        school_year=school_year,
        counties=counties,
        actor=actor,
        screening_date=screening_date,
    )
    execute(screening_round.job_id)
    screening_round.refresh_from_db()
    return screening_round


def listed_names(user, url: str) -> set[str]:
    """The names on a list page (first page) as `user` sees it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return {row.record.name for row in response.context["table"].paginated_rows}
