"""Every periodic task of the platform, in one place.

django-celery-beat's DatabaseScheduler copies these entries into its tables when beat starts, so
they show (and can be paused or re-timed) in the admin under "Periodic tasks". Programme areas add
their entries here, not in their own modules.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Jobs whose worker vanished (killed, out of memory) are failed and what they had claimed reset;
    # jobs no worker took are sent again once, then failed (core.jobs.reap).
    "core.reap-jobs": {
        "task": "core.tasks.reap_jobs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "core.clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "core.forget-old-import-files": {
        "task": "core.tasks.forget_old_import_files",
        "schedule": crontab(hour=3, minute=37),
    },
    # A screening round of the whole city at the start of each term (10 March, 10 September). It
    # runs once per date: a retry or a second delivery finds the round already started, and the
    # database refuses a second one (dropout.services.round_start_scheduled).
    "dropout.term-start-screening": {
        "task": "dropout.tasks.scheduled_screening_round",
        "schedule": crontab(minute=0, hour=6, day_of_month=10, month_of_year="3,9"),
    },
}
