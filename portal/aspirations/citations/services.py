"""Which published themes and official responses a new policy version cites, article by article.

An official, after publishing a version, says for each article (Pasal) the version changes which
themes of the policy's published summaries and which official responses on the policy motivated
the change. Only the policy's own published themes and its responses to published contributions
(or to published themes) may be cited; anything else is refused with a message, never stored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.aspirations.citations.models import VersionCitation
from portal.aspirations.responses.models import Response
from portal.aspirations.summaries.models import Summary, SummaryTheme
from portal.audit.services import record
from portal.contributions.models import Contribution
from portal.errors import ValidationError
from portal.extensions import db
from portal.proposals import services as proposals
from portal.proposals.models import Article, Policy, PolicyVersion

MAX_CHOICES = 200  # themes and responses offered (each), newest first
MAX_PER_ARTICLE = 50
_TOKEN = re.compile(r"(theme|response)-([1-9][0-9]{0,9})")


@dataclass
class Cited:
    """One thing an article cites, as pages show it: a theme (linked by `theme_id`) or a response
    (linked to its theme, or to its `contribution`)."""

    kind: str  # "theme" or "response"
    target_id: int
    label: str
    theme_id: int | None = None
    contribution: Contribution | None = None
    outcome: str = ""
    version_number: int = 0

    @property
    def token(self) -> str:
        return f"{self.kind}-{self.target_id}"


def _published_themes(policy: Policy):
    return (
        select(SummaryTheme).join(Summary, Summary.id == SummaryTheme.summary_id)
        .where(Summary.policy_id == policy.id, Summary.status == "published",
               SummaryTheme.dropped.is_(False), SummaryTheme.is_other.is_(False))
    )


def _public_responses(policy: Policy):
    """The policy's responses whose target the public can see: a published contribution or a kept
    theme of a published summary."""
    published_theme = select(SummaryTheme.id).join(Summary, Summary.id == SummaryTheme.summary_id).where(
        Summary.status == "published", SummaryTheme.dropped.is_(False))
    return (
        select(Response).outerjoin(Contribution, Contribution.id == Response.contribution_id)
        .where(Response.policy_id == policy.id,
               or_(and_(Response.contribution_id.is_not(None), Contribution.status == "published"),
                   Response.theme_id.in_(published_theme)))
    )


def _theme_cited(theme: SummaryTheme) -> Cited:
    return Cited("theme", theme.id, theme.label, theme_id=theme.id)


def _response_cited(response: Response, theme: SummaryTheme | None) -> Cited:
    if theme is not None:
        label = _("Answer to the theme “%(label)s”", label=theme.label)
    else:
        label = _("Answer to %(id)s", id=response.contribution.public_id or f"#{response.contribution_id}")
    return Cited("response", response.id, label, theme_id=response.theme_id, contribution=response.contribution,
                 outcome=response.outcome_label)


def citable(policy: Policy) -> tuple[list[Cited], list[Cited]]:
    """What a version of `policy` may cite: its published themes and its public responses."""
    themes = [_theme_cited(theme) for theme in db.session.scalars(
        _published_themes(policy).order_by(Summary.published_at.desc(), SummaryTheme.ordinal).limit(MAX_CHOICES))]
    rows = db.session.scalars(
        _public_responses(policy).options(joinedload(Response.contribution))
        .order_by(Response.created_at.desc(), Response.id.desc()).limit(MAX_CHOICES)
    ).all()
    answered = {row.theme_id for row in rows if row.theme_id}
    theme_of = {theme.id: theme for theme in db.session.scalars(
        select(SummaryTheme).where(SummaryTheme.id.in_(answered)))} if answered else {}
    return themes, [_response_cited(row, theme_of.get(row.theme_id)) for row in rows]


def changed_articles(version: PolicyVersion) -> list[proposals.ArticleChange]:
    """The articles `version` adds, changes or removes against the version before it."""
    if version.number <= 1:
        return []
    previous = proposals.get_version(version.policy, version.number - 1)
    return [change for change in proposals.diff_versions(previous, version) if change.kind != "unchanged"]


def chosen(version: PolicyVersion) -> dict[str, set[str]]:
    """article key -> the tokens ("theme-12", "response-7") the version cites there now."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in db.session.scalars(select(VersionCitation).where(VersionCitation.version_id == version.id)):
        found[row.article_key].add(f"theme-{row.theme_id}" if row.theme_id else f"response-{row.response_id}")
    return dict(found)


def _parse(tokens: Iterable[str]) -> list[tuple[str, int]]:
    parsed = []
    for token in dict.fromkeys(tokens):
        match = _TOKEN.fullmatch(str(token or ""))
        if match is None:
            raise ValidationError("cites", _("Choose themes and answers from the list."))
        parsed.append((match.group(1), int(match.group(2))))
    return parsed


def cite(actor, version: PolicyVersion, choices: Mapping[str, Iterable[str]]) -> int:
    """Set what each changed article of `version` cites (replacing what it cited); returns how many
    citations the version has now."""
    policy = version.policy
    permissions.require(actor, "policy.cite", policy)
    keys = {change.key for change in changed_articles(version)}
    if not keys:
        raise ValidationError("cites", _("This version changes no article, so it has nothing to cite."))
    wanted = {key: _parse(tokens) for key, tokens in choices.items() if tokens}
    if any(key not in keys for key in wanted):
        raise ValidationError("cites", _("Cite only for the articles this version changes."))
    if any(len(pairs) > MAX_PER_ARTICLE for pairs in wanted.values()):
        raise ValidationError("cites", _("An article may cite at most %(n)d themes and answers.", n=MAX_PER_ARTICLE))
    ids = {kind: {number for pairs in wanted.values() for k, number in pairs if k == kind}
           for kind in ("theme", "response")}
    allowed_themes = set(db.session.scalars(
        _published_themes(policy).where(SummaryTheme.id.in_(ids["theme"])).with_only_columns(SummaryTheme.id)
    )) if ids["theme"] else set()
    allowed_responses = set(db.session.scalars(
        _public_responses(policy).where(Response.id.in_(ids["response"])).with_only_columns(Response.id)
    )) if ids["response"] else set()
    if ids["theme"] - allowed_themes or ids["response"] - allowed_responses:
        raise ValidationError("cites", _("A version may cite only the published themes of this policy and the "
                                         "official answers on it."))
    db.session.execute(delete(VersionCitation).where(VersionCitation.version_id == version.id))
    count = 0
    for key, pairs in sorted(wanted.items()):
        for kind, number in pairs:
            db.session.add(VersionCitation(
                version_id=version.id, article_key=key, created_by_id=actor.id,
                theme_id=number if kind == "theme" else None, response_id=number if kind == "response" else None,
            ))
            count += 1
    record(actor, "policy.version_cite", policy, number=version.number,
           citations={key: [f"{kind}-{number}" for kind, number in pairs] for key, pairs in sorted(wanted.items())})
    db.session.commit()
    return count


def citations_of(versions: list[PolicyVersion]) -> dict[int, dict[str, list[Cited]]]:
    """version id -> article key -> what it cites, for all `versions` in a bounded number of queries."""
    ids = [version.id for version in versions]
    if not ids:
        return {}
    numbers = {version.id: version.number for version in versions}
    rows = db.session.scalars(
        select(VersionCitation).where(VersionCitation.version_id.in_(ids))
        .options(joinedload(VersionCitation.theme),
                 joinedload(VersionCitation.response).joinedload(Response.contribution))
        .order_by(VersionCitation.version_id, VersionCitation.article_key, VersionCitation.id)
    ).unique().all()
    answered = {row.response.theme_id for row in rows if row.response is not None and row.response.theme_id}
    theme_of = {theme.id: theme for theme in db.session.scalars(
        select(SummaryTheme).where(SummaryTheme.id.in_(answered)))} if answered else {}
    found: dict[int, dict[str, list[Cited]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.theme is not None:
            cited = _theme_cited(row.theme)
        else:
            cited = _response_cited(row.response, theme_of.get(row.response.theme_id))
        cited.version_number = numbers[row.version_id]
        found[row.version_id][row.article_key].append(cited)
    return {version_id: dict(by_key) for version_id, by_key in found.items()}


def citations_by_article(policy: Policy, versions: list[PolicyVersion] = ()) -> dict[str, list[Cited]]:
    """article key -> what `versions` cite there (the answer to `proposals.signals.version_citations`)."""
    merged: dict[str, list[Cited]] = defaultdict(list)
    for by_key in citations_of(list(versions)).values():
        for key, items in by_key.items():
            merged[key].extend(items)
    return dict(merged)


@dataclass
class CitingArticle:
    """An article of a version that cites a theme (directly, or through the theme's answer)."""

    policy: Policy
    version_number: int
    article_key: str
    article_label: str


def citing_articles(theme: SummaryTheme) -> list[CitingArticle]:
    """The policy articles whose versions cite `theme` or its answer, oldest first."""
    answer_ids = select(Response.id).where(Response.theme_id == theme.id)
    rows = db.session.execute(
        select(VersionCitation.article_key, PolicyVersion.number, Policy, Article.label)
        .join(PolicyVersion, PolicyVersion.id == VersionCitation.version_id)
        .join(Policy, Policy.id == PolicyVersion.policy_id)
        .outerjoin(Article, and_(Article.version_id == PolicyVersion.id, Article.key == VersionCitation.article_key))
        .where(or_(VersionCitation.theme_id == theme.id, VersionCitation.response_id.in_(answer_ids)))
        .order_by(PolicyVersion.number, VersionCitation.article_key).limit(100)
    ).all()
    seen, found = set(), []
    for key, number, policy, label in rows:
        if (policy.id, number, key) in seen:
            continue
        seen.add((policy.id, number, key))
        found.append(CitingArticle(policy, number, key, label or _article_label(key)))
    return found


def _article_label(key: str) -> str:
    """A removed article's label from its key ("pasal-5" -> "Pasal 5")."""
    return key.replace("pasal-", "Pasal ") if key.startswith("pasal-") else key
