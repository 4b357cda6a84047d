"""Highlighted fragments: stemmed and exact matches marked, text escaped, long texts cut at spaces."""

from __future__ import annotations

from portal.search.analysis import index_terms
from portal.search.highlight import highlight


def query_terms(words: str) -> tuple[frozenset[str], frozenset[str]]:
    exact, stemmed = index_terms(words)
    return frozenset(exact), frozenset(stemmed)


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
