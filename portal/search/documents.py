"""What the index should hold, read from the database: search documents for
policies, the articles of their current version, and contributions.

Contribution kinds may offer hooks (all optional, with fallbacks here):
`search_title()` -> str, `article_key` (str) or `article_keys` (list), `position_codes`
(list) or a `position` with a `code`. Where a result is shown is
`portal.contributions.urls`'s to say.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select, true
from sqlalchemy.orm import selectinload, with_polymorphic

from portal.extensions import db
from portal.contributions.models import Contribution
from portal.proposals.models import Article, Policy, PolicyVersion
from portal.search.backend import Document

# Withdrawn items leave the index; every other status stays, for their author and moderators.
NOT_INDEXED_STATUSES = ("withdrawn",)
CHUNK = 1000


def doc_key(doc_type: str, db_id: int) -> str:
    """The index id of a row, e.g. "contribution:12"."""
    return f"{doc_type}:{db_id}"


def policy_status(policy: Policy) -> str:
    """Drafts are for officials only; every other policy is public."""
    return "draft" if policy.status == "draft" else "published"


def _codes(policy_id: int | None, load: Callable[[], Policy], cache: dict | None) -> list[str]:
    """The position codes of a policy, read once per policy id (`load()` gives the policy when needed)."""
    if policy_id is None:
        return []
    cache = cache if cache is not None else {}
    if policy_id not in cache:
        cache[policy_id] = [position.code for position in load().positions]
    return cache[policy_id]


def policy_document(policy: Policy, cache: dict | None = None) -> Document:
    """The policy's own document: title and summary."""
    return Document(
        doc_id=doc_key("policy", policy.id),
        doc_type="policy",
        db_id=policy.id,
        kind="policy",
        status=policy_status(policy),
        title=policy.title,
        text=f"{policy.kind}\n{policy.summary or ''}",
        policy_id=policy.id,
        position_codes=_codes(policy.id, lambda: policy, cache),
        created_at=policy.created_at,
        published_at=policy.opens_at,
    )


def article_document(article: Article, policy: Policy, cache: dict | None = None) -> Document:
    """An article of the current version: label and heading as title, the text."""
    title = f"{article.label} — {article.heading}" if article.heading else article.label
    return Document(
        doc_id=doc_key("article", article.id),
        doc_type="article",
        db_id=article.id,
        kind="article",
        status=policy_status(policy),
        title=title,
        text=article.body or "",
        policy_id=policy.id,
        article_keys=[article.key],
        position_codes=_codes(policy.id, lambda: policy, cache),
        created_at=article.version.created_at,
        published_at=policy.opens_at,
    )


def contribution_title(contribution: Contribution) -> str:
    """The kind's `search_title()`, its `title`, a post's thread title, or nothing."""
    hook = getattr(contribution, "search_title", None)
    if callable(hook):
        return hook() or ""
    title = getattr(contribution, "title", None)
    if isinstance(title, str):
        return title
    thread = getattr(contribution, "thread", None)
    if thread is not None and getattr(contribution, "is_opening", False):
        return thread.title
    return ""


def contribution_article_keys(contribution: Contribution) -> list[str]:
    """`article_key` or `article_keys` of the kind, when it has them."""
    key = getattr(contribution, "article_key", None)
    if isinstance(key, str) and key:
        return [key]
    keys = getattr(contribution, "article_keys", None)
    return [k for k in keys if k] if isinstance(keys, (list, tuple)) else []


def contribution_document(contribution: Contribution, cache: dict | None = None) -> Document | None:
    """A contribution's document, or None when it must not be in the index."""
    if contribution.status in NOT_INDEXED_STATUSES:
        return None
    codes = getattr(contribution, "position_codes", None)
    if not isinstance(codes, (list, tuple)):
        position = getattr(contribution, "position", None)  # e.g. a comment on a position record
        code = getattr(position, "code", None)
        codes = [code] if code else _codes(contribution.policy_id, lambda: contribution.policy, cache)
    return Document(
        doc_id=doc_key("contribution", contribution.id),
        doc_type="contribution",
        db_id=contribution.id,
        kind=contribution.kind,
        status=contribution.status,
        title=contribution_title(contribution),
        text=contribution.body or "",
        policy_id=contribution.policy_id,
        article_keys=contribution_article_keys(contribution),
        position_codes=list(codes),
        stakeholder_group=contribution.stakeholder_group or "",
        organisation_id=contribution.organisation_id,
        author_id=contribution.author_id,
        created_at=contribution.created_at,
        published_at=contribution.published_at,
    )


def _current_version_ids(policy_ids: Iterable[int] | None = None, session=None) -> set[int]:
    session = session or db.session
    latest = select(PolicyVersion.policy_id, func.max(PolicyVersion.number).label("number")).group_by(
        PolicyVersion.policy_id
    )
    if policy_ids is not None:
        latest = latest.where(PolicyVersion.policy_id.in_(list(policy_ids)))
    latest = latest.subquery()
    return set(
        session.scalars(
            select(PolicyVersion.id).join(
                latest, (PolicyVersion.policy_id == latest.c.policy_id) & (PolicyVersion.number == latest.c.number)
            )
        )
    )


def resolve(keys: Iterable[tuple[str, int]], session=None) -> tuple[list[Document], list[str]]:
    """For changed rows: the documents to upsert and the doc ids to delete, from the database as it is now."""
    session = session or db.session
    by_type: dict[str, set[int]] = {"policy": set(), "article": set(), "contribution": set()}
    for doc_type, ident in keys:
        by_type.setdefault(doc_type, set()).add(ident)
    documents: list[Document] = []
    deletions: list[str] = []
    cache: dict[int, list[str]] = {}

    policies = {p.id: p for p in _load_policies(by_type["policy"], session)}
    for ident in by_type["policy"]:
        policy = policies.get(ident)
        if policy is None:
            deletions.append(doc_key("policy", ident))
            continue
        documents.append(policy_document(policy, cache))
        current = policy.current_version
        for version in policy.versions:
            for article in version.articles:
                if version is current:
                    documents.append(article_document(article, policy, cache))
                else:
                    deletions.append(doc_key("article", article.id))
    if by_type["article"]:
        articles = {
            a.id: a
            for a in session.scalars(
                select(Article).where(Article.id.in_(by_type["article"])).options(selectinload(Article.version))
            )
        }
        current = _current_version_ids({a.version.policy_id for a in articles.values()}, session)
        for ident in by_type["article"]:
            article = articles.get(ident)
            if article is None or article.version_id not in current:
                deletions.append(doc_key("article", ident))
            else:
                documents.append(article_document(article, article.version.policy, cache))
    contributions = {c.id: c for c in _load_contributions(by_type["contribution"], session)}
    for ident in by_type["contribution"]:
        document = contribution_document(contributions[ident], cache) if ident in contributions else None
        if document is None:
            deletions.append(doc_key("contribution", ident))
        else:
            documents.append(document)
    return documents, deletions


def _load_policies(ids: set[int], session) -> list[Policy]:
    if not ids:
        return []
    return list(
        session.scalars(
            select(Policy)
            .where(Policy.id.in_(ids))
            .options(selectinload(Policy.versions).selectinload(PolicyVersion.articles))
        )
    )


def _load_contributions(ids: Iterable[int], session) -> list[Contribution]:
    ids = list(ids)
    if not ids:
        return []
    every_kind = with_polymorphic(Contribution, "*")
    return list(session.scalars(select(every_kind).where(every_kind.id.in_(ids))))


def all_documents(part: int = 0, parts: int = 1) -> Iterator[Document]:
    """Every document the index should hold, read in short chunks (no long read lock on SQLite).

    With `parts` > 1, only share `part` of them: the policies and articles go to part 0, the
    contributions are dealt out by id.
    """
    session = db.session.session_factory()  # its own session: expunging it touches nobody else's objects
    try:
        cache: dict[int, list[str]] = {}
        policy_ids = list(session.scalars(select(Policy.id).order_by(Policy.id))) if part == 0 else []
        for start in range(0, len(policy_ids), 100):
            documents, _deletions = resolve((("policy", i) for i in policy_ids[start:start + 100]), session)
            session.rollback()
            yield from documents
            session.expunge_all()
        last = 0
        while True:
            ids = list(
                session.scalars(
                    select(Contribution.id)
                    .where(Contribution.id > last, Contribution.status.not_in(NOT_INDEXED_STATUSES))
                    .where(Contribution.id % parts == part if parts > 1 else true())
                    .order_by(Contribution.id)
                    .limit(CHUNK)
                )
            )
            if not ids:
                break
            last = ids[-1]
            chunk = [contribution_document(c, cache) for c in sorted(_load_contributions(ids, session), key=lambda c: c.id)]
            session.rollback()  # end the read before the slow part (indexing)
            session.expunge_all()
            yield from (document for document in chunk if document is not None)
    finally:
        session.close()


def expected_states() -> dict[str, str]:
    """doc_id -> status of everything the index should hold (policies, current articles, contributions)."""
    expected: dict[str, str] = {}
    for ident, status in db.session.execute(select(Policy.id, Policy.status)):
        expected[doc_key("policy", ident)] = "draft" if status == "draft" else "published"
    current = _current_version_ids()
    rows = db.session.execute(
        select(Article.id, Article.version_id, Policy.status)
        .join(PolicyVersion, Article.version_id == PolicyVersion.id)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
    )
    for ident, version_id, status in rows:
        if version_id in current:
            expected[doc_key("article", ident)] = "draft" if status == "draft" else "published"
    rows = db.session.execute(
        select(Contribution.id, Contribution.status).where(Contribution.status.not_in(NOT_INDEXED_STATUSES))
    )
    for ident, status in rows:
        expected[doc_key("contribution", ident)] = status
    return expected


def count_documents() -> int:
    """How many documents a rebuild writes (for the progress bar)."""
    return len(expected_states())
