"""Jobs as the features use them: start one, read it, retry a failed one, report progress.

A feature registers a task for its kind (`register("aspiration.summary", task)`); `task(job, report)`
does the work in the worker's app context, calls `report(percent)` as it goes (only at moments when
its session holds no pending change: a report commits) and returns the result to keep (a dict of
JSON values). A failure is retried by RQ (JOBS_RETRIES, JOBS_RETRY_INTERVALS); the last one is kept
on the row for the page to show, with a button to start again.
"""

from __future__ import annotations

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
    try:
        enqueue(RUN, job.id, description=f"portal job {job.id} ({job.kind})")
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
        job.progress = percent
        db.session.commit()


def keep_until():
    """When a kept result made now expires (JOBS_KEEP_HOURS)."""
    return utcnow() + timedelta(hours=float(current_app.config.get("JOBS_KEEP_HOURS", 24)))


def status(job: Job) -> dict:
    """The job as the status endpoint (JSON) shows it."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": 100 if job.status == "done" else job.progress,
            "error": job.error if job.status == "failed" else None, "attempts": job.attempts}


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
