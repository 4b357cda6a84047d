"""The one place that says who may do what.

`can(actor, "noun.verb", obj)` answers; `require(...)` raises PermissionDenied.
Services call `require` before they change anything; templates get `can`.
A rule is a function of (actor, obj) registered under its action name, and
an action with no rule is refused, so a forgotten rule fails closed.
"""

from __future__ import annotations

from typing import Any, Callable

from portal.errors import PermissionDenied

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}


def rule(*actions: str):
    """Register the decorated function as the rule for `actions`."""

    def decorator(func: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise RuntimeError(f"duplicate permission rule {action}")
            RULES[action] = func
        return func

    return decorator


def signed_in(actor) -> bool:
    """A real, active, signed-in account (not the anonymous user, not a deactivated one)."""
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_official(actor) -> bool:
    """Moderators (officials) and admins."""
    return signed_in(actor) and actor.role in ("moderator", "admin")


def is_admin(actor) -> bool:
    """Admins only."""
    return signed_in(actor) and actor.role == "admin"


def can(actor, action: str, obj: Any = None) -> bool:
    """Whether `actor` may do `action` (on `obj`)."""
    check = RULES.get(action)
    if check is None:
        return False
    return bool(check(actor, obj))


def require(actor, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `actor` may do `action`."""
    if not can(actor, action, obj):
        raise PermissionDenied()


# --- accounts -------------------------------------------------------------

@rule("account.edit_self")
def _edit_self(actor, obj) -> bool:
    return signed_in(actor)


@rule("user.manage", "organisation.verify", "audit.view")
def _admin_only(actor, obj) -> bool:
    return is_admin(actor)


@rule("twofactor.reset")
def _reset_second_factor(actor, obj) -> bool:
    # An admin resets another account's second factor; their own they turn off themselves.
    return is_admin(actor) and (obj is None or obj.id != actor.id)


# --- positions ------------------------------------------------------------

@rule("position.view")
def _anyone(actor, obj) -> bool:
    return True


@rule("position.create", "position.edit", "position.import", "opd.manage")
def _manage_positions(actor, obj) -> bool:
    return is_admin(actor)


# --- draft policies ---------------------------------------------------------

@rule("policy.view")
def _view_policy(actor, obj) -> bool:
    if obj is not None and getattr(obj, "status", None) == "draft":
        return is_official(actor)
    return True


@rule("policy.create", "policy.edit", "policy.transition", "policy.view_drafts", "policy.cite")
def _manage_policies(actor, obj) -> bool:
    return is_official(actor)


# --- moderation -------------------------------------------------------------

def _not_suspended(actor) -> bool:
    return signed_in(actor) and not actor.is_suspended()


def _is_author(actor, obj) -> bool:
    return signed_in(actor) and obj is not None and getattr(obj, "author_id", None) == actor.id


@rule("contribution.create")
def _contribute(actor, obj) -> bool:
    return _not_suspended(actor)


@rule("contribution.flag")
def _flag(actor, obj) -> bool:
    # Only what others can see can be flagged, and never one's own item.
    return (
        _not_suspended(actor)
        and obj is not None
        and obj.status == "published"
        and obj.author_id != actor.id
    )


@rule("contribution.appeal")
def _appeal(actor, obj) -> bool:
    return _is_author(actor, obj) and obj.status == "hidden"


@rule("contribution.withdraw")
def _withdraw(actor, obj) -> bool:
    return _is_author(actor, obj) and obj.status in ("pending", "published")


@rule("moderation.queue")
def _moderation_queue(actor, obj) -> bool:
    return is_official(actor)


@rule("moderation.act")
def _moderate(actor, obj) -> bool:
    # Nobody moderates their own contribution (or decides their own appeal).
    return is_official(actor) and (obj is None or getattr(obj, "author_id", None) != actor.id)


@rule("moderation.suspend")
def _suspend(actor, obj) -> bool:
    # Moderators suspend members of the public; only admins suspend officials; never oneself.
    if not is_official(actor) or obj is None or obj.id == actor.id:
        return False
    return is_admin(actor) or obj.role not in ("moderator", "admin")


# --- notifications ----------------------------------------------------------------

@rule("notification.read", "notification.follow")
def _own_notifications(actor, obj) -> bool:
    # Services only ever touch the actor's own notifications and follows.
    return signed_in(actor)


# --- formal submissions ---------------------------------------------------------

@rule("submission.create")
def _create_submission(actor, obj) -> bool:
    # obj is the Policy; only verified NGO and academic members send formal input.
    return _not_suspended(actor) and actor.is_verified_member


@rule("submission.record_offline")
def _record_offline_submission(actor, obj) -> bool:
    return is_official(actor)


@rule("submission.withdraw")
def _withdraw_submission(actor, obj) -> bool:
    # The author, while the consultation still accepts input.
    return _withdraw(actor, obj) and obj.policy is not None and obj.policy.accepts_input()


@rule("submission.invite_cosigner")
def _invite_cosigner(actor, obj) -> bool:
    return (
        _is_author(actor, obj)
        and _not_suspended(actor)
        and actor.is_verified_member
        and obj.status in ("pending", "published")
        and obj.policy is not None
        and obj.policy.accepts_input()
    )


@rule("submission.cosign")
def _cosign(actor, obj) -> bool:
    # obj is a CoSignature; a verified member of the invited organisation confirms it.
    return (
        _not_suspended(actor)
        and obj is not None
        and actor.is_verified_member
        and actor.organisation_id == obj.organisation_id
        and obj.status == "requested"
    )


# --- comments -----------------------------------------------------------------

@rule("comment.endorse")
def _endorse_comment(actor, obj) -> bool:
    # "I agree" on a published comment of someone else.
    return (
        _not_suspended(actor)
        and obj is not None
        and obj.status == "published"
        and obj.author_id != actor.id
    )


@rule("comment.view_endorsers")
def _view_endorsers(actor, obj) -> bool:
    # Endorsements are counted in public; who endorsed is for moderators.
    return is_official(actor)


# --- forums -------------------------------------------------------------------

@rule("forum_category.create")
def _create_forum_category(actor, obj) -> bool:
    return is_official(actor)


@rule("forum_thread.moderate")
def _moderate_forum_thread(actor, obj) -> bool:
    return is_official(actor)


@rule("forum.write")
def _write_in_forum(actor, obj) -> bool:
    # obj is a Category; a restricted one takes verified organisation members and officials.
    if not _not_suspended(actor):
        return False
    if obj is not None and getattr(obj, "restricted", False):
        return actor.is_verified_member or actor.is_official
    return True


# --- aspirations ----------------------------------------------------------------

@rule("aspiration.summarize", "aspiration.publish")
def _summarize_aspirations(actor, obj) -> bool:
    # Officials compute, review and publish summaries of public aspirations.
    return is_official(actor)


@rule("aspiration_link.tag")
def _tag_own_contribution(actor, obj) -> bool:
    # The author says which positions or OPDs their contribution concerns.
    return _is_author(actor, obj) and _not_suspended(actor)


@rule("aspiration_link.review")
def _review_links(actor, obj) -> bool:
    return is_official(actor)


@rule("aspiration_link.moderate")
def _moderate_links(actor, obj) -> bool:
    # obj is the contribution; nobody decides the links of their own contribution.
    return is_official(actor) and (obj is None or getattr(obj, "author_id", None) != actor.id)


# --- official responses (tanggapan) ----------------------------------------------

@rule("response.give")
def _give_response(actor, obj) -> bool:
    # obj is the Contribution: officials answer what is public, never their own contribution.
    return (
        is_official(actor)
        and obj is not None
        and getattr(obj, "status", None) == "published"
        and getattr(obj, "author_id", None) != actor.id
    )


@rule("response.give_theme", "response.list_overdue")
def _answer_themes(actor, obj) -> bool:
    return is_official(actor)


@rule("aspirations.export")
def _export_contributions(actor, obj) -> bool:
    return is_official(actor)


@rule("aspirations.export_personal")
def _export_personal_data(actor, obj) -> bool:
    # Author names and e-mails leave the portal only in an admin's export, with a recorded reason.
    return is_admin(actor)
