"""One translation of a refused write for every door.

Django's `ValidationError` and `PermissionDenied` and the write door's conflicts (core.services)
read the same on a page and in the API: `add_to_form` puts them on the form (field messages under
their field, the rest above the form; what the user typed is kept), `add_to_messages` shows them
where a page has no form, and `exception_handler`
(REST_FRAMEWORK's EXCEPTION_HANDLER) answers them as 400, 403 and 409 with the same messages.
Nobody converts them by hand.
"""

from __future__ import annotations

from django.contrib import messages as django_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class RowConflict(Exception):
    """A write refused because of the row's state, not of what was sent: someone saved the same
    row meanwhile, or other rows still refer to it. 409 in the API."""

    def __init__(self, message, *, current=None):
        super().__init__(str(message))
        self.message = str(message)
        self.current = current  # the stored row, when there is one


class VersionConflict(RowConflict):
    """The row was changed since the version the user read (optimistic locking): `current` is
    the stored row, whose values a page shows beside the user's."""


def messages_of(error) -> dict[str | None, list[str]]:
    """{field or None (the whole row): [messages]} of a refusal."""
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            return {
                (None if name == NON_FIELD_ERRORS else name): list(messages)
                for name, messages in error.message_dict.items()
            }
        return {None: list(error.messages)}
    return {None: [str(getattr(error, "message", None) or error)]}


def add_to_form(form, error) -> None:
    """The page's half: the refusal on the form, which comes back with the user's input."""
    for name, messages in messages_of(error).items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def add_to_messages(request, error) -> None:
    """The page's half where there is no form (a deletion, an action button): flash messages."""
    for messages in messages_of(error).values():
        for message in messages:
            django_messages.error(request, message)


def drf_detail(error) -> dict[str, list[str]]:
    """A refusal as DRF reports errors: {field: [...]}, row-level ones under non_field_errors."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name is None else name): messages
        for name, messages in messages_of(error).items()
    }


def exception_handler(exc, context):
    """The API's half (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(drf_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied) and str(exc):
        # DRF's own handler keeps the 403 but drops the message (which says what was refused).
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, RowConflict):
        body = {"detail": exc.message}
        if isinstance(exc, VersionConflict) and hasattr(exc.current, "version"):
            body["version"] = exc.current.version
        return Response(body, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
