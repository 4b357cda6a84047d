"""Jobs as the features use them: start one, read it, retry a failed one, report progress.

A feature registers a task for its kind (`register("aspiration.summary", task)`); `task(job, report)`
does the work in the worker's app context, calls `report(percent)` as it goes (only at moments when
its session holds no pending change: a report commits) and returns the result to keep (a dict of
JSON values). A failure is retried by RQ (JOBS_RETRIES, JOBS_RETRY_INTERVALS); the last one is kept
on the row for the page to show, with a button to start again.

A worker killed mid-job (kill -9, out of memory, the machine lost) cannot write its failure: `sweep`
finds such jobs (their RQ job failed or gone, or no heartbeat for JOBS_STALE_SECONDS) and marks them
failed with a message the page shows. The worker sweeps on start and after each job, `flask jobs
clean` sweeps them all, and reading a job's page sweeps that one.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _

from portal import permissions
from portal.errors import NotFound, ValidationError
from portal.extensions import db, redis_options, utcnow
from portal.jobs.models import Job

Task = Callable[[Job, Callable[[int], None]], dict]
TASKS: dict[str, Task] = {}
# Who may see a job of a kind besides its requester: kind -> (viewer, job) -> bool.
VIEWERS: dict[str, Callable[[Any, Job], bool]] = {}
EXTENSION = "portal.jobs.redis"
RUN = "portal.jobs.runner.run"


def register(kind: str, task: Task, *, viewer: Callable[[Any, Job], bool] | None = None) -> None:
    """Make `task` the work of jobs of `kind` (at app start, in the web and the worker processes)."""
    TASKS[kind] = task
    if viewer is not None:
        VIEWERS[kind] = viewer


def queued() -> bool:
    """Whether long work goes to the job queue (REDIS_URL set) rather than inline in the request."""
    return bool(current_app.config.get("REDIS_URL"))


def connection():
    """The Redis connection of the job queue, one per app."""
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        import redis

        client = redis.Redis.from_url(current_app.config["REDIS_URL"], **dict(redis_options(), socket_timeout=10))
        current_app.extensions[EXTENSION] = client
    return client


def queue():
    """The RQ queue the worker reads (JOBS_QUEUE)."""
    from rq import Queue

    return Queue(current_app.config.get("JOBS_QUEUE", "portal"), connection=connection())


def _retry():
    from rq import Retry

    retries = int(current_app.config.get("JOBS_RETRIES", 2))
    if retries < 1:
        return None
    return Retry(max=retries, interval=list(current_app.config.get("JOBS_RETRY_INTERVALS", [10, 60])))


def enqueue(function: str, *args, **options):
    """Put a call of `function` (a dotted path the worker imports) on the queue, with retries."""
    config = current_app.config
    return queue().enqueue(function, *args, retry=_retry(), job_timeout=int(config.get("JOBS_TIMEOUT", 1800)),
                           result_ttl=int(config.get("JOBS_RESULT_TTL", 3600)),
                           failure_ttl=int(config.get("JOBS_RESULT_TTL", 3600)), **options)


def start(actor, action: str, obj, kind: str, params: dict) -> Job:
    """Record a job of `kind` for `actor` (who must be allowed `action` on `obj`), commit and queue it.
    When the queue cannot be reached the job is kept as failed, with a clear error, to retry."""
    permissions.require(actor, action, obj)
    if kind not in TASKS:
        raise ValueError(f"no task is registered for jobs of kind {kind!r}")
    job = Job(kind=kind, params=dict(params), requested_by_id=actor.id, status="queued", progress=0)
    db.session.add(job)
    db.session.commit()
    _send(job)
    return job


def _send(job: Job) -> None:
    import redis

    if not queued():  # a job started where no worker runs (REDIS_URL unset): say so, never hang
        job.status, job.error, job.finished_at = "failed", _("No job queue is configured (REDIS_URL)."), utcnow()
        db.session.commit()
        return
    # the RQ job's id is chosen here and kept first, so the sweep never sees a queued row without it
    job.rq_id, job.heartbeat_at = f"portal-job-{job.id}-{uuid.uuid4().hex[:12]}", utcnow()
    db.session.commit()
    try:
        enqueue(RUN, job.id, job_id=job.rq_id, description=f"portal job {job.id} ({job.kind})")
    except redis.RedisError as error:
        current_app.logger.exception("jobs: queueing job %s failed", job.id)
        job.status = "failed"
        job.error = _("The job queue cannot be reached (%(error)s). Try again in a moment.",
                      error=type(error).__name__)
        job.finished_at = utcnow()
        db.session.commit()


def may_see(viewer, job: Job) -> bool:
    """The requester sees their job; others only where the kind's rule lets them."""
    if not permissions.signed_in(viewer):
        return False
    if job.requested_by_id == viewer.id:
        return True
    rule = VIEWERS.get(job.kind)
    return bool(rule and rule(viewer, job))


def get(viewer, job_id: int, kind: str) -> Job:
    """The job `job_id` of `kind`, for a viewer allowed to see it (NotFound otherwise)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind or not may_see(viewer, job):
        raise NotFound()
    if not job.finished and queued():
        sweep([job])  # one Redis read: the page never shows a dead job as running
    return job


def retry(actor, job: Job, action: str, obj=None) -> Job:
    """Start a failed job again (its requester or another permitted official)."""
    permissions.require(actor, action, obj)
    if not may_see(actor, job):
        raise NotFound()
    if job.status != "failed":
        raise ValidationError("job", _("Only a failed job can be started again."))
    job.status, job.progress, job.error, job.finished_at, job.result = "queued", 0, None, None, None
    db.session.commit()
    _send(job)
    return job


def report(job: Job, percent: int) -> None:
    """Keep the job's progress (0-99 while it runs) for the page; commits the caller's session."""
    percent = max(0, min(99, int(percent)))
    if percent != job.progress:
        job.progress, job.heartbeat_at = percent, utcnow()
        db.session.commit()


# RQ's states of a job that no worker will finish, and of one waiting to be retried.
_DEAD = ("failed", "stopped", "canceled")
_WAITING = ("queued", "scheduled", "deferred")


def _rq_state(job: Job) -> str | None:
    """What RQ says of the job's RQ job: its status, "missing" when Redis no longer has it, None when
    it cannot be asked (no id, or Redis unreachable: then only the heartbeat decides)."""
    import redis
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job as QueuedJob

    if not job.rq_id:
        return None
    try:
        status = QueuedJob(job.rq_id, connection=connection()).get_status()
    except (InvalidJobOperation, NoSuchJobError):
        return "missing"
    except redis.RedisError:
        return None
    return str(getattr(status, "value", status))


def _stale_seconds() -> float:
    return float(current_app.config.get("JOBS_STALE_SECONDS", 120))


def N_(message: str) -> str:
    """Mark `message` for the catalogue; it is stored as written and translated where it is shown
    (`error_text`), so the worker's language never decides what an official reads."""
    return message


WORKER_STOPPED = N_("The worker running this job stopped before it finished (it was stopped, killed or ran out "
                    "of memory).")
LOST_RUNNING = N_("The job queue no longer has this job (Redis was emptied or restarted) and it did not finish.")
RETRYING = N_("The worker running this job stopped before it finished; it is tried again.")
SILENT = N_("The job stopped giving signs of life (no heartbeat for JOBS_STALE_SECONDS): the worker running it has "
            "stopped.")
LOST_QUEUED = N_("The job queue no longer has this job (Redis was emptied or restarted).")
STOPPED_QUEUED = N_("The worker stopped this job before it finished.")
SWEPT = frozenset({WORKER_STOPPED, LOST_RUNNING, RETRYING, SILENT, LOST_QUEUED, STOPPED_QUEUED})


def error_text(error: str | None) -> str:
    """A job's error as the page shows it: the sweep's messages in the reader's language, others as kept."""
    if error in SWEPT:
        return _(error)
    return error or ""


def _verdict(job: Job, now) -> tuple[str, str] | None:
    """(new status, message) for a queued or running job that no worker is running any more; None
    when it may still be running or waiting."""
    state = _rq_state(job)
    last = job.heartbeat_at or job.started_at or job.created_at
    silent = last is None or (now - last).total_seconds() > _stale_seconds()
    if job.status == "running":
        if state in _DEAD:
            return "failed", WORKER_STOPPED
        if state == "missing":
            return "failed", LOST_RUNNING
        if state in _WAITING:
            return "queued", RETRYING
        return ("failed", SILENT) if silent else None
    if job.status == "queued" and silent:  # a moment's grace: the row is kept before the RQ job is queued
        if state == "missing":
            return "failed", LOST_QUEUED
        if state in _DEAD:
            return "failed", STOPPED_QUEUED
    return None


def sweep(found: list[Job] | None = None, now=None) -> int:
    """Mark failed (or queued again, when RQ retries them) the queued and running jobs no worker will
    finish; how many were changed. Every unfinished job when `found` is None (commits once)."""
    from sqlalchemy import select

    if not queued():
        return 0
    now = now or utcnow()
    if found is None:
        found = list(db.session.scalars(select(Job).where(Job.status.in_(("queued", "running")))))
    changed = 0
    for job in found:
        verdict = _verdict(job, now)
        if verdict is None:
            continue
        status, message = verdict
        job.status, job.error = status, message
        job.finished_at = now if status == "failed" else None
        changed += 1
        current_app.logger.warning("jobs: job %s (%s) marked %s: %s", job.id, job.kind, status, message)
    if changed:
        db.session.commit()
    return changed


def keep_until():
    """When a kept result made now expires (JOBS_KEEP_HOURS)."""
    return utcnow() + timedelta(hours=float(current_app.config.get("JOBS_KEEP_HOURS", 24)))


def status(job: Job) -> dict:
    """The job as the status endpoint (JSON) shows it."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": 100 if job.status == "done" else job.progress,
            "error": error_text(job.error) if job.status == "failed" else None, "attempts": job.attempts}


def _pending_key(name: str) -> str:
    return f"{current_app.config.get('JOBS_QUEUE', 'portal')}:pending:{name}"


def enqueue_once(name: str) -> bool:
    """Queue the registered function `name` unless a call of it already waits (one pending at a time:
    a change committed while it runs queues the next). False when one was waiting already."""
    client = connection()
    key = _pending_key(name)
    if not client.set(key, "1", nx=True, ex=int(current_app.config.get("JOBS_TIMEOUT", 1800))):
        return False
    try:
        enqueue("portal.jobs.runner.call", name, description=f"portal {name}")
    except Exception:
        client.delete(key)
        raise
    return True


def picked_up(name: str) -> None:
    """The pending call of `name` has started: the next change queues another."""
    connection().delete(_pending_key(name))
