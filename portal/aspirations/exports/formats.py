"""Writing export rows as CSV, XLSX and JSON, a batch at a time, so no file is ever whole in memory.

- CSV: UTF-8 with a byte-order mark, so that Excel opens Indonesian text (and any other script)
  as UTF-8 instead of the machine's legacy code page; comma-separated, CRLF line ends (RFC 4180).
- XLSX: openpyxl's write-only mode, which writes each row to a temporary file as it comes
  (strings inline, no shared-string table growing with the rows).
- JSON: one valid JSON document, an array of objects keyed by column key, streamed element by
  element: `[` + objects joined by `,` + `]`. Codes (kind, status, stance, group) stay codes
  and times are ISO 8601 with the WIB offset, for programs; CSV and XLSX carry the readable
  labels in the reader's language and "YYYY-MM-DD HH:MM" WIB times, for people.

Spreadsheet formulas (OWASP "CSV injection"): in CSV and XLSX, a text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front, so a spreadsheet
shows it as text and never runs it. XLSX cells are written as strings, never formulas, and the
characters XML cannot hold (the controls U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, lone
surrogates, U+FFFE and U+FFFF) become U+FFFD there.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from typing import IO, Any, Iterable, Iterator, Sequence

FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LIST_SEPARATOR = "; "

Row = Sequence[Any]  # one value per column, in column order


def neutralise(text: str) -> str:
    """`text` with a single quote in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_text(text: str) -> str:
    """A text cell as XLSX stores it: neutralised, and with the control characters XML cannot hold replaced."""
    return XML_ILLEGAL.sub("\ufffd", neutralise(text))


def _sheet_value(value: Any) -> Any:
    """A value as a spreadsheet cell holds it (before the CSV/XLSX text rules)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def _csv_cell(value: Any) -> Any:
    value = _sheet_value(value)
    return neutralise(value) if isinstance(value, str) else value


def csv_chunks(header: Sequence[str], batches: Iterable[Iterable[Row]]) -> Iterator[bytes]:
    """The CSV file as byte chunks: the BOM and the header first, then one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(name) for name in header])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_cell(value) for value in row] for row in batch)
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def json_chunks(keys: Sequence[str], batches: Iterable[Iterable[Row]]) -> Iterator[bytes]:
    """The JSON array as byte chunks, one per batch; `[]` when there are no rows."""
    yield b"["
    first = True
    for batch in batches:
        parts = []
        for row in batch:
            item = {key: _json_value(value) for key, value in zip(keys, row, strict=True)}
            parts.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
            first = False
        if parts:
            yield "".join(parts).encode("utf-8")
    yield b"\n]\n" if not first else b"]\n"


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # already in WIB; the header says so
    value = _sheet_value(value)
    return xlsx_text(value) if isinstance(value, str) else value


def write_xlsx(header: Sequence[str], batches: Iterable[Iterable[Row]], target: IO[bytes] | str,
               *, title: str = "Export") -> None:
    """Write the workbook to `target` (a path or a binary file), row by row (openpyxl write-only mode).

    Every string is a text cell: after `xlsx_text` none starts with "=", the only start openpyxl
    takes for a formula, so openpyxl types each one as a string (the header cells say so outright)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, WriteOnlyCell, name) for name in header])
    for batch in batches:
        for row in batch:
            sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def _text_cell(sheet, make_cell, text: str):
    cell = make_cell(sheet, value=xlsx_text(str(text)))
    cell.data_type = "s"
    return cell
