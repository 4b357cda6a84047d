"""What the worker runs: `run(job_id)` for a job row, `call(name)` for a registered function.

Both run in the app context of `flask jobs worker` (inherited by each forked work horse); a bare
`rq worker` has no app and is refused.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable

from sqlalchemy import update

from flask import current_app, has_app_context

from portal.extensions import db, utcnow
from portal.jobs import services
from portal.jobs.models import Job

FUNCTIONS: dict[str, Callable[[], object]] = {}
# Runs in the worker before it forks its first work horse: name -> function() -> a line for the log.
WARMERS: dict[str, Callable[[], str]] = {}
# Runs when a kept result expires (`flask jobs clean`): kind -> cleaner(job), e.g. delete the file.
CLEANERS: dict[str, Callable[[Job], None]] = {}


def register_function(name: str, function: Callable[[], object]) -> None:
    """Let the worker run `function` by `name` (for work that keeps no row, such as the search drain)."""
    FUNCTIONS[name] = function


def register_warmer(name: str, function: Callable[[], str]) -> None:
    """Let the worker prepare, once in its own process, what every forked job would otherwise redo
    (the stems of the stored contributions): the work horses inherit it."""
    WARMERS[name] = function


def warm() -> list[str]:
    """Run the registered warmers in this (the worker's) process; a line for each, failures included
    (a warmer that fails only makes the first jobs slower)."""
    lines = []
    for name, function in WARMERS.items():
        try:
            lines.append(f"{name}: {function()}")
        except Exception as error:  # noqa: BLE001 - a warm-up never stops the worker
            db.session.rollback()
            lines.append(f"{name}: skipped ({_describe(error)})")
    return lines


@contextmanager
def _context():
    if not has_app_context():
        raise RuntimeError("portal jobs need the app: run the worker with `flask jobs worker`")
    yield current_app._get_current_object()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class _Heartbeat:
    """Writes the job's heartbeat every JOBS_HEARTBEAT_SECONDS from a thread of the process running it,
    on a connection of its own: when that process dies, the beat stops and the sweep notices."""

    def __init__(self, app, job_id: int) -> None:
        self.app, self.job_id = app, job_id
        self.every = float(app.config.get("JOBS_HEARTBEAT_SECONDS", 15))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(Job).where(Job.id == self.job_id, Job.status == "running")
                                           .values(heartbeat_at=utcnow()))
                except Exception:  # noqa: BLE001 - a missed beat only brings the sweep closer
                    self.app.logger.warning("jobs: heartbeat of job %s not written", self.job_id, exc_info=True)


def run(job_id: int) -> str:
    """Run the job's task; keep its progress, its result or (after the last retry) its failure."""
    from rq import get_current_job

    with _context() as app:
        job = db.session.get(Job, job_id)
        if job is None or job.status == "done":  # gone, or done by an earlier run: nothing to do again
            return "skipped"
        queued = get_current_job()
        if queued is not None and job.rq_id and queued.id != job.rq_id:
            return "skipped"  # an RQ job the portal gave up on (the row was started again since)
        task = services.TASKS[job.kind]
        job.status, job.started_at, job.error = "running", utcnow(), None
        job.heartbeat_at, job.finished_at = job.started_at, None
        job.attempts += 1
        db.session.commit()
        try:
            with _Heartbeat(app, job_id):
                result = task(job, lambda percent: services.report(job, percent))
        except BaseException as error:  # an interrupt or a worker's exit too: never left "running"
            db.session.rollback()
            again = isinstance(error, Exception) and queued is not None and bool(queued.retries_left)
            job = db.session.get(Job, job_id)
            job.status = "queued" if again else "failed"
            job.error = _describe(error)
            job.finished_at = None if again else utcnow()
            db.session.commit()
            app.logger.warning("jobs: job %s (%s) failed%s: %s", job_id, job.kind,
                               ", retrying" if again else "", job.error)
            raise
        job.status, job.progress, job.result, job.finished_at = "done", 100, result or {}, utcnow()
        if (result or {}).get("file"):
            job.expires_at = services.keep_until()
        db.session.commit()
        return "done"


def call(name: str) -> object:
    """Run the registered function `name` in an app context."""
    with _context():
        services.picked_up(name)
        return FUNCTIONS[name]()


def clean(now=None) -> int:
    """Expire the kept results whose time is up (their files deleted); how many."""
    from sqlalchemy import select

    now = now or utcnow()
    expired = list(db.session.scalars(select(Job).where(Job.expires_at.is_not(None), Job.expires_at <= now)))
    for job in expired:
        cleaner = CLEANERS.get(job.kind)
        if cleaner is not None:
            cleaner(job)
        job.result = {**(job.result or {}), "expired": True}
        job.expires_at = None
    db.session.commit()
    return len(expired)
