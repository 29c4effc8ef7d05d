"""The Celery worker of the fault tests: the real worker, with pause points inside the work.

    python -m tests.core.fault_worker -A config worker …   (the arguments of `celery`)

The import commit pauses after its rows are written and the screening round after its cases are
opened — inside their transactions, before the commit — while a file `hold-import` (or
`hold-round`) exists in $FAULT_DIR. On reaching the point it writes `at-import` (`at-round`) with
its process id, so that a test can kill exactly that process mid-transaction.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def pause(name: str) -> None:
    folder = Path(os.environ["FAULT_DIR"])
    hold = folder / f"hold-{name}"
    if not hold.exists():
        return
    (folder / f"at-{name}").write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while hold.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def install() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    django.setup()
    from core.importing import services as imports
    from dropout import services

    write = imports.write
    open_cases = services._open_cases

    def paused_write(*args, **kwargs):
        result = write(*args, **kwargs)
        pause("import")
        return result

    def paused_open_cases(*args, **kwargs):
        result = open_cases(*args, **kwargs)
        pause("round")
        return result

    imports.write = paused_write
    services._open_cases = paused_open_cases


if __name__ == "__main__":
    install()
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
