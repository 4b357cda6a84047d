"""The themes engine: same input same themes, readable labels, quotes from the members, nothing dropped."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from portal.aspirations.themes.engine import Doc, compute
from portal.aspirations.themes.text import Prepared
from tests.aspirations.themes.corpus import LABELLED

BLNS = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "blns" / "blns.json"


def docs_of(pairs=LABELLED, start=1):
    return [Doc(id=start + i, text=text) for i, (text, _label) in enumerate(pairs)]


def accounted(result, docs):
    """Every doc id exactly once: in one theme or in `other`."""
    placed = [m for theme in result.themes for m in theme.members] + result.other
    return sorted(placed) == sorted(doc.id for doc in docs)


def test_same_input_same_themes():
    docs = docs_of()
    first, second = compute(docs, k=3), compute(list(docs), k=3)
    assert first == second
    assert compute(docs) == compute(docs)


def test_three_subjects_become_three_themes():
    docs = docs_of()
    label_of = {doc.id: label for doc, (_text, label) in zip(docs, LABELLED, strict=True)}
    result = compute(docs, k=3)
    assert len(result.themes) == 3 and accounted(result, docs)
    majorities = []
    for theme in result.themes:
        label, count = Counter(label_of[m] for m in theme.members).most_common(1)[0]
        majorities.append(label)
        assert count >= 0.7 * len(theme.members), theme
    assert sorted(majorities) == ["pay", "staffing", "training"]


def test_labels_are_words_people_wrote_not_stems():
    docs = docs_of()
    written = {word for doc in docs for word in re.findall(r"\w+", doc.text.lower())}
    result = compute(docs, k=3)
    for theme in result.themes:
        assert theme.terms and theme.label == ", ".join(theme.terms[:3])
        for term in theme.terms:
            assert set(term.split()) <= written, term
    words = {word for theme in result.themes for term in theme.terms for word in term.split()}
    assert words & {"pelatihan", "formasi", "tunjangan", "gaji"}
    assert "latih" not in words  # the stem of pelatihan/dilatih/latihan, never written


def test_negation_stays_with_its_word():
    prepared = Prepared()
    tokens = prepared.tokens("Saya tidak setuju dengan usulan ini, tapi setuju yang lain")
    assert tokens[0].startswith("tidak_") and tokens.count(tokens[0]) == 1
    assert prepared.readable(tokens[0]) == "tidak setuju"


def test_quotes_are_the_most_central_distinct_members():
    docs = docs_of() + [Doc(id=100, text=LABELLED[0][0]), Doc(id=101, text=LABELLED[0][0])]
    result = compute(docs, k=3)
    texts = {doc.id: doc.text for doc in docs}
    for theme in result.themes:
        assert 2 <= len(theme.quotes) <= 3
        assert set(theme.quotes) <= set(theme.members)
        assert theme.quotes[0] == theme.members[0]
        assert len({texts[q] for q in theme.quotes}) == len(theme.quotes)


def test_a_text_about_nothing_else_goes_to_other():
    docs = docs_of() + [Doc(id=500, text="Cuaca cerah sekali di pantai minggu lalu."), Doc(id=501, text="yang dan di")]
    result = compute(docs, k=3)
    assert accounted(result, docs)
    assert {500, 501} <= set(result.other)


def test_a_campaign_counts_every_copy_without_taking_over():
    docs = docs_of() + [Doc(id=900, text="Gaji honorer harus naik tahun ini juga, kami menuntut keadilan.", weight=40)]
    result = compute(docs, k=3)
    assert accounted(result, docs)
    weight = {doc.id: doc.weight for doc in docs}
    assert sum(theme.size for theme in result.themes) + sum(weight[o] for o in result.other) == 36 + 40
    assert len(result.themes) == 3  # the other subjects still have their themes
    holder = next(theme for theme in result.themes if 900 in theme.members)
    assert holder.size >= 40


def test_the_number_of_themes_is_chosen_within_bounds():
    result = compute(docs_of())
    assert 2 <= result.settings["k"] <= 12
    assert result.settings["k_stability"] and result.settings["seed"]
    assert "scikit-learn" in result.settings["versions"]


@pytest.mark.parametrize("docs", [
    [],
    [Doc(id=1, text="Formasi perawat di puskesmas masih kurang.")],
    [Doc(id=i, text="yang dan di ke dari untuk ini itu") for i in range(10)],
    [Doc(id=i, text="") for i in range(5)],
    [Doc(id=i, text="!!! ??? 123 456 ...") for i in range(5)],
])
def test_too_little_to_theme_puts_everything_in_other(docs):
    result = compute(docs)
    assert result.themes == [] and result.other == [doc.id for doc in docs]
    assert result.settings["k"] == 0


def test_naughty_strings_and_very_long_texts_never_raise():
    strings = json.loads(BLNS.read_text(encoding="utf-8"))
    docs = [Doc(id=i, text=text) for i, text in enumerate(strings)]
    docs += [Doc(id=10_000, text="pelatihan pegawai " * 50_000), Doc(id=10_001, text="x" * 300_000)]
    docs += docs_of(start=20_000)
    for k in (None, 3, 50):
        result = compute(docs, k=k)
        assert accounted(result, docs)
        assert all(theme.terms and theme.quotes for theme in result.themes)


OFF_TOPIC = [
    "Cuaca cerah sekali di pantai minggu lalu.",
    "Pantai ramai saat cuaca cerah dan angin tenang.",
    "Hujan deras, pantai sepi dan cuaca dingin.",
]


def test_other_holds_the_off_topic_texts_and_no_on_topic_one():
    docs = docs_of() + [Doc(id=600 + i, text=text) for i, text in enumerate(OFF_TOPIC)]
    for k in (None, 2, 3):
        result = compute(docs, k=k)
        assert accounted(result, docs)
        assert sorted(result.other) == [600, 601, 602], k  # they share words, but with no theme


EMOT = BLNS.parents[1] / "indonesian" / "emot" / "test_preprocess.csv"
STAFFING_COMMENTS = [
    "Formasi perawat puskesmas kecamatan harus ditambah sesuai kebutuhan formasi.",
    "Kebutuhan formasi perawat dan bidan di puskesmas belum dihitung.",
    "Analisis jabatan perawat puskesmas memakai data kunjungan pasien.",
]


@pytest.mark.skipif(not EMOT.exists(), reason="the shared Indonesian corpora are not here")
def test_varied_texts_mostly_fit_a_theme_and_a_stray_subject_stays_in_other():
    """Tweets on everything fall into a few broad themes: most of them belong to one (before the floor
    relative to each theme, a quarter of them went to `other`), while three comments on a subject no tweet
    shares stay out."""
    import csv

    with EMOT.open(encoding="utf-8") as handle:
        tweets = [row["tweet"] for row in csv.DictReader(handle)]
    docs = [Doc(id=i, text=text) for i, text in enumerate(tweets)]
    docs += [Doc(id=10_000 + i, text=text) for i, text in enumerate(STAFFING_COMMENTS)]
    for k in (None, 5):
        result = compute(docs, k=k)
        assert accounted(result, docs)
        assert len(result.other) < 0.15 * len(docs), (k, len(result.other))
        assert {10_000, 10_001, 10_002} <= set(result.other), k
