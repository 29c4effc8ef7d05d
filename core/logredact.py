"""The last line of defence for ID numbers in logs: every record is redacted before it is written.

Code must not log an ID number in the first place (integrity errors are caught and logged without
their values); this filter masks anything shaped like one that gets through anyway, in the
message, its arguments and the traceback. It sits on every handler of the web's LOGGING and is
added to the Celery worker's own handlers when the worker sets up its logging.
"""

from __future__ import annotations

import logging

from core.idnumbers import ID_SHAPED, redact

_formatter = logging.Formatter()


class RedactIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        if ID_SHAPED.search(message):
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text and ID_SHAPED.search(record.exc_text):
            record.exc_text = redact(record.exc_text)
        if record.stack_info and ID_SHAPED.search(record.stack_info):
            record.stack_info = redact(record.stack_info)
        return True


def add_to_handlers(logger: logging.Logger | None = None, **_kwargs) -> None:
    """Put the filter on every handler of a logger (the root by default) that lacks it."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactIdNumbers) for f in handler.filters):
            handler.addFilter(RedactIdNumbers())


def connect_celery_signals() -> None:
    """The worker replaces the root logger's handlers with its own: filter those too."""
    from celery import signals

    signals.after_setup_logger.connect(add_to_handlers, weak=False)
    signals.after_setup_task_logger.connect(add_to_handlers, weak=False)
