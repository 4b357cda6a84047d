"""The search backend's own evaluation finds, counts and ranks what Whoosh's matchers would."""

from __future__ import annotations

import random

import pytest
from whoosh import query

from portal.search.backend import SearchQuery, Visibility
from portal.search.whoosh_backend import WhooshBackend, _filters
from tests.search.test_bulk import sample_documents

pytestmark = pytest.mark.whoosh_only  # the Whoosh backend's own workings


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    docs = sample_documents(["Pelatihan pelatihan", "dilatih latihan", "perpajakan daerah"])
    found = WhooshBackend(tmp_path_factory.mktemp("index"))
    found.rebuild(lambda part, parts: docs)
    # A second, incremental segment with an update and a deletion, as the indexer leaves it.
    docs[3].text = "Pegawai baru harus dilatih tentang perpajakan"
    found.apply([docs[3]], [docs[4].doc_id])
    return found


def queries() -> list[str]:
    rng = random.Random(3)
    words = ["makanan", "enak", "pelatihan", "tidak", "harga", "tempat", "pelayanan", "bagus", "kecewa", "dilatih"]
    return [" ".join(rng.sample(words, 2)) for _ in range(15)] + ['"makanan enak"', "enak NOT tempat", "harga OR kecewa"]


@pytest.mark.parametrize("text", queries())
@pytest.mark.parametrize("visibility", [Visibility(), Visibility(user_id=7), Visibility(everything=True)])
def test_hits_counts_and_scores_match_whooshs_searcher(backend, text, visibility):
    request = SearchQuery(text=text, per_page=10)
    results = backend.search(request, visibility)
    searcher = backend._searcher()
    user_query = backend.parse(text, searcher.schema)
    filters = _filters(request, visibility)
    whoosh_query = query.Require(user_query, query.And(filters)) if filters else user_query
    expected = searcher.search(whoosh_query, limit=None)
    assert results.total == len(expected)
    if not isinstance(user_query, query.Phrase) and "Phrase" not in repr(user_query):
        # Phrases are matched alike but scored here by their words.
        expected_top = sorted(((round(hit.score, 3), hit["doc_id"]) for hit in expected), key=lambda p: -p[0])[:10]
        cutoff = expected_top[-1][0] if expected_top else 0
        got = [(round(hit.score, 3), hit.doc_id) for hit in results.hits]
        assert [score for score, _ in got] == [score for score, _ in expected_top]
        assert {pair for pair in got if pair[0] > cutoff} == {pair for pair in expected_top if pair[0] > cutoff}
    by_status = {}
    for hit in expected:
        by_status[hit["status"]] = by_status.get(hit["status"], 0) + 1
    assert dict(results.facets["status"]) == by_status
