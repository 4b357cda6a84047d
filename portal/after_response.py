"""Work that runs after the response has been sent.

Some requests must answer in the same time whatever they find: a password-reset request or a
registration must not tell by its speed whether an address has an account. Their services do
the same work either way, then hand what depends on the answer (looking the address up,
writing a token, sending the mail) to `call(fn)`. The WSGI server runs it when it closes the
response, in its own application context, as the search index update after a post does.
Outside a request (CLI commands, a job) `call` runs `fn` at once.
"""

from __future__ import annotations

import logging
from typing import Callable

from flask import Flask, g, has_request_context

from portal.extensions import db

log = logging.getLogger(__name__)
_QUEUE = "_after_response"


def call(fn: Callable[[], None]) -> None:
    """Run `fn()` after this request's response is sent (at once outside a request)."""
    if not has_request_context():
        fn()
        return
    g.setdefault(_QUEUE, []).append(fn)


def init_app(app: Flask) -> None:
    """Hand each response's queued work to the server, to run when it closes the response."""

    @app.after_request
    def queue_after_response(response):
        queued = g.pop(_QUEUE, None)
        if queued:
            response.call_on_close(lambda: _run(app, queued))
        return response


def _run(app: Flask, queued: list[Callable[[], None]]) -> None:
    with app.app_context():
        g.after_response = True  # a non-empty g, which Flask-Babel's force_locale needs
        for fn in queued:
            try:
                fn()
            except Exception:  # the user has their answer; the failure goes to the log
                db.session.rollback()
                log.exception("after-response work failed")
        db.session.remove()
