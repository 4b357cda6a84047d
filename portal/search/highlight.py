"""Highlighted fragments of a stored text, for any backend.

A word is marked when its exact (lowercased, accent-folded) form or its stem is
one the query asked for, so `dilatih` is marked for a search for `pelatihan`.
Fragments are (text, is_match) pieces; the templates render them (escaped, matches
in <mark>), so no HTML is made here. Stored texts are Markdown
as written: `plain_text` gives the words they render to, for snippets.
"""

from __future__ import annotations

import re

from portal.search.analysis import TOKEN_PATTERN, normalise

BETWEEN = " … "
# Fragments of a text: each a list of (text, is_match) pieces.
Fragments = list[list[tuple[str, bool]]]

# Markdown syntax a snippet leaves out: [text](url "title") and ![alt](url) keep their text; line
# starts lose heading, quote, list and rule markers; emphasis, strike and code delimiters go where
# they touch a word (so "5 * 3" keeps its asterisk); backslash escapes keep the escaped character.
# Every pattern is linear: possessive repeats, bounded spans, and a delimiter run is only tried
# where it starts.
_LINK = re.compile(r'!?\[([^\[\]\n]{0,300}+)\]\([^()\s]{0,2000}+(?:[ \t]++"[^"\n]{0,300}+")?\)')
_LINE_START = re.compile(r"^[ \t]{0,3}+(?:(?:>[ \t]?+)++|#{1,6}+[ \t]++|[-*+][ \t]++(?:\[[ xX]\][ \t]++)?)", re.MULTILINE)
_RULE = re.compile(r"^[ \t]{0,3}+(?:(?:[-*_][ \t]*+){3,}+|=++[ \t]*+|#++[ \t]*+)$", re.MULTILINE)
_DELIMITER = r"(?:\*++|_++|~~|`++)"
_OPENING = re.compile(r"(?<![\w\\*_~`])" + _DELIMITER + r"(?=[^\s*_~`])")
_CLOSING = re.compile(r"(?<=[^\s*_~`\\])" + _DELIMITER + r"(?![\w*_~`])")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINE_MARKERS = frozenset("#>-*+=_")


def plain_text(markdown: str) -> str:
    """The words a Markdown text renders to, without its syntax (`**penting**` -> `penting`)."""
    if not markdown:
        return ""
    text = markdown
    # Each pattern only where its characters occur: most texts are a plain line (and a rebuild
    # runs this on every document).
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if "\n" in text or text.lstrip()[:1] in _LINE_MARKERS:
        text = _RULE.sub("", text)
        text = _LINE_START.sub("", text)
    if any(mark in text for mark in "*_~`"):
        text = _OPENING.sub("", text)
        text = _CLOSING.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return text


def highlight(text: str, words: frozenset[str], stems: frozenset[str], top: int = 2, maxchars: int = 240,
              surround: int = 60) -> Fragments:
    """The `top` fragments of `text` with the most matched words (in text order), or an empty list.

    A fragment holds matched words within `maxchars` characters, with up to `surround` characters of
    context on each side, cut at spaces; it is a list of (text, is_match) pieces that templates render
    (escaped, matches in <mark>), joined by BETWEEN.
    """
    spans = []
    for match in TOKEN_PATTERN.finditer(text):
        word, stem, stopped = normalise(match.group(0))
        if not stopped and (word in words or stem in stems):
            spans.append((match.start(), match.end()))
    if not spans:
        return []
    fragments = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= maxchars:
            last += 1
        start = _cut_before(text, spans[first][0], surround)
        end = _cut_after(text, spans[last][1], surround)
        fragments.append((start, end, spans[first:last + 1]))
        first = last + 1
    best = sorted(fragments, key=lambda fragment: -len(fragment[2]))[:top]
    return [_pieces(text, *fragment) for fragment in sorted(best)]


def plain(text: str) -> Fragments:
    """`text` as one fragment without matches (for a result whose field matched nothing)."""
    return [[(text, False)]] if text else []


def _cut_before(text: str, start: int, surround: int) -> int:
    """Up to `surround` characters before `start`, beginning after a space (or at the text's start)."""
    begin = max(0, start - surround)
    if begin == 0:
        return 0
    space = text.find(" ", begin, start)
    return space + 1 if space != -1 else start


def _cut_after(text: str, end: int, surround: int) -> int:
    """Up to `surround` characters after `end`, stopping at a space (or at the text's end)."""
    stop = min(len(text), end + surround)
    if stop == len(text):
        return stop
    space = text.rfind(" ", end, stop)
    return space if space != -1 else end


def _pieces(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces = []
    at = start
    for span_start, span_end in spans:
        if span_start > at:
            pieces.append((text[at:span_start], False))
        pieces.append((text[span_start:span_end], True))
        at = span_end
    if end > at:
        pieces.append((text[at:end], False))
    return pieces
