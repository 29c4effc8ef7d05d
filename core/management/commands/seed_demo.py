"""manage.py seed_demo: load the demo city (牡丹江市) — the work is done in core/demo.py."""

from __future__ import annotations

import time
import unicodedata

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from core import db, demo
from core.demo import DatabaseState
from core.models import Student


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Load the demo city: 牡丹江市, its ten counties, townships, about 300 schools, a student "
        "registry and demo log-ins. Refuses to touch a database holding other data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--students", type=int, default=demo.DEFAULT_STUDENTS, help="registry students"
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="same seed, same data"
        )
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD, help="password of every demo user"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="wipe regions, schools, enrolments, the registry and demo users, then rebuild",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only an empty database; otherwise do nothing (for `make run`)",
        )

    def handle(self, *args, students: int, seed: int, password: str, force: bool, **options):
        if students < 0:
            raise CommandError(_("--students cannot be negative."))
        if not password:
            raise CommandError(_("--password cannot be empty."))
        state = demo.database_state()
        if options["if_empty"] and state != DatabaseState.EMPTY:
            self.stdout.write(_("The database is not empty: nothing seeded."))
            return
        if state == DatabaseState.FOREIGN and not force:
            raise CommandError(
                _(
                    "The database holds data that is not the demo's; nothing was changed. "
                    "Run with --force to wipe regions, schools and the registry and load the demo."
                )
            )
        if state == DatabaseState.DEMO and not force:
            self.stdout.write(
                _("The demo is already loaded; nothing changed (use --force to rebuild it).")
            )
            self.print_logins(password=None)
            return

        started = time.monotonic()
        with transaction.atomic():
            detached: dict[int, str] = {}
            if state != DatabaseState.EMPTY:
                self.stdout.write(_("Wiping the existing data…"))
                try:
                    detached = demo.wipe_demo()
                except demo.DemoWipeBlocked as blocked:
                    raise CommandError(
                        _("Cannot wipe: these rows still refer to it: %(ledgers)s.")
                        % {"ledgers": ", ".join(blocked.labels)}
                    ) from blocked
            with demo.data_time(demo.DEMO_START, hour=8):  # the data's dates, not today's
                counts = demo.build_demo_city(
                    students=students, seed=seed, password=password, stdout=self.stdout
                )
                demo.seed_areas(seed=seed, stdout=self.stdout)
                demo.seed_reports(seed=seed, stdout=self.stdout)
            demo.reattach_scopes(detached)
            # Any table the seed filled and nothing analysed yet (core/db.py): the planner's
            # statistics are then right from the first page, autovacuum or not.
            db.analyze(*apps.get_models())
        # The registry as it stands, counted: the students generated and the few the areas'
        # demos enrolled (children whom a case brought back to school), as the README says.
        registry = Student.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo city loaded in %(seconds).1f s: %(regions)d regions (%(townships)d "
                    "townships), %(schools)d schools, %(enrolments)d enrolment rows, "
                    "%(students)s registry students (%(generated)s generated and %(added)s "
                    "enrolled by the areas' demos: children whom a case brought back to "
                    "school, and for a small registry the children its rounds need), "
                    "%(users)d users."
                )
                % {
                    **counts,
                    "students": f"{registry:,}",
                    "generated": f"{counts['students']:,}",
                    "added": f"{registry - counts['students']:,}",
                    "seconds": time.monotonic() - started,
                }
            )
        )
        self.print_logins(password=password)

    def print_logins(self, *, password: str | None) -> None:
        rows = [(_("user name"), _("role"), _("scope")), *demo.demo_logins()]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(_("Demo log-ins:"))
        for row in rows:
            cells = (_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        if password is not None:
            message = _("Password of every demo user: %(password)s") % {"password": password}
            self.stdout.write(message)
