"""Account commands, in the portal's default language."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.accounts import services
from portal.errors import ValidationError


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(["citizen", "ngo", "academic", "moderator", "admin"]), default="admin")
@click.password_option()
@with_appcontext
def create_user_command(email: str, display_name: str, role: str, password: str) -> None:
    """Create an account (e.g. the first admin)."""
    try:
        user = services.create_user(email, display_name, password, role)
    except ValidationError as error:
        raise click.ClickException(error.message)
    click.echo(_("Created %(role)s account %(email)s (id %(id)d).", role=user.role, email=user.email, id=user.id))
