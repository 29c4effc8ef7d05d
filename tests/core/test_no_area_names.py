"""core/ and config/ name no programme area: they read the area registry (core.areas), so adding an
area edits none of their files (docs/areas.md).

An `ast` scan of every module of core/ and config/ (migrations aside: they are history) and of
tests/scoping.py reports an import of an area app and a string literal that names one — the app
label as a word of the literal ("dropout", "dropout.tasks.x", "aid-dashboard", "DROPOUT_X").
Docstrings are prose and are not read. The templates core renders (templates/*.html and
templates/core/) are read as text, word by word. The one place an area is named is INSTALLED_APPS in
config/settings.py: Django's app registry, which the area registry hangs from.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

from django.conf import settings

from core.areas import areas

ROOT = Path(settings.BASE_DIR)
SCANNED = sorted(
    path
    for folder in ("core", "config")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.relative_to(ROOT).parts
) + [ROOT / "tests" / "scoping.py"]


def area_labels() -> set[str]:
    return {area.app for area in areas()}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (of a module, class or function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _installed_apps(tree: ast.AST) -> set[int]:
    """ids of the nodes inside an `INSTALLED_APPS = [...]` assignment."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "INSTALLED_APPS"
            for target in node.targets
        ):
            found |= {id(inner) for inner in ast.walk(node.value)}
    return found


def names_in(source: str, labels: set[str], *, filename: str = "<module>") -> list[str]:
    """What in `source` names an area: imports of its modules and string literals with its label."""
    tree = ast.parse(source, filename=filename)
    skip = _docstrings(tree) | _installed_apps(tree)
    found = []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        for module in modules:
            if module.split(".")[0] in labels:
                found.append(f"{filename}:{node.lineno}: import {module}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            words = set(re.split(r"[^a-z]+", node.value.lower()))
            if words & labels:
                found.append(f"{filename}:{node.lineno}: {node.value[:60]!r}")
    return found


TEMPLATES = sorted(
    [*(ROOT / "templates").glob("*.html"), *(ROOT / "templates" / "core").rglob("*.html")]
)


def names_in_template(text: str, labels: set[str], *, filename: str = "<template>") -> list[str]:
    return [
        f"{filename}:{number}: {line.strip()[:60]!r}"
        for number, line in enumerate(text.splitlines(), start=1)
        if set(re.split(r"[^a-z]+", line.lower())) & labels
    ]


def test_cores_templates_name_no_area():
    labels = area_labels()
    assert ROOT / "templates" / "base.html" in TEMPLATES
    found = [
        hit
        for path in TEMPLATES
        for hit in names_in_template(
            path.read_text(encoding="utf-8"), labels, filename=str(path.relative_to(ROOT))
        )
    ]
    assert not found, "\n".join(found)
    planted = "{% url 'core-home' %}\n<a href=\"{% url 'aid-dashboard' %}\">{% trans 'Paid' %}</a>"
    assert names_in_template(planted, {"aid"}) == ["<template>:2: " + repr(planted.splitlines()[1])]


def test_core_and_config_name_no_area():
    labels = area_labels()
    assert {"dropout", "aid"} <= labels  # the registry the scan reads is filled
    assert ROOT / "config" / "urls.py" in SCANNED and ROOT / "core" / "api_urls.py" in SCANNED
    assert ROOT / "core" / "context_processors.py" in SCANNED
    found = [
        hit
        for path in SCANNED
        for hit in names_in(
            path.read_text(encoding="utf-8"), labels, filename=str(path.relative_to(ROOT))
        )
    ]
    assert not found, "\n".join(found)


def test_the_scan_finds_a_planted_name():
    planted = textwrap.dedent(
        '''
        """A docstring may say dropout and aid: prose."""
        from dropout.models import DropoutCase
        import aid.selectors
        INSTALLED_APPS = ["core", "dropout"]
        TASK = "dropout.tasks.scheduled_screening_round"
        URL = "aid-dashboard"
        LIMIT = "DROPOUT_CASE_DUE_DAYS"
        FINE = ["paid", "aide", "said"]
        '''
    )
    found = names_in(planted, {"dropout", "aid"})
    assert [hit.split(": ", 1)[1] for hit in found] == [
        "import dropout.models",
        "import aid.selectors",
        "'dropout.tasks.scheduled_screening_round'",
        "'aid-dashboard'",
        "'DROPOUT_CASE_DUE_DAYS'",
    ]


def test_the_areas_api_enum_names_reach_the_schema(client, city_user):
    """drf-spectacular gets each area's enum names (AreaConfig.area_api_enums) when it builds."""
    client.force_login(city_user)
    schema = client.get("/api/schema/").content.decode()
    for name in ("CaseStatusEnum", "RoundStatusEnum", "AidStageEnum", "CheckKindEnum"):
        assert f"{name}:" in schema, name
