"""Compare two versions of a policy article by article, word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from portal.proposals.models import Article, PolicyVersion

KINDS = ("added", "removed", "changed", "unchanged")
# A diff is a list of (op, text) pieces, op one of "equal", "delete", "insert"; templates render
# them (escaped, with <del> and <ins>), so no HTML is made here.
Pieces = list[tuple[str, str]]
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class ArticleChange:
    """How one article (matched by key) differs between two versions."""

    key: str
    label: str
    kind: str  # one of KINDS
    old_body: str
    new_body: str
    pieces: Pieces
    heading: str = ""
    old_heading: str = ""


def diff_versions(old: PolicyVersion, new: PolicyVersion) -> list[ArticleChange]:
    """Every article of both versions, in reading order, marked added/removed/changed/unchanged."""
    old_by_key = {a.key: a for a in old.articles}
    new_keys = {a.key for a in new.articles}
    # A removed article is shown after the surviving article that preceded it in the old text.
    removed_after: dict[str | None, list[Article]] = {}
    previous: str | None = None
    for article in old.articles:
        if article.key in new_keys:
            previous = article.key
        else:
            removed_after.setdefault(previous, []).append(article)

    changes = [_removed(a) for a in removed_after.get(None, [])]
    for article in new.articles:
        before = old_by_key.get(article.key)
        changes.append(_added(article) if before is None else _compare(before, article))
        changes.extend(_removed(a) for a in removed_after.get(article.key, []))
    return changes


def inline_diff(old: str, new: str) -> Pieces:
    """Word-level diff of two texts as (op, text) pieces: "equal", "delete" or "insert"."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: Pieces = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces


def _text(article: Article) -> str:
    """What is compared: the heading (if any) and the body."""
    return f"{article.heading}\n\n{article.body}" if article.heading else article.body


def _compare(old: Article, new: Article) -> ArticleChange:
    same = old.heading == new.heading and old.body == new.body
    return ArticleChange(
        key=new.key,
        label=new.label,
        kind="unchanged" if same else "changed",
        old_body=old.body,
        new_body=new.body,
        pieces=[("equal", _text(new))] if same else inline_diff(_text(old), _text(new)),
        heading=new.heading,
        old_heading=old.heading,
    )


def _added(article: Article) -> ArticleChange:
    return ArticleChange(
        key=article.key,
        label=article.label,
        kind="added",
        old_body="",
        new_body=article.body,
        pieces=[("insert", _text(article))],
        heading=article.heading,
    )


def _removed(article: Article) -> ArticleChange:
    return ArticleChange(
        key=article.key,
        label=article.label,
        kind="removed",
        old_body=article.body,
        new_body="",
        pieces=[("delete", _text(article))],
        old_heading=article.heading,
    )
