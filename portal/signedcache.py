"""Whole public pages kept for signed-in readers: per viewer class, or per reader, under the
content stamp, with each reader's own bits put in when a kept page is served.

A public page read by a signed-in person differs from the anonymous one by what it shows of
them. This module keeps such a page under the content stamp (`portal.content_version`), the
language, the path and query and a *viewer* key, which is one of two:

- the viewer class, for a reader with no footprint in the public tables (never wrote, agreed,
  followed, flagged, co-signed, verified anyone: nothing of theirs a page can show): every
  column of their account but who they are (id, e-mail, name, password, dates), with the
  suspension and verification as they stand at this moment. Two such readers of one class see
  the same page but for their name, notice count and CSRF token;
- the reader's own account, for anyone else: a page rendered for them, kept for them.

What is only the reader's and changes without renewing the stamp is never in a kept copy: the
layout writes a marker where their name and unread-notice count go (`viewer_part`) while a
page is kept, and the CSRF token is cut out as for anonymous pages; all three are put back
per request, also into a page just rendered. Which tables count as a footprint is read from
the schema (every foreign key to `users` outside the private tables), so a table added later
counts without being named here; all of them renew the stamp, so the footprint is kept under
it too (in each process's memory). A class page that still shows the reader's name or e-mail
outside a marker is not shared: that reader counts as having a footprint until the next
stamp. A page is kept only
if the stamp is the same after it was rendered as before: it was then read from the state the
stamp names, also where each statement sees the latest commit.

Never kept, never served from the cache: a request whose session holds flashed messages or
anything beyond the sign-in, the language and the token; a response other than a 200 HTML
page; one that sets a cookie other than the session's, or whose rendering changed the session
beyond giving it a token. A signed-out or ended session is anonymous before this runs, so an
old cookie replayed after signing out gets no signed-in page.
"""

from __future__ import annotations

import hashlib
import logging
import re

from flask import Flask, Response, current_app, g, get_template_attribute, request, request_finished, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import exists, false, or_, select
from sqlalchemy.exc import SQLAlchemyError

from portal import content_version
from portal.extensions import db

EXTENSION = "portal.signedcache"
log = logging.getLogger(__name__)
CSRF_MARK = "\x00csrf-token\x00"  # where a kept page (anonymous or signed in) had its CSRF token
_PARTS = ("name", "notices")
_MARK = {name: f"\x00viewer:{name}\x00" for name in _PARTS}
_SLOTS = re.compile(rb"\x00(csrf-token|viewer:name|viewer:notices)\x00")
_TOKEN_FIELD = re.compile(r'name="csrf_token" value="(?!\x00)')
# The session keys a signed-in page may depend on only as part of the key (lang) or not at all.
_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "csrf_token", "lang", "authenticated_at", "_remember"})
# Account columns that say who the reader is rather than what they may see and do.
_IDENTITY = frozenset({"id", "email", "display_name", "password_hash", "created_at", "last_login_at",
                       "suspended_until", "affiliation_verified_at", "affiliation_verified_by_id"})
_KEPT_HEADERS = ("Content-Type", "Content-Language")
_PROVIDERS = "portal.signedcache.providers"
_RENDERED, _RENDERED_MAX = "portal.signedcache.rendered", 2000
_FOOTPRINTS, _FOOTPRINTS_MAX = "portal.signedcache.footprints", 10_000


def init_app(app: Flask, cache, endpoints: frozenset[str]) -> None:
    """Serve and keep signed-in pages of `endpoints` in `cache` (called by portal.pagecache)."""
    app.extensions[EXTENSION] = (cache, endpoints)
    app.before_request(_serve_kept)
    app.after_request(_fill)
    request_finished.connect(_keep, app, weak=False)


def register_templating(app: Flask) -> None:
    """`viewer_part(name)` in templates; the parts' values come from `provide`."""
    app.add_template_global(viewer_part, "viewer_part")


def provide(app: Flask, name: str, function) -> None:
    """Say how to count a part (`function(user) -> value`, e.g. the unread notices)."""
    app.extensions.setdefault(_PROVIDERS, {})[name] = function


def collecting() -> bool:
    """Whether this request's page may be kept: its reader's parts are then put in after it is
    rendered, so what they need (the unread count) need not be gathered before."""
    return g.get("signed_cache_key") is not None


@pass_context
def viewer_part(context, name: str) -> Markup:
    """The reader's own part of the layout (`name` or `notices`), or its marker while the page
    may be kept (filled in per request by `_fill`). Runs no query: the unread count is the
    template's `unread_notifications`, gathered before it renders."""
    if collecting():
        return Markup(_MARK[name])  # nosec B704 # a fixed marker, no user text
    value = context.get("unread_notifications", 0) if name == "notices" else current_user.display_name
    return _rendered(name, value)


def _render_part(name: str) -> Markup:
    """A part for a page already rendered (its count asked now)."""
    user = current_user._get_current_object()
    if name == "notices":
        provider = current_app.extensions.get(_PROVIDERS, {}).get("notices")
        value = provider(user) if provider else 0
    else:
        value = user.display_name
    return _rendered(name, value)


def _rendered(name: str, value) -> Markup:
    # The same few answers again and again (a name, a count, in one of two languages): each is
    # rendered once per process, which costs less than calling the macro on every request.
    rendered = current_app.extensions.setdefault(_RENDERED, {})
    key = (name, str(get_locale()), value)
    html = rendered.get(key)
    if html is None:
        if len(rendered) >= _RENDERED_MAX:
            rendered.clear()
        html = rendered[key] = Markup(get_template_attribute("_viewer.html", name)(value))  # nosec B704 # an autoescaped macro's output
    return html


# --- the key --------------------------------------------------------------------------

def viewer_class(user) -> tuple:
    """What a page may show about a reader without saying who they are (their account's
    columns but identity, the suspension and verification as of now)."""
    facts = tuple((column.key, getattr(user, column.key)) for column in user.__table__.columns
                  if column.key not in _IDENTITY)
    return facts + (("suspended", user.is_suspended()), ("verified", user.is_verified_member),
                    ("pending_affiliation", user.affiliation_pending))


def _footprint_query(user_id: int):
    checks = []
    for table in db.metadata.sorted_tables:
        if table.name in content_version.PRIVATE_TABLES:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "users" and fk.column.key == "id" for fk in column.foreign_keys):
                checks.append(exists().where(column == user_id))
    return select(or_(false(), *checks))


def has_footprint(user, stamp: str) -> bool:
    """Whether any public table holds a row of `user`'s (kept under the stamp, which each such
    row renews)."""
    known = _footprints().get((stamp, user.id))
    if known is None:
        known = bool(db.session.execute(_footprint_query(user.id)).scalar())
        _mark_footprint(stamp, user.id, known)
    return known


def _footprints() -> dict:
    # In each process's memory, not the shared store: one query per reader and stamp is cheaper
    # than a round trip to Redis on every request.
    return current_app.extensions.setdefault(_FOOTPRINTS, {})


def _mark_footprint(stamp: str, user_id: int, value: bool) -> None:
    known = _footprints()
    if len(known) >= _FOOTPRINTS_MAX:
        known.clear()
    known[stamp, user_id] = value


def _key(user, stamp: str) -> str:
    language = str(get_locale())  # the session's choice, else the account's saved one (portal.i18n)
    viewer = repr(viewer_class(user))
    if has_footprint(user, stamp):
        viewer = f"{user.id}:{viewer}"
    place = hashlib.sha256(f"{request.full_path}\x00{viewer}".encode()).hexdigest()
    return f"{stamp}:{language}:signed:{place}"


def _may_serve() -> bool:
    endpoints = current_app.extensions[EXTENSION][1]
    return (request.method in ("GET", "HEAD") and request.endpoint in endpoints
            and current_user.is_authenticated and set(session) <= _SESSION_KEYS)


# --- serving, filling in, keeping -----------------------------------------------------

def _serve_kept():
    """Answer from the cache when this signed-in request may be and a copy is kept."""
    if not _may_serve():
        return None
    user = current_user._get_current_object()
    try:
        stamp = content_version.current()
        key = _key(user, stamp)
    except SQLAlchemyError:  # no stamp (a database not yet migrated): render as without a cache
        log.warning("signed-in page cache skipped: the content stamp could not be read", exc_info=True)
        return None
    g.signed_cache_key = key
    g.signed_cache_stamp = stamp
    g.signed_cache_user = user.id
    g.signed_cache_session = dict(session)
    kept = current_app.extensions[EXTENSION][0].get(key)
    if kept is None:
        return None
    g.signed_cache_hit = True
    pieces, headers = kept
    response = Response(_join(pieces), status=200, headers=headers)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _join(pieces: list[bytes]) -> bytes:
    """A kept page's pieces (text, slot name, text, ...) joined with this reader's parts."""
    values: dict[bytes, bytes] = {}
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(piece)
            continue
        if piece not in values:
            if piece == b"csrf-token":
                values[piece] = generate_csrf().encode()
            else:
                values[piece] = str(_render_part(piece.decode().split(":", 1)[1])).encode()
        out.append(values[piece])
    return b"".join(out)


def _fill(response: Response) -> Response:
    """A page rendered with markers: keep a copy of it with them, send it with the reader's parts."""
    if g.get("signed_cache_key") is None or g.get("signed_cache_hit"):
        return response
    if response.is_streamed or response.direct_passthrough or not (response.mimetype or "").startswith("text/"):
        return response
    body = response.get_data(as_text=True)
    if not any(mark in body for mark in _MARK.values()):
        return response
    token = g.get("csrf_token")
    kept = body.replace(token, CSRF_MARK) if token else body
    pieces = _SLOTS.split(kept.encode())
    response.set_data(_join(pieces))
    if response.status_code != 200 or response.mimetype != "text/html" or _TOKEN_FIELD.search(kept):
        return response  # filled in, but not ours to share
    if not _names_reader(kept):
        headers = [(name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers]
        g.signed_cache_entry = (pieces, headers)
    return response


def _names_reader(body: str) -> bool:
    """Whether a page about to be kept for the reader's class shows who they are outside the markers;
    if so, they count as having a footprint until the next stamp (and the page is not kept)."""
    user = current_user._get_current_object()
    stamp = g.signed_cache_stamp
    if _footprints().get((stamp, user.id)):
        return False  # kept for this reader alone
    if str(escape(user.display_name)) in body or str(escape(user.email)) in body:
        _mark_footprint(stamp, user.id, True)
        return True
    return False


def _keep(app: Flask, response: Response, **extra) -> None:
    """After the response is complete (session cookie included): keep it if nothing in it is the reader's alone."""
    key = g.pop("signed_cache_key", None)
    entry = g.pop("signed_cache_entry", None)
    if key is None or entry is None or request.method != "GET" or response.status_code != 200:
        return
    if not current_user.is_authenticated or current_user.id != g.get("signed_cache_user"):
        return
    if "_flashes" in session or request_ctx.flashes:
        return
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    if any(not value.startswith(cookie_name + "=") for value in response.headers.getlist("Set-Cookie")):
        return
    before = g.pop("signed_cache_session", {})
    if {k: v for k, v in session.items() if k != "csrf_token"} != {k: v for k, v in before.items() if k != "csrf_token"}:
        return
    # Kept only if nothing public changed while it was rendered: the footprint and the page were
    # then read from the very state the stamp names. (Where each statement sees the latest commit,
    # a comment the reader sent meanwhile could otherwise reach a page kept for their class.)
    try:
        unchanged = content_version.current() == g.pop("signed_cache_stamp", None)
    except SQLAlchemyError:
        return
    if unchanged:
        app.extensions[EXTENSION][0].set(key, entry)
