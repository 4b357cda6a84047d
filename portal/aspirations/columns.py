"""What the other parts of the aspirations package add to the exports: each contribution's theme in
the published summaries, its official response (its own, or its theme's), and the positions it was
linked to by its author or a moderator. Registered once when the app is made."""

from __future__ import annotations

from typing import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.aspirations.exports import columns
from portal.aspirations.links.models import ContributionLink
from portal.aspirations.responses import services as responses
from portal.aspirations.responses.models import OUTCOME_LABELS
from portal.aspirations.summaries.models import Summary, SummaryTheme, ThemeMember
from portal.extensions import db
from portal.positions.models import Position

_LINKED = ("author", "confirmed")


def load_themes(ids: Sequence[int]) -> dict[int, str]:
    """The labels of the published themes each contribution belongs to ("; " between several)."""
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ThemeMember.contribution_id, SummaryTheme.label)
        .join(SummaryTheme, SummaryTheme.id == ThemeMember.theme_id)
        .join(Summary, Summary.id == SummaryTheme.summary_id)
        .where(ThemeMember.contribution_id.in_(ids), Summary.status == "published", SummaryTheme.dropped.is_(False))
        .order_by(ThemeMember.contribution_id, Summary.published_at)
    )
    for contribution_id, label in rows:
        found.setdefault(contribution_id, []).append(label)
    return {key: "; ".join(labels) for key, labels in found.items()}


def load_outcomes(ids: Sequence[int]) -> dict[int, str]:
    return {key: response.outcome for key, response in responses.answers_for(list(ids)).items()}


def load_response_texts(ids: Sequence[int]) -> dict[int, str]:
    return {key: response.explanation for key, response in responses.answers_for(list(ids)).items()}


def load_linked_positions(ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ContributionLink.contribution_id, Position.code, Position.name)
        .join(Position, Position.id == ContributionLink.position_id)
        .where(ContributionLink.contribution_id.in_(ids), ContributionLink.status == "active",
               ContributionLink.source.in_(_LINKED))
    )
    for contribution_id, code, name in rows:
        found.setdefault(contribution_id, []).append(f"{code} {name}")
    return found


def _linked_scope(position_id: int):
    return select(ContributionLink.contribution_id).where(
        ContributionLink.position_id == position_id, ContributionLink.status == "active",
        ContributionLink.source.in_(_LINKED))


def init_app(app) -> None:
    """Fill the export's theme and response slots and add the linked positions (once per process)."""
    if app.extensions.get("aspiration-export-columns"):
        return
    app.extensions["aspiration-export-columns"] = True
    for key, label, loader, labels in (
        ("theme", _l("Theme"), load_themes, None),
        ("response_outcome", _l("Response outcome"), load_outcomes, OUTCOME_LABELS),
        ("response_text", _l("Response text"), load_response_texts, None),
    ):
        try:
            columns.register_column(key, label, loader, labels=labels)
        except ValueError:  # another app in this process filled it already
            pass
    columns.register_position_source(load_linked_positions)
    columns.register_position_scope(_linked_scope)
