"""`flask aspirations export`: the same export as the officials' page, to a file or standard output."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.aspirations.exports import formats, services
from portal.errors import PermissionDenied, ValidationError
from portal.extensions import db
from portal.numbers import MAX_ID

_ID = click.IntRange(1, MAX_ID)


def _actor(email: str | None) -> User:
    """The acting official: the account with `email`, else the first active admin."""
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(_("No account has the email %(email)s.", email=email))
        return user
    user = db.session.scalar(select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id))
    if user is None:
        raise click.ClickException(_("There is no active admin account. Create one with `flask create-user`."))
    return user


@click.command("export")
@click.option("--policy", "policy_id", type=_ID, help="Id of the draft policy.")
@click.option("--position", "position_id", type=_ID, help="Id of the position record.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD, WIB).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive (YYYY-MM-DD, WIB).")
@click.option("--format", "file_format", type=click.Choice(formats.FORMATS), default="csv", show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(services.EXPORT_KINDS), help="Repeat for several.")
@click.option("--status", "statuses", multiple=True, default=("published",), show_default=True,
              help="Repeat for several: pending, published, hidden, withdrawn.")
@click.option("--stance", "stances", multiple=True, help="Repeat for several: supports, objects, suggests_change.")
@click.option("--group", "groups", multiple=True, help="Repeat for several: citizen, ngo, academic, official.")
@click.option("--personal-data-reason", "reason", default="",
              help="Include authors' names and e-mails (admins only); the reason goes to the audit log.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="File to write (default: standard output).")
@click.option("--actor-email", help="Official or admin recorded as the exporter (default: the first admin).")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None,
              help="Language of the headers and messages (default: the portal's default language).")
def export_command(policy_id, position_id, since, until, file_format, kinds, statuses, stances, groups, reason, out,
                   actor_email, lang) -> None:
    """Export contributions (of a policy, a position or a date range) as CSV, XLSX or JSON."""
    request = services.ExportRequest(
        format=file_format, policy_id=policy_id, position_id=position_id,
        since=since.date() if since else None, until=until.date() if until else None,
        kinds=tuple(kinds), statuses=tuple(statuses), stances=tuple(stances), groups=tuple(groups),
        personal=bool(reason.strip()), reason=reason,
    )
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        _export(request, out, actor_email)


def _export(request: services.ExportRequest, out: str | None, actor_email: str | None) -> None:
    actor = _actor(actor_email)
    try:
        started = services.start_export(actor, request)
    except PermissionDenied:
        raise click.ClickException(_("The account %(email)s may not make this export.", email=actor.email))
    except ValidationError as error:
        raise click.ClickException(error.message)
    if request.format == "xlsx" and out is None and sys.stdout.isatty():
        raise click.ClickException(_("An XLSX file cannot be shown on the terminal; give --out FILE."))
    with click.open_file(out or "-", "wb") as stream:  # "-": standard output, left open
        if request.format == "xlsx":
            formats.write_xlsx(started.header(), started.batches(), stream)
        else:
            chunks = (formats.csv_chunks(started.header(), started.batches()) if request.format == "csv"
                      else formats.json_chunks(started.keys, started.batches()))
            for chunk in chunks:
                stream.write(chunk)
    if out:
        click.echo(_("Exported %(n)d contribution(s) to %(file)s.", n=services.count(started), file=out), err=True)

