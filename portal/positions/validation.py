"""Position-record rules for the fields themselves: what each field accepts, the OPD and the
superior a position names, and their checks, with every error found at once. The admin forms
(through `services`), the CSV importer and the API give the same messages from here."""

from __future__ import annotations

import re
from typing import Any, Mapping

from flask_babel import gettext as _
from sqlalchemy import select

from portal.errors import ValidationError
from portal.extensions import db
from portal.positions.models import POSITION_TYPES, Opd, Position

TEXT_FIELDS = (
    "summary",
    "qualifications",
    "main_tasks",
    "work_results",
    "responsibilities",
    "authority",
    "requirements",
    "competency_technical",
    "competency_managerial",
    "competency_sociocultural",
    "training_requirements",
)
# Fields every new position needs; the rest default to empty or 0.
REQUIRED_FIELDS = ("code", "name", "position_type", "grade")
MIN_GRADE, MAX_GRADE = 1, 17
MAX_TEXT_LENGTH = 50_000
CODE_PATTERN = re.compile(r"[\w.\-/]+")
INTEGER_PATTERN = re.compile(r"[+-]?\d+")


class PositionInvalid(ValidationError):
    """One or more fields of a position broke a rule; `errors` holds every one."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


def _text(field_name: str, value: Any, max_length: int, required_message: str | None = None) -> str:
    """Text as written; refuse blank (when required), too long, or NUL."""
    text = "" if value is None else str(value)
    if required_message and not text.strip():
        raise ValidationError(field_name, required_message)
    if len(text) > max_length:
        raise ValidationError(field_name, _("This may be at most %(n)d characters.", n=max_length))
    if "\x00" in text:
        raise ValidationError(field_name, _("The text contains a NUL character, which cannot be stored."))
    return text


def _integer(field_name: str, value: Any, message: str, minimum: int, maximum: int | None = None) -> int | None:
    """A whole number in range, or None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(field_name, message)
    if isinstance(value, str):
        if not INTEGER_PATTERN.fullmatch(value.strip()):
            raise ValidationError(field_name, message)
        value = int(value.strip())
    if not isinstance(value, int) or value < minimum or (maximum is not None and value > maximum):
        raise ValidationError(field_name, message)
    return value


def _clean_one(name: str, value: Any) -> Any:
    """The stored form of one plain field, or ValidationError."""
    if name == "code":
        code = "" if value is None else str(value).strip()
        if not code:
            raise ValidationError("code", _("Enter the position code."))
        if len(code) > 40:
            raise ValidationError("code", _("The code may be at most %(n)d characters.", n=40))
        if not CODE_PATTERN.fullmatch(code):
            raise ValidationError("code", _("Use only letters, digits and . - _ / in the code."))
        return code
    if name == "name":
        return _text("name", value, 200, _("Enter the position name."))
    if name in ("unit", "service_area"):
        return _text(name, value, 200).strip() or None
    if name in TEXT_FIELDS:
        return _text(name, value, MAX_TEXT_LENGTH)
    if name == "position_type":
        kind = "" if value is None else str(value).strip().lower()
        if kind not in POSITION_TYPES:
            raise ValidationError(
                "position_type", _("Choose a position type: %(types)s.", types=", ".join(POSITION_TYPES))
            )
        return kind
    if name == "grade":
        message = _("The grade (kelas jabatan) must be a whole number from %(low)d to %(high)d.", low=MIN_GRADE, high=MAX_GRADE)
        grade = _integer("grade", value, message, MIN_GRADE, MAX_GRADE)
        if grade is None:
            raise ValidationError("grade", message)
        return grade
    if name in ("required_count", "incumbent_count"):
        count = _integer(name, value, _("Enter a whole number of 0 or more, without separators."), 0, 1_000_000)
        return count or 0
    if name == "service_population":
        return _integer(name, value, _("Enter a whole number of 0 or more, without separators."), 0, 2_000_000_000)
    raise KeyError(name)


PLAIN_FIELDS = (
    "code", "name", "unit", "position_type", "grade", *TEXT_FIELDS,
    "required_count", "incumbent_count", "service_area", "service_population",
)


def clean_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[ValidationError]]:
    """Validate the plain fields present in `data`: the clean values and every error found."""
    values: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for name in PLAIN_FIELDS:
        if name in data:
            try:
                values[name] = _clean_one(name, data[name])
            except ValidationError as error:
                errors.append(error)
    return values, errors


def code_taken(code: str, position_id: int | None) -> bool:
    """Whether another position than `position_id` has this code."""
    query = select(Position.id).where(Position.code == code)
    if position_id is not None:
        query = query.where(Position.id != position_id)
    return db.session.scalar(query) is not None


def resolve_opd(data: Mapping[str, Any], errors: list[ValidationError]) -> Opd | None:
    """The OPD named by opd_id; None (and an error added) when there is none."""
    value = data.get("opd_id")
    opd = None
    if isinstance(value, int) and not isinstance(value, bool):
        opd = db.session.get(Opd, value)
    elif isinstance(value, str) and value.strip().isdigit():
        opd = db.session.get(Opd, int(value))
    if opd is None:
        errors.append(ValidationError("opd_id", _("Choose the OPD of the position.")))
    return opd


def resolve_parent(data: Mapping[str, Any], errors: list[ValidationError]) -> Position | None:
    """The superior named by parent_code (or parent_id); None when blank."""
    if "parent_code" in data:
        code = (data.get("parent_code") or "").strip()
        if not code:
            return None
        parent = db.session.scalar(select(Position).where(Position.code == code))
        if parent is None:
            errors.append(ValidationError("parent_code", _("No position has the code %(code)s.", code=code)))
        return parent
    value = data.get("parent_id")
    if value in (None, ""):
        return None
    parent = db.session.get(Position, value) if isinstance(value, int) else None
    if parent is None:
        errors.append(ValidationError("parent_code", _("The position it reports to does not exist.")))
    return parent


def check_parent(position: Position | None, parent: Position | None, opd: Opd | None, errors: list) -> None:
    """The superior must be in the same OPD and may not be the position or below it."""
    if parent is None or opd is None:
        return
    if parent.opd_id != opd.id:
        errors.append(ValidationError("parent_code", _("The position it reports to must be in the same OPD.")))
        return
    if position is None or position.id is None:
        return
    seen: set[int] = set()
    node: Position | None = parent
    while node is not None and node.id not in seen:
        if node.id == position.id:
            errors.append(
                ValidationError("parent_code", _("A position cannot report to itself or to one of its subordinates."))
            )
            return
        seen.add(node.id)
        node = node.parent
