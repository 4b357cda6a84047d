"""What `portal.text` makes of user Markdown: the allowed subset, raw HTML shown
as written, code shown once escaped, links that are safe to follow."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal import text

from tests.conftest import executable_markup


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def outside_the_allowlist(html: str) -> list[str]:
    """Every tag, attribute or link in `html` that the allowlist does not permit."""
    found = []
    for tag, attrs in tags_of(html):
        if tag not in text.ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name in attrs:
            if name not in text.ALLOWED_ATTRIBUTES.get(tag, set()) and not (tag == "a" and name == "rel"):
                found.append(f"{tag} {name}=")
        if tag == "a":
            if attrs.get("rel") != text.LINK_REL:
                found.append(f"a rel={attrs.get('rel')!r}")
            scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", attrs.get("href") or "")
            if scheme and scheme.group(1).lower() not in text.ALLOWED_PROTOCOLS:
                found.append(f"a href={attrs['href']!r}")
    return found


def test_the_subset_renders_paragraphs_emphasis_lists_quotes_links_code_and_rules():
    html = text.render(
        "Satu *miring* dan **tebal**.\n\nDua `kode`.\n\n- a\n- b\n\n3. tiga\n4. empat\n\n"
        "> kutipan\n\n[BKPSDM](https://bkpsdm.pemkomedan.go.id \"Situs\")\n\n---\n\n```\nx = 1\n```"
    )
    assert "<p>Satu <em>miring</em> dan <strong>tebal</strong>.</p>" in html
    assert "<p>Dua <code>kode</code>.</p>" in html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert '<ol start="3">\n<li>tiga</li>\n<li>empat</li>\n</ol>' in html
    assert "<blockquote>\n<p>kutipan</p>\n</blockquote>" in html
    assert ('<a href="https://bkpsdm.pemkomedan.go.id" title="Situs" rel="nofollow ugc noopener">BKPSDM</a>'
            in html)
    assert "<hr>" in html
    assert "<pre><code>x = 1\n</code></pre>" in html


def test_raw_html_shows_escaped_as_written():
    assert text.render("Isi <b>tebal</b> & <script>alert(1)</script>") == (
        "<p>Isi &lt;b&gt;tebal&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert text.render("<div>\n<h1>Judul</h1>\n</div>") == "<p>&lt;div&gt;\n&lt;h1&gt;Judul&lt;/h1&gt;\n&lt;/div&gt;</p>\n"


@pytest.mark.parametrize("source", ["```\n<h1>Judul</h1> & co\n```", "~~~html\n<h1>Judul</h1> & co\n~~~",
                                    "Contoh:\n\n    <h1>Judul</h1> & co"])
def test_a_code_block_shows_its_html_once_escaped(source):
    # Once escaped in the source, the reader sees the literal text "<h1>Judul</h1> & co".
    html = text.render(source)
    assert "<pre><code>&lt;h1&gt;Judul&lt;/h1&gt; &amp; co\n</code></pre>" in html
    assert "&amp;lt;" not in html


def test_inline_code_shows_its_html_once_escaped():
    assert text.render("Tulis `<h1>` di sini.") == "<p>Tulis <code>&lt;h1&gt;</code> di sini.</p>\n"


def test_headings_and_images_are_outside_the_subset_and_stay_readable():
    assert text.render("# Judul besar") == "<p># Judul besar</p>\n"
    assert text.render("Judul\n=====") == "<p>Judul\n=====</p>\n"
    # An image is offered as a link to it, never loaded into the page.
    assert text.render("![denah](https://contoh.id/denah.png)") == (
        '<p>!<a href="https://contoh.id/denah.png" rel="nofollow ugc noopener">denah</a></p>\n'
    )


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)",
                                  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                                  "file:///etc/passwd", "ftp://contoh.id/berkas"])
def test_links_other_than_http_https_and_mailto_stay_text(link):
    html = text.render(f"[klik]({link}) <{link}>")
    assert "<a" not in html
    assert "klik" in html


def test_links_get_rel_nofollow_ugc_noopener_and_keep_their_address():
    html = text.render("[surat](mailto:bkpsdm@pemkomedan.go.id) [pasal](/policies/x#pasal-1) "
                       "<https://pemkomedan.go.id/a?b=1&c=2>")
    assert '<a href="mailto:bkpsdm@pemkomedan.go.id" rel="nofollow ugc noopener">surat</a>' in html
    assert '<a href="/policies/x#pasal-1" rel="nofollow ugc noopener">pasal</a>' in html
    assert ('<a href="https://pemkomedan.go.id/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "https://pemkomedan.go.id/a?b=1&amp;c=2</a>") in html


def test_bare_addresses_become_links_without_their_punctuation():
    html = text.render("Lihat https://medan.go.id/data_(2026). Atau www.bps.go.id, (juga http://x.id/p)!")
    assert '<a href="https://medan.go.id/data_(2026)" rel="nofollow ugc noopener">https://medan.go.id/data_(2026)</a>. ' in html
    assert '<a href="http://www.bps.go.id" rel="nofollow ugc noopener">www.bps.go.id</a>, ' in html
    assert '(juga <a href="http://x.id/p" rel="nofollow ugc noopener">http://x.id/p</a>)!' in html


def test_bare_addresses_in_code_links_and_escapes_stay_as_they_are():
    html = text.render("`https://a.id` [teks https://b.id](https://c.id) https\\://d.id\n\n    https://e.id")
    assert html.count("<a ") == 1
    assert '<a href="https://c.id" rel="nofollow ugc noopener">teks https://b.id</a>' in html
    assert "<code>https://a.id</code>" in html and "https://d.id" in html and "https://e.id" in html


def test_empty_text_renders_nothing():
    assert text.render("") == "" and text.render(None) == ""


def test_every_corpus_text_renders_inside_the_allowlist(corpus):
    for source in corpus:
        html = text.render(source)
        assert executable_markup(html) == [], repr(source)
        assert outside_the_allowlist(html) == [], repr(source)


def test_stored_html_is_sanitised_again_on_the_way_out():
    assert text.stored('<p onclick="x()">a</p><script>alert(1)</script><a href="javascript:x">b</a>') == (
        '<p>a</p><a rel="nofollow ugc noopener">b</a>'
    )
    assert text.stored(None) == ""
