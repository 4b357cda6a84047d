"""The themes a position record change cites ("you said, we did"): which published themes a change
may cite, storing the citations when the record changes, and reading them back both ways.

The receivers connect to `portal.positions.signals` when this module is imported (the app factory
imports it), so `positions` never imports the summaries."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from portal.aspirations.summaries.models import ChangeCitation, Summary, SummaryTheme
from portal.errors import ValidationError
from portal.extensions import db
from portal.positions.models import Position, PositionChange
from portal.positions.signals import citable, position_changed


def published_themes_of(position: Position) -> list[SummaryTheme]:
    """The themes of the position's published summaries, newest summary first."""
    return list(db.session.scalars(
        select(SummaryTheme).join(Summary)
        .where(Summary.position_id == position.id, Summary.status == "published",
               SummaryTheme.dropped.is_(False), SummaryTheme.is_other.is_(False))
        .order_by(Summary.published_at.desc(), SummaryTheme.ordinal).limit(50)
    ))


@citable.connect
def _citable_themes(position: Position) -> list[tuple[int, str]]:
    return [(theme.id, theme.label) for theme in published_themes_of(position)]


@position_changed.connect
def _cite_themes(position: Position, changes: list[PositionChange], cites: tuple = ()) -> None:
    """Store the themes a change cites; only the position's own published themes count."""
    allowed = {theme.id for theme in published_themes_of(position)}
    wanted = [theme_id for theme_id in dict.fromkeys(cites) if isinstance(theme_id, int)]
    if any(theme_id not in allowed for theme_id in wanted):
        raise ValidationError("cites", _("A change may cite only this position's published themes."))
    for change in changes:
        for theme_id in wanted:
            db.session.add(ChangeCitation(change_id=change.id, theme_id=theme_id))


def citations_for(change_ids: list[int]) -> dict[int, list[SummaryTheme]]:
    """The themes each change cites, in one query."""
    if not change_ids:
        return {}
    rows = db.session.execute(
        select(ChangeCitation.change_id, SummaryTheme).join(SummaryTheme, SummaryTheme.id == ChangeCitation.theme_id)
        .where(ChangeCitation.change_id.in_(change_ids))
    ).all()
    cited = defaultdict(list)
    for change_id, theme in rows:
        cited[change_id].append(theme)
    return dict(cited)


def citing_changes(theme: SummaryTheme) -> list[PositionChange]:
    """The record changes that cite `theme`."""
    return list(db.session.scalars(
        select(PositionChange).join(ChangeCitation, ChangeCitation.change_id == PositionChange.id)
        .where(ChangeCitation.theme_id == theme.id).order_by(PositionChange.created_at)
    ))
