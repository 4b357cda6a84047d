"""Search as the rest of the portal sees it: `search(viewer, ...)` for pages,
`drain`, `rebuild` and `check` for the indexer and the CLI.

Results come back from the backend as ids; they are reloaded from SQL in
rank order and re-checked with the portal's own visibility rules, so an
index that lags behind a moderator's action never shows what it must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload, with_polymorphic

from portal import permissions
from portal.errors import ValidationError
from portal.extensions import db
from portal.contributions import urls as contribution_urls
from portal.contributions.models import Contribution
from portal.contributions.services import visible_to
from portal.proposals.models import Article, Policy, PolicyVersion
from portal.search import in_flight, indexer, status
from portal.search.documents import contribution_article_keys
from portal.search.pg_backend import PostgresBackend
from portal.search.whoosh_backend import WhooshBackend
from portal.search.backend import (
    DATE_RANGES,
    KINDS,
    SORTS,
    Hit,
    QuerySyntaxError,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Visibility,
)

DEFAULT_MAX_QUERY_LENGTH = 200
MAX_PAGE = 100
# Searches run again, at most, with hits the database refused left out (the index drifted from it).
RECOUNTS = 2


def index_root() -> Path:
    """Where the index lives: SEARCH_INDEX_PATH, else <instance>/search."""
    configured = current_app.config.get("SEARCH_INDEX_PATH")
    return Path(configured or Path(current_app.instance_path) / "search")


def backend() -> SearchBackend:
    """This app's search backend (one per application, opened lazily): SEARCH_BACKEND's."""
    backends = current_app.extensions.setdefault("portal_search", {})
    if current_app.config.get("SEARCH_BACKEND") == "postgres":
        return backends.setdefault("postgres", PostgresBackend())
    root = str(index_root())
    if root not in backends:
        backends[root] = WhooshBackend(root, procs=int(current_app.config.get("SEARCH_REBUILD_PROCS", 1)))
    return backends[root]


def visibility_for(viewer) -> Visibility:
    """What `viewer` may find: moderators everything, an author also their own items."""
    if permissions.is_official(viewer):
        return Visibility(user_id=viewer.id, everything=True)
    if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active:
        return Visibility(user_id=viewer.id)
    return Visibility()


@dataclass
class ResultItem:
    """One result ready for the page: the SQL row, where it lives, and its highlights."""

    hit: Hit
    obj: object
    kind: str
    url: str
    policy: Policy | None
    article_label: str | None
    group: str
    when: datetime | None
    status: str
    title: list  # highlight.Fragments
    fragments: list


@dataclass
class SearchPage:
    """A page of results, with facet counts and policy names for the policy facet."""

    query: SearchQuery
    results: SearchResults
    items: list[ResultItem]
    policy_names: dict[str, str]


def search(
    viewer,
    text: str,
    *,
    kinds=(),
    policy_ids=(),
    groups=(),
    statuses=(),
    date_range: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> SearchPage:
    """Search what `viewer` may see; raises ValidationError("q") when the words cannot be searched."""
    limit = int(current_app.config.get("SEARCH_MAX_QUERY_LENGTH", DEFAULT_MAX_QUERY_LENGTH))
    text = (text or "").replace("\x00", " ").strip()[:limit]
    official = permissions.is_official(viewer)
    request = SearchQuery(
        text=text,
        kinds=tuple(k for k in kinds if k in KINDS),
        policy_ids=tuple(int(p) for p in policy_ids if str(p).isascii() and str(p).isdigit())[:20],
        groups=tuple(g for g in groups if g in ("citizen", "ngo", "academic", "official")),
        statuses=tuple(s for s in statuses if s in ("pending", "published", "hidden", "draft")) if official else (),
        date_range=date_range if date_range in DATE_RANGES else None,
        date_from=date_from,
        date_to=date_to,
        sort=sort if sort in SORTS else "relevance",
        page=min(max(1, page), MAX_PAGE),
        per_page=int(current_app.config.get("SEARCH_PAGE_SIZE", 10)),
    )
    # Left out of the hits and of every count: what has changed since the index last saw it and the
    # viewer may not see now, then anything on the page the database refuses (drift, which `check` reports).
    excluded = in_flight.hidden_from(viewer)
    for _attempt in range(RECOUNTS + 1):
        try:
            results = backend().search(request, visibility_for(viewer), exclude=excluded)
        except QuerySyntaxError:
            raise ValidationError("q", _("The search words could not be understood. Try plain words without symbols."))
        items = _reload(viewer, results.hits)
        dropped = {hit.doc_id for hit in results.hits} - {item.hit.doc_id for item in items}
        if not dropped:
            break
        excluded = excluded | dropped
    return SearchPage(request, results, items, _policy_names(viewer, results))


def _reload(viewer, hits: list[Hit]) -> list[ResultItem]:
    """Load the hits' rows from SQL in rank order, dropping what `viewer` may not see (any more)."""
    ids = {"policy": set(), "article": set(), "contribution": set()}
    for hit in hits:
        ids.setdefault(hit.doc_type, set()).add(hit.db_id)
    policies = {p.id: p for p in db.session.scalars(select(Policy).where(Policy.id.in_(ids["policy"])))} if ids["policy"] else {}
    articles = {}
    if ids["article"]:
        articles = {
            a.id: a
            for a in db.session.scalars(
                select(Article).where(Article.id.in_(ids["article"]))
                .options(selectinload(Article.version).selectinload(PolicyVersion.policy))
            )
        }
    contributions = {}
    if ids["contribution"]:
        every_kind = with_polymorphic(Contribution, "*")
        contributions = {
            c.id: c for c in db.session.scalars(select(every_kind).where(every_kind.id.in_(ids["contribution"])))
        }
    items = []
    for hit in hits:
        item = None
        if hit.doc_type == "policy" and hit.db_id in policies:
            item = _policy_item(viewer, hit, policies[hit.db_id])
        elif hit.doc_type == "article" and hit.db_id in articles:
            item = _article_item(viewer, hit, articles[hit.db_id])
        elif hit.doc_type == "contribution" and hit.db_id in contributions:
            item = _contribution_item(viewer, hit, contributions[hit.db_id])
        if item is not None:
            items.append(item)
    return items


def _policy_item(viewer, hit: Hit, policy: Policy) -> ResultItem | None:
    if not permissions.can(viewer, "policy.view", policy):
        return None
    return ResultItem(
        hit, policy, "policy", url_for("consultation.policy", slug=policy.slug), policy, None, "",
        policy.created_at, policy.status, hit.title, hit.fragments,
    )


def _article_item(viewer, hit: Hit, article: Article) -> ResultItem | None:
    policy = article.version.policy
    if not permissions.can(viewer, "policy.view", policy) or policy.current_version is not article.version:
        return None
    url = url_for("consultation.policy", slug=policy.slug, _anchor=article.key)
    return ResultItem(
        hit, article, "article", url, policy, article.label, "", article.version.created_at, policy.status,
        hit.title, hit.fragments,
    )


def _contribution_item(viewer, hit: Hit, contribution: Contribution) -> ResultItem | None:
    if not visible_to(viewer, contribution) or contribution.status == "withdrawn":
        return None
    policy = contribution.policy
    keys = _article_keys(contribution)
    return ResultItem(
        hit, contribution, contribution.kind, contribution_urls.contribution_url(contribution), policy,
        _article_label(policy, keys[0]) if keys and policy else None,
        contribution.stakeholder_group, contribution.published_at or contribution.created_at,
        contribution.status, hit.title, hit.fragments,
    )


def _article_keys(contribution: Contribution) -> list[str]:
    return contribution_article_keys(contribution)


def _article_label(policy: Policy, key: str) -> str:
    version = policy.current_version
    for article in version.articles if version else ():
        if article.key == key:
            return article.label
    return key


def _policy_names(viewer, results: SearchResults) -> dict[str, str]:
    ids = [int(value) for value, _count in results.facets.get("policy", []) if value.isdigit()]
    if not ids:
        return {}
    names = {}
    for policy in db.session.scalars(select(Policy).where(Policy.id.in_(ids))):
        if permissions.can(viewer, "policy.view", policy):
            names[str(policy.id)] = policy.title
    return names


# --- the indexer -----------------------------------------------------------------------

def batch_size() -> int:
    """Outbox rows applied per index commit (SEARCH_BATCH_SIZE)."""
    return int(current_app.config.get("SEARCH_BATCH_SIZE", 200))


def drain(max_batches: int | None = None, wait: float = 0.0) -> indexer.DrainReport:
    """Apply waiting outbox rows to the index (skips if another process is indexing)."""
    return indexer.drain(backend(), index_root(), batch_size(), max_batches=max_batches, wait=wait)


def rebuild(progress=None) -> int:
    """Rebuild the index from the database and swap it in; returns the document count."""
    return indexer.rebuild(backend(), index_root(), progress)


def check() -> indexer.CheckReport:
    """Compare the index with the database, and read the indexer's health."""
    return indexer.check(backend(), max_age=outbox_max_age())


def indexing_status() -> status.IndexingStatus:
    """How many changes wait for the index and since when, and the indexer's last failure (for the moderation queue)."""
    return status.indexing_status(outbox_max_age())


def outbox_max_age() -> timedelta:
    """How long a change may wait for the index before `check` calls it stuck (SEARCH_OUTBOX_MAX_AGE, seconds)."""
    return timedelta(seconds=float(current_app.config.get("SEARCH_OUTBOX_MAX_AGE", 300)))


def inline_indexing() -> bool:
    """Drain after requests in the web process: SEARCH_INLINE_INDEXING, by default on unless REDIS_URL is set."""
    setting = current_app.config.get("SEARCH_INLINE_INDEXING")
    if setting is None:
        return not current_app.config.get("REDIS_URL")
    return bool(setting)
