"""Moderated discussion forums: categories, threads and posts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give every new policy its forum category, in the transaction that creates the policy."""
    from portal.forums import services
    from portal.proposals.signals import policy_created

    policy_created.connect(services.add_policy_category)
