"""What the audit log calls its actions and the kinds of item they touch, in
the reader's language. Every action key passed to `record` has a label here
(tests/accounts/test_audit_log.py reads the code to check)."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "account.end_sessions": _l("Signed out everywhere else"),
    "account.password_change": _l("Password changed"),
    "account.password_reset": _l("Password reset by link"),
    "aspiration_link.confirm": _l("Suggested link to a position or OPD confirmed"),
    "aspiration_link.remove": _l("Link to a position or OPD removed"),
    "affiliation.revoke": _l("Affiliation withdrawn"),
    "affiliation.verify": _l("Affiliation verified"),
    "aspiration.discard": _l("Draft aspiration summary discarded"),
    "aspiration.publish": _l("Aspiration summary published into the record"),
    "aspiration.summarize": _l("Aspiration summary computed"),
    "aspiration.summary_note": _l("Aspiration summary note changed"),
    "aspiration.theme_drop": _l("Theme dropped from a summary"),
    "aspiration.theme_edit": _l("Theme renamed"),
    "aspiration.theme_merge": _l("Themes merged"),
    "aspiration.theme_quotes": _l("Theme quotes chosen"),
    "aspirations.export": _l("Contributions exported"),
    "aspirations.export_personal": _l("Contributions exported with personal data"),
    "contribution.appeal": _l("Appeal sent"),
    "contribution.flag": _l("Contribution reported"),
    "contribution.withdraw": _l("Contribution withdrawn by its author"),
    "forum.category_create": _l("Forum category created"),
    "forum.lock": _l("Thread locked"),
    "forum.pin": _l("Thread pinned"),
    "forum.unlock": _l("Thread unlocked"),
    "forum.unpin": _l("Thread unpinned"),
    "moderation.approve": _l("Contribution approved"),
    "moderation.decide_appeal": _l("Appeal decided"),
    "moderation.hide": _l("Contribution hidden"),
    "moderation.lift_suspension": _l("Suspension lifted"),
    "moderation.restore": _l("Contribution published again"),
    "moderation.suspend": _l("Account suspended"),
    "opd.create": _l("OPD added"),
    "privacy.correct": _l("Profile corrected on a written request"),
    "privacy.erase": _l("Account and personal data deleted (UU PDP)"),
    "privacy.export": _l("Personal data exported on a written request"),
    "privacy.purge": _l("Old addresses and user agents removed"),
    "policy.create": _l("Draft policy created"),
    "policy.edit": _l("Policy details changed"),
    "policy.transition": _l("Policy status changed"),
    "policy.version": _l("New version of a policy published"),
    "policy.version_cite": _l("Themes and answers cited by a policy version"),
    "position.create": _l("Position record created"),
    "position.import": _l("Position records imported"),
    "position.update": _l("Position record changed"),
    "response.edit": _l("Official response changed"),
    "response.give": _l("Official response given"),
    "submission.cosign": _l("Co-signature confirmed"),
    "submission.invite_cosigner": _l("Organisation invited to co-sign"),
    "submission.record_offline": _l("Offline input recorded"),
    "twofactor.disable": _l("Two-factor sign-in turned off"),
    "twofactor.enable": _l("Two-factor sign-in turned on"),
    "twofactor.recovery_codes": _l("New recovery codes made"),
    "twofactor.recovery_used": _l("Signed in with a recovery code"),
    "twofactor.reset": _l("Second factor reset by an admin"),
    "user.activate": _l("Account reactivated"),
    "user.deactivate": _l("Account deactivated"),
    "user.set_role": _l("Role changed"),
}

# `record` stores the target's class name in lower case, or "portal" when the action has no single item.
TARGET_LABELS = {
    "category": _l("Forum category"),
    "comment": _l("Comment"),
    "contribution": _l("Contribution"),
    "opd": _l("OPD"),
    "policy": _l("Policy"),
    "portal": _l("The whole portal"),
    "position": _l("Position record"),
    "post": _l("Forum post"),
    "submission": _l("Formal submission"),
    "summary": _l("Aspiration summary"),
    "summarytheme": _l("Theme"),
    "thread": _l("Forum thread"),
    "user": _l("Account"),
}


def action_label(action: str) -> str:
    """The action's name for readers; the key itself for an action this table does not know yet."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_text(entry) -> str:
    """The item an entry is about, e.g. "Kebijakan: Rancangan Perwal ABK", "Akun #12", "Seluruh portal"."""
    kind = TARGET_LABELS.get(entry.target_type)
    kind = str(kind) if kind is not None else entry.target_type
    if entry.target_label:
        return f"{kind}: {entry.target_label}"
    if entry.target_id is not None:
        return f"{kind} #{entry.target_id}"
    return kind


def detail_text(entry) -> str:
    """The entry's details as "name: value" pairs, not as raw JSON."""
    if not entry.detail:
        return ""
    try:
        detail = json.loads(entry.detail)
    except ValueError:
        return entry.detail
    if not isinstance(detail, dict):
        return entry.detail
    parts = []
    for key, value in detail.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
