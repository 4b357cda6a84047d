"""Importing position records from a CSV file (one spreadsheet row per position).

Every row is checked before anything is written; one error anywhere and
nothing is imported, so a file either goes in whole or not at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal import permissions
from portal.audit.services import record
from portal.errors import ValidationError
from portal.extensions import db
from portal.positions.models import Opd, Position
from portal.positions.validation import CODE_PATTERN, REQUIRED_FIELDS, clean_fields

COLUMNS = (
    "code", "name", "opd_code", "opd_name", "unit", "parent_code", "position_type", "grade",
    "summary", "qualifications", "main_tasks", "work_results", "responsibilities", "authority",
    "requirements", "competency_technical", "competency_managerial", "competency_sociocultural",
    "training_requirements", "required_count", "incumbent_count", "service_area", "service_population",
)
REQUIRED_COLUMNS = (*REQUIRED_FIELDS, "opd_code")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class ImportIssue:
    """One problem: the spreadsheet row (header is 1) and column, when known."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        # One shape for the command line, in the language of its messages.
        if self.row is None:
            return self.message
        if self.column is None:
            return _("row %(row)d: %(message)s", row=self.row, message=self.message)
        return _("row %(row)d, column %(column)s: %(message)s", row=self.row, column=self.column, message=self.message)


class ImportFailed(ValidationError):
    """The file was refused; `issues` lists every problem found."""

    def __init__(self, issues: list[ImportIssue]):
        super().__init__(None, issues[0].message)
        self.issues = issues


@dataclass
class ImportResult:
    """What an accepted import did."""

    created: int = 0
    updated: int = 0
    opds_created: int = 0
    rows: int = 0


@dataclass
class _Row:
    number: int
    code: str
    opd_code: str
    parent_code: str | None
    values: dict[str, Any] = field(default_factory=dict)


def _read_text(stream: IO) -> str:
    raw = stream.read()
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([ImportIssue(None, None, _(
            "The file is not UTF-8 text. In your spreadsheet save it as \"CSV UTF-8\" and try again."
        ))])


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the numbered data rows (spreadsheet numbering: header is row 1)."""
    if not text.strip():
        raise ImportFailed([ImportIssue(None, None, _(
            "The file is empty. The first row must be the header: %(columns)s", columns=",".join(COLUMNS)
        ))])
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFailed([ImportIssue(None, None, _("The file is not valid CSV: %(error)s", error=str(error)))])
    numbered = [(number, cells) for number, cells in enumerate(rows[1:], start=2) if any(c.strip() for c in cells)]
    return [cell.strip().lower() for cell in rows[0]], numbered


def _check_header(header: list[str]) -> list[ImportIssue]:
    issues = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name not in COLUMNS:
            issues.append(ImportIssue(1, name, _("Unknown column. The columns are: %(columns)s", columns=",".join(COLUMNS))))
        elif name in seen:
            issues.append(ImportIssue(1, name, _("This column appears more than once.")))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            issues.append(ImportIssue(1, name, _("This required column is missing.")))
    return issues


def _parse_rows(header, records, issues: list[ImportIssue]) -> list[_Row]:
    """Check each row on its own (fields, duplicate codes) and keep what it says."""
    present = [name for name in header if name in COLUMNS]
    rows: list[_Row] = []
    first_row_of: dict[str, int] = {}
    for number, cells in records:
        cells = [cell.strip() for cell in cells]
        if any(cells[len(header):]) or any(cells[i] for i, name in enumerate(header) if not name and i < len(cells)):
            issues.append(ImportIssue(number, None, _("This row has values in a column without a name in the header.")))
        data = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name in COLUMNS}
        for name in REQUIRED_FIELDS:
            data.setdefault(name, "")
        values, errors = clean_fields({k: v for k, v in data.items() if k not in ("opd_code", "opd_name", "parent_code")})
        issues.extend(ImportIssue(number, error.field, error.message) for error in errors)
        for name, value in data.items():
            if "\x00" in value and name in ("opd_code", "opd_name", "parent_code"):
                issues.append(ImportIssue(number, name, _("The text contains a NUL character, which cannot be stored.")))
        code = values.get("code", data["code"])
        if code and code in first_row_of:
            issues.append(ImportIssue(number, "code", _(
                "The code %(code)s already appears in row %(row)d.", code=code, row=first_row_of[code]
            )))
        elif code:
            first_row_of[code] = number
        opd_code = data.get("opd_code", "")
        if not opd_code:
            issues.append(ImportIssue(number, "opd_code", _("Enter the code of the OPD.")))
        if "parent_code" not in present:
            parent_code = None
        else:
            parent_code = data["parent_code"] or None
        row = _Row(number, code, opd_code, parent_code, values)
        row.values["_opd_name"] = data.get("opd_name", "")
        rows.append(row)
    return rows


def _plan_opds(rows: list[_Row], issues: list[ImportIssue]) -> tuple[dict[str, Opd], dict[str, str]]:
    """Existing OPDs by code, and the new ones this file creates (code -> name)."""
    existing = {opd.code: opd for opd in db.session.scalars(select(Opd))}
    names = {opd.name.lower(): opd.code for opd in existing.values()}
    new: dict[str, tuple[str, int]] = {}
    for row in rows:
        opd_name = row.values.pop("_opd_name")
        if not row.opd_code or row.opd_code in existing:
            continue
        if len(row.opd_code) > 30 or not CODE_PATTERN.fullmatch(row.opd_code):
            issues.append(ImportIssue(row.number, "opd_code", _("An OPD code has at most 30 letters, digits and . - _ /.")))
        elif row.opd_code in new:
            name, first = new[row.opd_code]
            if opd_name and opd_name != name:
                issues.append(ImportIssue(row.number, "opd_name", _(
                    "Row %(row)d gives another name for the new OPD %(code)s.", row=first, code=row.opd_code
                )))
        elif not opd_name:
            issues.append(ImportIssue(row.number, "opd_code", _(
                "No OPD has the code %(code)s. Fill in opd_name to create it.", code=row.opd_code
            )))
        elif len(opd_name) > 200:
            issues.append(ImportIssue(row.number, "opd_name", _("This may be at most %(n)d characters.", n=200)))
        elif opd_name.lower() in names:
            issues.append(ImportIssue(row.number, "opd_name", _(
                "An OPD with this name already exists, with the code %(code)s.", code=names[opd_name.lower()]
            )))
        else:
            new[row.opd_code] = (opd_name, row.number)
            names[opd_name.lower()] = row.opd_code
    return existing, {code: name for code, (name, _first) in new.items()}


def _check_parents(rows: list[_Row], opds: dict[str, Opd], issues: list[ImportIssue]) -> dict[str, Position]:
    """Superiors must exist (in the database or the file), share the OPD and form no loop."""
    in_file = {row.code: row for row in rows if row.code}
    known = {p.code: p for p in db.session.scalars(select(Position))}
    id_to_code = {p.id: p.code for p in known.values()}
    opd_code_of_id = {opd.id: opd.code for opd in opds.values()}
    opd_of: dict[str, str] = {code: opd_code_of_id[p.opd_id] for code, p in known.items()}
    parent_of: dict[str, str | None] = {code: id_to_code.get(p.parent_id) for code, p in known.items()}
    for row in in_file.values():
        opd_of[row.code] = row.opd_code
        if row.parent_code is not None or row.code not in known:
            parent_of[row.code] = row.parent_code
    for row in rows:
        if not row.parent_code or not row.code:
            continue
        if row.parent_code == row.code:
            issues.append(ImportIssue(row.number, "parent_code", _("A position cannot report to itself.")))
        elif row.parent_code not in opd_of:
            issues.append(ImportIssue(row.number, "parent_code", _(
                "No position has the code %(code)s, in the portal or in this file.", code=row.parent_code
            )))
        elif opd_of[row.parent_code] != row.opd_code:
            issues.append(ImportIssue(row.number, "parent_code", _("The position it reports to must be in the same OPD.")))
        else:
            seen = {row.code}
            node = row.parent_code
            while node is not None and node not in seen:
                seen.add(node)
                node = parent_of.get(node)
            if node == row.code:
                issues.append(ImportIssue(row.number, "parent_code", _(
                    "This makes a loop: the position would report to one of its own subordinates."
                )))
    return known


def import_csv(actor, stream: IO) -> ImportResult:
    """Import positions from a CSV file; all rows or none. Raises ImportFailed listing every problem."""
    permissions.require(actor, "position.import")
    header, records = _records(_read_text(stream))
    issues = _check_header(header)
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise ImportFailed([ImportIssue(None, None, _("The file has a header but no rows."))])
    if len(records) > MAX_ROWS:
        raise ImportFailed([ImportIssue(None, None, _("A file may have at most %(n)d rows.", n=MAX_ROWS))])
    rows = _parse_rows(header, records, issues)
    existing_opds, new_opds = _plan_opds(rows, issues)
    known = _check_parents(rows, existing_opds, issues)
    if issues:
        raise ImportFailed(sorted(issues, key=lambda i: (i.row or 0, COLUMNS.index(i.column) if i.column in COLUMNS else -1)))
    return _write(actor, rows, existing_opds, new_opds, known)


def _write(actor, rows, existing_opds, new_opds, known) -> ImportResult:
    """Write the checked rows in one transaction."""
    result = ImportResult(rows=len(rows), opds_created=len(new_opds))
    opds = dict(existing_opds)
    try:
        for code, name in new_opds.items():
            opds[code] = Opd(code=code, name=name)
            db.session.add(opds[code])
        by_code = dict(known)
        for row in rows:
            position = known.get(row.code)
            if position is None:
                position = Position(**row.values, opd=opds[row.opd_code])
                db.session.add(position)
                by_code[row.code] = position
                result.created += 1
            else:
                for name, value in row.values.items():
                    setattr(position, name, value)
                position.opd = opds[row.opd_code]
                result.updated += 1
        for row in rows:
            if row.parent_code is not None or row.code not in known:
                by_code[row.code].parent = by_code[row.parent_code] if row.parent_code else None
        db.session.flush()
        record(actor, "position.import", None, created=result.created, updated=result.updated,
               opds_created=result.opds_created, rows=result.rows)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise ImportFailed([ImportIssue(None, None, _(
            "The positions changed while the file was being imported. Nothing was imported; please try again."
        ))])
    return result

