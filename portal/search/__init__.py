"""Full-text search over policies and contributions.

Modules: `analysis` (Indonesian analyzer), `backend` (the interface),
`querying` (what every backend computes alike: the query language, facet order,
suggestions, highlighted hits), `pg_backend` and `pg_index` (PostgreSQL full-text
search, written in the changing transaction), `whoosh_backend` (with `whoosh_schema`, what a document becomes in the index,
`whoosh_bulk`, the parallel rebuild writer, `whoosh_eval`, query evaluation
over cached postings, and `whoosh_compat`, a fix to the library), `highlight`
(snippets, and the words of Markdown), `outbox` (changes recorded in the
writing transaction, and the indexer's record), `documents` (what the index
should hold), `indexer` (the one writer), `status` (its health: failures,
what waits), `in_flight` (what a search leaves out while changes wait),
`services` (what views and the CLI call), `views`, `cli`.
"""

from __future__ import annotations

from flask import Flask, current_app

from portal.extensions import db

DRAIN = "search.drain"
BACKENDS = ("whoosh", "postgres")


def check_backend(config) -> None:
    """Refuse to start with an unknown SEARCH_BACKEND, or with "postgres" on a database that is not PostgreSQL."""
    name = config.get("SEARCH_BACKEND") or "whoosh"
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if name == "postgres" and not url.startswith("postgresql"):
        raise RuntimeError(
            "SEARCH_BACKEND=postgres needs the portal's database on PostgreSQL "
            "(DATABASE_URL=postgresql://...); use SEARCH_BACKEND=whoosh with SQLite"
        )


def init_app(app: Flask) -> None:
    """Record index changes in the outbox (or, with SEARCH_BACKEND=postgres, in the index itself at each
    commit) and, on the embedded default, apply the outbox after each writing request."""
    check_backend(app.config)
    # Imported when the app is made, not with the package, so that importing the models stays light.
    from portal.search import outbox, services

    outbox.install()
    from portal.jobs import runner

    runner.register_function(DRAIN, _drain_on_worker)

    @app.after_request
    def index_after_request(response):
        if not db.session.info.pop(outbox.SESSION_FLAG, False):
            return response
        if not services.inline_indexing():
            _queue_drain()
            return response
        application = current_app._get_current_object()
        # After the response is sent: the user never waits for the index.
        response.call_on_close(lambda: _drain_inline(application, services))
        return response


def _drain_inline(app: Flask, services) -> None:
    with app.app_context():
        try:
            services.drain(
                max_batches=int(app.config.get("SEARCH_INLINE_MAX_BATCHES", 2)),
                wait=float(app.config.get("SEARCH_INLINE_LOCK_WAIT", 2.0)),
            )
        except Exception:  # the outbox keeps the rows; the next drain applies them
            app.logger.exception("search: inline indexing failed")


def _queue_drain() -> None:
    """With REDIS_URL: a drain job for the worker, one pending at a time (`flask search worker` also
    still drains, as a fallback)."""
    from portal.jobs import services as jobs

    if not jobs.queued():
        return
    try:
        jobs.enqueue_once(DRAIN)
    except Exception:  # the rows wait in the outbox for the next drain; `flask search check` reports them
        current_app.logger.exception("search: queueing the drain job failed")


def _drain_on_worker() -> int:
    """The worker's drain: every waiting row; a drain held up by another indexer is retried."""
    from portal.search import services

    report = services.drain(wait=float(current_app.config.get("SEARCH_INLINE_LOCK_WAIT", 2.0)) * 10)
    if report.skipped:
        raise RuntimeError("another process held the search index; the drain is retried")
    return report.rows
