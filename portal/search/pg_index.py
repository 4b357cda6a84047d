"""The PostgreSQL search index: one row per search document in `search_documents`, with the
Sastrawi-stemmed text as a weighted `tsvector` (title A, text B) and the exact words as another,
both under GIN, and the columns the facets and visibility filter on.

With SEARCH_BACKEND=postgres the rows are written in the transaction of the change itself: the
outbox's `after_flush` listener notes which documents a flush touched (instead of writing outbox
rows), and `before_commit` rebuilds those documents from the database as the transaction leaves it
and upserts or deletes their rows on the same connection. They commit or roll back with the change,
so every app server sees the same index at once, with no shared disk and no worker.

The vectors are written as `tsvector` literals built here from `portal.search.analysis`'s terms,
not by `to_tsvector('simple', ...)`: PostgreSQL's parser would split or join some of the analyser's
tokens again ("abc_def", "1.000.000", host names), and the query side builds its lexemes the same way.
On SQLite the table exists (the schema is one for both) with text columns, and stays empty.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context
from sqlalchemy import Index, Integer, String, Text, cast, delete, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.extensions import UtcDateTime, db
from portal.search import documents
from portal.search.analysis import index_terms
from portal.search.backend import Document
from portal.search.highlight import plain_text

BACKEND_NAME = "postgres"
# (doc_type, id) pairs a transaction's flushes touched, waiting for its commit.
PENDING_KEY = "search_pg_pending"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_POSITION = 16383  # PostgreSQL's last tsvector position
MAX_POSITIONS = 256  # positions kept per lexeme (PostgreSQL keeps no more)
MAX_LEXEME_BYTES = 2046
TITLE, TEXT = "A", "B"


class TsVector(TypeDecorator):
    """A tsvector given as its text form (cast on the way in)."""

    impl = postgresql.TSVECTOR
    cache_ok = True

    def bind_expression(self, bindvalue):
        return cast(bindvalue, postgresql.TSVECTOR)


VECTOR = TsVector().with_variant(Text(), "sqlite")


class SearchDocument(db.Model):
    """One search document in the PostgreSQL index (SEARCH_BACKEND=postgres)."""

    __tablename__ = "search_documents"

    doc_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "<doc_type>:<db id>"
    doc_type: Mapped[str] = mapped_column(String(20))
    db_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    policy_id: Mapped[int | None] = mapped_column(Integer)
    grp: Mapped[str] = mapped_column(String(20), default="")  # stakeholder group
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)  # 1970 for a document without a date
    title: Mapped[str] = mapped_column(Text, default="")  # as written, for the highlighted snippet
    body: Mapped[str] = mapped_column(Text, default="")
    terms = mapped_column(VECTOR, nullable=False)  # stems: title weight A, text weight B
    words = mapped_column(VECTOR, nullable=False)  # exact forms: ranking bonus and "did you mean"

    __table_args__ = (
        Index("ix_search_documents_terms", "terms", postgresql_using="gin"),
        Index("ix_search_documents_words", "words", postgresql_using="gin"),
        Index("ix_search_documents_created_at", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<SearchDocument {self.doc_id} {self.status}>"


def lexeme(term: str) -> str:
    """A term quoted as a tsvector or tsquery lexeme."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _fits(term: str) -> bool:
    return 0 < len(term.encode("utf-8")) <= MAX_LEXEME_BYTES


def vector(title_terms: list[str], text_terms: list[str]) -> str:
    """The weighted tsvector literal of a title's and a text's terms, positions in order; a gap of one
    position between them, so no phrase spans the title and the text."""
    positions: dict[str, list[tuple[int, str]]] = {}
    position = 0
    for weight, terms in ((TITLE, title_terms), (TEXT, text_terms)):
        position += 1 if position else 0
        for term in terms:
            position = min(position + 1, MAX_POSITION)
            if not _fits(term):
                continue
            held = positions.setdefault(term, [])
            if len(held) < MAX_POSITIONS and (not held or held[-1][0] != position):  # past the last position: once
                held.append((position, weight))
    return " ".join(
        f"{lexeme(term)}:{','.join(f'{at}{weight}' for at, weight in held)}" for term, held in positions.items()
    )


def word_vector(words: list[str]) -> str:
    """The tsvector literal of a set of exact words, without positions."""
    return " ".join(lexeme(word) for word in dict.fromkeys(words) if _fits(word))


def row(doc: Document) -> dict:
    """The `search_documents` values of a document (texts analysed here, once)."""
    title_exact, title_stems = index_terms(doc.title or "")
    # The words of the Markdown, not its syntax: `**wajib**` is found by "wajib".
    text_exact, text_stems = index_terms(plain_text(doc.text or ""))
    return {
        "doc_id": doc.doc_id,
        "doc_type": doc.doc_type,
        "db_id": doc.db_id,
        "kind": doc.kind,
        "status": doc.status,
        "policy_id": doc.policy_id,
        "grp": doc.stakeholder_group or "",
        "author_id": doc.author_id,
        "created_at": _aware(doc.created_at) or EPOCH,
        "title": doc.title or "",
        "body": doc.text or "",
        "terms": vector(title_stems, text_stems),
        "words": word_vector(title_exact + text_exact),
    }


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def write(connection, documents: list[Document], deletions: list[str]) -> None:
    """Upsert and delete documents on `connection` (in its transaction), in doc_id order so that two
    transactions writing the same documents take their row locks in the same order."""
    table = SearchDocument.__table__
    documents = sorted({doc.doc_id: doc for doc in documents}.values(), key=lambda doc: doc.doc_id)
    upserted = {doc.doc_id for doc in documents}
    deletions = sorted(set(deletions) - upserted)
    if deletions:
        connection.execute(delete(table).where(table.c.doc_id.in_(deletions)))
    for start in range(0, len(documents), 500):
        rows = [row(doc) for doc in documents[start:start + 500]]
        statement = postgresql.insert(table).values(rows)
        updated = {name: statement.excluded[name] for name in rows[0] if name != "doc_id"}
        connection.execute(statement.on_conflict_do_update(index_elements=[table.c.doc_id], set_=updated))


# --- written with the change ------------------------------------------------------------

def in_transaction() -> bool:
    """True when this app indexes in the writing transaction (SEARCH_BACKEND=postgres)."""
    return has_app_context() and current_app.config.get("SEARCH_BACKEND") == BACKEND_NAME


def note(session: Session, keys) -> None:
    """Remember documents a flush touched, for this transaction's commit (called by the outbox)."""
    session.info.setdefault(PENDING_KEY, set()).update(keys)


def _before_commit(session: Session) -> None:
    if not in_transaction():
        return
    # The commit's own flush comes after this hook: flush now, so what it writes is noted too.
    session.flush()
    keys = session.info.pop(PENDING_KEY, None)
    if not keys:
        return
    found, deletions = documents.resolve(keys, session)
    write(session.connection(), found, deletions)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # A savepoint's rollback keeps the outer transaction's documents (resolving one too many is
    # harmless: its row is rebuilt from the database as it is).
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


LISTENERS = (("before_commit", _before_commit), ("after_soft_rollback", _after_soft_rollback))


def install() -> None:
    """Write the index rows at each commit (idempotent; only apps with SEARCH_BACKEND=postgres do)."""
    for name, function in LISTENERS:
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)


def uninstall() -> None:
    """Stop writing index rows at commit (the benchmark's "indexing off" runs)."""
    for name, function in LISTENERS:
        if event.contains(Session, name, function):
            event.remove(Session, name, function)
