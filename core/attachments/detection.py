"""What an uploaded file really is, decided by its content (magic bytes), never by its name.

Accepted: JPEG, PNG, WebP, PDF, and the Office Open XML workbook (.xlsx) and document (.docx).
Anything else — HTML renamed to .jpg, old binary .xls/.doc, macro-enabled .xlsm/.docm, SVG,
executables — is refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class Refused(Exception):
    """The file cannot be accepted; `reason` is a message for the user."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class FileType:
    key: str
    mime: str
    extension: str
    is_image: bool = False
    pillow_format: str = ""


JPEG = FileType("jpeg", "image/jpeg", ".jpg", is_image=True, pillow_format="JPEG")
PNG = FileType("png", "image/png", ".png", is_image=True, pillow_format="PNG")
WEBP = FileType("webp", "image/webp", ".webp", is_image=True, pillow_format="WEBP")
PDF = FileType("pdf", "application/pdf", ".pdf")
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
ACCEPTED = (JPEG, PNG, WEBP, PDF, XLSX, DOCX)

NOT_ACCEPTED = _(
    "This file type is not accepted: only JPEG, PNG, WebP, PDF, Excel (.xlsx) and Word (.docx)."
)
# A zip is only opened far enough to read its directory; these bound what a reader would unpack.
MAX_ZIP_MEMBERS = 10_000
MACRO_PARTS = ("xl/vbaProject.bin", "word/vbaProject.bin")


def detect(data: bytes, *, max_unzipped_bytes: int) -> FileType:
    """The type of `data` by its leading bytes (and, for Office files, the zip's parts)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data, max_unzipped_bytes=max_unzipped_bytes)
    raise Refused(NOT_ACCEPTED)


def _office_type(data: bytes, *, max_unzipped_bytes: int) -> FileType:
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise Refused(NOT_ACCEPTED)
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise Refused(NOT_ACCEPTED) from error
    if (
        len(members) > MAX_ZIP_MEMBERS
        or sum(member.file_size for member in members) > max_unzipped_bytes
    ):
        raise Refused(_("The file is damaged or unpacks to an unreasonable size."))
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise Refused(NOT_ACCEPTED)
    if names & set(MACRO_PARTS):
        raise Refused(_("Office files with macros are not accepted."))
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    raise Refused(NOT_ACCEPTED)
