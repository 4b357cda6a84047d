"""The only code that turns user text into HTML.

Text is stored exactly as written. Rendering runs a small Markdown subset
(paragraphs, emphasis, lists, quotes, links) and then bleach with an
allowlist, so `|safe` is used only on what this module returns.
"""

from __future__ import annotations

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code", "pre", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _set_rel(attrs, new=False):
    """Give every link rel="nofollow ugc noopener"."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)
_linker = bleach.linkifier.Linker(callbacks=[_set_rel], skip_tags={"pre", "code"})


class _NoRawHtml(markdown.extensions.Extension):
    """Treat raw HTML in user text as text, so it shows escaped, as written."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render(text: str | None) -> Markup:
    """Render user Markdown to sanitised HTML."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["sane_lists", _NoRawHtml()], output_format="html")
    return Markup(_linker.linkify(_cleaner.clean(html)))


def render_plain(text: str | None) -> Markup:
    """Render plain text as escaped paragraphs (no Markdown)."""
    if not text:
        return Markup("")
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(p.split("\n"))) for p in paragraphs
    )
