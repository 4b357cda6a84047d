"""The only code that turns user text into HTML.

Text is stored exactly as written. Rendering runs a small CommonMark subset
(paragraphs, emphasis, lists, quotes, links, code, rules) with markdown-it-py,
raw HTML disabled so it shows escaped as written, then nh3 (the Rust ammonia
sanitiser) with an allowlist, so `|safe` is used only on what this module
returns.

Both steps are safe under any server threading: nh3 keeps no Python state,
and each thread gets its own parser, since markdown-it-py promises no thread
safety (its optional link detector, linkify-it, keeps each text's matches on
the instance). Both run in time linear in the text: bare links are found here
by one regular expression without backtracking, in one pass (linkify-it is
quadratic on inputs such as "a://" repeated); the adversarial inputs are in
tests/text/test_linear.py.
"""

from __future__ import annotations

import functools
import re
import threading
from importlib.metadata import version

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code", "pre", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Stored HTML carries the version it was rendered with (portal.rendered); a
# change here, or in either library, re-renders it. Bump the first part when
# this module renders differently.
VERSION = f"2/markdown-it-py-{version('markdown-it-py')}/nh3-{version('nh3')}"

# Markdown features outside the subset: headings and images stay text, raw HTML is escaped.
_DISABLED_RULES = ["heading", "lheading", "image", "html_block", "html_inline"]

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# A bare link starts with http(s):// or www. after a non-word character and runs to white
# space or a character a URL never holds. One pass, no backtracking: linear in the text.
_BARE_LINK = re.compile(r"(?<![\w@/.:\-])(?:https?://|www\.)[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\""
_CLOSING = {")": "(", "]": "["}

_local = threading.local()


def _allowed_link(url: str) -> bool:
    """Only http, https and mailto links, or links within the portal (no scheme)."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in ALLOWED_PROTOCOLS


def _trim(url: str) -> str:
    """Leave sentence punctuation and unbalanced closing brackets outside the link."""
    opened = {closing: url.count(opening) for closing, opening in _CLOSING.items()}
    closed = {closing: url.count(closing) for closing in _CLOSING}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _CLOSING and closed[last] > opened[last]:
            closed[last] -= 1
        elif last not in _TRAILING:
            break
        end -= 1
    return url[:end]


def _link_tokens(state: StateCore, text: str, level: int) -> list[Token] | None:
    """`text` as text and link tokens, or None when it holds no bare link."""
    nodes: list[Token] = []
    end = 0
    for match in _BARE_LINK.finditer(text):
        shown = _trim(match.group())
        if "." not in shown.split("//", 1)[-1]:
            continue
        href = state.md.normalizeLink(shown if "://" in shown else "http://" + shown)
        if not state.md.validateLink(href):
            continue
        if match.start() > end:
            nodes.append(_text_token(text[end:match.start()], level))
        opening = Token("link_open", "a", 1, attrs={"href": href}, level=level, markup="linkify", info="auto")
        closing = Token("link_close", "a", -1, level=level, markup="linkify", info="auto")
        nodes += [opening, _text_token(shown, level + 1), closing]
        end = match.start() + len(shown)
    if not nodes:
        return None
    if end < len(text):
        nodes.append(_text_token(text[end:], level))
    return nodes


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _linkify(state: StateCore) -> None:
    """Core rule: bare http(s):// and www. links in text become links, in one pass per paragraph."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            elif token.type == "text" and not in_link:
                nodes = _link_tokens(state, token.content, token.level)
                if nodes is not None:
                    children += nodes
                    continue
            children.append(token)
        block.children = children


def _new_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable(_DISABLED_RULES)
    md.core.ruler.at("linkify", _linkify)
    md.core.ruler.enable("linkify")
    md.validateLink = _allowed_link
    return md


def _parser() -> MarkdownIt:
    """This thread's parser (made on first use)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _new_parser()
    return md


def _new_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_PROTOCOLS),
        link_rel=LINK_REL,
        strip_comments=True,
    )


# Built once: building nh3's allowlists on every call cost more than the cleaning itself.
_CLEANER = _new_cleaner()


def _sanitise(html: str) -> str:
    return _CLEANER.clean(html)


# Stored HTML is sanitised again on every view; the same comment is on many pages and views, and
# nh3 answers the same input with the same output, so short inputs keep their answer (per
# process, at most _KEPT_SANITISED of them, each under _KEPT_SANITISED_LENGTH characters).
_KEPT_SANITISED = 8192
_KEPT_SANITISED_LENGTH = 4096


@functools.lru_cache(maxsize=_KEPT_SANITISED)
def _sanitise_kept(html: str) -> str:
    return _CLEANER.clean(html)


def render_html(text: str | None) -> str:
    """User Markdown as sanitised HTML text, for storing (portal.rendered)."""
    if not text:
        return ""
    return _sanitise(_parser().render(text))


def render(text: str | None) -> Markup:
    """Render user Markdown to sanitised HTML."""
    sanitised = render_html(text)
    return Markup(sanitised)  # nosec B704 # nh3 sanitised it


def stored(html: str | None) -> Markup:
    """HTML this module rendered earlier and the database kept, sanitised again on the way
    out (nh3 is fast), so whatever a stored column holds, a page never runs it."""
    if not html:
        return Markup("")
    sanitised = _sanitise_kept(html) if len(html) < _KEPT_SANITISED_LENGTH else _sanitise(html)
    return Markup(sanitised)  # nosec B704 # sanitised again just above


def render_plain(text: str | None) -> Markup:
    """Render plain text as escaped paragraphs (no Markdown)."""
    if not text:
        return Markup("")
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(p.split("\n"))) for p in paragraphs
    )
