"""Conventions the codebase promises: every service that changes data asks
the permission module first, and templates carry no inline script or style."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTOR_NAMES = {"actor", "author", "official", "viewer", "user"}


def _service_functions():
    for path in sorted((ROOT / "portal").glob("*/*.py")):
        if path.name in {"views.py", "forms.py", "models.py", "cli.py", "demo.py"} or path.parent.name == "demo":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield path, node


def _commits(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "commit"
        for call in ast.walk(node)
    )


def _asks_permission(node: ast.FunctionDef) -> bool:
    source = ast.unparse(node)
    return "require(" in source


def test_every_committing_service_with_an_actor_asks_permission():
    # Services that act for someone take that user first; those that commit
    # must ask the permission module. System work (the scheduler, the search
    # indexer, self-service sign-up) takes no actor.
    offenders = []
    for path, node in _service_functions():
        args = node.args.args
        if not _commits(node) or not args or args[0].arg not in ACTOR_NAMES:
            continue
        if not _asks_permission(node):
            offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == [], "services that commit without permissions.require: " + ", ".join(offenders)


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
