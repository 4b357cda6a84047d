"""Moderated discussion forums: categories, threads and posts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give every new policy its forum category, in the transaction that creates the policy, and
    let people follow threads."""
    # Imported when the app is made, not with the package, so that importing the models stays light.
    from portal.forums import services
    from portal.notifications.services import register_follow_target
    from portal.proposals.signals import policy_created

    policy_created.connect(services.add_policy_category)
    register_follow_target("thread", services.thread_to_follow)
