"""Rate-limit decorators for views, reading their limits from the config."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from portal.extensions import limiter


def account_key() -> str:
    """Rate-limit key per account (the address for visitors who are not signed in)."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"address:{request.remote_addr or 'unknown'}"


def per_address(name: str):
    """The limit in config key `name`, per client address, on POST."""
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


def per_account_and_address(name: str, scope: str, exempt_when=None):
    """The limit in config key `name`, shared by all views of `scope`, per account and per address, on POST
    (not counting the requests for which `exempt_when()` is true)."""
    value = lambda: current_app.config[name]  # noqa: E731

    def decorator(view):
        view = limiter.shared_limit(value, scope=f"{scope}-address", methods=["POST"], exempt_when=exempt_when)(view)
        return limiter.shared_limit(value, scope=f"{scope}-account", key_func=account_key, methods=["POST"],
                                    exempt_when=exempt_when)(view)

    return decorator
