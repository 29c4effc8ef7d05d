"""The downloadable import template of a ledger: Chinese headers, an example row, drop-down lists
for choice columns and an instructions sheet (填表说明).

The headers are the spec's, the drop-downs are the Chinese labels an import accepts (kept on a
hidden sheet, so long lists work too), and columns of codes and ID numbers are formatted as text
so that Excel does not turn an ID number into 2.31083E+17.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.exports import neutralise
from core.importing.spec import ImportSpec, Kind, ReferenceSheet
from core.models import School

TEMPLATE_ROWS = 5000  # rows the drop-downs and formats cover
TEXT_KINDS = {Kind.ID_NUMBER, Kind.CODE, Kind.SCHOOL, Kind.REGION, Kind.TEXT}


# What a cell of each kind takes, said in the header's comment (in the user's language).
KIND_HELP = {
    Kind.DATE: gettext_lazy(
        "A date, written as 2023-09-01 (2023/9/1, 2023.9.1 and 2023年9月1日 also work)."
    ),
    Kind.ID_NUMBER: gettext_lazy(
        "18-character resident ID number; a last character x is read as X."
    ),
    Kind.SCHOOL: gettext_lazy("The 10-digit school code, or the school's exact full name."),
    Kind.REGION: gettext_lazy("The region's code (6, 9 or 12 digits) or its exact name."),
    Kind.BOOL: gettext_lazy("Yes or no: one of the values in the drop-down list."),
    Kind.INT: gettext_lazy("A whole number."),
    Kind.DECIMAL: gettext_lazy("A number."),
    Kind.SCHOOL_YEAR: gettext_lazy(
        "The school year, e.g. 2023–2024 (2023 or 2023-2024 also work)."
    ),
    Kind.CHOICE: gettext_lazy("One of the values in the drop-down list."),
}


def _kind_help(column) -> str:
    return str(KIND_HELP.get(column.kind, ""))


def build_template(spec: ImportSpec, user) -> bytes:
    """The template as .xlsx bytes; its school list is the schools `user` sees."""
    workbook = Workbook()
    data = workbook.active
    data.title = spec.title()[:31]
    lists = workbook.create_sheet(_("Lists")[:31])
    header_font = Font(bold=True)
    required_font = Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="DDEBF7")
    list_column = 0
    for position, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(position)
        cell = data.cell(row=1, column=position, value=column.header)
        cell.font = required_font if column.required else header_font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        note = " ".join(filter(None, [str(column.help or ""), _kind_help(column)]))
        if note:
            cell.comment = Comment(note, "")
        example = data.cell(row=2, column=position, value=neutralise(column.example))
        example.font = Font(italic=True, color="808080")
        data.column_dimensions[letter].width = max(12, 2 * len(column.header) + 4)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        # A column style: what is typed into the column later is text (or a date) too.
        if column.kind in TEXT_KINDS:
            data.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
        elif column.kind == Kind.DATE:
            data.column_dimensions[letter].number_format = "yyyy-mm-dd"
            example.number_format = "yyyy-mm-dd"
        labels = spec.template_choices(column, user)
        if labels:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for offset, label in enumerate(labels, start=2):
                lists.cell(row=offset, column=list_column, value=label)
            source = (
                f"{quote_sheetname(lists.title)}!${list_letter}$2:${list_letter}${len(labels) + 1}"
            )
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.errorTitle = column.header
            validation.showErrorMessage = True
            if column.kind not in (Kind.BOOL, Kind.CHOICE):
                # Reference data: a name from the list, but a code (or an entry added since the
                # template was downloaded) is accepted too, so Excel only warns.
                validation.errorStyle = "warning"
                validation.error = _("Not in the list: check the reference sheet.")
            data.add_data_validation(validation)
            validation.add(cells)
    lists.sheet_state = "hidden"
    data.freeze_panes = "A2"
    _instructions(workbook, spec, user)
    position = 2
    for reference in (*_schools(spec, user), *spec.reference_sheets(user)):
        _reference_sheet(workbook, reference, position)
        position += 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook, spec: ImportSpec, user) -> None:
    sheet = workbook.create_sheet(_("Instructions")[:31], 1)
    bold = Font(bold=True)
    lines = [
        _("How to fill in this template"),
        _("1. Fill one row per record on the first sheet, from row 2; keep the header row."),
        _(
            "2. Row 2 is an example: overwrite it or leave it as it is (an unchanged example "
            "row is skipped)."
        ),
        _(
            "3. Columns with red headers are required. Columns may be in any order; extra "
            "columns are ignored."
        ),
        _("4. Dates as 2023-09-01; ID numbers and codes as text (the columns are formatted so)."),
        _(
            "5. Rows whose key already exists are updated, the others are added; a blank cell "
            "keeps what is stored. Importing the same file twice changes nothing the second time."
        ),
        _(
            "6. If any row has an error nothing is imported; the preview lists every error with "
            "the value found and offers the file with its errors marked. Correct the errors and "
            "upload the whole file again."
        ),
        *[str(line) for line in spec.instructions],
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=line).font = bold if row == 1 else Font()
    start = len(lines) + 2
    headers = [
        _("Column"),
        _("Required"),
        _("What to write"),
        _("Accepted values"),
        _("Other accepted headers"),
    ]
    for col, text in enumerate(headers, start=1):
        sheet.cell(row=start, column=col, value=text).font = bold
    for offset, column in enumerate(spec.columns, start=1):
        values = "、".join(spec.template_choices(column, user))
        row = [
            column.header,
            _("Yes") if column.required else _("No"),
            " ".join(filter(None, [str(column.help or ""), _kind_help(column)])),
            values,
            "、".join(column.variants),
        ]
        for col, text in enumerate(row, start=1):
            sheet.cell(row=start + offset, column=col, value=neutralise(text))
    for letter, width in zip("ABCDE", (18, 8, 60, 50, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def _schools(spec: ImportSpec, user) -> list[ReferenceSheet]:
    """For a ledger with a school column: the user's schools with their codes, to look up."""
    if not any(column.kind == Kind.SCHOOL for column in spec.columns):
        return []
    schools = School.objects.visible_to(user).order_by("county__code", "code")
    return [
        ReferenceSheet(
            title=_("School codes"),
            headers=(_("School code"), _("Name"), _("County")),
            rows=list(schools.values_list("code", "name", "county__name")),
            widths=(14, 30, 12),
        )
    ]


def _reference_sheet(workbook: Workbook, reference: ReferenceSheet, position: int) -> None:
    sheet = workbook.create_sheet(str(reference.title)[:31], position)
    for col, text in enumerate(reference.headers, start=1):
        sheet.cell(row=1, column=col, value=str(text)).font = Font(bold=True)
    for row, values in enumerate(reference.rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=neutralise(value))
            if col - 1 in reference.text_columns:
                cell.number_format = "@"
    for col, width in enumerate(reference.widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
