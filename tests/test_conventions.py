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
