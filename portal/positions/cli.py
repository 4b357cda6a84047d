"""Position-record commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.accounts.models import User
from portal.errors import PermissionDenied
from portal.extensions import db
from portal.positions.importer import ImportFailed, import_csv

positions_cli = AppGroup("positions", help="Position records (jabatan).")


def _admin(email: str | None) -> User:
    """The acting admin: the account with `email`, else the first active admin."""
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No account has the email {email}.")
        return user
    user = db.session.scalar(
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
    )
    if user is None:
        raise click.ClickException("There is no active admin account. Create one with `flask create-user`.")
    return user


@positions_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--actor-email", help="Admin account recorded as the importer (default: the first admin).")
def import_command(file, actor_email: str | None) -> None:
    """Import position records from a CSV file: every row, or none when any row has an error."""
    actor = _admin(actor_email)
    try:
        result = import_csv(actor, file)
    except PermissionDenied:
        raise click.ClickException(f"The account {actor.email} may not import positions (admins only).")
    except ImportFailed as failure:
        for issue in failure.issues:
            click.echo(str(issue), err=True)
        click.echo(f"Nothing was imported: {len(failure.issues)} problem(s).", err=True)
        raise SystemExit(1)
    click.echo(
        f"Imported {result.rows} row(s): {result.created} position(s) created, "
        f"{result.updated} updated, {result.opds_created} new OPD(s)."
    )
