"""Reading an uploaded spreadsheet safely: check what it is, then read its cells.

The checks run on the stored upload before any parser sees it, and refuse with a message:
- the size (IMPORT_MAX_BYTES);
- the content against the name: .xlsx must be a zip holding a workbook, .xls an OLE2 compound
  file, .csv text (UTF-8 with or without BOM, or GB18030) without NUL bytes and not a web page;
- zip bombs, from the zip directory alone (total uncompressed size, compression ratio);
- XML tricks: every XML part's prologue goes through defusedxml, which refuses any DTD, entity
  declaration or external reference (an .xlsx never has one);
- sheets whose cells lie far away (a cell at Z1000000 makes the reader allocate every cell in
  between) or whose dimension claims more rows than an import takes.

The cells are read with python-calamine (the Rust reader pandas uses as engine "calamine"), called
directly: it gives the cells with their types (a date cell is a date, not a float) and with
`skip_empty_area=False` the row numbers are Excel's. CSV is read with the csv module.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

EXTENSIONS = (".xlsx", ".xls", ".csv")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PROLOGUE_BYTES = 64 * 1024
CHUNK = 1 << 20
# Cell references. Excel, LibreOffice and openpyxl write `r` first: the fast form; any chunk in
# which not every cell element is of that form is scanned with the thorough one.
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,8})"')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d{1,8})"')
# A prefix bound to the spreadsheet namespace would let cells be written <x:c …>.
_MAIN_PREFIX = re.compile(
    rb'xmlns:\w+\s*=\s*["\'](?:http://schemas\.openxmlformats\.org/spreadsheetml/2006/main'
    rb"|http://purl\.oclc\.org/ooxml/spreadsheetml/main)"
)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{0,3}\d*:?[A-Z]{0,3}(\d+)"')


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 500_000)


def max_cells() -> int:
    return getattr(settings, "IMPORT_MAX_CELLS", 20_000_000)


def max_unzipped() -> int:
    return getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)


def max_ratio() -> int:
    return getattr(settings, "IMPORT_MAX_ZIP_RATIO", 100)


class FileRefused(Exception):
    """The file is not accepted; nothing is read from it and nothing written."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Table:
    """One sheet's cells: rows[i] is Excel's row i + 1 (rows may be ragged for CSV)."""

    name: str
    rows: list[list]


@dataclass
class Checked:
    """What the checks found: the real format and about how many rows the data has."""

    fmt: str  # xlsx, xls, csv
    rows_hint: int
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)


def extension_of(name: str) -> str:
    return Path(name).suffix.lower()


def check(path: Path, file_name: str) -> Checked:
    """Refuse a file that is not what its name says, too big, a zip bomb or an XML trick."""
    ext = extension_of(file_name)
    if ext not in EXTENSIONS:
        raise FileRefused(_("Only .xlsx, .xls and .csv files can be imported."), "extension")
    size = path.stat().st_size
    if size > max_bytes():
        raise FileRefused(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)},
            "too_large",
        )
    if size == 0:
        raise FileRefused(_("The file is empty."), "empty")
    with path.open("rb") as handle:
        head = handle.read(PROLOGUE_BYTES)
    if ext == ".xlsx":
        if not head.startswith(ZIP_MAGIC):
            raise FileRefused(_not_what_it_says(head, ".xlsx"), "not_xlsx")
        return _check_xlsx(path)
    if ext == ".xls":
        if not head.startswith(OLE2_MAGIC):
            raise FileRefused(_not_what_it_says(head, ".xls"), "not_xls")
        return Checked(fmt="xls", rows_hint=max(1, size // 40))
    return _check_csv(path, head)


def _not_what_it_says(head: bytes, ext: str) -> str:
    if _looks_like_html(head):
        return _(
            "The file is named %(ext)s but is a web page (HTML), not a spreadsheet. Open it in "
            "Excel and save it as an Excel workbook (.xlsx)."
        ) % {"ext": ext}
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE2_MAGIC):
        return _(
            "The file is named %(ext)s but is another kind of file. Open it in Excel and save "
            "it as an Excel workbook (.xlsx)."
        ) % {"ext": ext}
    return _("The file is named %(ext)s but is not an Excel workbook.") % {"ext": ext}


def _looks_like_html(head: bytes) -> bool:
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype", b"<html", b"<?xml", b"<table", b"<head", b"<meta")) or (
        b"<html" in start
    )


def _check_xlsx(path: Path) -> Checked:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(_("The file is damaged or not an Excel workbook."), "bad_zip") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook."), "not_xlsx"
            )
        total = sum(info.file_size for info in infos)
        if total > max_unzipped():
            raise FileRefused(_zip_bomb(), "zip_bomb")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > max_ratio() * max(
                info.compress_size, 1
            ):
                raise FileRefused(_zip_bomb(), "zip_bomb")
            if info.flag_bits & 0x1:
                raise FileRefused(
                    _("The workbook is encrypted; remove its password and try again."),
                    "encrypted",
                )
        try:
            rows_hint = _check_parts(archive, infos)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
            raise FileRefused(
                _("The file is damaged or not an Excel workbook."), "bad_zip"
            ) from None
    return Checked(fmt="xlsx", rows_hint=rows_hint)


def _check_parts(archive: zipfile.ZipFile, infos) -> int:
    """Every XML part's prologue; worksheets scanned whole (see _check_worksheet)."""
    rows_hint = 0
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        if info.filename.startswith("xl/worksheets/"):
            rows_hint = max(rows_hint, _check_worksheet(archive, info))
            continue
        with archive.open(info) as part:
            _check_prologue(part.read(PROLOGUE_BYTES), info.filename)
            while part.read(CHUNK):  # read to the end: zipfile checks the size and CRC there
                pass
    return rows_hint


def _zip_bomb() -> str:
    return _(
        "The workbook unpacks to far more data than a spreadsheet holds (a zip bomb); it was "
        "not opened."
    )


def _check_prologue(head: bytes, part: str) -> None:
    """An .xlsx part never has a DTD: defusedxml refuses DTDs, entities and external refs."""
    parser = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(head)  # a prefix is enough: a DTD can only come before the root element
    except DefusedXmlException:
        raise FileRefused(
            _(
                "The workbook contains XML declarations (DTD or entities) that spreadsheets "
                "never use; it was not opened."
            ),
            "xml_entities",
        ) from None
    except ParseError:
        raise FileRefused(_("The file is damaged or not an Excel workbook."), "bad_xml") from None


def _check_worksheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Scan a sheet's XML, streamed: its prologue, and how far its cells really reach.

    The reader allocates every cell between the first and the last, so the furthest row and
    column are what costs memory; the dimension element is only a claim, but one beyond the
    row limit is refused as well.
    """
    last_row = last_col = 0
    claimed = 0
    tail = b""
    thorough = False
    with archive.open(info) as part:
        first = True
        while True:
            chunk = part.read(CHUNK)
            if first and chunk:
                _check_prologue(chunk[:PROLOGUE_BYTES], info.filename)
                match = _DIMENSION.search(chunk[:PROLOGUE_BYTES])
                claimed = int(match.group(1)) if match else 0
                thorough = bool(_MAIN_PREFIX.search(chunk))
            elif b"xmlns" in chunk:  # namespaces declared below the root: take no shortcut
                thorough = True
            first = False
            buffer = tail + chunk
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            if cut <= 0:
                cut = len(buffer)
            scan, tail = buffer[:cut], buffer[cut:]
            rows, cols = _reach(scan, thorough=thorough)
            last_row, last_col = max(last_row, rows), max(last_col, cols)
            if not chunk:
                break
    check_reach(last_row, last_col, claimed=claimed)
    return last_row


def check_reach(rows: int, cols: int, *, claimed: int = 0) -> None:
    """Refuse a sheet whose furthest cells span more rows or cells than an import takes (the
    reader would make every empty cell in between), or that claims more rows than that."""
    limit = max_rows() + 100  # room for title and header rows
    if rows > limit or claimed > limit:
        raise FileRefused(
            _(
                "A sheet claims %(rows)s rows; an import takes at most %(limit)s. Delete the "
                "empty rows below the data, or split the file."
            )
            % {"rows": f"{max(rows, claimed):,}", "limit": f"{max_rows():,}"},
            "too_many_rows",
        )
    if rows * max(cols, 1) > max_cells():
        raise FileRefused(
            _(
                "A sheet has cells too far apart (%(rows)s rows × %(cols)s columns); delete the "
                "empty rows and columns around the data."
            )
            % {"rows": f"{rows:,}", "cols": f"{cols:,}"},
            "too_many_cells",
        )


def _reach(scan: bytes, *, thorough: bool) -> tuple[int, int]:
    """The furthest row and column the cell references in this piece of XML name.

    The fast form counts when every element starting with <c in the piece is a cell written
    <c r="…" (so no cell escapes it); otherwise the piece is scanned with the thorough form.
    """
    if not thorough:
        rows = _CELL_ROW.findall(scan)
        if scan.count(b"<c") == len(rows):
            last_row = max(map(int, rows)) if rows else 0
            wide = set(_WIDE_CELL.findall(scan))
            last_col = max((_column_number(col) for col in wide), default=26 if rows else 0)
            return last_row, last_col
    refs = _CELL_REF.findall(scan)
    if not refs:
        return 0, 0
    return max(int(row) for _col, row in refs), max(_column_number(col) for col, _ in refs)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _check_csv(path: Path, head: bytes) -> Checked:
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE2_MAGIC):
        raise FileRefused(
            _(
                "The file is named .csv but is an Excel workbook; rename it to .xlsx or .xls, "
                "or save it as CSV."
            ),
            "not_csv",
        )
    if _looks_like_html(head):
        raise FileRefused(
            _("The file is named .csv but is a web page (HTML), not a spreadsheet."), "not_csv"
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise FileRefused(_("The file is named .csv but is not a text file."), "not_csv")
    encoding = detect_encoding(data)
    rows_hint = data.count(b"\n") + 1
    if rows_hint > max_rows() + 100:
        raise FileRefused(
            _(
                "A sheet claims %(rows)s rows; an import takes at most %(limit)s. Delete the "
                "empty rows below the data, or split the file."
            )
            % {"rows": f"{rows_hint:,}", "limit": f"{max_rows():,}"},
            "too_many_rows",
        )
    return Checked(fmt="csv", rows_hint=rows_hint, encoding=encoding)


def trusted(path: Path, file_name: str) -> Checked:
    """What `check` found, for a stored file that passed it (its hash is verified elsewhere)."""
    fmt = extension_of(file_name).lstrip(".")
    encoding = detect_encoding(path.read_bytes()) if fmt == "csv" else ""
    return Checked(fmt=fmt, rows_hint=0, encoding=encoding)


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes as such, else GB18030 (which covers GBK)."""
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    for candidate in (encoding, "gb18030"):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    raise FileRefused(
        _("The CSV file is neither UTF-8 nor GB18030 (GBK) text; save it again as CSV UTF-8."),
        "encoding",
    )


# --- Reading -----------------------------------------------------------------------------------


def tables(path: Path, checked: Checked, *, csv_name: str = "CSV"):
    """The visible worksheets, one at a time (a sheet is read only when asked for)."""
    if checked.fmt == "csv":
        yield _read_csv(path, checked.encoding, csv_name)
        return
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise FileRefused(
            _("The workbook cannot be read (%(reason)s).") % {"reason": _short(error)},
            "unreadable",
        ) from None
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                # Before any cell becomes a Python object: an .xls is not scanned beforehand
                # as an .xlsx is, so its reach is checked here.
                check_reach(sheet.total_height, sheet.total_width)
                rows = sheet.to_python(skip_empty_area=False)
            except (CalamineError, ValueError) as error:
                raise FileRefused(
                    _("The workbook cannot be read (%(reason)s).") % {"reason": _short(error)},
                    "unreadable",
                ) from None
            yield Table(name=meta.name, rows=rows)


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__


def _read_csv(path: Path, encoding: str, name: str) -> Table:
    text = path.read_bytes().decode(encoding)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = list(reader)
    width = max((len(row) for row in rows), default=0)
    for row in rows:  # ragged lines are padded, as a spreadsheet would show them
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return Table(name=name[:31] or "CSV", rows=rows)
