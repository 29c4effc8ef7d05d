"""manage.py serve: Django's development server (with static files) that says what it does in
the project's language; `make run` uses it. runserver's banner and warning are English only."""

from __future__ import annotations

import sys

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.utils.translation import gettext as _


class Command(RunserverCommand):
    help = "Serve the site for a demo or development (never in production: use docker compose)."

    def on_bind(self, server_port):
        quit_command = "CTRL-BREAK" if sys.platform == "win32" else "CONTROL-C"
        if self._raw_ipv6:
            addr = f"[{self.addr}]"
        elif self.addr == "0":
            addr = "0.0.0.0"  # noqa: S104 - what the user asked for with "0"
        else:
            addr = self.addr
        self.stdout.write(
            _("Serving on %(url)s (stop with %(quit)s).")
            % {"url": f"{self.protocol}://{addr}:{server_port}/", "quit": quit_command}
        )
        self.stdout.write(
            self.style.WARNING(
                _(
                    "A development server, for a demo on this machine: the production stack is "
                    "`docker compose up` (README)."
                )
            )
        )
