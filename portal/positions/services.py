"""Position-record rules: listing, the OPD position map, creating and editing
positions and OPDs, and asking for the policies linked to a position. What each field
accepts is in `validation` (shared with the CSV importer); `PositionInvalid`, which
these services raise, is importable from here too."""

from __future__ import annotations

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
from portal.positions import validation
from portal.positions.validation import CODE_PATTERN, MAX_TEXT_LENGTH, REQUIRED_FIELDS, PositionInvalid, clean_fields
from portal.positions.signals import linked_policies, position_changed


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
    opd = validation.resolve_opd(data, errors)
    parent = validation.resolve_parent(data, errors)
    validation.check_parent(None, parent, opd, errors)
    if "code" in values and validation.code_taken(values["code"], None):
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
    opd = validation.resolve_opd(data, errors) if "opd_id" in data else position.opd
    moves = "parent_code" in data or "parent_id" in data
    parent = validation.resolve_parent(data, errors) if moves else position.parent
    validation.check_parent(position, parent, opd, errors)
    if "code" in values and validation.code_taken(values["code"], position.id):
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
