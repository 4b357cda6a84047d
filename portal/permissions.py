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


def _signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_official(actor) -> bool:
    """Moderators (officials) and admins."""
    return _signed_in(actor) and actor.role in ("moderator", "admin")


def is_admin(actor) -> bool:
    """Admins only."""
    return _signed_in(actor) and actor.role == "admin"


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
    return _signed_in(actor)


@rule("user.manage", "organisation.verify", "audit.view")
def _admin_only(actor, obj) -> bool:
    return is_admin(actor)


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


@rule("policy.create", "policy.edit", "policy.transition", "policy.view_drafts")
def _manage_policies(actor, obj) -> bool:
    return is_official(actor)
