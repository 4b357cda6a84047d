"""Documents the index may still hold in a state the database has left: those with changes waiting
in the outbox. A search leaves out the ones the viewer may not see now, so its hits, total and facet
counts never include them, however far the indexer lags (or however long it has been failing).

Each is decided in SQL with the portal's own visibility rules (`contributions.visible_filter` for
contributions, `policy.view` and the current version for policies and their articles), through
subqueries on the outbox: one indexed query when nothing waits, a few when something does.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from portal import permissions
from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.proposals.models import Article, Policy, PolicyVersion
from portal.search.documents import NOT_INDEXED_STATUSES, doc_key
from portal.search.outbox import SearchOutbox


def _waiting(doc_type: str):
    return select(SearchOutbox.doc_id).where(SearchOutbox.processed_at.is_(None), SearchOutbox.doc_type == doc_type)


def hidden_from(viewer) -> frozenset[str]:
    """Doc ids with waiting changes that `viewer` may not see as the database stands now."""
    waiting = set(db.session.execute(
        select(SearchOutbox.doc_type).where(SearchOutbox.processed_at.is_(None)).distinct()
    ).scalars())
    if not waiting:
        return frozenset()
    hidden: set[str] = set()
    if "contribution" in waiting:
        hidden |= _hidden_contributions(viewer)
    if waiting & {"policy", "article"}:
        hidden |= _hidden_policies_and_articles(viewer)
    return frozenset(hidden)


def _hidden_contributions(viewer) -> set[str]:
    ids = set(db.session.scalars(_waiting("contribution").distinct()))
    visible = set(db.session.scalars(
        select(Contribution.id).where(
            Contribution.id.in_(_waiting("contribution")),
            Contribution.status.not_in(NOT_INDEXED_STATUSES),
            contributions.visible_filter(viewer),
        )
    ))
    return {doc_key("contribution", ident) for ident in ids - visible}


def _hidden_policies_and_articles(viewer) -> set[str]:
    official = permissions.is_official(viewer)
    policy_ids = set(db.session.scalars(_waiting("policy").distinct()))
    article_ids = set(db.session.scalars(_waiting("article").distinct()))
    viewable = set(db.session.scalars(
        select(Policy.id).where(Policy.id.in_(policy_ids), *(() if official else (Policy.status != "draft",)))
    )) if policy_ids else set()
    hidden = {doc_key("policy", ident) for ident in policy_ids - viewable}
    # Every article of a changed policy moves with it (a new version replaces them all).
    latest = (
        select(PolicyVersion.policy_id, func.max(PolicyVersion.number).label("number"))
        .group_by(PolicyVersion.policy_id).subquery()
    )
    rows = db.session.execute(
        select(Article.id, Policy.status, latest.c.number.is_not(None))
        .join(PolicyVersion, Article.version_id == PolicyVersion.id)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
        .outerjoin(latest, and_(latest.c.policy_id == PolicyVersion.policy_id, latest.c.number == PolicyVersion.number))
        .where(or_(Article.id.in_(article_ids), PolicyVersion.policy_id.in_(policy_ids)))
    ).all()
    seen = set()
    for ident, status, current in rows:
        seen.add(ident)
        if not current or (status == "draft" and not official):
            hidden.add(doc_key("article", ident))
    hidden |= {doc_key("article", ident) for ident in article_ids - seen}  # deleted
    return hidden
