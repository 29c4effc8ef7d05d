"""Every periodic task of the platform, in one place.

django-celery-beat's DatabaseScheduler copies these entries into its tables when beat starts, so
they show (and can be paused or re-timed) in the admin under "Periodic tasks". These are core's;
each programme area declares its own in `<app>/schedules.py`, and config/beat.py adds them when
beat starts (core.areas.beat_schedule).
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
}
