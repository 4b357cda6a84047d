"""The Indonesian analyzer: stems, exact forms, English, case and accents, and the pickled index."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portal.search.analysis import NEGATIONS, STOP_WORDS, tokens
from portal.search.backend import Document, SearchQuery, Visibility
from portal.search.whoosh_backend import WhooshBackend

pytestmark = pytest.mark.whoosh_only  # the Whoosh backend's own workings

ROOT = Path(__file__).resolve().parents[2]


def _doc(n: int, text: str, title: str = "") -> Document:
    return Document(doc_id=f"contribution:{n}", doc_type="contribution", db_id=n, kind="comment",
                    status="published", title=title, text=text)


def _ids(backend: WhooshBackend, words: str) -> list[int]:
    results = backend.search(SearchQuery(text=words), Visibility())
    return [hit.db_id for hit in results.hits]


def test_pelatihan_dilatih_and_latihan_meet(tmp_path):
    backend = WhooshBackend(tmp_path / "ix")
    backend.index_documents([
        _doc(1, "Pegawai perlu pelatihan rutin."),
        _doc(2, "Mereka sudah dilatih dengan baik."),
        _doc(3, "Jadwal latihan tidak jelas."),
        _doc(4, "Anggaran gedung kantor."),
    ])
    for word in ("pelatihan", "dilatih", "latihan"):
        assert sorted(_ids(backend, word)) == [1, 2, 3], word


def test_exact_form_ranks_above_an_overstemmed_match(tmp_path):
    # Sastrawi turns "perpajakan" into "paja"; a text that only says "paja" must rank lower.
    assert tokens("perpajakan") == ["paja"]
    backend = WhooshBackend(tmp_path / "ix")
    backend.index_documents([_doc(1, "Paja paja dan lain lain."), _doc(2, "Soal perpajakan daerah.")])
    assert _ids(backend, "perpajakan") == [2, 1]


def test_english_words_stay_findable(tmp_path):
    backend = WhooshBackend(tmp_path / "ix")
    backend.index_documents([_doc(1, "The leadership training was useful."), _doc(2, "Pelatihan kepemimpinan.")])
    assert _ids(backend, "training") == [1]
    assert _ids(backend, "leadership") == [1]


def test_case_and_accents_do_not_matter(tmp_path):
    backend = WhooshBackend(tmp_path / "ix")
    backend.index_documents([_doc(1, "Kafé di kantor CAMAT Medan Baru.")])
    assert _ids(backend, "kafe") == [1]
    assert _ids(backend, "KAFÉ") == [1]
    assert _ids(backend, "camat") == [1]


def test_negations_are_kept_and_stop_words_dropped():
    assert NEGATIONS.isdisjoint(STOP_WORDS)
    assert tokens("yang tidak setuju dan bukan belum") == ["tidak", "tuju", "bukan", "belum"]
    assert "the" in STOP_WORDS and "yang" in STOP_WORDS


def test_an_index_built_in_one_process_opens_and_searches_in_another(tmp_path):
    # Whoosh pickles the analyzer by import path into the index; a fresh interpreter must load it.
    build = textwrap.dedent(f"""
        from portal.search.backend import Document
        from portal.search.whoosh_backend import WhooshBackend
        WhooshBackend({str(tmp_path / "ix")!r}).index_documents([Document(
            doc_id="contribution:7", doc_type="contribution", db_id=7, kind="comment",
            status="published", text="Pelatihan pegawai di kecamatan.")])
    """)
    read = textwrap.dedent(f"""
        from portal.search.backend import SearchQuery, Visibility
        from portal.search.whoosh_backend import WhooshBackend
        hits = WhooshBackend({str(tmp_path / "ix")!r}).search(SearchQuery(text="dilatih"), Visibility()).hits
        print([hit.db_id for hit in hits])
    """)
    for script in (build, read):
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[7]"


# Words that walk every branch of Sastrawi's rules: plain prefixes, each disambiguator's prefix, the
# special cases (belajar, pelajar), suffixes restored in the ECS loop, plurals and reduplications.
RULE_WORDS = """belajar pelajar berlari bekerja berteman terbaca terpercaya tertangkap terlambat menyapu
memberi mempengaruhi memperbaiki menangis mencintai menyanyi mengambil menggali mengebom menyayangi
memproses pewarna perbaikan perumahan pertanggungjawaban pembangunan pemerintahan penyelesaian penulisan
pengukuran pengeboman penyanyi pelayanan pekerja kerelaan gerigi gelembung gemuruh kinerja kujadikan
kauambil didengarkan kebersamaan keberhasilan sepenuhnya dilatih pelatihan latihan perpajakan mengalahkan
menaikkan bermain-main berbalas-balasan meniru-nirukan malaikat-malaikatnya buku-buku kesejahteraan
ketidakadilan mempertanggungjawabkan memperkenalkan diperbolehkan bersekolah tersenyum menyelesaikan""".split()


def _corpus_words(limit_per_file: int = 1500) -> list[str]:
    from portal.search.analysis import TOKEN_PATTERN, _WORD

    corpora = ROOT.parent / "shared" / "corpora" / "indonesian"
    words: set[str] = set(RULE_WORDS)
    for path in sorted(corpora.glob("*/test_preprocess.*")):
        found = sorted({w.lower() for w in TOKEN_PATTERN.findall(path.read_text(encoding="utf-8"))})
        words.update([w for w in found if len(w) >= 4 and _WORD.match(w)][:limit_per_file])
    return sorted(words)


def test_the_faster_stemmer_gives_sastrawis_own_stems():
    # The portal skips the prefix rules that cannot apply and compiles Sastrawi's patterns once; the
    # reference is Sastrawi untouched, in a fresh interpreter.
    from portal.search.analysis import _stemmer

    words = _corpus_words()
    assert len(words) > 1000
    reference = subprocess.run(
        [sys.executable, "-c", textwrap.dedent("""
            import json, sys
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
            stemmer = StemmerFactory().create_stemmer().delegatedStemmer
            print(json.dumps([stemmer.stem_word(word) for word in json.load(sys.stdin)]))
        """)],
        input=json.dumps(words), capture_output=True, text=True, check=True, timeout=300,
    )
    expected = json.loads(reference.stdout)
    ours = [_stemmer().stem_word(word) for word in words]
    assert [w for w, a, b in zip(words, expected, ours, strict=True) if a != b] == []
    assert _stemmer().stem_word("pelatihan") == "latih" and _stemmer().stem_word("belajar") == "ajar"
