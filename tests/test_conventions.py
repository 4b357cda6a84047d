"""Conventions the codebase promises: templates carry no inline script or
style, and `|safe` only on rendered user text. (That every service that
changes data asks the permission module first is tests/permissions/.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_safe_filter_is_used_only_on_rendered_user_text():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "|safe" in line.replace(" ", ""):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], "use the markdown/paragraphs filters (portal/text.py), never |safe"


# Flask, Flask-Babel, Flask-Limiter, Flask-WTF and SQLAlchemy settings the portal sets but does not define,
# and settings the README names by their environment variable.
FRAMEWORK_SETTINGS = {
    "ENV_NAME", "TESTING", "INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS",
    "BABEL_DEFAULT_TIMEZONE", "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI", "RATELIMIT_HEADERS_ENABLED",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "RATELIMIT_SWALLOW_ERRORS",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_HTTPONLY",
    "REMEMBER_COOKIE_SAMESITE", "REMEMBER_COOKIE_SECURE", "WTF_CSRF_TIME_LIMIT", "PREFERRED_URL_SCHEME",
}


def test_every_setting_in_config_has_a_row_in_the_readme():
    from portal import config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(row.split(" | ")[0] for row in table_rows)))
    settings = {
        name for cls in config.CONFIGS.values() for klass in cls.__mro__ for name in vars(klass) if name.isupper()
    }
    missing = sorted(settings - named - FRAMEWORK_SETTINGS)
    assert missing == [], "add a row to the README's settings table for: " + ", ".join(missing)
