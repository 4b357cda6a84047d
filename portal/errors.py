"""Domain errors raised by services, and the handlers that turn every error
into a page in the user's language with the right status code."""

from __future__ import annotations

import time

from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
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
}


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
    """Register the error handlers."""

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
