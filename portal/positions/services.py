"""Position-record rules: listing, the OPD position map, creating and editing
positions and OPDs, and asking for the policies linked to a position."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from portal import permissions
from portal.audit.services import record
from portal.errors import NotFound, ValidationError
from portal.extensions import db
from portal.positions.models import POSITION_TYPES, Opd, Position
from portal.positions import history
from portal.positions.signals import linked_policies, position_changed

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


@dataclass
class TreeNode:
    """A position in the OPD position map, with its subordinates."""

    position: Position
    children: list["TreeNode"] = field(default_factory=list)


# --- reading -----------------------------------------------------------------

def list_positions(
    actor,
    *,
    opd_id: int | None = None,
    position_type: str | None = None,
    grade: int | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 20,
):
    """A filtered page of positions, ordered by OPD, then grade (highest first), then name."""
    permissions.require(actor, "position.view")
    query = (
        select(Position)
        .join(Position.opd)
        .options(contains_eager(Position.opd))
        .order_by(Opd.name, Position.grade.desc(), Position.name, Position.id)
    )
    if opd_id:
        query = query.where(Position.opd_id == opd_id)
    if position_type in POSITION_TYPES:
        query = query.where(Position.position_type == position_type)
    if grade:
        query = query.where(Position.grade == grade)
    q = (q or "").strip()
    if q:
        needle = q.lower()
        query = query.where(
            func.lower(Position.name).contains(needle, autoescape=True)
            | func.lower(Position.code).contains(needle, autoescape=True)
            | func.lower(func.coalesce(Position.unit, "")).contains(needle, autoescape=True)
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_position(actor, position_id: int) -> Position:
    """A position by id, or NotFound."""
    permissions.require(actor, "position.view")
    position = db.session.get(Position, position_id)
    if position is None:
        raise NotFound()
    return position


def list_opds() -> list[Opd]:
    """Every OPD, by name."""
    return list(db.session.scalars(select(Opd).order_by(Opd.name)))


def opd_summaries() -> list[tuple[Opd, int, int, int]]:
    """Each OPD with its number of positions, total kebutuhan and total bezetting."""
    query = (
        select(
            Opd,
            func.count(Position.id),
            func.coalesce(func.sum(Position.required_count), 0),
            func.coalesce(func.sum(Position.incumbent_count), 0),
        )
        .outerjoin(Position, Position.opd_id == Opd.id)
        .group_by(Opd.id)
        .order_by(Opd.name)
    )
    return [(opd, int(n), int(required), int(incumbent)) for opd, n, required, incumbent in db.session.execute(query)]


def get_opd(opd_id: int) -> Opd:
    """An OPD by id, or NotFound."""
    opd = db.session.get(Opd, opd_id)
    if opd is None:
        raise NotFound()
    return opd


def opd_tree(opd: Opd) -> list[TreeNode]:
    """The OPD's position map: its positions nested by whom they report to.

    Positions whose superior is outside the OPD (or none) are roots; a loop in
    the data is broken at its first position, so every position shows once.
    """
    positions = list(
        db.session.scalars(
            select(Position)
            .where(Position.opd_id == opd.id)
            .order_by(Position.grade.desc(), Position.name, Position.id)
        )
    )
    ids = {p.id for p in positions}
    subordinates: dict[int, list[Position]] = defaultdict(list)
    starts: list[Position] = []
    for position in positions:
        if position.parent_id in ids and position.parent_id != position.id:
            subordinates[position.parent_id].append(position)
        else:
            starts.append(position)
    placed: set[int] = set()

    def grow(root: Position) -> TreeNode:
        top = TreeNode(root)
        placed.add(root.id)
        stack = [top]
        while stack:
            node = stack.pop()
            for child in subordinates[node.position.id]:
                if child.id not in placed:
                    placed.add(child.id)
                    child_node = TreeNode(child)
                    node.children.append(child_node)
                    stack.append(child_node)
        return top

    roots = [grow(position) for position in starts]
    for position in positions:  # only positions caught in a loop are left
        if position.id not in placed:
            roots.append(grow(position))
    return roots


def policies_for(actor, position: Position) -> list:
    """The draft policies linked to the position that the actor may see, newest first
    (the proposals package owns the link and answers `signals.linked_policies`)."""
    found = []
    for _receiver, policies in linked_policies.send(position, actor=actor):
        found.extend(policies or ())
    return found


# --- validation ----------------------------------------------------------------

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


def _code_taken(code: str, position_id: int | None) -> bool:
    query = select(Position.id).where(Position.code == code)
    if position_id is not None:
        query = query.where(Position.id != position_id)
    return db.session.scalar(query) is not None


def _resolve_opd(data: Mapping[str, Any], errors: list[ValidationError]) -> Opd | None:
    value = data.get("opd_id")
    opd = None
    if isinstance(value, int) and not isinstance(value, bool):
        opd = db.session.get(Opd, value)
    elif isinstance(value, str) and value.strip().isdigit():
        opd = db.session.get(Opd, int(value))
    if opd is None:
        errors.append(ValidationError("opd_id", _("Choose the OPD of the position.")))
    return opd


def _resolve_parent(data: Mapping[str, Any], errors: list[ValidationError]) -> Position | None:
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


def _check_parent(position: Position | None, parent: Position | None, opd: Opd | None, errors: list) -> None:
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


def _commit_or_code_taken() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise PositionInvalid([ValidationError("code", _("Another position already has this code."))])


# --- changing --------------------------------------------------------------------

def create_position(actor, data: Mapping[str, Any]) -> Position:
    """Create a position from form-like `data` (opd_id, parent_code or parent_id, and the fields)."""
    permissions.require(actor, "position.create")
    data = {**{name: "" for name in REQUIRED_FIELDS}, **data}
    values, errors = clean_fields(data)
    opd = _resolve_opd(data, errors)
    parent = _resolve_parent(data, errors)
    _check_parent(None, parent, opd, errors)
    if "code" in values and _code_taken(values["code"], None):
        errors.append(ValidationError("code", _("Another position already has this code.")))
    if errors:
        raise PositionInvalid(errors)
    position = Position(**values, opd=opd, parent=parent)
    db.session.add(position)
    db.session.flush()
    record(actor, "position.create", position, code=position.code, opd=opd.code)
    _commit_or_code_taken()
    return position


def update_position(
    actor, position: Position, data: Mapping[str, Any], *, reason: str = "", cites: tuple = ()
) -> Position:
    """Change the fields present in `data`; each changed field goes into the record's history with
    `reason` (and what the change `cites`, kept by the packages that own it); the audit entry names
    what changed."""
    permissions.require(actor, "position.edit", position)
    values, errors = clean_fields(data)
    opd = _resolve_opd(data, errors) if "opd_id" in data else position.opd
    moves = "parent_code" in data or "parent_id" in data
    parent = _resolve_parent(data, errors) if moves else position.parent
    _check_parent(position, parent, opd, errors)
    if "code" in values and _code_taken(values["code"], position.id):
        errors.append(ValidationError("code", _("Another position already has this code.")))
    if errors:
        raise PositionInvalid(errors)
    changed = sorted(name for name, value in values.items() if getattr(position, name) != value)
    if len(reason or "") > MAX_TEXT_LENGTH or "\x00" in (reason or ""):
        raise PositionInvalid([ValidationError("reason", _("The reason may be at most %(n)d characters.", n=MAX_TEXT_LENGTH))])
    before = {name: getattr(position, name) for name in changed}
    before.update(opd=position.opd, parent=position.parent)
    for name in changed:
        setattr(position, name, values[name])
    if opd is not position.opd:
        position.opd = opd
        changed.append("opd")
    if parent is not position.parent:
        position.parent = parent
        changed.append("parent")
    if changed:
        changes = history.record_changes(actor, position, before, (reason or "").strip())
        position_changed.send(position, changes=changes, cites=tuple(cites))
        record(actor, "position.update", position, changed=changed)
    _commit_or_code_taken()
    return position


def create_opd(actor, code: str, name: str, short_name: str | None = None) -> Opd:
    """Add an OPD (admins); code and name must be new."""
    permissions.require(actor, "opd.manage")
    code, name, short_name = (code or "").strip(), (name or "").strip(), (short_name or "").strip() or None
    if not code or len(code) > 30 or not CODE_PATTERN.fullmatch(code):
        raise ValidationError("code", _("Enter a code of at most 30 letters, digits and . - _ /."))
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError("name", _("Enter the OPD name (at most 200 characters)."))
    if short_name and (len(short_name) > 60 or "\x00" in short_name):
        raise ValidationError("short_name", _("The short name may be at most %(n)d characters.", n=60))
    if db.session.scalar(select(Opd.id).where(Opd.code == code)) is not None:
        raise ValidationError("code", _("Another OPD already has this code."))
    if db.session.scalar(select(Opd.id).where(func.lower(Opd.name) == name.lower())) is not None:
        raise ValidationError("name", _("Another OPD already has this name."))
    opd = Opd(code=code, name=name, short_name=short_name)
    db.session.add(opd)
    db.session.flush()
    record(actor, "opd.create", opd, code=code)
    db.session.commit()
    return opd
