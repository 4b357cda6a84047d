"""Two-factor commands, in the portal's default language."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.twofactor import services


@click.group("two-factor")
def twofactor_cli() -> None:
    """Two-factor sign-in."""


@twofactor_cli.command("reset")
@click.argument("email")
@with_appcontext
def reset_command(email: str) -> None:
    """Remove an account's second factor (e.g. an admin who lost phone and recovery codes)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(_("No account has this email address."))
    services.reset_by_operator(user)
    click.echo(_("The second factor of %(email)s was removed; they set a new one up at their next sign-in.", email=user.email))
