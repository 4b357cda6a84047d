"""Computing a summary as a job on the worker (with REDIS_URL): started from the official's page,
its progress shown there, the draft to review at the end. Without REDIS_URL the page computes inline."""

from __future__ import annotations

from portal import permissions
from portal.accounts.models import User
from portal.aspirations.summaries import services
from portal.aspirations.themes import text
from portal.contributions.models import Contribution
from portal.errors import NotFound
from portal.extensions import db
from portal.jobs import runner
from portal.jobs import services as jobs
from portal.jobs.models import Job
from portal.positions.models import Position
from portal.proposals.models import Policy

KIND = "aspiration.summary"


def start(actor, *, position: Position | None = None, policy: Policy | None = None,
          article_key: str | None = None, themes: int | None = None) -> Job:
    """Queue the computation of a draft summary of one position or one policy (officials)."""
    if (position is None) == (policy is None):
        raise ValueError("summarize one position or one policy")
    permissions.require(actor, "aspiration.summarize")
    params = {"position_id": position.id} if position else {"policy_id": policy.id, "article_key": article_key or None}
    params["themes"] = themes
    return jobs.start(actor, "aspiration.summarize", position or policy, KIND, params)


def retry(actor, job: Job) -> Job:
    """Start a failed summary job again."""
    permissions.require(actor, "aspiration.summarize")
    return jobs.retry(actor, job, "aspiration.summarize")


def get(viewer, job_id: int) -> Job:
    """A summary job, for officials who may compute summaries."""
    if not permissions.can(viewer, "aspiration.summarize"):
        raise NotFound()
    return jobs.get(viewer, job_id, KIND)


def subject(job: Job) -> Position | Policy | None:
    """What the job summarises (for the page's title and links)."""
    if job.params.get("position_id"):
        return db.session.get(Position, job.params["position_id"])
    return db.session.get(Policy, job.params.get("policy_id"))


def _run(job: Job, report) -> dict:
    actor = db.session.get(User, job.requested_by_id)
    found = subject(job)
    if found is None:
        raise LookupError("the position or policy to summarise no longer exists")
    on = {"position": found} if isinstance(found, Position) else {"policy": found,
                                                                   "article_key": job.params.get("article_key")}
    report(5)
    summary = services.summarize(actor, themes=job.params.get("themes"), progress=report, **on)
    return {"summary_id": summary.id}


def _may_see(viewer, job: Job) -> bool:
    return permissions.can(viewer, "aspiration.summarize")


WARM_LIMIT = 200_000  # contributions read to warm the stems (the most recent first)


def warm_stems() -> str:
    """Stem the words of the stored contributions in the worker before it forks (see `text.warm`)."""
    from sqlalchemy import select

    bodies = db.session.scalars(
        select(Contribution.body).order_by(Contribution.id.desc()).limit(WARM_LIMIT).execution_options(yield_per=2000))
    words = text.warm(bodies)
    db.session.rollback()
    return f"{words} word(s) stemmed"


def init_app(app) -> None:
    jobs.register(KIND, _run, viewer=_may_see)
    runner.register_warmer("aspiration stems", warm_stems)
