"""The one way a figure names the rows behind it: a list page's URL with its filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def link(name: str, **params) -> str:
    """The URL named `name` with `params` as its query string; a filter that is None or "" is
    left out (the page shows all rows for it), so the link is the same whether a selector was
    narrowed or not."""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse(name) + ("?" + query if query else "")


def safe_next(request, fallback: str) -> str:
    """Where a posted form goes back to: its `next` field when that is a page of this site
    (never another host: no open redirect), else `fallback`."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
