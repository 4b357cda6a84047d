"""The field-level history of position records: every change, with who, when and why."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.positions.models import Position, PositionChange

HISTORY_PAGE = 20
# What the history calls each field (the position form's own labels).
FIELD_LABELS = {
    "code": _l("Position code"),
    "name": _l("Position name"),
    "opd": _l("OPD"),
    "unit": _l("Unit (bidang / seksi)"),
    "parent": _l("Reports to (position code)"),
    "position_type": _l("Position type"),
    "grade": _l("Grade (kelas jabatan)"),
    "summary": _l("Summary (ikhtisar jabatan)"),
    "qualifications": _l("Qualifications (kualifikasi jabatan)"),
    "main_tasks": _l("Main tasks (tugas pokok)"),
    "work_results": _l("Work results (hasil kerja)"),
    "responsibilities": _l("Responsibilities (tanggung jawab)"),
    "authority": _l("Authority (wewenang)"),
    "requirements": _l("Position requirements (syarat jabatan)"),
    "competency_technical": _l("Technical competencies"),
    "competency_managerial": _l("Managerial competencies"),
    "competency_sociocultural": _l("Socio-cultural competencies"),
    "training_requirements": _l("Training requirements"),
    "required_count": _l("Required staff (kebutuhan, from ABK)"),
    "incumbent_count": _l("Current incumbents (bezetting)"),
    "service_area": _l("Service area"),
    "service_population": _l("Population served"),
}


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
