"""The one Excel writer of every workbook the app makes: styles, column widths,
a frozen header, and the one function a value passes through on its way into
a cell.

Text a user typed never becomes a formula, and characters a workbook cannot
hold (control characters pasted from Word, stored before the plain-text rule)
are dropped, so every report still builds (`cell_value`). Workbooks are normal
or write-only (streamed: the consolidated report's item detail); `SheetWriter`
writes both the same way.
"""

import io
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from scoring.text import strip_control_characters

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
WRAP = Alignment(wrap_text=True, vertical="top")
SIGNATURE_LINE = Border(bottom=Side(style="thin"))


def cell_value(value):
    """The one way a value reaches a cell: text cleaned and escaped (OWASP
    CSV injection: a leading formula trigger gets a quote); other values as they are."""
    if not isinstance(value, str):
        return value
    value = strip_control_characters(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def percent(value) -> float | None:
    """A percentage (Decimal) as a number cell."""
    return None if value is None else float(value)


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


def pass_fail(value: bool | None) -> str:
    if value is None:
        return _("no figure")
    return _("pass") if value else _("fail")


# Excel's limit on a worksheet's name, in UTF-16 code units (a character outside
# the Basic Multilingual Plane, e.g. 𠀀, takes two), and the characters it refuses.
SHEET_NAME_UNITS = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sheet_name(prefix: str, label: str) -> str:
    """A worksheet's name `prefix label` within Excel's rules: at most 31 UTF-16
    code units (the prefix, e.g. a unit's name, is cut; the label, e.g. "表二",
    is kept whole), on one line, none of : \\ / ? * [ ], no apostrophe at either end.
    Unique names are the caller's: e.g. a number in the prefix."""
    prefix, label = (
        NOT_IN_SHEET_NAMES.sub("_", " ".join(strip_control_characters(text).split()))
        for text in (prefix, label)
    )
    room = SHEET_NAME_UNITS - _utf16_units(label) - 1
    kept = ""
    for char in prefix:
        if _utf16_units(kept + char) > room:
            break
        kept += char
    return f"{kept.strip()} {label}".strip("' ")


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook without sheets: every sheet is a SheetWriter's."""
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class SheetWriter:
    """One worksheet: rows appended through `cell_value`, styled alike in normal
    and write-only workbooks. `freeze` ("A2") freezes the rows above it; in a
    normal workbook the first header row freezes itself when none is given."""

    def __init__(self, workbook: Workbook, title: str, widths: Iterable[int] = (), *, freeze=""):
        self.ws = workbook.create_sheet(title[:31])
        self.write_only = workbook.write_only
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.ws.freeze_panes = freeze
        self.rows = 0

    def row(self, values, *, font=None, fill=None, wrap=False, label=False, ruled=()) -> int:
        """Append a row; returns its number. `label`: the first cell bold (a
        label and its value); `ruled`: columns (from 1) drawn as signature lines."""
        values = [cell_value(v) for v in values]
        if ruled:
            values += [None] * (max(ruled) - len(values))
        if not (font or fill or wrap or label or ruled):
            self.ws.append(values)
        elif self.write_only:
            cells = []
            for column, value in enumerate(values, start=1):
                cell = WriteOnlyCell(self.ws, value=value)
                self._style(cell, column, font, fill, wrap, label, ruled)
                cells.append(cell)
            self.ws.append(cells)
        else:
            self.ws.append(values)
            for column in range(1, len(values) + 1):
                cell = self.ws.cell(row=self.ws.max_row, column=column)
                self._style(cell, column, font, fill, wrap, label, ruled)
        self.rows += 1
        return self.rows

    @staticmethod
    def _style(cell, column, font, fill, wrap, label, ruled):
        if font or (label and column == 1):
            cell.font = font or BOLD
        if fill:
            cell.fill = fill
        if wrap:
            cell.alignment = WRAP
        if column in ruled:
            cell.border = SIGNATURE_LINE

    def title(self, text: str) -> int:
        return self.row([text], font=TITLE)

    def header(self, values) -> int:
        row = self.row(values, font=BOLD, fill=HEADER_FILL, wrap=True)
        if not self.write_only and self.ws.freeze_panes is None:
            self.ws.freeze_panes = f"A{row + 1}"  # a string: ws.cell() would add a row
        return row

    def blank(self) -> int:
        self.ws.append([])
        self.rows += 1
        return self.rows

    def prepared(self, rows: Iterable[tuple], *, progress=None, every: int = 20000) -> int:
        """Append rows whose text already went through `cell_value` where it
        came from (the consolidated detail: each string once, not each cell),
        calling `progress(rows so far)` every so many. Returns how many."""
        count = 0
        append = self.ws.append
        for values in rows:
            append(values)
            count += 1
            if progress and not count % every:
                progress(count)
        self.rows += count
        return count
