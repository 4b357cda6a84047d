"""The one indexer: applies the outbox to the index in batches, idempotently,
under a cross-process lock, and rebuilds or checks the index.

Every document is rebuilt from the database as it is when the batch runs,
so replaying a batch (after a crash between the index commit and marking
the rows) or applying rows out of order gives the same index.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from sqlalchemy import delete, select, update

from portal.extensions import db, utcnow
from portal.search import documents, status
from portal.search.backend import Progress, SearchBackend
from portal.search.outbox import SearchOutbox

LOCK_FILE = "indexer.lock"
# Processed outbox rows are kept this long (for inspection), then purged.
KEEP_PROCESSED = timedelta(days=1)


@contextmanager
def indexer_lock(root: str | os.PathLike, wait: float = 0.0) -> Iterator[bool]:
    """Hold the indexer lock (flock on <root>/indexer.lock); yields False if another process holds it."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        yield True  # the kernel releases the lock when the descriptor closes, even on SIGKILL
    finally:
        os.close(fd)


@dataclass
class DrainReport:
    """What one drain did."""

    rows: int = 0
    upserts: int = 0
    deletions: int = 0
    batches: int = 0
    skipped: bool = False  # another process held the lock
    more: bool = False  # stopped at the batch cap with rows still waiting


def drain(backend: SearchBackend, root: str | os.PathLike, batch_size: int = 200,
          max_batches: int | None = None, wait: float = 0.0) -> DrainReport:
    """Apply waiting outbox rows to the index; skip at once when another process is indexing.

    A batch that fails is recorded (`portal.search.status`) and re-raised; its rows stay waiting,
    so the next drain retries them.
    """
    report = DrainReport()
    with indexer_lock(root, wait=wait) as acquired:
        if not acquired:
            report.skipped = True
            return report
        try:
            _drain_batches(backend, batch_size, max_batches, report)
        except Exception as error:
            status.record_failure(error)
            raise
        if report.rows:
            status.record_recovery()
            purge_processed()
    return report


def _drain_batches(backend: SearchBackend, batch_size: int, max_batches: int | None, report: DrainReport) -> None:
    while max_batches is None or report.batches < max_batches:
        rows = db.session.execute(
            select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
            .where(SearchOutbox.processed_at.is_(None))
            .order_by(SearchOutbox.id)
            .limit(batch_size)
        ).all()
        db.session.rollback()  # end the read: SQLite writers must not wait on us
        if not rows:
            break
        docs, deletions = documents.resolve({(row.doc_type, row.doc_id) for row in rows})
        db.session.rollback()
        backend.apply(docs, deletions)
        _mark_processed([row.id for row in rows])
        report.rows += len(rows)
        report.upserts += len(docs)
        report.deletions += len(deletions)
        report.batches += 1
    else:
        report.more = _has_pending()


def _has_pending() -> bool:
    found = db.session.scalar(select(SearchOutbox.id).where(SearchOutbox.processed_at.is_(None)).limit(1))
    db.session.rollback()
    return found is not None


def _mark_processed(ids: list[int]) -> None:
    now = utcnow()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.session.execute(update(SearchOutbox).where(SearchOutbox.id.in_(chunk)).values(processed_at=now))
    db.session.commit()


def purge_processed() -> None:
    """Delete outbox rows applied more than KEEP_PROCESSED ago."""
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.processed_at < utcnow() - KEEP_PROCESSED))
    db.session.commit()


def rebuild(backend: SearchBackend, root: str | os.PathLike, progress: Progress | None = None,
            wait: float = 60.0) -> int:
    """Rebuild the whole index from the database into a new directory and swap it in."""
    with indexer_lock(root, wait=wait) as acquired:
        if not acquired:
            raise RuntimeError("another process is indexing; try again later")
        # Rows visible now are covered by the rebuild, which reads the database after this point;
        # rows committed later stay waiting for the next drain.
        waiting = list(db.session.scalars(select(SearchOutbox.id).where(SearchOutbox.processed_at.is_(None))))
        db.session.rollback()
        parent = os.getpid()

        def source(part: int, parts: int):
            if os.getpid() != parent:  # a forked indexing process opens its own connections
                db.engine.dispose(close=False)
            return documents.all_documents(part, parts)

        try:
            count = backend.rebuild(source, progress)
        except Exception as error:
            status.record_failure(error)
            raise
        _mark_processed(waiting)
        status.record_recovery()  # a fresh index: whatever failed before is behind us
    return count


@dataclass
class CheckReport:
    """Differences between the index and the database."""

    missing: list[str] = field(default_factory=list)  # should be indexed, is not
    extra: list[str] = field(default_factory=list)  # indexed, should not be
    stale: list[str] = field(default_factory=list)  # indexed with an old status
    waiting: int = 0  # outbox rows not applied yet (their documents are not counted as drift)
    indexed: int = 0
    expected: int = 0
    outdated: bool = False  # built by an older version of the backend: rebuild
    health: status.IndexingStatus = field(default_factory=status.IndexingStatus)  # failures, rows waiting too long

    @property
    def agrees(self) -> bool:
        """True when nothing is missing, extra or stale, and the index is of the current version."""
        return not (self.missing or self.extra or self.stale or self.outdated)

    @property
    def healthy(self) -> bool:
        """The index agrees, the last drain worked and no change has waited too long."""
        return self.agrees and self.health.healthy


def check(backend: SearchBackend, max_age: timedelta = timedelta(minutes=5)) -> CheckReport:
    """Compare the index with what the database says it should hold, and read the indexer's health."""
    health = status.indexing_status(max_age)
    waiting_rows = db.session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).where(SearchOutbox.processed_at.is_(None))
    ).all()
    in_flight = {documents.doc_key(row.doc_type, row.doc_id) for row in waiting_rows}
    expected = documents.expected_states()
    db.session.rollback()
    indexed = backend.doc_states()
    # A policy change in flight also moves its articles.
    flight_policies = {key.split(":", 1)[1] for key in in_flight if key.startswith("policy:")}

    def settled(key: str, states: dict) -> bool:
        if key in in_flight:
            return False
        return not (key.startswith("article:") and flight_policies)

    report = CheckReport(waiting=len(waiting_rows), indexed=len(indexed), expected=len(expected),
                         outdated=backend.outdated(), health=health)
    report.missing = sorted(key for key in expected.keys() - indexed.keys() if settled(key, expected))
    report.extra = sorted(key for key in indexed.keys() - expected.keys() if settled(key, indexed))
    report.stale = sorted(
        key for key in expected.keys() & indexed.keys()
        if indexed[key] and indexed[key] != expected[key] and settled(key, expected)
    )
    return report
