"""The search outbox: one row per change that affects the index, written in
the same database transaction as the change.

An `after_flush` listener looks at what the flush wrote (new, changed and
deleted policies, versions, articles and contributions) and inserts outbox
rows on the flush's own connection, so they commit or roll back with the
change. Nothing here touches the index; `portal.search.indexer` applies the
outbox later. With SEARCH_BACKEND=postgres no outbox row is written: the
changed documents are noted for `portal.search.pg_index`, which writes the
index rows themselves at the transaction's commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.contributions.models import Contribution
from portal.extensions import UtcDateTime, db, utcnow
from portal.proposals.models import Article, Policy, PolicyVersion
from portal.search import pg_index

OPS = ("upsert", "delete")
DOC_TYPES = ("policy", "article", "contribution")
# Set on a session whose flush wrote outbox rows; the request hook drains after the response.
SESSION_FLAG = "search_outbox_written"
WRITTEN_KEY = "search_outbox_keys"
LISTENERS = (("after_flush", "_after_flush"), ("after_commit", "_forget_written"), ("after_soft_rollback", "_forget_written"))


class SearchOutbox(db.Model):
    """A change waiting to reach the search index (processed_at set once applied)."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))  # one of DOC_TYPES
    doc_id: Mapped[int]
    op: Mapped[str] = mapped_column(String(10))  # one of OPS; the indexer trusts the database, not the op
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} {self.op} {self.doc_type}:{self.doc_id}>"


class SearchIndexerState(db.Model):
    """How the indexer last fared, in one row (id 1) that every process reads; only the indexer,
    holding its lock, writes it: when a batch fails, and when the next one succeeds again."""

    __tablename__ = "search_indexer_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)  # failed drains in a row; 0: the last one worked
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the last failure, kept after recovery
    failure: Mapped[str | None] = mapped_column(Text)  # its error, as "Type: message"
    recovered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when a drain or rebuild worked again

    def __repr__(self) -> str:
        return f"<SearchIndexerState failures={self.failures} failed_at={self.failed_at}>"


# Columns no search document holds: writing only these leaves the index as it is (the campaign a
# contribution belongs to is set after its response, by the aspirations package).
UNINDEXED_COLUMNS = {Contribution: frozenset({"campaign_id"})}


def _only_unindexed(obj) -> bool:
    skip = next((cols for cls, cols in UNINDEXED_COLUMNS.items() if isinstance(obj, cls)), None)
    if not skip:
        return False
    changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
    return bool(changed) and changed <= skip


def _changes(session: Session) -> dict[tuple[str, int], str]:
    """(doc_type, id) -> op for every indexed row this flush wrote."""
    found: dict[tuple[str, int], str] = {}

    def note(doc_type: str, ident: int | None, op: str) -> None:
        if ident is not None:
            found[(doc_type, ident)] = op

    for obj in session.new:
        if isinstance(obj, Contribution):
            note("contribution", obj.id, "upsert")
        elif isinstance(obj, Policy):
            note("policy", obj.id, "upsert")
        elif isinstance(obj, PolicyVersion):
            # A new version replaces the policy's searchable articles.
            note("policy", obj.policy_id if obj.policy_id is not None else getattr(obj.policy, "id", None), "upsert")
        elif isinstance(obj, Article):
            note("article", obj.id, "upsert")
    for obj in session.dirty:
        if not isinstance(obj, (Contribution, Policy, Article)):
            continue
        if not session.is_modified(obj, include_collections=False) or _only_unindexed(obj):
            continue
        doc_type = "contribution" if isinstance(obj, Contribution) else "policy" if isinstance(obj, Policy) else "article"
        note(doc_type, obj.id, "upsert")
    for obj in session.deleted:
        if isinstance(obj, Contribution):
            note("contribution", obj.id, "delete")
        elif isinstance(obj, Policy):
            note("policy", obj.id, "delete")
        elif isinstance(obj, Article):
            note("article", obj.id, "delete")
    return found


def _after_flush(session: Session, flush_context) -> None:
    changes = _changes(session)
    if changes and pg_index.in_transaction():  # the index itself is written at this transaction's commit
        pg_index.note(session, changes)
        return
    # One row per document and op per transaction is enough: the indexer reads the row's final state.
    written = session.info.setdefault(WRITTEN_KEY, set())
    fresh = sorted(item for item in changes.items() if item not in written)
    if not fresh:
        return
    now = utcnow()
    rows = [{"doc_type": doc_type, "doc_id": ident, "op": op, "created_at": now} for (doc_type, ident), op in fresh]
    # The flush's own connection: the rows share the change's transaction.
    session.connection().execute(insert(SearchOutbox.__table__), rows)
    written.update(fresh)
    session.info[SESSION_FLAG] = True


def _forget_written(session: Session, *args) -> None:
    # After a commit or any rollback (savepoints too) the next change writes its row again.
    session.info.pop(WRITTEN_KEY, None)


def install() -> None:
    """Listen to every flush (idempotent)."""
    for name, function in LISTENERS:
        if not event.contains(Session, name, globals()[function]):
            event.listen(Session, name, globals()[function])
    pg_index.install()


def uninstall() -> None:
    """Stop writing outbox rows (the benchmark's "indexing off" runs)."""
    for name, function in LISTENERS:
        if event.contains(Session, name, globals()[function]):
            event.remove(Session, name, globals()[function])
    pg_index.uninstall()


def pending_count() -> int:
    """How many outbox rows wait for the indexer."""
    from sqlalchemy import func

    return db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None))) or 0
