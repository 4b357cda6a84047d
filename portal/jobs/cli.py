"""`flask jobs worker` (the RQ worker, in the app's context) and `flask jobs clean`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.jobs import runner, services

jobs_cli = AppGroup("jobs", help="Long work on the RQ worker (with REDIS_URL): worker, clean.")


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
    click.echo(f"Jobs worker on queue {name!r}{' (burst)' if burst else ''}; stop with Ctrl-C.")
    worker.work(burst=burst, with_scheduler=True)


@jobs_cli.command("clean")
def clean_command() -> None:
    """Delete kept export files whose time is up (JOBS_KEEP_HOURS); run it from cron."""
    count = runner.clean()
    click.echo(f"{count} kept result(s) expired.")
