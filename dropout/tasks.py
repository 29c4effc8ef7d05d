"""Celery entry points of dropout control (thin: they call a service and return)."""

from celery import shared_task

from dropout import services


@shared_task(name="dropout.tasks.scheduled_screening_round")
def scheduled_screening_round() -> int | None:
    """The schedule's round (e.g. at the start of each term): the whole city, the newest rosters.

    The round itself runs as a job (core.tasks.run_job), like one started by a city admin.
    """
    from django.core.exceptions import ValidationError

    try:
        return services.round_start_scheduled().pk
    except ValidationError:  # no county has a roster yet: nothing to screen
        return None
