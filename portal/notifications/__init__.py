"""Notifications: what the portal tells a user (in the portal and by mail)
about their contributions and about policies and threads they follow.

The packages below announce what happened (signals); `listeners` decides who
hears of it, so they never import this package."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Listen to what contributions and moderation announce."""
    # Imported when the app is made, not with the package, so that importing the models stays light.
    from portal import signedcache
    from portal.notifications import listeners, services

    listeners.connect()
    # The unread count in every page's navigation bar, put in per request (also into kept pages).
    signedcache.provide(app, "notices", services.safe_unread_count)
