"""No door reads a scoped model around `visible_to`: an `ast` scan of every app's views, API,
tasks and selectors.

"Scoped" is computed from the app registry: every model whose default manager has `visible_to`
(core.scoping.ScopedQuerySet and its variants). In the scanned modules, these are reported:

- `Model.objects.<anything but visible_to>` (and `Model.objects` passed on as it is);
- `Model._default_manager` / `Model._base_manager`;
- `get_object_or_404(Model, …)` / `get_list_or_404(Model, …)` on a model class.

A manager reached through an expression the scan cannot resolve (`self.ledger.model.objects`,
`type(row).objects`, a local variable) counts as scoped: every ledger model is. Writes have their
own scan (tests/core/test_no_bypass_writes.py); this one is about which rows a door can reach.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

from tests.core import ast_scan
from tests.core.ast_scan import (
    MANAGERS,
    ROOT,
    UNRESOLVED,
    Finding,
    ModuleScan,
    project_files,
    scoped_models,
)

DOOR_FILES = {"views.py", "api.py", "tasks.py", "selectors.py"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
# `.objects.none()` reads nothing (a form field's queryset, narrowed per user later).
SAFE_AFTER_OBJECTS = {"visible_to", "none"}

# (file, enclosing function, expression) -> why it is safe. Keep it short: a door that has a user
# reads through visible_to(user) instead of landing here.
ALLOWED = {
    # aid's checks look across the city on purpose, and only ever show rows of the outer
    # queryset, which is Model.objects.visible_to(user):
    ("aid/selectors.py", "current_roster_ids", "RosterVersion.objects.newest"): (
        "eligibility: a child on any county's current roster (each county's newest version, "
        "ID numbers feeding a filter on Student.objects.visible_to(user))"
    ),
    ("aid/selectors.py", "current_roster_ids", "RosterChild.objects.filter"): (
        "ID numbers of the current versions' children, feeding the same visible filter"
    ),
    ("aid/selectors.py", "aided_before_ids", "Disbursement.objects.filter"): (
        "eligibility: aided last term by any county (ID numbers feeding a visible filter)"
    ),
    ("aid/selectors.py", "gap_list", "Disbursement.objects.filter"): (
        "paid by any county is not a gap: an Exists() on the visible students, nothing shown"
    ),
    ("aid/selectors.py", "cross_county_duplicates", "Disbursement.objects.filter"): (
        "the check itself: paid elsewhere too; only the other county's name and count are shown"
    ),
    ("aid/selectors.py", "_notes", "CheckNote.objects.filter"): (
        "correlated on the outer (visible) row's county and ID number"
    ),
    # City-level reference data that every role reads (CityLevelQuerySet: all rows to anyone
    # with a role); these helpers take no user.
    ("aid/selectors.py", "programmes_due", "AidStandard.objects.filter"): (
        "standards are city-wide reference data"
    ),
    ("aid/selectors.py", "standard_subquery", "AidStandard.objects.filter"): (
        "standards are city-wide reference data"
    ),
    ("aid/views.py", "get", "AuditEvent.objects.filter"): (
        "the history of a programme's standards (city-wide rows only city admins change), "
        "on a page whose programme came through visible_to(user)"
    ),
    # Dropout rounds: a subquery or neighbour of a row the caller already read through
    # visible_to(user).
    ("dropout/views.py", "get_context_data", "ScreeningRound.objects.filter"): (
        "ids of rounds covering the visible case's county, inside ScreeningResult.visible_to"
    ),
    ("dropout/selectors.py", "previous_round", "ScreeningRound.objects.filter"): (
        "the finished round before a round the caller read through visible_to, same counties"
    ),
    # Facilities: the day the maintenance log has reached, once the clock left the school year.
    ("facilities/selectors.py", "maintenance_day", "MaintenanceEntry.objects.filter"): (
        "only the newest date of the city's log is read (the data's day, the same for everyone)"
    ),
    # Jobs: a county officer's own jobs (actor=user); everything else via visible_to.
    ("core/job_views.py", "visible_jobs", "JobRun.objects.filter"): (
        "filtered to the user's own jobs, or to ids from JobRun.objects.visible_to(user)"
    ),
}


def door_files() -> list[Path]:
    """views.py, api.py, tasks.py, selectors.py and *_views.py / *_api.py of every project app."""
    return sorted(
        path
        for path in project_files()
        if "management" not in path.parts
        and (path.name in DOOR_FILES or path.stem.endswith(("_views", "_api")))
    )


def scan_source(source: str, path: str, namespace: dict | None = None) -> list[Finding]:
    scan = ModuleScan(source, path, namespace)
    for node in scan.nodes():
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            if not scan.counts_as_scoped(node.value):
                continue
            parent = scan.parents.get(node)
            then = parent.attr if isinstance(parent, ast.Attribute) else None
            if node.attr == "objects" and then in SAFE_AFTER_OBJECTS:
                continue
            scan.report(node, ast.unparse(node) + (f".{then}" if then else ""))
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            if name not in SHORTCUTS:
                continue
            first = node.args[0]
            value = scan.resolve(first)
            unknown_model = value is UNRESOLVED and (
                isinstance(first, ast.Attribute) and first.attr == "model"
            )
            if scan.is_scoped_model(value) or unknown_model:
                scan.report(node, f"{name}({ast.unparse(first)})")
    return scan.findings()


def scan_file(path: Path) -> list[Finding]:
    return ast_scan.scan_file(path, scan_source)


def scan_all() -> list[Finding]:
    return [finding for path in door_files() for finding in scan_file(path)]


def test_the_scan_covers_every_app_and_knows_the_scoped_models():
    files = {path.relative_to(ROOT).as_posix() for path in door_files()}
    for expected in (
        "core/views.py",
        "core/api.py",
        "core/tasks.py",
        "core/job_views.py",
        "core/conflict_views.py",
        "core/token_views.py",
        "core/importing/views.py",
        "core/importing/api.py",
        "core/attachments/views.py",
        "dropout/views.py",
        "dropout/api.py",
        "dropout/selectors.py",
        "aid/views.py",
        "aid/selectors.py",
    ):
        assert expected in files
    labels = {model._meta.label for model in scoped_models()}
    assert {"core.Student", "core.School", "dropout.DropoutCase", "aid.CheckNote"} <= labels
    assert "core.User" not in labels


def test_no_door_reads_a_scoped_model_around_visible_to():
    findings = scan_all()
    unexplained = [str(finding) for finding in findings if finding.key not in ALLOWED]
    assert not unexplained, (
        "direct manager access on a scoped model outside visible_to(user) — read through "
        "Model.objects.visible_to(user), or allowlist it in ALLOWED with the reason it is safe:\n"
        + "\n".join(unexplained)
    )
    stale = sorted(set(ALLOWED) - {finding.key for finding in findings})
    assert not stale, f"ALLOWED entries that no longer match anything (remove them): {stale}"


PLANTED = textwrap.dedent(
    """
    from django.shortcuts import get_object_or_404

    from core.models import School, Student, User
    from core.scoping import Role


    def planted_view(request, pk):
        student = get_object_or_404(Student, pk=pk)
        schools = School.objects.filter(county=student.county)
        first = School._default_manager.first()
        users = User.objects.all()  # not a scoped model: not reported
        fine = Student.objects.visible_to(request.user).get(pk=pk)
        return student, schools, first, users, fine, Role


    class PlantedView:
        def get_object(self):
            return get_object_or_404(self.ledger.model, pk=1)

        def get_queryset(self):
            return self.ledger.model.objects.all()
    """
)


def test_a_planted_bypass_is_reported():
    findings = scan_source(PLANTED, "planted/views.py")
    assert [(finding.function, finding.expression) for finding in findings] == [
        ("planted_view", "get_object_or_404(Student)"),
        ("planted_view", "School.objects.filter"),
        ("planted_view", "School._default_manager.first"),
        ("get_object", "get_object_or_404(self.ledger.model)"),
        ("get_queryset", "self.ledger.model.objects.all"),
    ]
    assert all(finding.key not in ALLOWED for finding in findings)


def test_a_planted_module_fails_the_scan():
    """A whole module dropped into an app is found by the file walk and fails the check."""
    planted = ROOT / "dropout" / "planted_views.py"
    assert not planted.exists()
    planted.write_text(PLANTED, "utf-8")
    try:
        assert planted in door_files()
        findings = scan_file(planted)
        assert "get_object_or_404(Student)" in {finding.expression for finding in findings}
        with pytest.raises(AssertionError, match="get_object_or_404\\(Student\\)"):
            test_no_door_reads_a_scoped_model_around_visible_to()
    finally:
        planted.unlink()
        sys.modules.pop("dropout.planted_views", None)
