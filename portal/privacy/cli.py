"""`flask privacy ...`: the retention purge, for cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.privacy import retention

privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@privacy_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Older than this many days (default: PERSONAL_DATA_RETENTION_DAYS).")
def purge_command(days: int | None) -> None:
    """Drop or truncate IP addresses and user agents older than the retention period; print what was done."""
    days = current_app.config["PERSONAL_DATA_RETENTION_DAYS"] if days is None else days
    click.echo(f"Retention: {days} days")
    for what, count in retention.purge(tuple(current_app.config["PRIVACY_LOG_FILES"]), days):
        click.echo(f"{what}: {'missing, skipped' if count < 0 else count}")
