"""`flask aspirations summarize [--policy ID]... [--position ID]...`: draft summaries, exactly as the
official's "compute" button makes them (the same service), with a progress bar."""

from __future__ import annotations

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, union

from portal.accounts.models import User
from portal.aspirations.links.models import ContributionLink
from portal.aspirations.summaries import services
from portal.comments.models import Comment
from portal.contributions.models import Contribution
from portal.errors import PermissionDenied
from portal.extensions import db
from portal.numbers import MAX_ID
from portal.positions.models import Position
from portal.proposals.models import Policy

_ID = click.IntRange(1, MAX_ID)


def _actor(email: str | None) -> User:
    """The official recorded as the summary's author: the account with `email`, else the first active admin."""
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(_("No account has the email %(email)s.", email=email))
        return user
    user = db.session.scalar(select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id))
    if user is None:
        raise click.ClickException(_("There is no active admin account. Create one with `flask create-user`."))
    return user


def _named(model, ids: tuple[int, ...], message: str) -> list:
    found = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    unknown = [str(ident) for ident in dict.fromkeys(ids) if ident not in found]
    if unknown:
        raise click.ClickException(message % {"ids": ", ".join(unknown)})
    return [found[ident] for ident in dict.fromkeys(ids)]


def _every_subject() -> tuple[list[Position], list[Policy]]:
    """Every position and every policy with at least one published contribution."""
    published = Contribution.status == "published"
    on_position = select(Comment.position_id).where(Comment.status == "published", Comment.position_id.is_not(None))
    linked = select(ContributionLink.position_id).join(
        Contribution, Contribution.id == ContributionLink.contribution_id).where(
        published, ContributionLink.status == "active", ContributionLink.source.in_(("author", "confirmed")))
    position_ids = union(on_position, linked).subquery()
    positions = list(db.session.scalars(select(Position).where(Position.id.in_(select(position_ids))).order_by(Position.id)))
    policies = list(db.session.scalars(select(Policy).where(
        Policy.id.in_(select(Contribution.policy_id).where(published))).order_by(Policy.id)))
    return positions, policies


@click.command("summarize")
@click.option("--policy", "policy_ids", multiple=True, type=_ID, help="Id of a draft policy (repeat for several).")
@click.option("--position", "position_ids", multiple=True, type=_ID, help="Id of a position record (repeat for several).")
@click.option("--themes", type=click.IntRange(2, 12), default=None, help="Number of themes (default: chosen from the data).")
@click.option("--actor-email", help="Official recorded as the summaries' author (default: the first admin).")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None,
              help="Language of the messages (default: the portal's default language).")
def summarize_command(policy_ids, position_ids, themes, actor_email, lang) -> None:
    """Compute draft summaries of the positions and policies named, or (none named) of every position
    and policy with published contributions; officials review them on their pages."""
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        actor = _actor(actor_email)
        if policy_ids or position_ids:
            positions = _named(Position, position_ids, _("There is no position number %(ids)s."))
            policies = _named(Policy, policy_ids, _("There is no draft policy number %(ids)s."))
        else:
            positions, policies = _every_subject()
        subjects = [("position", p) for p in positions] + [("policy", p) for p in policies]
        made = []
        try:
            with click.progressbar(subjects, label=_("Summaries computed")) as bar:
                for kind, subject in bar:
                    summary = services.summarize(actor, themes=themes, **{kind: subject})
                    made.append((kind, subject, summary))
        except PermissionDenied:
            raise click.ClickException(_("The account %(email)s may not compute summaries.", email=actor.email))
        for kind, subject, summary in made:
            name = subject.name if kind == "position" else subject.title
            kept = len(summary.kept_themes)
            click.echo(_("Draft summary %(id)d of %(name)s: %(themes)d theme(s) over %(count)d contribution(s).",
                         id=summary.id, name=name, themes=kept, count=summary.contribution_count))
        if not made:
            click.echo(_("Nothing to summarise: no position or policy has published contributions."))
