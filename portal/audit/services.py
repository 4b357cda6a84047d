"""Writing and reading the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal import permissions
from portal.audit.models import AuditEntry
from portal.extensions import db


def record(actor, action: str, target: Any, reason: str | None = None, **detail: Any) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "portal",
        target_id=getattr(target, "id", None),
        target_label=_label(target)[:300],
        reason=reason,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    )
    db.session.add(entry)
    return entry


def _label(target: Any) -> str:
    for attr in ("public_id", "title", "name", "display_name", "code"):
        value = getattr(target, attr, None)
        if value:
            return str(value)
    return ""


def browse(
    actor,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
):
    """A filtered page of audit entries, newest first (admins only)."""
    permissions.require(actor, "audit.view")
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def actions() -> list[str]:
    """Every action name that appears in the log, for the filter."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
