"""What every step of an import shares: how it reports progress, how it fails, where its files
are."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str = "") -> None:
    return None


class ImportFailed(Exception):
    """The import cannot go on; the message is for the user, nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportRaced(ImportFailed):
    """A concurrent write took some of the file's keys first; nothing was written."""


def imports_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(relative: str) -> Path:
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise FileNotFoundError(relative)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
