"""Nothing writes a ledger row around the write door (core.services): an `ast` scan of every
module of every project app that is not a declared write service (core.services.write_services():
core's own and those the areas declare in their AppConfig).

Reported, in the scanned modules:

- `Model.objects.create / update / delete / bulk_create / bulk_update / get_or_create /
  update_or_create`, also at the end of a queryset chain (`Model.objects.filter(…).update(…)`),
  on a scoped model (one whose manager has `visible_to`) or on a manager the scan cannot resolve
  (`self.ledger.model.objects`, `type(row).objects`: every ledger model is scoped);
- `<anything>.save(…)` and `<anything>.delete(…)`: a row's own save or delete, or a model form's
  `form.save()` (`form.save(commit=False)` writes nothing and is not reported, nor is a model's
  `super().save()` inside its own save, which is what the door calls, nor a call with a
  positional argument: `workbook.save(buffer)`, `storage.delete(name)`). The scan cannot
  tell a ledger row from a user or a token here, so the few writes of rows that are not ledger
  rows are allowlisted below, each with what it writes.

Migrations are not scanned (they write data by design, with the historical models).
"""

from __future__ import annotations

import ast
import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from core.services import write_services
from tests.core import ast_scan
from tests.core.ast_scan import MANAGERS, ROOT, Finding, ModuleScan, module_name, project_files

MANAGER_WRITES = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
ROW_WRITES = {"save", "delete"}

# (module path, enclosing function, expression) -> what it writes. Only rows that are not ledger
# rows belong here: a ledger row is written through core.services.
ALLOWED = {
    # Users are not ledger rows (user management is the city administrators', audited beside).
    ("core/views.py", "form_valid", "form.save"): "a new User",
    ("core/views.py", "form_valid", "form.save#2"): "a changed User",
    ("core/views.py", "form_valid", "form.save#3"): "a User's password reset by an administrator",
    ("core/forms.py", "save", "user.save"): "the new password of a User (SetPasswordForm)",
    ("core/lockout.py", "reset_user_attempts", "attempts.delete"): "failed log-in attempts",
    # Values a row's own save keeps (the door saves the row; this is part of that save):
    ("core/models.py", "save", "type(self).objects…update"): (
        "a new county is its own county: its county key is its new primary key"
    ),
    ("aid/models.py", "refresh_verification", "OutOfAreaStudent.objects…update"): (
        "the out-of-area student's verification date, from its contacts, kept by "
        "ContactLog.save and delete"
    ),
}


def is_write_service(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in write_services())


def project_modules() -> list[Path]:
    """Every module of every project app, but migrations and the declared write services."""
    return sorted(path for path in project_files() if not is_write_service(module_name(path)))


def _manager_root(node):
    """If `node` is a chain `X.objects.<calls…>`, the `X.objects` attribute node; else None."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in MANAGERS:
                return node
            node = node.value
        else:
            return None


def scan_source(source: str, path: str, namespace: dict | None = None) -> list[Finding]:
    scan = ModuleScan(source, path, namespace)
    for node in scan.nodes():
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in MANAGER_WRITES | ROW_WRITES:
            continue
        manager = _manager_root(node.func.value)
        if manager is not None:
            if method not in MANAGER_WRITES or not scan.counts_as_scoped(manager.value):
                continue
            expression = f"{ast.unparse(manager)}…{method}"
        else:
            if method not in ROW_WRITES:
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super":
                continue  # a model's own save() or delete() calling Django's
            if node.args:
                continue  # workbook.save(buffer), storage.delete(name): a model's take keywords
            commit = next((k.value for k in node.keywords if k.arg == "commit"), None)
            if isinstance(commit, ast.Constant) and commit.value is False:
                continue  # form.save(commit=False) builds the row, writes nothing
            expression = f"{ast.unparse(node.func.value)}.{method}"
        scan.report(node, expression)
    return scan.findings()


def scan_file(path: Path) -> list[Finding]:
    return ast_scan.scan_file(path, scan_source)


def scan_all() -> list[Finding]:
    return [finding for path in project_modules() for finding in scan_file(path)]


def test_the_scan_covers_the_doors_and_skips_only_the_write_services():
    files = {path.relative_to(ROOT).as_posix() for path in project_modules()}
    for expected in (
        "core/views.py",
        "core/api.py",
        "core/admin.py",
        "core/forms.py",
        "core/tasks.py",
        "core/selectors.py",
        "core/conflict_views.py",
        "core/attachments/views.py",
        "dropout/views.py",
        "dropout/api.py",
        "dropout/forms.py",
        "dropout/tasks.py",
        "aid/views.py",
        "aid/api.py",
        "aid/forms.py",
        "aid/selectors.py",
    ):
        assert expected in files
    assert "core/services.py" not in files and "dropout/services.py" not in files
    assert {"core/importing/views.py", "core/importing/api.py"} <= files


def test_every_declared_write_service_exists_and_writes():
    """A declared write service that no longer writes a ledger row is a stale declaration."""
    quiet = []
    for name in write_services():
        module = importlib.import_module(name)
        paths = (
            sorted(Path(module.__file__).parent.rglob("*.py"))
            if Path(module.__file__).name == "__init__.py"
            else [Path(module.__file__)]
        )
        if name == "core.services":
            continue  # the door: its writes are the ones everybody else must use
        if not any(scan_source(p.read_text("utf-8"), name, vars(module)) for p in paths):
            quiet.append(name)
    assert not quiet, f"declared write services that write no row (remove them): {quiet}"


def test_no_module_writes_a_ledger_row_around_the_door():
    findings = scan_all()
    unexplained = [str(finding) for finding in findings if finding.key not in ALLOWED]
    assert not unexplained, (
        "a write outside the write door — call core.services.row_create / row_update / "
        "row_delete (or a declared write service: core.services.WRITE_SERVICES, an area's "
        "area_write_services), or, for a "
        "row that is not a ledger row, allowlist it in ALLOWED saying what it writes:\n"
        + "\n".join(unexplained)
    )
    stale = sorted(set(ALLOWED) - {finding.key for finding in findings})
    assert not stale, f"ALLOWED entries that no longer match anything (remove them): {stale}"


PLANTED = textwrap.dedent(
    """
    from core.models import School, Student, User


    def planted_view(request, form, pk):
        student = Student.objects.visible_to(request.user).get(pk=pk)
        student.name = "改名"
        student.save()
        Student.objects.filter(pk=pk).update(grade=5)
        School.objects.visible_to(request.user).filter(pk=1).delete()
        Student.objects.bulk_create([])
        form.save()
        form.save(commit=False)  # builds the row: not reported
        User.objects.filter(pk=1).update(full_name="x")  # not a scoped model: not reported
        return student


    class PlantedViewSet:
        def perform_create(self, serializer):
            self.ledger.model.objects.create(name="x")
    """
)


def test_a_planted_bypass_is_reported():
    findings = scan_source(PLANTED, "planted/views.py")
    assert [(finding.function, finding.expression) for finding in findings] == [
        ("planted_view", "student.save"),
        ("planted_view", "Student.objects…update"),
        ("planted_view", "School.objects…delete"),
        ("planted_view", "Student.objects…bulk_create"),
        ("planted_view", "form.save"),
        ("perform_create", "self.ledger.model.objects…create"),
    ]
    assert all(finding.key not in ALLOWED for finding in findings)


def test_a_planted_module_fails_the_scan():
    """A whole module dropped into an app is found by the walk and fails the check."""
    planted = ROOT / "aid" / "planted_writes.py"
    assert not planted.exists()
    planted.write_text(PLANTED, "utf-8")
    try:
        assert planted in project_modules()
        with pytest.raises(AssertionError, match="planted_writes.py:.* student.save"):
            test_no_module_writes_a_ledger_row_around_the_door()
    finally:
        planted.unlink()
        sys.modules.pop("aid.planted_writes", None)
