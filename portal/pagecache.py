"""Whole public pages kept for anonymous readers, and conditional GET on them.

Reading a public page anonymously is what a crowd does the day a draft opens. Such a page
depends only on the database, the path and query and the language, so it is kept
(Flask-Caching: in Redis when REDIS_URL is set, shared by every app server; in each process's
memory otherwise) under those and the content stamp (`portal.content_version`), which every
committed change renews. A page kept under an old stamp is never read again: the first
anonymous view after a moderator publishes a comment renders afresh.

What is never kept here, and never served from here:
- anything for a signed-in browser (a session naming an account, or a remember-me cookie):
  `portal.signedcache` keeps those pages, per viewer class or per reader, in a store of its own;
- a request whose session holds flashed messages (the page would show them to everyone);
- a response that is not a 200 HTML page, or that sets a cookie other than the session's,
  or whose rendering changed the session beyond giving it a CSRF token.
The CSRF token a page carries belongs to one browser's session: it is cut out of the kept
copy and each reader's own token is put back in when the copy is served. A kept copy has no
Set-Cookie header; a served copy sets only the reader's own session cookie, as any page does.

Both kept and freshly rendered anonymous pages carry an ETag (the page's content and the
reader's CSRF token), so a browser that revalidates gets 304 without a body. Pages that
depend on the clock (a consultation window that opens) are kept at most
PAGE_CACHE_TIMEOUT seconds.

A signed-in page that is rendered (not served kept) has as its longest part the comments, the
same for every reader in the same position: `fragment(...)` (a template global, used as
`{% call fragment(...) %}`) keeps the rendered HTML of one comment under the content stamp
read at the start of the request in the page's own transaction (before the page's data, so a
kept piece is never older than its stamp), the language, the path and everything about the reader the piece depends on (its
caller passes those: signed in, own comment, "I agree" given, what `can` allows). The reader's
CSRF token is cut out and put back as for whole pages. A comment only a few may see (pending,
hidden) is only ever asked for by a page that shows it to its reader.
"""

from __future__ import annotations

import hashlib
import logging
import re

from flask import Flask, Response, current_app, g, request, request_finished, session
from flask_babel import get_locale
from flask.globals import request_ctx
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from portal import content_version, signedcache
from portal.extensions import redis_options

EXTENSION = "portal.pagecache"
log = logging.getLogger(__name__)
_TOKEN_FIELD = re.compile(r'name="csrf_token" value="(?!\x00)')
# Public pages whose content is the database's, read the same by every anonymous visitor.
CACHED_ENDPOINTS = frozenset({
    "main.index", "main.privacy", "main.help", "main.accessibility", "main.terms",
    "proposals.index", "consultation.policy", "consultation.outcome", "proposals.version", "proposals.diff",
    "comments.policy_list", "comments.article_list", "comments.field_list", "comments.comment",
    "forums.index", "forums.category", "forums.policy_forum", "forums.thread",
    "positions.index", "consultation.position", "positions.opds", "positions.opd",
    "search.index",
})
_KEPT_HEADERS = ("Content-Type", "Content-Language")
FRAGMENTS = "portal.pagecache.fragments"


def init_app(app: Flask) -> None:
    """Choose the store, and serve and keep anonymous pages around each request."""
    content_version.install()
    app.add_template_global(fragment, "fragment")
    signedcache.register_templating(app)
    if not app.config.get("PAGE_CACHE_ENABLED"):
        return
    redis_url = app.config.get("REDIS_URL")
    settings = {"CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_TIMEOUT"]}
    if redis_url:
        settings.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url,
                        CACHE_KEY_PREFIX=app.config.get("SESSION_REDIS_PREFIX", "portal:") + "page:",
                        CACHE_OPTIONS=redis_options())
    else:
        settings.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=app.config["PAGE_CACHE_ENTRIES"])
    cache = Cache(config=settings)
    cache.init_app(app)
    app.extensions[EXTENSION] = cache
    pieces = dict(settings, CACHE_THRESHOLD=app.config["FRAGMENT_CACHE_ENTRIES"])
    if redis_url:
        pieces["CACHE_OPTIONS"] = redis_options()
        pieces["CACHE_KEY_PREFIX"] = settings["CACHE_KEY_PREFIX"].replace("page:", "fragment:")
    fragments = Cache(config=pieces)
    fragments.init_app(app)
    app.extensions[FRAGMENTS] = fragments
    signed = dict(settings)
    if redis_url:
        signed["CACHE_KEY_PREFIX"] = settings["CACHE_KEY_PREFIX"].replace("page:", "signed:")
    signed_pages = Cache(config=signed)
    signed_pages.init_app(app)
    app.before_request(_serve_kept)
    signedcache.init_app(app, signed_pages, CACHED_ENDPOINTS)  # the same pages, for signed-in readers
    app.before_request(_stamp_for_fragments)
    app.after_request(_tag_fresh)
    request_finished.connect(_keep, app, weak=False)


def _anonymous() -> bool:
    return ("_user_id" not in session
            and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies)


def _key() -> str:
    language = session.get("lang")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    # No Host: every link a page holds is relative or built from PORTAL_BASE_URL (portal.links),
    # and a Host outside TRUSTED_HOSTS is refused before this runs.
    place = hashlib.sha256(request.full_path.encode()).hexdigest()
    return f"{content_version.current()}:{language}:{place}"


def _etag(body_digest: str) -> str:
    token = session.get("csrf_token", "")
    return hashlib.sha256(f"{body_digest}:{token}".encode()).hexdigest()[:32]


def _serve_kept():
    """Answer from the cache when this anonymous request may be and a copy is kept."""
    if (request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS
            or not _anonymous() or "_flashes" in session):
        return None
    try:
        key = _key()
    except SQLAlchemyError:  # no stamp to key by (a database not yet migrated): render as without a cache
        log.warning("page cache skipped: the content stamp could not be read", exc_info=True)
        return None
    g.page_cache_key = key
    g.page_cache_session = dict(session)
    kept = current_app.extensions[EXTENSION].get(key)
    if kept is None:
        return None
    g.page_cache_hit = True
    parts, headers, digest = kept
    # The page in pieces around its CSRF tokens, as bytes: joining them with this reader's token
    # is the only work a kept page costs, however long it is.
    body = generate_csrf().encode().join(parts) if len(parts) > 1 else parts[0]
    response = Response(body, status=200, headers=headers)
    return _conditional(response, digest)


def _conditional(response: Response, digest: str) -> Response:
    response.set_etag(_etag(digest))
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def _tag_fresh(response: Response) -> Response:
    """A freshly rendered anonymous page: cut its CSRF token out for keeping, ETag it (304 if the browser has it)."""
    if g.get("page_cache_key") is None or g.get("page_cache_hit") or response.status_code != 200:
        return response
    if response.mimetype != "text/html" or response.is_streamed:
        return response
    body = response.get_data(as_text=True)
    token = g.get("csrf_token")
    if token:
        body = body.replace(token, signedcache.CSRF_MARK)
    if _TOKEN_FIELD.search(body):
        return _conditional(response, hashlib.sha256(body.encode()).hexdigest())  # not ours to share: ETag only
    data = body.encode()
    digest = hashlib.sha256(data).hexdigest()
    headers = [(name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers]
    g.page_cache_entry = (data.split(signedcache.CSRF_MARK.encode()), headers, digest)
    return _conditional(response, digest)


def _keep(app: Flask, response: Response, **extra) -> None:
    """After the response is complete (session cookie included): keep it if nothing in it is personal."""
    key = g.pop("page_cache_key", None)
    entry = g.pop("page_cache_entry", None)
    if key is None or entry is None or request.method != "GET":
        return
    if response.status_code not in (200, 304) or not _anonymous() or "_flashes" in session:
        return
    if request_ctx.flashes:  # a message flashed and shown by this very request
        return
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    if any(not value.startswith(cookie_name + "=") for value in response.headers.getlist("Set-Cookie")):
        return
    before = g.pop("page_cache_session", {})
    if _without_token(dict(session)) != _without_token(before):
        return
    app.extensions[EXTENSION].set(key, entry)


def _without_token(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "csrf_token"}


# --- pieces of signed-in pages ---------------------------------------------------------

def _stamp_for_fragments():
    """The content stamp, read before the page's data and in the same transaction (the same
    snapshot where the database keeps one), so a piece rendered now matches its stamp."""
    if (request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS
            or FRAGMENTS not in current_app.extensions):
        return None
    try:
        g.fragment_stamp = content_version.current_in_session()
    except SQLAlchemyError:  # no stamp: pieces are rendered every time
        log.warning("fragment cache skipped: the content stamp could not be read", exc_info=True)
    return None


def fragment(*depends_on, caller):
    """The HTML `caller()` renders, kept under the content stamp, the language, the path and
    `depends_on` (the rendered object's id and every fact about the reader it shows)."""
    stamp = g.get("fragment_stamp")
    cache = current_app.extensions.get(FRAGMENTS)
    if stamp is None or cache is None:
        return caller()
    place = hashlib.sha256(repr((request.full_path, depends_on)).encode()).hexdigest()
    key = f"{stamp}:{get_locale()}:{place}"
    parts = cache.get(key)
    if parts is None:
        html = caller()  # Markup: the template escaped it; replace and split keep it Markup
        token = g.get("csrf_token")
        if token:
            html = html.replace(token, signedcache.CSRF_MARK)
        if _TOKEN_FIELD.search(html):  # a token not this reader's: never shared
            return html
        parts = html.split(signedcache.CSRF_MARK)
        cache.set(key, parts)
    return escape(generate_csrf()).join(parts) if len(parts) > 1 else parts[0]
