"""The field-level history of position records: every change, with who, when and why."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.positions.models import Position, PositionChange

HISTORY_PAGE = 20


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Position):
        return value.code
    return str(getattr(value, "code", value))


def record_changes(actor, position: Position, before: dict, reason: str) -> list[PositionChange]:
    """Add one PositionChange per field whose value differs from `before` (name -> old value)."""
    changes = []
    for name, old in before.items():
        new = getattr(position, name if name not in ("opd", "parent") else name)
        if _as_text(old) == _as_text(new):
            continue
        change = PositionChange(
            position_id=position.id, field=name, old_value=_as_text(old), new_value=_as_text(new),
            reason=reason, actor_id=getattr(actor, "id", None),
        )
        db.session.add(change)
        changes.append(change)
    db.session.flush()
    return changes


def history(position: Position, *, page: int = 1, per_page: int = HISTORY_PAGE):
    """One page of the position's changes, newest first, and the total."""
    total = db.session.scalar(select(func.count()).select_from(PositionChange).where(
        PositionChange.position_id == position.id))
    rows = db.session.scalars(
        select(PositionChange).where(PositionChange.position_id == position.id)
        .order_by(PositionChange.created_at.desc(), PositionChange.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return rows, total
