"""Draft-policy commands, in the portal's default language."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from portal.proposals.services import close_due

policies_cli = AppGroup("policies", help="Draft policies.")


@policies_cli.command("close-due")
def close_due_command() -> None:
    """Close open consultations whose closing time has passed (run from cron)."""
    closed = close_due()
    click.echo(_("Closed %(n)d consultation(s) whose window ended.", n=closed))
