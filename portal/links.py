"""Links for mail and other places outside a page: local paths built outside a
request, and absolute links.

Every absolute link is built from the configured ``PORTAL_BASE_URL``, never
from the request's ``Host`` header, so a forged header cannot put another
site's address into a password-reset mail.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def base_url() -> str:
    """The portal's public address, without a trailing slash."""
    return str(current_app.config["PORTAL_BASE_URL"]).rstrip("/")


def absolute(path: str) -> str:
    """Turn a local path (``/policies/x``) into an absolute link on the portal's own address."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url() + "/" + path.lstrip("/")


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute link on the portal's own address."""
    return absolute(url_for(endpoint, **values))


def path_for(endpoint: str, **values: Any) -> str:
    """A local path for `endpoint`, also outside a request (CLI, jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
