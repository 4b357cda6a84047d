"""Domain errors raised by services, and the handlers that turn every error
into a page in the user's language with the right status code."""

from __future__ import annotations

import time

from urllib.parse import urlsplit

import psycopg
import redis.exceptions
from flask import Flask, current_app, g, render_template, request, session
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError, PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError

from portal import links
from portal.extensions import limiter


class DomainError(Exception):
    """Base for errors services raise; views map them to responses."""

    status = 400

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist (or may not be seen)."""

    status = 404


class PermissionDenied(DomainError):
    """The actor may not do this."""

    status = 403


class ValidationError(DomainError):
    """Input broke a rule; `field` names the form field it belongs to."""

    status = 400

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    """The action does not fit the current state (e.g. a refused status move)."""

    status = 409


TITLES = {
    400: _l("The request could not be processed"),
    401: _l("Please sign in again"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This action does not fit the current state"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The portal is briefly unavailable"),
}

MESSAGES = {
    400: _l("Please check what you sent and try again."),
    401: _l("You are no longer signed in (you signed out, or your session ended), so this was not saved. Sign in and send it again."),
    403: _l("Your account does not have permission for this page or action."),
    404: _l("The page you asked for does not exist or has been removed."),
    405: _l("Please use the links and buttons on the portal."),
    409: _l("The item has changed in the meantime. Please reload the page."),
    413: _l("The data you sent is larger than the portal accepts. Please send a smaller file or shorter text."),
    429: _l("You have tried this too often. Please wait a moment and try again."),
    500: _l("The error has been recorded. Please try again later."),
    503: _l("A part of the portal is restarting. What you sent may not have been saved: wait a few "
             "seconds and send it again (it is saved only once)."),
}

# A part the portal cannot work without (the database, Redis) did not answer: the request fails
# with 503 and the next one reconnects (pool_pre_ping for the database, redis-py by itself).
UNAVAILABLE_ERRORS = (
    OperationalError,
    DisconnectionError,
    psycopg.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

# Seconds a client is told to wait before it tries again after a 503.
RETRY_AFTER_UNAVAILABLE = "5"


def _kept_fields() -> list[tuple[str, str]]:
    """Text the user submitted, shown back so nothing typed is lost."""
    if request.method != "POST":
        return []
    try:
        form = request.form
    except Exception:  # an oversized body cannot be read back
        return []
    return [
        (key, value)
        for key, value in form.items(multi=True)
        if key not in {"csrf_token", "password", "password2", "confirm", "current_password"} and value.strip()
    ]


def render_error(status: int, message: str | None = None, retry_after: str | None = None):
    """Render the error page for `status`."""
    body = render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status, TITLES[400]),
        message=message or MESSAGES.get(status, MESSAGES[400]),
        retry_after=retry_after,
        kept_fields=_kept_fields(),
    )
    return body, status


def _unavailable_cause(error: BaseException) -> BaseException | None:
    """The database or Redis error behind `error` (itself, or what it was raised from), if any."""
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        if isinstance(current, UNAVAILABLE_ERRORS):
            return current
        if isinstance(current, PendingRollbackError) and "reconnect" in str(current):
            return current  # a query after the connection died under an earlier, caught, error
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _unavailable_language() -> str:
    """The reader's language without asking the database or Redis: the session's choice, the
    account's when it was already loaded, else the default."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user = g.get("_login_user")
    locale = getattr(user, "__dict__", {}).get("locale")  # only a value already loaded, never a query
    if locale in languages:
        return locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# Set in the WSGI environ when a request is answered with the 503 page (read by RetryUnavailable).
UNAVAILABLE_KEY = "portal.unavailable"


class RetryUnavailable:
    """WSGI middleware: a read (GET or HEAD: no body, nothing to save twice) that met an
    unavailable database or Redis is run again on fresh connections every `pause` seconds, for at
    most `seconds`, so a restart of a few seconds costs the reader a wait instead of a 503 page.
    Writes are never run again here: what they changed may be half done (the 503 page asks the
    person to send again, and the services treat a resend of the same form as that form)."""

    def __init__(self, app, seconds: float, pause: float = 0.5):
        self.app, self.seconds, self.pause = app, seconds, pause

    def __call__(self, environ, start_response):
        if self.seconds <= 0 or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        deadline = time.monotonic() + self.seconds
        while True:
            attempt, answer = dict(environ), []

            def keep(status, headers, exc_info=None, answer=answer):
                answer[:] = [status, headers]
                return lambda data: None  # the portal never uses write()

            body = self.app(attempt, keep)
            if not attempt.get(UNAVAILABLE_KEY) or time.monotonic() + self.pause > deadline:
                start_response(*answer)
                return body
            if hasattr(body, "close"):
                body.close()
            time.sleep(self.pause)


def render_unavailable():
    """The 503 page: a standalone page that needs neither the database nor Redis to draw."""
    request.environ[UNAVAILABLE_KEY] = True
    try:
        from portal.extensions import db

        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it on the next checkout
        current_app.logger.debug("rollback after an unavailable service failed", exc_info=True)
    lang = _unavailable_language()
    with force_locale(lang):
        # Straight from the Jinja environment: context processors (which read the signed-in
        # account, e.g. the unread count) would ask the part that is down.
        body = current_app.jinja_env.get_template("errors/unavailable.html").render(
            lang=lang,
            status=503,
            title=TITLES[503],
            message=MESSAGES[503],
            retry_after=RETRY_AFTER_UNAVAILABLE,
            kept_fields=_kept_fields(),
        )
    return body, 503, {"Retry-After": RETRY_AFTER_UNAVAILABLE, "Cache-Control": "no-store"}


def _retry_after_seconds() -> str | None:
    """Whole seconds until the rate limit this request broke lets it through again."""
    current = limiter.current_limit
    if current is None:
        return None
    return str(max(1, int(current.reset_at - time.time())))


def _carries_nul() -> bool:
    """Whether the path, query or form holds U+0000, which PostgreSQL cannot store."""
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            return True
    return False


def refuse_unserved_hosts(app: Flask) -> None:
    """Answer a request for a Host the portal does not serve (TRUSTED_HOSTS) with 400, before
    anything else looks at it. Call first in create_app, so no other hook runs before it."""

    @app.before_request
    def unserved_host():
        if not isinstance(request.routing_exception, SecurityError):
            return None
        # Flask could not route a request for an untrusted host; the page is drawn with links
        # on the portal's own address (relative), never on the one the request named.
        base = urlsplit(links.base_url())
        request_ctx.url_adapter = app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )
        return render_error(400, str(_l(
            "This portal does not answer to the address you used. Open it at %(url)s.", url=links.base_url()
        )))


def init_app(app: Flask) -> None:
    """Register the error handlers (after db.init_app: the teardown below runs before its own)."""

    @app.teardown_appcontext
    def drop_dead_connection(_error):
        # Ending the request's session rolls its connection back; on a connection the database
        # closed (a restart) that fails, after the answer was made. Throw the connection away
        # instead (the pool opens a new one), so the answer still goes out rather than a 500.
        from portal.extensions import db

        try:
            db.session.remove()
        except SQLAlchemyError:
            app.logger.warning("a dead database connection was dropped at the end of a request")
            try:
                db.session.invalidate()
            except Exception:  # the connection is gone either way
                app.logger.debug("invalidating the dead connection failed", exc_info=True)
            db.session.registry.clear()

    @app.before_request
    def refuse_nul_characters():
        # No form has a use for U+0000, and the database would answer it with a 500.
        if _carries_nul():
            return render_error(400, str(_l(
                "What you sent contains an invisible control character (U+0000). Please remove it and try again."
            )))
        return None

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return render_error(
            400,
            str(_l("The form expired or was sent from elsewhere. Your text is shown below; copy it and send the form again.")),
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        # An error raised outside the view (an after_request hook) reaches Flask's handlers
        # wrapped in InternalServerError; the database or Redis behind it still means "retry".
        if status == 500 and _unavailable_cause(getattr(error, "original_exception", None) or error):
            return render_unavailable()
        if status == 429:
            # Flask-Limiter writes Retry-After only after this handler has run,
            # so read the wait from the breached limit to say it in words too.
            retry_after = _retry_after_seconds()
            body, _status = render_error(429, retry_after=retry_after)
            response = app.make_response((body, 429))
            if retry_after:
                response.headers["Retry-After"] = retry_after
            return response
        if status not in TITLES:
            status = 400 if status < 500 else 500
        return render_error(status)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        cause = _unavailable_cause(error)
        if cause is not None:
            app.logger.warning("Service unavailable: %s: %s", type(cause).__name__, cause)
            return render_unavailable()
        app.logger.exception("Unhandled error")
        return render_error(500)


def attach_to_form(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form field it names."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)
