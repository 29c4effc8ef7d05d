"""Celery entry points of dropout control (thin: they call a service and return)."""

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError

from dropout import services


@shared_task(
    name="dropout.tasks.scheduled_screening_round",
    bind=True,
    max_retries=5,
    ignore_result=True,
)
def scheduled_screening_round(self, screening_date: str | None = None) -> int | None:
    """The schedule's round (e.g. at the start of each term): the whole city, the newest rosters.

    Safe to run twice: the service returns the round already started for the date (and the
    database refuses a second one), so a retry, a redelivery after a worker crash (tasks are
    acknowledged late) or a duplicate message starts nothing new. A retry keeps the date of the
    first attempt, even if it runs after midnight. The round itself runs as a job
    (core.tasks.run_job), like one started by a city admin.
    """
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    day = dt.date.fromisoformat(screening_date) if screening_date else timezone.localdate()
    try:
        return services.round_start_scheduled(today=day).pk
    except ValidationError:  # no county has a roster yet: nothing to screen
        return None
    except (OperationalError, InterfaceError) as error:  # the database is away for a moment
        countdown = min(300, 5 * 2**self.request.retries)
        raise self.retry(
            exc=error, countdown=countdown, kwargs={"screening_date": day.isoformat()}
        ) from error
