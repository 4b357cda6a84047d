"""The moderator's actions: approving, hiding and restoring contributions,
deciding appeals, and suspending accounts.

Every service takes the acting user first, asks `permissions`, writes a
ContributionEvent (the history the author sees) and an audit entry, announces
what happened (`portal.moderation.signals`, for notifications to tell the
author) and commits once. Admission, flags, appeals and visibility are the
contributions core's (`portal.contributions.services`).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from portal import permissions
from portal.accounts import services as account_services
from portal.audit.services import record
from portal.contributions.models import HIDE_REASONS, Appeal, Contribution
from portal.contributions.services import MAX_NOTE_LENGTH, audit_detail, clean_note, why
from portal.contributions.signals import contribution_published
from portal.errors import Conflict, ValidationError
from portal.extensions import db, utcnow
from portal.moderation import signals

# --- moderator actions ----------------------------------------------------------

def approve(actor, contribution: Contribution, note: str = "") -> None:
    """Publish a waiting contribution, or keep a reported one published and close its reports."""
    permissions.require(actor, "moderation.act", contribution)
    note = clean_note(note, "note")
    if contribution.status == "pending":
        contribution.set_status("published")
        action = "approved"
        from_status = "pending"
    elif contribution.status == "published" and contribution.open_flags:
        action = "flags_dismissed"
        from_status = "published"
    else:
        raise Conflict(_("Only a waiting or reported contribution can be approved."))
    _resolve_flags(actor, contribution, "dismissed")
    contribution.add_event(action, from_status, actor, note=note)
    record(actor, "moderation.approve", contribution, reason=note or None, **audit_detail(contribution, from_status))
    if action == "approved":
        signals.contribution_approved.send(contribution)
        contribution_published.send(contribution)
    db.session.commit()


def hide(actor, contribution: Contribution, reason: str, note: str = "") -> None:
    """Hide a contribution from the public with a reason its author will see."""
    permissions.require(actor, "moderation.act", contribution)
    if reason not in HIDE_REASONS:
        raise ValidationError("reason", _("Choose why the contribution is hidden."))
    note = clean_note(note, "note")
    if reason == "other" and not note:
        raise ValidationError("note", _("Explain the reason; the author will read it."))
    if contribution.status not in ("pending", "published"):
        raise Conflict(_("Only a waiting or published contribution can be hidden."))
    from_status = contribution.status
    contribution.set_status("hidden")
    contribution.hidden_reason = reason
    contribution.hidden_note = note
    _resolve_flags(actor, contribution, "actioned")
    contribution.add_event("hidden", from_status, actor, reason=reason, note=note)
    record(actor, "moderation.hide", contribution, reason=why(reason, note), **audit_detail(contribution, from_status))
    signals.contribution_hidden.send(contribution, reason=reason)
    db.session.commit()


def restore(actor, contribution: Contribution, note: str = "") -> None:
    """Publish a hidden contribution again (deciding an open appeal in the author's favour)."""
    permissions.require(actor, "moderation.act", contribution)
    note = clean_note(note, "note")
    if contribution.status != "hidden":
        raise Conflict(_("Only a hidden contribution can be restored."))
    appeal = contribution.appeal
    if appeal is not None and appeal.is_open:
        _close_appeal(actor, appeal, "upheld", note)
    contribution.unhide()
    contribution.add_event("restored", "hidden", actor, note=note)
    record(actor, "moderation.restore", contribution, reason=note or None, **audit_detail(contribution, "hidden"))
    signals.contribution_restored.send(contribution)
    db.session.commit()


def decide_appeal(actor, appeal: Appeal, uphold: bool, note: str = "") -> None:
    """Decide an appeal: uphold=True publishes the item again, False keeps it hidden (note required)."""
    permissions.require(actor, "moderation.act", appeal)
    note = clean_note(note, "note")
    if not appeal.is_open:
        raise Conflict(_("This appeal has already been decided."))
    if not uphold and not note:
        raise ValidationError("note", _("Explain to the author why the contribution stays hidden."))
    contribution = appeal.contribution
    outcome = "upheld" if uphold else "rejected"
    _close_appeal(actor, appeal, outcome, note)
    if uphold and contribution.status == "hidden":
        contribution.unhide()
    contribution.add_event(f"appeal_{outcome}", "hidden", actor, note=note)
    record(
        actor, "moderation.decide_appeal", contribution, reason=note or None,
        outcome=outcome, **audit_detail(contribution, "hidden"),
    )
    (signals.contribution_restored if uphold else signals.appeal_rejected).send(contribution)
    db.session.commit()


def suspend(actor, user, until: datetime, reason: str) -> None:
    """Stop `user` contributing and flagging until `until` (timezone-aware)."""
    permissions.require(actor, "moderation.suspend", user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("Give the reason for the suspension."))
    if len(reason) > MAX_NOTE_LENGTH:
        raise ValidationError("reason", _("The text may be at most %(n)d characters.", n=MAX_NOTE_LENGTH))
    if until is None or until.tzinfo is None or until <= utcnow():
        raise ValidationError("until", _("Choose an end of the suspension in the future."))
    user.suspended_until = until
    account_services.end_sessions(user)  # signed out everywhere; signing in again shows the suspension
    record(actor, "moderation.suspend", user, reason=reason, until=until.isoformat())
    db.session.commit()


def lift_suspension(actor, user, reason: str = "") -> None:
    """End a suspension early."""
    permissions.require(actor, "moderation.suspend", user)
    reason = clean_note(reason, "reason")
    if not user.is_suspended():
        raise Conflict(_("This account is not suspended."))
    user.suspended_until = None
    record(actor, "moderation.lift_suspension", user, reason=reason or None)
    db.session.commit()


# --- internals ----------------------------------------------------------------------

def _close_appeal(actor, appeal: Appeal, outcome: str, note: str) -> None:
    appeal.decided_at = utcnow()
    appeal.decided_by_id = actor.id
    appeal.outcome = outcome
    appeal.decision_note = note


def _resolve_flags(actor, contribution: Contribution, resolution: str) -> None:
    now = utcnow()
    for item in contribution.open_flags:
        item.resolved_at = now
        item.resolved_by_id = actor.id
        item.resolution = resolution


