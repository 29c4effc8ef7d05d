"""Building spreadsheets for the import tests: tidy, messy and hostile ones."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import idnumbers

REGISTRY_HEADER = ["姓名", "身份证号", "性别", "出生日期", "学校标识码", "年级", "学籍状态"]
GENDER_LABEL = {"M": "男", "F": "女"}


def student_id(county_code: str, born: dt.date, n: int) -> str:
    return idnumbers.make(county_code, born, n % 1000)


def registry_row(school, n: int, *, born: dt.date | None = None, grade="四年级", status="在读"):
    """One valid registry row for a student of `school` (n makes the ID and name unique)."""
    born = born or dt.date(2013, 1, 1) + dt.timedelta(days=n // 1000)
    number = student_id(school.county.code, born, n)
    gender = GENDER_LABEL[idnumbers.gender(number)]
    return [f"学生{n}", number, gender, born.isoformat(), school.code, grade, status]


def registry_rows(school, count: int, start: int = 0) -> list[list]:
    return [registry_row(school, n) for n in range(start, start + count)]


def xlsx(rows: list[list], *, title: str = "学籍", before: list[list] | None = None, merge=None):
    """An .xlsx with `before` rows (a title, blank rows) above `rows` (header first)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in (before or []) + rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name: str = "学籍.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def rewrite_part(content: bytes, part: str, change) -> bytes:
    """The same .xlsx with one part's XML passed through change(text) -> text."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def claims_a_million_rows(content: bytes) -> bytes:
    return rewrite_part(
        content,
        SHEET,
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:Z1000000"', xml),
    )


def far_away_cell(content: bytes) -> bytes:
    """A cell at Z1000000: a reader would allocate every cell between A1 and it."""
    return rewrite_part(
        content,
        SHEET,
        lambda xml: xml.replace(
            "</sheetData>",
            '<row r="1000000"><c r="Z1000000" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData>",
        ),
    )


def far_away_cell_disguised(content: bytes, how: str) -> bytes:
    """The far cell written so that a quick scan for '<c r="' would miss it."""
    cells = {
        "reordered": '<c t="inlineStr" r="Z1000000"><is><t>x</t></is></c>',
        "tab": '<c\tr="Z1000000" t="inlineStr"><is><t>x</t></is></c>',
        "prefixed": '<x:c r="Z1000000" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',
    }

    def change(xml: str) -> str:
        if how == "prefixed":
            xml = xml.replace(
                "<worksheet ",
                '<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
                1,
            )
        row = f'<row r="1000000">{cells[how]}</row>'
        return xml.replace("</sheetData>", row + "</sheetData>")

    return rewrite_part(content, SHEET, change)


def entity_bomb(content: bytes) -> bytes:
    """Billion laughs in the sheet's XML prologue."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )

    def change(xml: str) -> str:
        declaration, rest = xml.split("?>", 1) if xml.startswith("<?xml") else ("", xml)
        doctype = f"<!DOCTYPE worksheet [{entities}]>"
        laugh = '<row r="999"><c r="A999" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        rest = rest.replace("</sheetData>", laugh + "</sheetData>", 1)
        return (declaration + "?>" if declaration else "") + doctype + rest

    return rewrite_part(content, SHEET, change)


def zip_bomb(content: bytes, *, megabytes: int = 60) -> bytes:
    """A workbook with a part that inflates from a few KB to `megabytes` of nothing."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes << 20))
            target.writestr(item, data)
    return buffer.getvalue()


HTML_TABLE = (
    "<html><head><meta charset='utf-8'></head><body><table>"
    "<tr><td>姓名</td><td>身份证号</td></tr><tr><td>张三</td><td>231083201309010011</td></tr>"
    "</table></body></html>"
).encode()
