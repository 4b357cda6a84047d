"""The indexer's health as every process sees it: its failures, recorded in the database by the
indexer, and what waits in the outbox and since when.

A failed batch leaves its outbox rows waiting, so the next drain retries them; `flask search check`
and the moderation queue read the same record, whichever process failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db, utcnow
from portal.search.outbox import SearchIndexerState, SearchOutbox

STATE_ID = 1
FAILURE_CHARS = 1000  # of the error kept (the log has the whole traceback)

log = logging.getLogger(__name__)


@dataclass
class IndexingStatus:
    """How many changes wait for the index and since when, and how the indexer last fared."""

    waiting: int = 0
    oldest: datetime | None = None  # when the longest-waiting change was made
    stuck: int = 0  # changes waiting longer than max_age
    max_age: timedelta = timedelta(minutes=5)
    failures: int = 0  # failed drains in a row
    failed_at: datetime | None = None
    last_failure: str | None = None
    recovered_at: datetime | None = None

    @property
    def failing(self) -> bool:
        """The last drain failed (its changes are retried by the next one)."""
        return self.failures > 0

    @property
    def healthy(self) -> bool:
        """Nothing failing and nothing waiting too long."""
        return not self.failing and not self.stuck


def describe(error: BaseException) -> str:
    """One line for the record: the error's type and message."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:FAILURE_CHARS]


def record_failure(error: BaseException) -> None:
    """Note a failed drain or rebuild in the database (after rolling back the caller's work); never raises."""
    try:
        db.session.rollback()
        state = db.session.get(SearchIndexerState, STATE_ID)
        if state is None:
            state = SearchIndexerState(id=STATE_ID, failures=0)
            db.session.add(state)
        state.failures += 1
        state.failed_at = utcnow()
        state.failure = describe(error)
        db.session.commit()
    except Exception:  # the database itself may be what failed: the log still has it
        db.session.rollback()
        log.exception("search: could not record an indexer failure")


def record_recovery() -> None:
    """After a drain or rebuild that worked: the indexer is failing no more (written only if it was)."""
    state = db.session.get(SearchIndexerState, STATE_ID)
    if state is not None and state.failures:
        state.failures = 0
        state.recovered_at = utcnow()
        db.session.commit()
    else:
        db.session.rollback()


def indexing_status(max_age: timedelta) -> IndexingStatus:
    """What waits in the outbox (and how much of it longer than `max_age`) and the indexer's record."""
    waiting = SearchOutbox.processed_at.is_(None)
    count, oldest = db.session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at)).where(waiting)
    ).one()
    stuck = 0
    if count and oldest is not None and oldest < utcnow() - max_age:
        stuck = db.session.scalar(
            select(func.count(SearchOutbox.id)).where(waiting, SearchOutbox.created_at < utcnow() - max_age)
        ) or 0
    status = IndexingStatus(waiting=count or 0, oldest=oldest, stuck=stuck, max_age=max_age)
    state = db.session.get(SearchIndexerState, STATE_ID, populate_existing=True)  # another process may have written it
    if state is not None:
        status.failures = state.failures
        status.failed_at, status.last_failure, status.recovered_at = state.failed_at, state.failure, state.recovered_at
    return status
