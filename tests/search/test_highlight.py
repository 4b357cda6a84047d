"""Highlighted fragments: stemmed and exact matches marked, text escaped, long texts cut at spaces."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal.search.analysis import index_terms
from portal.search.highlight import highlight as pieces_of


@pytest.fixture(autouse=True)
def _app(app):
    """The templates render the pieces."""


def highlight(text: str, words, stems, **options) -> str:
    """The fragments as the search page renders them (through the `highlighted` macro)."""
    fragments = pieces_of(text, words, stems, **options)
    with_context = render_template_string(
        '{% from "_macros.html" import highlighted %}{{ highlighted(fragments) }}', fragments=fragments
    )
    return with_context


def query_terms(words: str) -> tuple[frozenset[str], frozenset[str]]:
    exact, stemmed = index_terms(words)
    return frozenset(exact), frozenset(stemmed)


def test_the_highlighter_returns_pieces_not_html():
    words, stems = query_terms("pelatihan")
    assert pieces_of("Pegawai <b>baru</b> dilatih.", words, stems) == [
        [("Pegawai <b>baru</b> ", False), ("dilatih", True), (".", False)]
    ]


def test_stemmed_forms_are_marked_and_the_rest_escaped():
    words, stems = query_terms("pelatihan")
    html = highlight('Pegawai <b>baru</b> harus dilatih & mengikuti Pelatihan.', words, stems)
    assert str(html) == "Pegawai &lt;b&gt;baru&lt;/b&gt; harus <mark>dilatih</mark> &amp; mengikuti <mark>Pelatihan</mark>."


def test_no_match_gives_nothing_so_the_caller_shows_the_start():
    words, stems = query_terms("anggaran")
    assert str(highlight("Pegawai baru harus dilatih.", words, stems)) == ""


def test_long_texts_show_the_best_fragments_cut_at_spaces():
    filler = " ".join(["kata"] * 200)
    text = f"{filler} anggaran pertama {filler} anggaran kedua dan anggaran ketiga {filler}"
    words, stems = query_terms("anggaran")
    html = str(highlight(text, words, stems, top=1))
    assert html.count("<mark>") == 2 and "kedua" in html and "pertama" not in html
    assert len(html) < 240 + 2 * 60 + 40 and html.startswith("kata ") and html.endswith(" kata")
    both = str(highlight(text, words, stems, top=2))
    assert both.count("<mark>") == 3 and " … " in both and both.index("pertama") < both.index("kedua")


def test_markdown_syntax_is_left_out_of_the_words_a_snippet_shows():
    from portal.search.highlight import plain_text

    markdown = (
        "# Usulan\n\n> Kutipan **penting** dari _warga_\n\n- satu `kode`\n- dua ~~lama~~ baru\n\n---\n\n"
        "Lihat [Perwal 12](https://jdih.pemkomedan.go.id/perwal \"judul\") dan ![bagan](bagan.png). "
        "***Sangat*** penting: 5 * 3 = 15, nama_berkas tetap, \\*bukan miring\\*."
    )
    assert plain_text(markdown) == (
        "Usulan\n\nKutipan penting dari warga\n\nsatu kode\ndua lama baru\n\n\n\n"
        "Lihat Perwal 12 dan bagan. Sangat penting: 5 * 3 = 15, nama_berkas tetap, *bukan miring*."
    )


def test_plain_text_of_naughty_and_adversarial_strings_only_drops_syntax(blns):
    import re

    from portal.search.highlight import plain_text

    words = re.compile(r"[^\W_]+")
    for text in blns + ["[" * 20_000, "![" * 10_000, "*a **b" * 4_000, "[a](" * 5_000, "> " * 10_000]:
        plain = plain_text(text)
        assert len(plain) <= len(text)
        assert set(words.findall(plain)) <= set(words.findall(text)), text[:80]
