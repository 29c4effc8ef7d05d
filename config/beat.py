"""Celery beat's scheduler: django-celery-beat's database scheduler, given core's periodic tasks
(config/schedules.py) and every programme area's (`<app>/schedules.py`, collected by core.areas)
when beat starts. The entries are copied into the database, where the admin pauses or re-times
them ("Periodic tasks")."""

from django_celery_beat.schedulers import DatabaseScheduler

from core.areas import beat_schedule


class Scheduler(DatabaseScheduler):
    def setup_schedule(self):
        self.app.conf.beat_schedule = beat_schedule(dict(self.app.conf.beat_schedule or {}))
        super().setup_schedule()
