"""The API's one pagination (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS): pages of PAGE_SIZE rows,
`?page_size=` up to API_MAX_PAGE_SIZE (a larger figure gives the maximum, not an error)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        # Read per request: a deployment (or a test) may change it without a restart of DRF.
        return settings.API_MAX_PAGE_SIZE
