"""Split a policy text into its articles (Pasal).

The authoring format is Markdown: chapter lines ``## BAB I — Ketentuan Umum``,
article lines ``### Pasal 1`` (optionally ``### Pasal 1 — Heading``), an
optional heading line, then the body with its ayat ``(1) ...``. The plain
layout of published statutes is read too: ``BAB I`` with the chapter title on
the next line (or on the same line), and ``Pasal 1`` on a line of its own.
Text before the first Pasal is the preamble (key ``pembukaan``).

Parsing never fails: scanned (OCR) texts repeat or garble numbers, so a
repeated Pasal number gets a suffixed key and the text goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREAMBLE_KEY = "pembukaan"
PREAMBLE_LABEL = "Pembukaan"
# Column sizes of the Article model.
MAX_CHAPTER = 300
MAX_HEADING = 300
MAX_LABEL = 100
MAX_HEADING_GUESS = 120  # a longer line after "Pasal n" is body, not a heading
MAX_HEADING_WORDS = 12

_ROMAN = r"[IVXLCDM]+"
_SEPARATOR = r"\s*(?:[—–:.]|-{1,2})?\s*"
# "## BAB I — Ketentuan Umum", "BAB I KETENTUAN UMUM", "BAB I".
_CHAPTER = re.compile(rf"^(?:#{{1,6}}\s*)?BAB\s+({_ROMAN})\b{_SEPARATOR}(.*)$")
# "### Pasal 1", "### Pasal 1 — Heading", "Pasal 12A", "Pasal 2 (1) text" (OCR).
_ARTICLE = re.compile(r"^(#{1,6}\s*)?Pasal\s+(\d{1,5}[A-Za-z]?)(?![\w])\s*(.*)$")
_HEADING_SEPARATOR = re.compile(r"^(?:[—–:]|-{1,2})\s*")
# An article line hidden inside a chapter line: "BAB II TITLE Pasal 2 (1) ...".
_INLINE_ARTICLE = re.compile(r"\s(Pasal\s+\d{1,5}[A-Za-z]?(?![\w]).*)$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*$")
_SENTENCE_BREAK = re.compile(r"[.;:!?]\s")
_NOT_A_HEADING = re.compile(r"^(?:\(|\d|[a-z]\.|[-*+>]\s|Ayat\b|Huruf\b|Angka\b|Cukup\b)")


@dataclass
class ParsedArticle:
    """One article (or the preamble) as found in a text."""

    key: str
    position: int
    chapter: str
    label: str
    heading: str
    body: str


@dataclass
class _Draft:
    number: str | None  # None for the preamble
    chapter: str
    label: str
    heading: str = ""
    lines: list[str] | None = None
    heading_open: bool = False  # the next text line may still be the heading

    def __post_init__(self):
        self.lines = self.lines or []


def parse_articles(text: str | None) -> list[ParsedArticle]:
    """Split `text` into the preamble and its articles, in order, with unique keys."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    drafts: list[_Draft] = []
    current = _Draft(number=None, chapter="", label=PREAMBLE_LABEL)
    chapter = ""
    pending_title = False  # saw "BAB I" alone; its title is on the next line
    queue = list(reversed(lines))
    while queue:
        raw = queue.pop()
        line = raw.strip()
        if pending_title and line:
            pending_title = False
            if not _ARTICLE.match(line) and not _CHAPTER.match(line):
                chapter = _clip(f"{chapter} — {_strip_markup(line)}", MAX_CHAPTER)
                continue
        chapter_match = _CHAPTER.match(line)
        if chapter_match:
            roman, title = chapter_match.groups()
            inline = _INLINE_ARTICLE.search(" " + title)
            if inline:
                # OCR glued the first Pasal to the chapter title; read it as its own line.
                queue.append(inline.group(1))
                title = (" " + title)[: inline.start()].strip()
            title = _strip_markup(title)
            chapter = _clip(f"BAB {roman} — {title}" if title else f"BAB {roman}", MAX_CHAPTER)
            pending_title = not title
            continue
        article_match = _ARTICLE.match(line)
        if article_match and _starts_article(article_match):
            hashes, number, rest = article_match.groups()
            drafts.append(current)
            current = _Draft(number=number, chapter=chapter, label=_clip(f"Pasal {number}", MAX_LABEL))
            rest = rest.strip()
            separated = _HEADING_SEPARATOR.match(rest)
            if rest and (hashes or separated):
                current.heading = _clip(_strip_markup(rest[separated.end():] if separated else rest), MAX_HEADING)
            elif rest:
                current.lines.append(rest)  # "Pasal 2 (1) text": the rest is body
            else:
                current.heading_open = True
            continue
        if current.heading_open and line:
            current.heading_open = False
            heading = _heading_from(line)
            if heading is not None:
                current.heading = _clip(heading, MAX_HEADING)
                continue
        current.lines.append(raw.rstrip())
    drafts.append(current)
    return _finish(drafts)


def _finish(drafts: list[_Draft]) -> list[ParsedArticle]:
    """Drop an empty preamble, trim bodies and give every article a unique key."""
    articles: list[ParsedArticle] = []
    used: set[str] = set()
    for draft in drafts:
        body = "\n".join(draft.lines).strip("\n")
        if draft.number is None:
            if not body.strip():
                continue
            key = PREAMBLE_KEY
        else:
            key = "pasal-" + draft.number.lower()
        key = _unique(key, used)
        articles.append(
            ParsedArticle(
                key=key,
                position=len(articles),
                chapter=draft.chapter,
                label=draft.label,
                heading=draft.heading,
                body=_dedent(body),
            )
        )
    return articles


def _unique(key: str, used: set[str]) -> str:
    """`key`, or `key-2`, `key-3`… when it was already taken."""
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}-{n}"
    used.add(candidate)
    return candidate


def _starts_article(match: re.Match) -> bool:
    """Whether an "Pasal n ..." line opens an article rather than citing one.

    "Pasal 5 ayat (2) Undang-Undang ..." or "Pasal 20 dan Pasal 21 ..." at the
    start of a line cite other articles; an article line has nothing after the
    number, a heading, or the start of its body ("(1) ...", "Setiap ...").
    """
    hashes, _number, rest = match.groups()
    rest = rest.strip()
    if hashes or not rest:
        return True
    return rest[0] in "(—–:-" or rest[0].isupper()


def _heading_from(line: str) -> str | None:
    """The line as an article heading, or None when it reads as body text."""
    match = _MARKDOWN_HEADING.match(line) or _BOLD_LINE.match(line)
    if match:
        return match.group(1).strip()
    if len(line) > MAX_HEADING_GUESS or _NOT_A_HEADING.match(line):
        return None
    if line[-1] in ".,;:)" or not line[0].isupper() or line.isupper():
        return None  # an upper-case line after "Pasal n" is a scanned page header
    if _SENTENCE_BREAK.search(line) or len(line.split()) > MAX_HEADING_WORDS:
        return None
    return line


def _strip_markup(text: str) -> str:
    """A heading without Markdown emphasis or closing hashes."""
    text = text.strip().rstrip("#").strip()
    match = _BOLD_LINE.match(text)
    return match.group(1).strip() if match else text


def _dedent(body: str) -> str:
    """Remove the indentation every line shares (Markdown would read it as code)."""
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines) if cut else body


def _clip(text: str, limit: int) -> str:
    """Cut `text` to fit a column of `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_ITEM_START = re.compile(r"^\s*(?:\(\d{1,3}[a-z]?\)|[a-z]\.|\d{1,3}\.)\s")


def spaced_items(body: str) -> str:
    """The body with a blank line before each ayat "(1)" and item "a." / "1.", so
    Markdown shows them on their own lines instead of one run-on paragraph."""
    out: list[str] = []
    for line in (body or "").split("\n"):
        if out and out[-1].strip() and _ITEM_START.match(line):
            out.append("")
        out.append(line)
    return "\n".join(out)
