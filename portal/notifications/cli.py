"""Notification commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.notifications.digests import send_digests

notifications_cli = AppGroup("notifications", help="Notifications and their mail.")


@notifications_cli.command("send-digests")
def send_digests_command() -> None:
    """Mail followers their digest of new activity, at most one per period (run from cron)."""
    run = send_digests()
    click.echo(f"Sent {run.digests} digest(s) with {run.events} update(s).")
