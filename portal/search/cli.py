"""`flask search ...`: rebuild, check, drain and the worker loop."""

from __future__ import annotations

import signal
import time

import click
from flask.cli import AppGroup

from portal.search import documents, services

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
    """Report documents missing from or extra in the index; exit 1 on drift."""
    report = services.check()
    click.echo(f"Database: {report.expected} documents; index: {report.indexed}; waiting in the outbox: {report.waiting}.")
    for name in ("missing", "extra", "stale"):
        ids = getattr(report, name)
        if ids:
            more = f" (and {len(ids) - show} more)" if len(ids) > show else ""
            click.echo(f"{name}: {len(ids)}: {', '.join(ids[:show])}{more}")
    if report.outdated:
        click.echo("The index was built by an older version of the portal: run `flask search rebuild`.")
    elif not report.agrees:
        click.echo("The index has drifted from the database: run `flask search rebuild`.")
    if not report.agrees:
        raise SystemExit(1)
    click.echo("The index agrees with the database.")


@search_cli.command("drain")
@click.option("--wait", default=30.0, help="Seconds to wait for another indexer to finish.")
def drain_command(wait: float) -> None:
    """Apply every waiting outbox row to the index now."""
    report = services.drain(wait=wait)
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
    try:
        while not stopping:
            report = services.drain(wait=interval)
            if report.rows:
                click.echo(f"Applied {report.rows} outbox rows.")
            if not report.rows:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
