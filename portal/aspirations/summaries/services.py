"""Computing, reviewing and publishing aspiration summaries (the themes a record change cites: `citing`).

A summary is computed over the published contributions on its subject by the themes engine, kept as
a draft an official reviews (rename, merge or drop themes, choose quotes, add notes) and then
published: a snapshot signed off by name, which later contributions never change."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from portal import permissions
from portal.aspirations.links.models import ContributionLink
from portal.aspirations.summaries.models import Summary, SummaryTheme, ThemeMember
from portal.aspirations.themes import engine
from portal.audit.services import record
from portal.comments.models import Comment
from portal.contributions.models import Contribution
from portal.contributions.services import visible_filter
from portal.errors import NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.positions.models import Position
from portal.proposals.models import Policy

MAX_LABEL = 200
MAX_NOTE = 20_000
MAX_QUOTES = 3


# --- what a summary reads ------------------------------------------------------------

def _sources(position: Position | None, policy: Policy | None, article_key: str | None):
    """The WHERE clause of the published contributions a summary of this subject reads."""
    published = Contribution.status == "published"
    if position is not None:
        on_position = Contribution.id.in_(select(Comment.id).where(Comment.position_id == position.id))
        return and_(published, or_(on_position, *_linked_to(position)))
    clause = and_(published, Contribution.policy_id == policy.id)
    if article_key:
        clause = and_(clause, Contribution.id.in_(select(Comment.id).where(Comment.article_key == article_key)))
    return clause


def _linked_to(position: Position) -> list:
    """Contributions linked to the position by their authors or confirmed by a moderator (a suggestion
    the portal made counts once a moderator has confirmed it)."""
    return [Contribution.id.in_(
        select(ContributionLink.contribution_id).where(
            ContributionLink.position_id == position.id, ContributionLink.status == "active",
            ContributionLink.source.in_(("author", "confirmed")))
    )]


def _docs(where) -> tuple[list[engine.Doc], dict[int, list[int]], int, datetime | None, datetime | None]:
    """One Doc per text, a campaign of near-copies being one Doc weighted by its copies; the copies of
    each representative (to put back into its theme); the number of contributions; their dates."""
    rows = db.session.execute(
        select(Contribution.id, Contribution.body, Contribution.created_at, Contribution.campaign_id)
        .where(where).order_by(Contribution.id)
    ).all()
    copies: dict[int, list[int]] = {}
    representative: dict[int, int] = {}
    for row in rows:
        if row.campaign_id is not None and row.campaign_id in representative:
            copies[representative[row.campaign_id]].append(row.id)
            continue
        if row.campaign_id is not None:
            representative[row.campaign_id] = row.id
        copies[row.id] = []
    bodies = {row.id: row.body or "" for row in rows}
    docs = [engine.Doc(id=cid, text=bodies[cid], weight=1 + len(more)) for cid, more in copies.items()]
    dates = [row.created_at for row in rows]
    return docs, copies, len(rows), (min(dates) if dates else None), (max(dates) if dates else None)


def _with_copies(ids: list[int], copies: dict[int, list[int]]) -> list[int]:
    return [every for cid in ids for every in (cid, *copies.get(cid, ()))]


def _breakdown(contribution_ids: list[int]) -> dict:
    """Counts of the contributions by stakeholder group and (comments) by stance."""
    groups, stances = Counter(), Counter()
    for start in range(0, len(contribution_ids), 900):
        chunk = contribution_ids[start:start + 900]
        comments = Comment.__table__
        rows = db.session.execute(
            select(Contribution.stakeholder_group, comments.c.stance)
            .select_from(Contribution)
            .outerjoin(comments, comments.c.id == Contribution.id)
            .where(Contribution.id.in_(chunk))
        ).all()
        for group, stance in rows:
            groups[group or "citizen"] += 1
            stances[stance or "none"] += 1
    return {"group": dict(groups), "stance": dict(stances)}


# --- computing a draft ---------------------------------------------------------------

def summarize(actor, *, position: Position | None = None, policy: Policy | None = None,
              article_key: str | None = None, themes: int | None = None, progress=None) -> Summary:
    """Compute a draft summary of the subject's published contributions (officials). `progress(percent)`,
    when given, is called while the session holds no pending change (a job's report commits)."""
    if (position is None) == (policy is None):
        raise ValueError("summarize one position or one policy")
    permissions.require(actor, "aspiration.summarize")
    docs, copies, count, first_at, last_at = _docs(_sources(position, policy, article_key))
    progress and progress(20)
    result = engine.compute(docs, k=themes)
    progress and progress(70)
    summary = Summary(
        position_id=position.id if position else None, policy_id=policy.id if policy else None,
        article_key=article_key or None, status="draft", contribution_count=count,
        first_at=first_at, last_at=last_at, method=dict(result.settings), created_by_id=actor.id,
    )
    db.session.add(summary)
    for ordinal, theme in enumerate(result.themes):
        summary.themes.append(_theme(ordinal, theme.terms, _with_copies(theme.members, copies), theme.quotes))
    if result.other:
        other = _theme(len(result.themes), [], _with_copies(result.other, copies), [])
        other.is_other = True
        other.label = str(_("Other contributions"))
        summary.themes.append(other)
    db.session.flush()
    record(actor, "aspiration.summarize", summary, subject=_subject(summary),
           contributions=count, themes=len(result.themes))
    db.session.commit()
    return summary


def _theme(ordinal: int, terms: list[str], members: list[int], quotes: list[int]) -> SummaryTheme:
    quoted = set(quotes[:MAX_QUOTES])
    theme = SummaryTheme(ordinal=ordinal, label=", ".join(terms[:3]), terms=list(terms), size=len(members),
                         breakdown=_breakdown(list(members)))
    theme.members = [ThemeMember(contribution_id=cid, rank=rank, is_quote=cid in quoted)
                     for rank, cid in enumerate(members)]
    return theme


# --- reading -------------------------------------------------------------------------

def get_summary(viewer, summary_id: int) -> Summary:
    """A published summary for anyone; a draft for officials only."""
    summary = db.session.get(Summary, summary_id)
    if summary is None or (summary.status != "published" and not permissions.can(viewer, "aspiration.summarize")):
        raise NotFound()
    return summary


def get_theme(viewer, theme_id: int) -> SummaryTheme:
    theme = db.session.get(SummaryTheme, theme_id)
    if theme is None:
        raise NotFound()
    get_summary(viewer, theme.summary_id)
    return theme


def summaries_of(*, position: Position | None = None, policy: Policy | None = None,
                 published_only: bool = True, limit: int = 20) -> list[Summary]:
    """The subject's summaries, newest first (published ones only unless asked)."""
    query = select(Summary).order_by(Summary.published_at.desc().nulls_last(), Summary.id.desc()).limit(limit)
    query = query.where(Summary.position_id == position.id) if position else query.where(Summary.policy_id == policy.id)
    if published_only:
        query = query.where(Summary.status == "published")
    else:
        query = query.where(Summary.status != "discarded")
    return list(db.session.scalars(query))


def theme_members(viewer, theme: SummaryTheme, page: int = 1, per_page: int = 20):
    """A page of the theme's contributions that the viewer may still see, most central first."""
    query = (
        select(Contribution)
        .join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
        .where(ThemeMember.theme_id == theme.id, visible_filter(viewer))
        .order_by(ThemeMember.rank)
    )
    return db.paginate(query, page=max(1, min(page, 100_000)), per_page=per_page, error_out=False)


# The answer to a theme belongs to the responses part, which sits beside this one: it registers how to
# find a theme's answer when the app is made (see portal/aspirations/responses/__init__.py).
theme_answer_loaders: list = []


def theme_answer(theme: SummaryTheme):
    """The official answer to `theme`, or None."""
    for loader in theme_answer_loaders:
        found = loader(theme)
        if found is not None:
            return found
    return None


# The policy versions that cite a theme belong to the citations part, which sits beside this one and
# registers here when the app is made (see portal/aspirations/citations/__init__.py).
theme_citation_loaders: list = []


def citing_articles(theme: SummaryTheme) -> list:
    """The policy articles (version, article) whose change cites `theme` or its answer."""
    return [found for loader in theme_citation_loaders for found in loader(theme)]


def quoted_in_published_summary(contribution: Contribution) -> bool:
    """Whether a published summary quotes `contribution` (it then stays in the record, anonymised)."""
    return db.session.scalar(
        select(ThemeMember.id).join(SummaryTheme).join(Summary)
        .where(ThemeMember.contribution_id == contribution.id, ThemeMember.is_quote,
               Summary.status == "published").limit(1)
    ) is not None


def quotes_of(themes: list[SummaryTheme]) -> dict[int, list[Contribution]]:
    """The chosen quotes of each theme, still published, in one query."""
    ids = [theme.id for theme in themes]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ThemeMember.theme_id, Contribution)
        .join(Contribution, Contribution.id == ThemeMember.contribution_id)
        .where(ThemeMember.theme_id.in_(ids), ThemeMember.is_quote, Contribution.status == "published")
        .order_by(ThemeMember.rank)
    ).all()
    quotes = defaultdict(list)
    for theme_id, contribution in rows:
        quotes[theme_id].append(contribution)
    return dict(quotes)


def _subject(summary: Summary) -> str:
    if summary.position_id:
        return f"position:{summary.position_id}"
    return f"policy:{summary.policy_id}" + (f":{summary.article_key}" if summary.article_key else "")


# --- reviewing a draft ---------------------------------------------------------------

def _draft(actor, summary: Summary) -> None:
    permissions.require(actor, "aspiration.summarize")
    if summary.status != "draft":
        raise ValidationError("summary", _("This summary is published; compute a new one to change it."))


def _text(value: str | None, field: str, limit: int, required: str | None = None) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError(field, _("The text contains a character that cannot be stored."))
    if len(text) > limit:
        raise ValidationError(field, _("The text may be at most %(n)d characters.", n=limit))
    if required and not text:
        raise ValidationError(field, required)
    return text


def _own_theme(summary: Summary, theme_id: int) -> SummaryTheme:
    for theme in summary.themes:
        if theme.id == theme_id:
            return theme
    raise ValidationError("theme", _("That theme is not part of this summary."))


def _other(summary: Summary) -> SummaryTheme:
    for theme in summary.themes:
        if theme.is_other:
            return theme
    other = SummaryTheme(ordinal=len(summary.themes), label=str(_("Other contributions")), is_other=True, terms=[])
    summary.themes.append(other)
    return other


def _move_members(source: SummaryTheme, target: SummaryTheme) -> None:
    """Move every member of `source` to the end of `target` (no contribution is ever dropped)."""
    present = {member.contribution_id for member in target.members}
    rank = len(target.members)
    for member in list(source.members):
        if member.contribution_id not in present:
            target.members.append(ThemeMember(contribution_id=member.contribution_id, rank=rank, is_quote=False))
            rank += 1
    source.members.clear()
    db.session.flush()
    for theme in (source, target):
        ids = [member.contribution_id for member in theme.members]
        theme.size = len(ids)
        theme.breakdown = _breakdown(ids)


def edit_theme(actor, summary: Summary, theme_id: int, label: str, note: str) -> SummaryTheme:
    """Rename a theme and set its note."""
    _draft(actor, summary)
    theme = _own_theme(summary, theme_id)
    theme.label = _text(label, "label", MAX_LABEL, _("Give the theme a name."))
    theme.note = _text(note, "note", MAX_NOTE)
    record(actor, "aspiration.theme_edit", summary, theme=theme.id, label=theme.label)
    db.session.commit()
    return theme


def drop_theme(actor, summary: Summary, theme_id: int) -> None:
    """Drop a theme: its contributions join "other contributions", where they stay counted."""
    _draft(actor, summary)
    theme = _own_theme(summary, theme_id)
    if theme.is_other:
        raise ValidationError("theme", _("The other contributions cannot be dropped."))
    _move_members(theme, _other(summary))
    theme.dropped = True
    record(actor, "aspiration.theme_drop", summary, theme=theme.id, label=theme.label)
    db.session.commit()


def merge_themes(actor, summary: Summary, theme_ids: list[int]) -> SummaryTheme:
    """Merge the chosen themes into the first of them."""
    _draft(actor, summary)
    themes = [_own_theme(summary, theme_id) for theme_id in dict.fromkeys(theme_ids)]
    themes = [theme for theme in themes if not theme.dropped and not theme.is_other]
    if len(themes) < 2:
        raise ValidationError("merge", _("Choose at least two themes to merge."))
    into = themes[0]
    for theme in themes[1:]:
        _move_members(theme, into)
        into.terms = list(dict.fromkeys([*into.terms, *theme.terms]))
        theme.dropped = True
    record(actor, "aspiration.theme_merge", summary, into=into.id, merged=[t.id for t in themes[1:]])
    db.session.commit()
    return into


def choose_quotes(actor, summary: Summary, theme_id: int, contribution_ids: list[int]) -> None:
    """Choose up to three of the theme's own contributions as its quotes."""
    _draft(actor, summary)
    theme = _own_theme(summary, theme_id)
    chosen = list(dict.fromkeys(contribution_ids))
    members = {member.contribution_id: member for member in theme.members}
    if len(chosen) > MAX_QUOTES:
        raise ValidationError("quotes", _("Choose at most %(n)d quotes.", n=MAX_QUOTES))
    if any(cid not in members for cid in chosen):
        raise ValidationError("quotes", _("A quote must be one of the theme's own contributions."))
    for cid, member in members.items():
        member.is_quote = cid in chosen
    record(actor, "aspiration.theme_quotes", summary, theme=theme.id, quotes=chosen)
    db.session.commit()


def set_note(actor, summary: Summary, note: str) -> None:
    _draft(actor, summary)
    summary.note = _text(note, "note", MAX_NOTE)
    record(actor, "aspiration.summary_note", summary)
    db.session.commit()


def publish(actor, summary: Summary) -> Summary:
    """Publish the reviewed draft into its record, signed off by `actor`."""
    _draft(actor, summary)
    permissions.require(actor, "aspiration.publish")
    summary.status = "published"
    summary.published_by_id = actor.id
    summary.published_at = utcnow()
    if summary.position_id:
        position = db.session.get(Position, summary.position_id)
        position.aspiration_updated_at = summary.published_at
    record(actor, "aspiration.publish", summary, subject=_subject(summary),
           contributions=summary.contribution_count, themes=len(summary.kept_themes))
    db.session.commit()
    return summary


def discard(actor, summary: Summary) -> None:
    _draft(actor, summary)
    summary.status = "discarded"
    record(actor, "aspiration.discard", summary)
    db.session.commit()
