"""The consultation workflow: which status moves are allowed, making them,
recording who made them and when, and closing consultations whose time is up."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from portal import permissions
from portal.audit.services import record
from portal.errors import Conflict, ValidationError
from portal.extensions import db, utcnow
from portal.proposals.models import STATUSES, TRANSITIONS, Policy, PolicyTransition

MAX_NOTE = 5_000

STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open for consultation"),
    "closed": _l("Consultation closed"),
    "adopted": _l("Adopted"),
    "withdrawn": _l("Withdrawn"),
}
# What a reader sees: an open policy before or after its window says so.
PHASE_LABELS = dict(STATUS_LABELS, scheduled=_l("Opens soon"), ended=_l("Consultation ended"))
MOVE_LABELS = {
    "open": _l("Open the consultation"),
    "closed": _l("Close the consultation"),
    "adopted": _l("Mark as adopted"),
    "withdrawn": _l("Withdraw the policy"),
}


def allowed_moves(policy: Policy) -> tuple[str, ...]:
    """The statuses `policy` may move to next."""
    return TRANSITIONS.get(policy.status, ())


def transition(actor, policy: Policy, to_status: str, note: str = "") -> PolicyTransition:
    """Move `policy` to `to_status` along the allowed workflow, recording who and when."""
    permissions.require(actor, "policy.transition", policy)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError("note", _("The note may be at most %(n)d characters.", n=MAX_NOTE))
    if to_status not in STATUSES:
        raise ValidationError("to_status", _("Unknown status."))
    from_status = policy.status
    allowed = allowed_moves(policy)
    if to_status not in allowed:
        raise Conflict(_refusal(from_status, to_status, allowed))
    if to_status == "open":
        _check_can_open(policy)
    return _move(actor, policy, from_status, to_status, note)


def close_due(now: datetime | None = None) -> int:
    """Close every open consultation whose closing time has passed (the scheduler); return how many."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Policy).where(Policy.status == "open", Policy.closes_at <= now).order_by(Policy.id)
        )
    )
    closed = 0
    for policy in due:
        if _claim(policy, "open", "closed"):
            _record_move(None, policy, "open", "closed", "", automatic=True)
            closed += 1
    commit()
    return closed


def _move(actor, policy: Policy, from_status: str, to_status: str, note: str) -> PolicyTransition:
    if not _claim(policy, from_status, to_status):
        db.session.rollback()
        raise Conflict(_("Someone else changed the status of this policy in the meantime. Please reload the page."))
    entry = _record_move(actor, policy, from_status, to_status, note)
    commit()
    return entry


def _claim(policy: Policy, from_status: str, to_status: str) -> bool:
    """Set the new status only if the row still has `from_status` (safe across servers)."""
    result = db.session.execute(
        update(Policy)
        .where(Policy.id == policy.id, Policy.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(policy, ["status"])
    # The UPDATE above bypassed the ORM: mark the status changed, so that the flush listeners (the
    # search index's, which hides a draft from the public) see the policy's new status.
    flag_modified(policy, "status")
    return True


def _record_move(actor, policy: Policy, from_status: str, to_status: str, note: str, **detail) -> PolicyTransition:
    entry = PolicyTransition(
        policy_id=policy.id,
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        note=note,
    )
    db.session.add(entry)
    record(actor, "policy.transition", policy, reason=note or None, **{"from": from_status, "to": to_status}, **detail)
    return entry


def _refusal(from_status: str, to_status: str, allowed: tuple[str, ...]) -> str:
    """A message that names the refused move and the moves that are allowed."""
    current = str(STATUS_LABELS[from_status])
    target = str(STATUS_LABELS[to_status])
    if not allowed:
        return _(
            "A policy with status “%(current)s” cannot move to “%(target)s”: its status is final.",
            current=current,
            target=target,
        )
    return _(
        "A policy with status “%(current)s” cannot move to “%(target)s”. Allowed next: %(allowed)s.",
        current=current,
        target=target,
        allowed=", ".join(f"“{STATUS_LABELS[s]}”" for s in allowed),
    )


def _check_can_open(policy: Policy) -> None:
    if policy.opens_at is None or policy.closes_at is None:
        raise Conflict(_("Set the opening and closing times of the consultation before opening it."))
    if policy.opens_at >= policy.closes_at:
        raise Conflict(_("The consultation must close after it opens."))
    if policy.closes_at <= utcnow():
        raise Conflict(_("The closing time has already passed. Set a closing time in the future first."))


def commit() -> None:
    """Commit, turning a clash with a simultaneous save into a Conflict."""
    try:
        db.session.commit()
    except IntegrityError:
        # Two officials saved at once (same slug or version number).
        db.session.rollback()
        raise Conflict(_("Someone else saved this policy at the same moment. Please try again."))
