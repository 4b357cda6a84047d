"""A job the portal runs on the worker: what was asked, its progress and its result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UtcDateTime, db, utcnow

STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One piece of long work; `kind` names the registered task that does it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="job_status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="job_progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    attempts: Mapped[int] = mapped_column(default=0)  # runs started, retries included
    result: Mapped[dict | None] = mapped_column(JSON)  # what the task made (ids, a kept file's name)
    error: Mapped[str | None] = mapped_column(Text)  # the last failure, as "Type: message"
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The RQ job that carries it (the stale sweep asks Redis what became of it).
    rq_id: Mapped[str | None] = mapped_column(String(100))
    # Its last sign of life: queued, started, then every JOBS_HEARTBEAT_SECONDS while a work horse runs it.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A kept result (an export file) is deleted by `flask jobs clean` after this moment.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.progress}%>"
