"""Position-record commands. They speak the portal's default language
(BABEL_DEFAULT_LOCALE, Indonesian), or the one given with --lang, in every line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
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
            raise click.ClickException(_("No account has the email %(email)s.", email=email))
        return user
    user = db.session.scalar(
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
    )
    if user is None:
        raise click.ClickException(_("There is no active admin account. Create one with `flask create-user`."))
    return user


@positions_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--actor-email", help="Admin account recorded as the importer (default: the first admin).")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None,
              help="Language of the messages (default: the portal's default language).")
def import_command(file, actor_email: str | None, lang: str | None) -> None:
    """Import position records from a CSV file: every row, or none when any row has an error."""
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        _import(file, actor_email)


def _import(file, actor_email: str | None) -> None:
    actor = _admin(actor_email)
    try:
        result = import_csv(actor, file)
    except PermissionDenied:
        raise click.ClickException(
            _("The account %(email)s may not import positions (admins only).", email=actor.email)
        )
    except ImportFailed as failure:
        for issue in failure.issues:
            click.echo(str(issue), err=True)
        click.echo(_("Nothing was imported: %(n)d problem(s).", n=len(failure.issues)), err=True)
        raise SystemExit(1)
    click.echo(_(
        "Imported %(rows)d row(s): %(created)d position(s) created, %(updated)d updated, %(opds)d new OPD(s).",
        rows=result.rows, created=result.created, updated=result.updated, opds=result.opds_created,
    ))
