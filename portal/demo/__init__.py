"""Demo data for the embedded development database (`flask seed-demo`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill the database with believable Medan demo content."""
