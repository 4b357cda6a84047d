"""`flask search ...`: rebuild, check, drain and the worker loop."""

from __future__ import annotations

import signal
import time

import click
from flask.cli import AppGroup

from portal.search import documents, services, status

search_cli = AppGroup("search", help="Search index: rebuild, check, drain, worker.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the index from the database into a new directory and swap it in."""
    total = documents.count_documents()
    started = time.perf_counter()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        count = services.rebuild(progress=bar.update)
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {count} documents in {elapsed:.1f} s ({count / max(elapsed, 1e-9):.0f} documents/s).")


@search_cli.command("check")
@click.option("--show", default=20, help="How many ids of each kind of drift to list.")
def check_command(show: int) -> None:
    """Report drift, a failed drain or changes waiting too long; exit 1 on any of them."""
    report = services.check()
    click.echo(f"Database: {report.expected} documents; index: {report.indexed}; waiting in the outbox: {report.waiting}.")
    for name in ("missing", "extra", "stale"):
        ids = getattr(report, name)
        if ids:
            more = f" (and {len(ids) - show} more)" if len(ids) > show else ""
            click.echo(f"{name}: {len(ids)}: {', '.join(ids[:show])}{more}")
    health = report.health
    if health.failing:
        click.echo(f"The last update of the index failed ({health.failures} in a row, the last at "
                   f"{_when(health.failed_at)}): {health.last_failure}")
        click.echo("Its changes wait in the outbox: `flask search drain` retries them, `flask search rebuild` "
                   "starts afresh.")
    if health.stuck:
        click.echo(f"{health.stuck} changes have waited longer than {health.max_age.total_seconds():g} s "
                   f"(SEARCH_OUTBOX_MAX_AGE), the oldest since {_when(health.oldest)}: is the indexer running "
                   "(`flask search worker`, with REDIS_URL)? `flask search drain` applies them now.")
    if report.outdated:
        click.echo("The index was built by an older version of the portal: run `flask search rebuild`.")
    elif not report.agrees:
        click.echo("The index has drifted from the database: run `flask search rebuild`.")
    if not report.healthy:
        raise SystemExit(1)
    click.echo("The index agrees with the database.")


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "?"


@search_cli.command("drain")
@click.option("--wait", default=30.0, help="Seconds to wait for another indexer to finish.")
def drain_command(wait: float) -> None:
    """Apply every waiting outbox row to the index now; exit 1 if that fails (the rows stay waiting)."""
    try:
        report = services.drain(wait=wait)
    except Exception as error:
        click.echo(f"Updating the index failed: {status.describe(error)}", err=True)
        click.echo("The changes stay in the outbox for the next drain; `flask search rebuild` starts afresh.", err=True)
        raise SystemExit(1)
    if report.skipped:
        click.echo("Another process is indexing; nothing done.")
        raise SystemExit(1)
    click.echo(f"Applied {report.rows} outbox rows ({report.upserts} upserts, {report.deletions} deletions).")


@search_cli.command("worker")
@click.option("--interval", default=None, type=float, help="Seconds between polls (SEARCH_WORKER_INTERVAL).")
def worker_command(interval: float | None) -> None:
    """Keep applying the outbox (for deployments with REDIS_URL, where requests do not index)."""
    from flask import current_app

    interval = interval or float(current_app.config.get("SEARCH_WORKER_INTERVAL", 1.0))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"Search worker polling every {interval:g} s; stop with Ctrl-C.")
    failures = 0
    try:
        while not stopping:
            try:
                report = services.drain(wait=interval)
            except Exception as error:  # recorded by the indexer; the rows are retried, less often while it lasts
                failures += 1
                current_app.logger.exception("search: the worker's drain failed")
                click.echo(f"Updating the index failed: {status.describe(error)}", err=True)
                time.sleep(min(60.0, interval * 2 ** min(failures, 6)))
                continue
            failures = 0
            if report.rows:
                click.echo(f"Applied {report.rows} outbox rows.")
            if not report.rows:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
