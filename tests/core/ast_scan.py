"""The `ast` machinery the no-bypass scans share (tests/core/test_no_bypass_reads.py and
test_no_bypass_writes.py): which files are the project's, which names a module binds, which
managers belong to scoped models, and the findings, named by file, enclosing function and
expression so an allowlist can name them.

Each scan keeps its own rule (what it reports); this module only reads the source for it.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

ROOT = Path(settings.BASE_DIR)
MANAGERS = {"objects", "_default_manager", "_base_manager"}
UNRESOLVED = object()


@dataclass(frozen=True)
class Finding:
    path: str
    function: str
    expression: str
    line: int

    @property
    def key(self):
        return (self.path, self.function, self.expression)

    def __str__(self):
        return f"{self.path}:{self.line} in {self.function}: {self.expression}"


def scoped_models() -> set[type]:
    """Every model whose default manager has `visible_to` (core.scoping and its variants)."""
    return {model for model in apps.get_models() if hasattr(model._default_manager, "visible_to")}


def project_files() -> Iterator[Path]:
    """The .py files of every project app, but migrations."""
    for config in apps.get_app_configs():
        folder = Path(config.path)
        # A project app is a package of this repository; an installed one (a virtualenv inside
        # the checkout, as in CI) is not, even though its folder lies under ROOT.
        if folder != ROOT.joinpath(*config.name.split(".")):
            continue
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def namespace_from_imports(tree) -> dict:
    """What the module's imports bind, top-level and inside functions (for source text that is
    not an importable module, such as a planted one, and for imports done in a function)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(module, alias.name, UNRESOLVED)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = importlib.import_module(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    names[top] = importlib.import_module(top)
    return names


def resolve(node, namespace):
    """The object a name or dotted attribute stands for, or UNRESOLVED."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id, UNRESOLVED)
    if isinstance(node, ast.Attribute):
        base = resolve(node.value, namespace)
        if base is UNRESOLVED:
            return UNRESOLVED
        return getattr(base, node.attr, UNRESOLVED)
    return UNRESOLVED


def is_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, models.Model)


class ModuleScan:
    """One module's source, parsed: its nodes with their parents and enclosing functions, the
    names it binds, and the findings a scan reports on it."""

    def __init__(self, source: str, path: str, namespace: dict | None = None):
        self.path = path
        self.tree = ast.parse(source)
        self.namespace = {**namespace_from_imports(self.tree), **(namespace or {})}
        self.scoped = scoped_models()
        self.parents = {}
        self.scopes = {}
        self._found = []
        self._visit(self.tree, "")

    def _visit(self, node, qualname):
        for child in ast.iter_child_nodes(node):
            self.parents[child] = node
            inner = qualname
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{qualname}.{child.name}" if qualname else child.name
            self.scopes[child] = inner
            self._visit(child, inner)

    def nodes(self) -> Iterator[ast.AST]:
        return ast.walk(self.tree)

    def resolve(self, node):
        return resolve(node, self.namespace)

    def is_scoped_model(self, value) -> bool:
        return is_model(value) and value in self.scoped

    def counts_as_scoped(self, node) -> bool:
        """Whether `node` (what stands before `.objects`) is a scoped model. One the scan cannot
        resolve (`self.ledger.model`, `type(row)`, a local variable) counts as scoped: every
        ledger model is."""
        value = self.resolve(node)
        return value is UNRESOLVED or self.is_scoped_model(value)

    def report(self, node, expression: str) -> None:
        # The innermost function (or class) names the entry.
        function = (self.scopes.get(node, "") or "<module>").rsplit(".", 1)[-1]
        self._found.append((node.lineno, node.col_offset, function, expression))

    def findings(self) -> list[Finding]:
        findings, seen = [], {}
        for line, _column, function, expression in sorted(self._found):
            # A second identical expression in the same function is told apart as "…#2".
            seen[function, expression] = seen.get((function, expression), 0) + 1
            if seen[function, expression] > 1:
                expression = f"{expression}#{seen[function, expression]}"
            findings.append(Finding(self.path, function, expression, line))
        return findings


def scan_file(path: Path, scan_source: Callable[..., list[Finding]]) -> list[Finding]:
    """`scan_source` run on a project file, with the names its module binds at run time."""
    module = importlib.import_module(module_name(path))
    return scan_source(path.read_text("utf-8"), path.relative_to(ROOT).as_posix(), vars(module))
