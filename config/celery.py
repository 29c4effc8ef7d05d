"""The Celery application: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("xiangjiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker's log handlers get the ID-number redaction filter too (core/logredact.py).
from core.logredact import connect_celery_signals  # noqa: E402

connect_celery_signals()
