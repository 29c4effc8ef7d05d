"""Celery entry points of the shared schema (thin: they call a service and return)."""

from celery import shared_task
from django.core import management


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> str:
    management.call_command("clearsessions")
    return "ok"


@shared_task(name="core.tasks.count_visible_schools")
def count_visible_schools(user_id: int) -> int:
    """How many schools a user can see: a small real task used to prove the worker round trip."""
    from core.models import School, User

    return School.objects.visible_to(User.objects.get(pk=user_id)).count()
