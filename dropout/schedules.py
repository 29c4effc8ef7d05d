"""Dropout control's periodic tasks (core.areas gives them to Celery beat: config/beat.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # A screening round of the whole city at the start of each term (10 March, 10 September). It
    # runs once per date: a retry or a second delivery finds the round already started, and the
    # database refuses a second one (dropout.services.round_start_scheduled).
    "dropout.term-start-screening": {
        "task": "dropout.tasks.scheduled_screening_round",
        "schedule": crontab(minute=0, hour=6, day_of_month=10, month_of_year="3,9"),
    },
}
