"""Demo data for the embedded development database (`flask seed-demo`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.demo.seed import DEMO_PASSWORD, AlreadySeeded, seed_demo
from portal.positions.importer import ImportFailed


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill the database with believable Medan demo content."""
    try:
        summary = seed_demo()
    except AlreadySeeded as error:
        raise click.ClickException(
            "Demo data is already present (accounts: " + ", ".join(error.emails) + "). "
            "Nothing was changed; to start again, use a fresh database."
        )
    except ImportFailed as error:
        raise click.ClickException(
            "The demo positions could not be imported:\n" + "\n".join(str(issue) for issue in error.issues)
        )
    click.echo(f"Demo accounts (development only, password {DEMO_PASSWORD!r}):")
    for email, role in summary.accounts:
        click.echo(f"  {role:<10} {email}")
    click.echo(f"Positions: {summary.positions_created} created in {summary.opds_created} new OPDs.")
    click.echo("Policies:")
    for title, status, versions, articles in summary.policies:
        click.echo(f"  [{status}] {title} ({versions} version(s), {articles} articles)")
    click.echo(
        f"Participation: {summary.comments} comments, {summary.submissions} formal submissions, "
        f"{summary.forum_threads} forum threads."
    )
    click.echo(
        f"Needs-analysis consultation: {summary.needs_analysis} more contributions "
        f"(including a campaign of {summary.campaign} near-copies)."
    )
