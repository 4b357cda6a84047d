"""The consultation outcome report (laporan hasil konsultasi) of a closed policy.

Gathered in a fixed number of queries whatever the number of contributions: counts are SQL
aggregates, lists are the top few with links to the full paged lists the portal already has.
The HTML page and the PDF (`portal.consultation.pdf`) show the same `Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.aspirations.citations import services as citations
from portal.aspirations.responses import services as responses
from portal.aspirations.responses.models import Response
from portal.aspirations.summaries import services as summaries
from portal.aspirations.summaries.models import ChangeCitation, Summary, SummaryTheme, ThemeMember
from portal.aspirations.summaries.pages import CHART_WIDTH, GROUP_LABELS, Bar, Chart, Segment
from portal.comments.models import Comment
from portal.contributions.models import KIND_LABELS, Contribution
from portal.extensions import db, utcnow
from portal.positions.models import Position, PositionChange
from portal.proposals import services as proposals
from portal.proposals.models import Policy
from portal.submissions.models import SubmissionArticle

REPORTED = ("closed", "adopted", "withdrawn")  # the workflow states after the consultation closed
TOP_ARTICLES = 15
TOP_THEMES = 12
SUMMARIES = 5
POSITION_SUMMARIES = 50  # positions whose latest published summary holds contributions to the policy


@dataclass
class VersionChange:
    """What one version changed against the one before, and what each changed article cites."""

    number: int
    note: str
    created_at: object
    articles: list  # ArticleChange, changed ones only
    cited: dict  # article key -> [Cited]


@dataclass
class Outcome:
    policy: Policy
    ready: bool
    now: object
    total: int = 0
    by_kind: list = field(default_factory=list)  # (label, count)
    by_group: list = field(default_factory=list)
    by_article: list = field(default_factory=list)  # (key, label, count)
    articles_total: int = 0
    charts: list = field(default_factory=list)
    themes: list = field(default_factory=list)  # SummaryTheme, largest first
    answers: dict = field(default_factory=dict)  # theme id -> Response
    positions: dict = field(default_factory=dict)  # theme id -> Position, for themes of a position's summary
    record_changes: list = field(default_factory=list)  # RecordChange: position records changed citing a theme
    theme_total: int = 0
    changes: list = field(default_factory=list)  # VersionChange
    rights: object = None


@dataclass
class RecordChange:
    """A field of a position record changed citing one of the report's themes ("you said, we did")."""

    position: Position
    change: PositionChange
    themes: list  # SummaryTheme cited


def _position_summaries(policy: Policy) -> list[Summary]:
    """The latest published summary of each position that summarises contributions to `policy` (what
    the public said about the positions a policy concerns is part of that policy's consultation)."""
    on_policy = exists().where(
        SummaryTheme.summary_id == Summary.id, ThemeMember.theme_id == SummaryTheme.id,
        Contribution.id == ThemeMember.contribution_id, Contribution.policy_id == policy.id,
    )
    found = db.session.scalars(
        select(Summary).where(Summary.status == "published", Summary.position_id.is_not(None), on_policy)
        .order_by(Summary.published_at.desc(), Summary.id.desc()).limit(POSITION_SUMMARIES)
        .options(selectinload(Summary.themes))
    ).all()
    latest: dict[int, Summary] = {}
    for summary in found:
        latest.setdefault(summary.position_id, summary)
    return list(latest.values())


def _record_changes(themes: list, positions: dict) -> list[RecordChange]:
    """The position record changes that cite the shown themes, oldest first."""
    by_id = {theme.id: theme for theme in themes}
    if not by_id:
        return []
    rows = db.session.execute(
        select(PositionChange, ChangeCitation.theme_id)
        .join(ChangeCitation, ChangeCitation.change_id == PositionChange.id)
        .where(ChangeCitation.theme_id.in_(list(by_id)))
        .order_by(PositionChange.created_at, PositionChange.id)
    ).all()
    changes: dict[int, RecordChange] = {}
    for change, theme_id in rows:
        position = positions.get(theme_id)
        if position is None:
            continue
        changes.setdefault(change.id, RecordChange(position, change, [])).themes.append(by_id[theme_id])
    return list(changes.values())


def _chart(title: str, rows: list[tuple[str, int]]) -> Chart:
    longest = max((count for _label, count in rows), default=0) or 1
    bars = [Bar(label, count, [Segment("count", str(_l("Contributions")), count, 0.0,
                                       round(CHART_WIDTH * count / longest, 2))] if count else [])
            for label, count in rows]
    return Chart(title, [("count", str(_l("Contributions")))], bars)


def _counts(policy: Policy, column) -> dict:
    rows = db.session.execute(
        select(column, func.count(Contribution.id))
        .where(Contribution.policy_id == policy.id, Contribution.status == "published").group_by(column)
    ).all()
    return {key: int(count) for key, count in rows}


def _by_article(policy: Policy) -> dict[str, int]:
    comments = Comment.__table__.c
    found: dict[str, int] = {}
    for query in (
        select(comments.article_key, func.count())
        .select_from(Contribution).join(Comment.__table__, comments.id == Contribution.id)
        .where(Contribution.policy_id == policy.id, Contribution.status == "published",
               comments.article_key.is_not(None)).group_by(comments.article_key),
        select(SubmissionArticle.article_key, func.count())
        .join(Contribution, Contribution.id == SubmissionArticle.submission_id)
        .where(Contribution.policy_id == policy.id, Contribution.status == "published")
        .group_by(SubmissionArticle.article_key),
    ):
        for key, count in db.session.execute(query).all():
            found[key] = found.get(key, 0) + int(count)
    return found


def _changes(policy: Policy) -> list[VersionChange]:
    versions = sorted(policy.versions, key=lambda v: v.number)
    cited = citations.citations_of(versions[1:])
    changes = []
    for old, new in zip(versions[:-1], versions[1:], strict=True):
        changed = [c for c in proposals.diff_versions(old, new) if c.kind != "unchanged"]
        changes.append(VersionChange(new.number, new.change_note or "", new.created_at, changed,
                                     cited.get(new.id, {})))
    return changes


def outcome(policy: Policy) -> Outcome:
    """The report of `policy`; `ready` is False until its consultation has closed."""
    if policy.status not in REPORTED:
        return Outcome(policy, False, utcnow())
    kinds = _counts(policy, Contribution.kind)
    groups = _counts(policy, Contribution.stakeholder_group)
    articles = _by_article(policy)
    labels = {a.key: a.label for v in policy.versions for a in v.articles}
    by_article = sorted(((key, labels.get(key, key), count) for key, count in articles.items()),
                        key=lambda row: (-row[2], row[1]))
    by_kind = [(str(KIND_LABELS[k]), kinds[k]) for k in ("comment", "submission", "post", "contribution") if kinds.get(k)]
    by_group = [(str(label), groups.get(key, 0)) for key, label in GROUP_LABELS.items() if groups.get(key)]
    themes = [theme for summary in summaries.summaries_of(policy=policy, limit=SUMMARIES) for theme in summary.kept_themes]
    on_positions = _position_summaries(policy)
    places = {position.id: position for position in db.session.scalars(
        select(Position).where(Position.id.in_([summary.position_id for summary in on_positions])))}
    positions = {}
    for summary in on_positions:
        for theme in summary.kept_themes:
            themes.append(theme)
            positions[theme.id] = places[summary.position_id]
    themes.sort(key=lambda theme: (-theme.size, theme.id))
    shown = themes[:TOP_THEMES]
    answers = {row.theme_id: row for row in db.session.scalars(
        select(Response).where(Response.theme_id.in_([t.id for t in shown]))
        .options(joinedload(Response.responder)))} if shown else {}
    return Outcome(
        policy=policy, ready=True, now=utcnow(), total=sum(kinds.values()),
        by_kind=by_kind, by_group=by_group, by_article=by_article[:TOP_ARTICLES], articles_total=len(by_article),
        charts=[
            _chart(str(_l("Contributions by kind")), by_kind),
            _chart(str(_l("Contributions by stakeholder group")), by_group),
            _chart(str(_l("Contributions by article (the most discussed)")),
                   [(label, count) for _key, label, count in by_article[:TOP_ARTICLES]]),
        ],
        themes=shown, answers=answers, theme_total=len(themes), positions=positions,
        record_changes=_record_changes(shown, positions),
        changes=_changes(policy), rights=responses.accountability(policy),
    )
