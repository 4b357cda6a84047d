"""Safe redirect targets: only local paths are followed."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Return `target` if it is a local path on this site, else `default`.

    Browsers treat a backslash like a slash, so `/\\evil.example` would leave
    the site; control characters and scheme-relative URLs are refused too.
    """
    if not target or not target.startswith("/"):
        return default
    if target.startswith("//") or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
