"""One stamp for "what the public pages show", renewed in the transaction of every change.

The page cache (`portal.pagecache`) keys anonymous pages by this stamp, so a cached page is
never older than the last committed change: a comment a moderator publishes, a policy edit,
a post, a search index update. Every flush that writes a table public pages can show marks the
session; before its commit, the session renews the stamp (`content_version.stamp`) in the
same transaction, so the change and the new stamp become visible together, to every process
sharing the database. The stamp is random, never a counter: a stamp value is never reused,
even if the row is lost, so a shared cache cannot serve an entry from another database's
history.

Writing the row takes its lock until the commit; each writing transaction takes it last (just
before committing), so it is held only for the commit and cannot take part in a deadlock.
Tables no anonymous page shows (sessions, notifications, mail schedules, audit) leave it alone.
"""

from __future__ import annotations

import secrets

from sqlalchemy import String, event, insert, inspect, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.extensions import db

FLAG = "portal.content_changed"
# Written without changing anything an anonymous visitor can see.
PRIVATE_TABLES = frozenset({
    "content_version", "user_sessions", "notifications", "digest_entries", "digest_schedules",
    "password_resets", "pending_registrations", "audit_entries", "consents", "sign_in_throttles",
    "totp_credentials", "recovery_codes",
})
# Columns of public tables that no public page shows: writing only these (every sign-in sets
# `last_login_at`, a rehash the password) leaves the kept pages valid.
PRIVATE_COLUMNS = {"users": frozenset({"last_login_at", "password_hash"})}


class ContentVersion(db.Model):
    """The single row holding the current stamp."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32), nullable=False)


def current() -> str:
    """The last committed stamp ("" before the first change).

    Read on a connection of its own, in plain SQL: this is the one query of a page served from
    the cache, and the ORM's statement handling costs five times the query. A page rendered
    after this read sees at least the state this stamp was committed with, so a page kept
    under a stamp is never older than the stamp.
    """
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(_CURRENT).scalar() or ""


_CURRENT = "SELECT stamp FROM content_version WHERE id = 1"


def current_in_session() -> str:
    """The stamp as the request's own database session sees it (its snapshot, where the
    database keeps one for the transaction): what the fragment cache keys pieces by."""
    return db.session.execute(text(_CURRENT)).scalar() or ""


def _renew(session: Session) -> None:
    stamp = secrets.token_hex(16)
    connection = session.connection()
    result = connection.execute(update(ContentVersion.__table__).where(ContentVersion.id == 1).values(stamp=stamp))
    if result.rowcount:
        return
    # The first change of a database (or one whose row was emptied): create the row. A
    # concurrent first change may create it first; then update the row it made.
    nested = connection.begin_nested()
    try:
        connection.execute(insert(ContentVersion.__table__).values(id=1, stamp=stamp))
        nested.commit()
    except IntegrityError:
        nested.rollback()
        connection.execute(update(ContentVersion.__table__).where(ContentVersion.id == 1).values(stamp=stamp))


def _shows_change(obj) -> bool:
    """Whether a flushed update of `obj` changed a column a public page may show."""
    private = PRIVATE_COLUMNS.get(obj.__table__.name, frozenset())
    return any(attr.key not in private and attr.history.has_changes() for attr in inspect(obj).attrs)


def _after_flush(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(getattr(obj, "__table__", None), "name", None)
        if table in PRIVATE_TABLES:
            continue
        if obj in session.new or obj in session.deleted or _shows_change(obj):
            session.info[FLAG] = True
            return


def _do_orm_execute(state) -> None:
    # Bulk UPDATE/DELETE/INSERT statements (`session.execute(update(...))`) bypass the unit of work.
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in PRIVATE_TABLES:
        state.session.info[FLAG] = True


def _before_commit(session: Session) -> None:
    session.flush()  # what the commit would flush next; it may mark the session
    if session.info.pop(FLAG, False):
        _renew(session)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: commit or rollback
        session.info.pop(FLAG, None)


LISTENERS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _do_orm_execute),
    ("before_commit", _before_commit),
    ("after_transaction_end", _after_transaction_end),
)


def install() -> None:
    """Listen to every session (idempotent)."""
    for name, function in LISTENERS:
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)
