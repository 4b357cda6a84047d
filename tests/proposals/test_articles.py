"""The article parser: authoring format, statute layout, OCR noise."""

from __future__ import annotations

import re

import pytest

from portal.proposals.articles import parse_articles, spaced_items
from tests.conftest import CORPORA

ARTICLE_LINE = re.compile(r"^(#+\s*)?(BAB\s+[IVXLC]+\b.*?\s)?Pasal\s+\d")
REGULATIONS = sorted((CORPORA / "regulations").glob("*.md"))


def test_markdown_authoring_format_gives_chapters_articles_and_headings():
    text = (
        "Menimbang: bahwa perlu diatur.\n\n"
        "## BAB I — Ketentuan Umum\n\n"
        "### Pasal 1\nPengertian\n\n(1) Jabatan adalah kedudukan.\n(2) OPD adalah perangkat daerah.\n\n"
        "### Pasal 1A — Sisipan\nIsi sisipan.\n\n"
        "## BAB II — Kebutuhan\n\n"
        "### Pasal 2\n\nKebutuhan pegawai dihitung setiap tahun.\n"
    )
    articles = parse_articles(text)
    assert [a.key for a in articles] == ["pembukaan", "pasal-1", "pasal-1a", "pasal-2"]
    assert [a.position for a in articles] == [0, 1, 2, 3]
    preamble, first, inserted, second = articles
    assert preamble.body == "Menimbang: bahwa perlu diatur."
    assert preamble.chapter == ""
    assert first.chapter == "BAB I — Ketentuan Umum"
    assert (first.label, first.heading) == ("Pasal 1", "Pengertian")
    assert first.body == "(1) Jabatan adalah kedudukan.\n(2) OPD adalah perangkat daerah."
    assert (inserted.label, inserted.heading, inserted.body) == ("Pasal 1A", "Sisipan", "Isi sisipan.")
    assert second.chapter == "BAB II — Kebutuhan"
    assert second.heading == ""
    assert second.body == "Kebutuhan pegawai dihitung setiap tahun."


def test_plain_statute_layout_reads_chapter_title_from_next_line():
    text = "BAB I\nKETENTUAN UMUM\n\nPasal 1\nDalam Undang-undang ini yang dimaksud dengan:\na. Pegawai adalah ...\n\nPasal 2\nCukup jelas."
    articles = parse_articles(text)
    assert [a.key for a in articles] == ["pasal-1", "pasal-2"]
    assert articles[0].chapter == "BAB I — KETENTUAN UMUM"
    assert articles[0].heading == ""  # a sentence ending in ":" is body, not a heading
    assert articles[0].body.startswith("Dalam Undang-undang ini")
    assert articles[1].body == "Cukup jelas."


def test_chapter_and_article_glued_on_one_line_are_split():
    articles = parse_articles("BAB II PARTISIPASI MASYARAKAT Pasal 2 (1) Masyarakat berhak berpartisipasi.")
    assert len(articles) == 1
    assert articles[0].chapter == "BAB II — PARTISIPASI MASYARAKAT"
    assert articles[0].key == "pasal-2"
    assert articles[0].body == "(1) Masyarakat berhak berpartisipasi."


def test_a_line_citing_another_pasal_does_not_start_an_article():
    text = "Mengingat:\nPasal 20 dan Pasal 21 Undang-Undang Dasar 1945;\nPasal 5 ayat (2) Undang-Undang Dasar;\n\nPasal 1\nIsi."
    articles = parse_articles(text)
    assert [a.key for a in articles] == ["pembukaan", "pasal-1"]
    assert "Pasal 20 dan Pasal 21" in articles[0].body


def test_duplicate_pasal_numbers_get_suffixed_keys_and_keep_their_text():
    articles = parse_articles("Pasal 1\nSatu.\n\nPasal 1\nSatu lagi.\n\nPasal 1\nKetiga.\n\nPasal 2\nDua.")
    assert [a.key for a in articles] == ["pasal-1", "pasal-1-2", "pasal-1-3", "pasal-2"]
    assert [a.body for a in articles] == ["Satu.", "Satu lagi.", "Ketiga.", "Dua."]
    assert all(a.label == "Pasal 1" for a in articles[:3])


@pytest.mark.parametrize("text", ["", "   \n\n ", None])
def test_empty_text_has_no_articles(text):
    assert parse_articles(text) == []


def test_text_without_any_pasal_is_all_preamble():
    articles = parse_articles("Surat edaran tanpa pasal.\r\nBaris kedua.")
    assert [(a.key, a.body) for a in articles] == [("pembukaan", "Surat edaran tanpa pasal.\nBaris kedua.")]


def test_bold_heading_and_long_chapter_titles_fit_their_columns():
    articles = parse_articles("## BAB I — " + "Judul " * 100 + "\n### Pasal 1\n**Tujuan**\nIsi.")
    assert len(articles[0].chapter) <= 300
    assert articles[0].heading == "Tujuan"
    assert articles[0].body == "Isi."


def test_ayat_are_spaced_for_markdown_without_touching_other_lines():
    assert spaced_items("Isi:\n(1) satu;\n(2) dua.\nlanjutan") == "Isi:\n\n(1) satu;\n\n(2) dua.\nlanjutan"


@pytest.mark.parametrize("path", REGULATIONS, ids=[p.name for p in REGULATIONS])
def test_every_statute_in_the_corpus_parses_with_unique_keys(path):
    text = path.read_text(encoding="utf-8")
    articles = parse_articles(text)
    keys = [a.key for a in articles]
    assert len(keys) == len(set(keys))
    assert all(len(k) <= 40 and len(a.label) <= 100 and len(a.chapter) <= 300 and len(a.heading) <= 300
               for k, a in zip(keys, articles, strict=True))
    # About every line opening with "Pasal n" (body and elucidation, also glued to a BAB line) is an article.
    pasal_lines = sum(1 for line in text.splitlines() if ARTICLE_LINE.match(line.strip()))
    assert len(articles) >= 0.9 * pasal_lines
    assert len(articles) <= pasal_lines + 1
    assert articles[0].key == "pembukaan"


def test_the_asn_law_body_gives_its_articles_in_order():
    text = (CORPORA / "regulations" / "uu-2014-5.md").read_text(encoding="utf-8")
    body = text.split("Agar setiap orang mengetahuinya")[0]
    articles = parse_articles(body)
    # The source text lacks the line "Pasal 47" (its text runs on in Pasal 46).
    expected = ["pembukaan"] + [f"pasal-{n}" for n in range(1, 142) if n != 47]
    assert [a.key for a in articles] == expected
    assert articles[-1].chapter == "BAB XV — KETENTUAN PENUTUP"
