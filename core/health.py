"""Health endpoints (django-health-check): is the database, the broker and a worker there?

`/health/` checks the database (SELECT 1), the broker (a PING to Redis) and a worker (Celery's
ping control command, answered by a running worker). `/health/live/` checks the web process and
its database only: the container health check of the web, which must not turn unhealthy because
the worker is down.

Anyone may ask (a load balancer, compose, a monitor), so the answer says ok or fail per component
and nothing else: no host, port, error text or worker name. A superuser also gets the errors.
The answer is 200 when every component is ok, else 503.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.views import HealthCheckView


@dataclasses.dataclass
class InProcess(HealthCheck):
    """No broker configured (a bare machine): tasks run in the web's own process, always there."""

    def run(self):
        return None


def _broker_check():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL.startswith("redis"):
        return InProcess()
    from health_check.contrib.redis import Redis
    from redis.asyncio import Redis as RedisClient

    url = settings.CELERY_BROKER_URL
    timeout = float(getattr(settings, "BROKER_TIMEOUT", 3))
    return Redis(
        client_factory=lambda: RedisClient.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
    )


def _worker_check():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return InProcess()
    from health_check.contrib.celery import Ping

    from config.celery import app

    return Ping(app=app, timeout=datetime.timedelta(seconds=2), limit=1)


class HealthView(HealthCheckView):
    """ok/fail per component, as JSON; 503 if any fails."""

    components = ("database", "broker", "worker")

    def get_checks(self):
        makers = {"database": Database, "broker": _broker_check, "worker": _worker_check}
        for name in self.components:
            yield makers[name]()

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        answer = {
            name: "fail" if result.error else "ok"
            for name, result in zip(self.components, results, strict=True)
        }
        healthy = all(value == "ok" for value in answer.values())
        body = {"status": "ok" if healthy else "fail", **answer}
        user = await request.auser()
        if user.is_authenticated and user.is_superuser:
            body["errors"] = {
                name: str(result.error)
                for name, result in zip(self.components, results, strict=True)
                if result.error
            }
        return JsonResponse(body, status=200 if healthy else 503)


class LiveView(HealthView):
    """The web process answers and reaches its database."""

    components = ("database",)
