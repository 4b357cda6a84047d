"""Full-text search over policies and contributions.

Modules: `analysis` (Indonesian analyzer), `backend` (the interface),
`whoosh_backend` (with `whoosh_schema`, what a document becomes in the index,
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


def init_app(app: Flask) -> None:
    """Record index changes in the outbox and, on the embedded default, apply them after each writing request."""
    # Imported when the app is made, not with the package, so that importing the models stays light.
    from portal.search import outbox, services

    outbox.install()

    @app.after_request
    def index_after_request(response):
        if not db.session.info.pop(outbox.SESSION_FLAG, False) or not services.inline_indexing():
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
