"""Log-in throttling on top of django-axes: a limit per user name at an address, and a higher one
per address across user names (settings.AXES_ADDRESS_FAILURE_LIMIT).

Axes knows a single failure limit, compared with the largest failure count of the lockout
parameters (`AXES_LOCKOUT_PARAMETERS`). The handler below scales the address-only count to that
limit, so each parameter locks at a limit of its own; and a successful log-in clears only the
failures of the user name that logged in, so an attacker's own account cannot reset the count of
the names it tried at the same address.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def _names_user(parameter) -> bool:
    return "username" in ([parameter] if isinstance(parameter, str) else parameter)


def _address_only(parameter) -> bool:
    return parameter == "ip_address" or list(parameter) == ["ip_address"]


class LockoutHandler(AxesDatabaseHandler):
    def _attempts_by_parameter(self, request, credentials, attempts_list):
        return zip(get_lockout_parameters(request, credentials), attempts_list, strict=True)

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        worst = 0
        attempts_list = self.get_user_attempts(request, credentials)
        for parameter, attempts in self._attempts_by_parameter(request, credentials, attempts_list):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if _address_only(parameter):
                # Reaches `limit` exactly when the address reaches its own limit.
                failures = failures * limit // address_limit
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        count = 0
        attempts_list = self.filter_user_attempts(request, credentials)
        for parameter, attempts in self._attempts_by_parameter(request, credentials, attempts_list):
            if _names_user(parameter):
                count += attempts.delete()[0]
        return count


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
    entry of X-Forwarded-For that the outermost trusted proxy appended (what a client writes
    there itself comes before it and is ignored)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
