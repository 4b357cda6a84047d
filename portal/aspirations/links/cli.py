"""`flask aspirations suggest-links`: suggestions and campaigns for the contributions already there."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.aspirations.links import services
from portal.contributions.models import Contribution
from portal.extensions import db


@click.command("suggest-links")
@click.option("--no-campaigns", is_flag=True, help="Only suggest links; leave the campaigns as they are.")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None,
              help="Language of the messages (default: the portal's default language).")
@with_appcontext
def suggest_links_command(no_campaigns: bool, lang: str | None) -> None:
    """Suggest position and OPD links for every published contribution, and regroup the campaigns."""
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        total = db.session.scalar(select(func.count(Contribution.id)).where(Contribution.status == "published"))
        with click.progressbar(length=total or 0, label=_("Contributions read")) as bar:
            added = services.suggest_all(progress=bar.update)
        click.echo(_("%(count)d new suggested links.", count=added))
        if not no_campaigns:
            grouped = services.regroup_campaigns()
            click.echo(_("%(count)d contributions are near-copies in a campaign.", count=grouped))
