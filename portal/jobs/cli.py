"""`flask jobs worker` (the RQ worker, in the app's context) and `flask jobs clean`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.jobs import runner, services
from portal.jobs.models import Job

jobs_cli = AppGroup("jobs", help="Long work on the RQ worker (with REDIS_URL): worker, clean.")


def _sweep_after(job) -> None:
    """After a work horse ends: a horse that died (kill -9, out of memory) left its row running; RQ has
    marked its job failed (or queued a retry) by now, so the sweep settles the row at once."""
    if job.func_name != services.RUN or not job.args:
        return
    try:
        db.session.expire_all()
        found = db.session.get(Job, job.args[0])
        if found is not None and not found.finished:
            services.sweep([found])
    except Exception:  # noqa: BLE001 - the next sweep (a page read, `flask jobs clean`) will do it
        current_app.logger.warning("jobs: sweep after RQ job %s failed", job.id, exc_info=True)
    finally:
        db.session.rollback()


def _worker_class(simple: bool):
    from rq import SimpleWorker, Worker

    if simple:
        return SimpleWorker

    class PortalWorker(Worker):
        """Forks a work horse per job; the horse drops the connections it inherited (they belong to
        the parent) and opens its own."""

        def main_work_horse(self, job, queue):
            db.engine.dispose(close=False)
            super().main_work_horse(job, queue)

        def execute_job(self, job, queue):
            super().execute_job(job, queue)
            _sweep_after(job)

    return PortalWorker


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of a forked one per job.")
def worker_command(burst: bool, simple: bool) -> None:
    """Run the jobs queued on Redis (summaries, large exports, search index updates)."""
    if not services.queued():
        raise click.ClickException("REDIS_URL is not set: long work runs inline in the requests, no worker is needed.")
    name = current_app.config.get("JOBS_QUEUE", "portal")
    worker = _worker_class(simple)([services.queue()], connection=services.connection())
    stale = services.sweep()
    if stale:
        click.echo(f"{stale} job(s) left running by a stopped worker marked failed.")
    for line in runner.warm():  # before the first fork: every work horse inherits it
        click.echo(f"Warmed {line}.")
    db.session.remove()
    click.echo(f"Jobs worker on queue {name!r}{' (burst)' if burst else ''}; stop with Ctrl-C.")
    worker.work(burst=burst, with_scheduler=True)


@jobs_cli.command("clean")
def clean_command() -> None:
    """Mark failed the jobs a stopped worker left running, and delete kept export files whose time is
    up (JOBS_KEEP_HOURS); run it from cron."""
    stale = services.sweep()
    click.echo(f"{stale} job(s) left running by a stopped worker marked failed.")
    count = runner.clean()
    click.echo(f"{count} kept result(s) expired.")
