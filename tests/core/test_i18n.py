"""The zh_Hans catalogue is complete: every user-facing string of the code has a translation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "__pycache__", "*.mo")


def _entries(po_text: str):
    """(msgid, [msgstr...], fuzzy) for each entry of a .po file (enough of the format for this)."""
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current, fields = None, {}
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], fuzzy


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_is_complete(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore",
            "static/vendor/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "-v0",
        ],
        cwd=copy,
        check=True,
    )
    text = (copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    untranslated = [msgid for msgid, strs, fuzzy in _entries(text) if fuzzy or not all(strs)]
    assert not untranslated, f"untranslated or fuzzy strings (run make messages): {untranslated}"
