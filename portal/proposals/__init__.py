"""Draft policies (rancangan kebijakan): versions, articles (Pasal), the
consultation workflow and links to the position records they affect."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Answer the positions package's question: which policies are linked to a position."""
    # Imported when the app is made, not with the package, so that importing the models stays light.
    from portal.positions.signals import linked_policies
    from portal.proposals import services

    linked_policies.connect(services.policies_for_position)
