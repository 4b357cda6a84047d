"""The bulk rebuild writes the index Whoosh's own writer would, in one or several processes."""

from __future__ import annotations

import os
import random
import signal
from datetime import datetime, timedelta, timezone

import pytest
from whoosh import index
from whoosh.query import Term

from portal.search import documents, services, whoosh_bulk
from portal.search.backend import Document
from portal.search.whoosh_backend import WhooshBackend, make_schema, to_fields
from tests.conftest import CORPORA
from tests.search.conftest import TRAINING

pytestmark = pytest.mark.whoosh_only  # the Whoosh backend's own workings

SMSA = CORPORA / "indonesian" / "smsa" / "train_preprocess.tsv"


def sample_documents(blns: list[str]) -> list[Document]:
    """Indonesian review sentences and naughty strings, with every optional field both set and left out."""
    rng = random.Random(5)
    sentences = [line.rsplit("\t", 1)[0] for line in SMSA.read_text(encoding="utf-8").splitlines()[:300]]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    docs = []
    for n, text in enumerate(sentences + blns[:300]):
        docs.append(Document(
            doc_id=f"contribution:{n}", doc_type="contribution", db_id=n,
            kind=rng.choice(("comment", "submission", "post")), status=rng.choice(("published", "pending", "hidden")),
            title=rng.choice(("", "Pelatihan jabatan fungsional", text[:40])),
            text=f"{text} {rng.choice(sentences)} {text}",  # repeated words: several positions per term
            policy_id=rng.choice((None, 1, 2)), article_keys=rng.choice(([], ["pasal-1"], ["pasal-2", "pasal-3"])),
            position_codes=rng.choice(([], ["JF-ANALIS-01"])), stakeholder_group=rng.choice(("", "citizen", "ngo")),
            organisation_id=rng.choice((None, 3)), author_id=rng.choice((None, 7, 8)),
            created_at=start + timedelta(hours=n), published_at=rng.choice((None, start + timedelta(hours=n + 1))),
        ))
    return docs


def dump(ix) -> dict:
    """Everything a search reads: terms, postings with weights and positions, lengths, stored fields, columns."""
    with ix.reader() as reader:
        postings = {}
        for fieldname in ix.schema.names():
            if not ix.schema[fieldname].indexed:
                continue
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                items = []
                while matcher.is_active():
                    items.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                postings[(fieldname, term)] = items
        docs = range(reader.doc_count_all())
        lengths = {name: [reader.doc_field_length(d, name) for d in docs] for name in ("title", "text", "text_exact")}
        stored = [reader.stored_fields(d) for d in docs]
        column = list(reader.column_reader("created_ts"))
    return {"postings": postings, "lengths": lengths, "stored": stored, "column": column}


def test_bulk_segments_hold_what_whooshs_writer_writes(tmp_path, blns):
    docs = sample_documents(blns)
    (tmp_path / "writer").mkdir()
    (tmp_path / "bulk").mkdir()
    reference = index.create_in(tmp_path / "writer", make_schema())
    with reference.writer() as writer:
        for doc in docs:
            writer.add_document(**to_fields(doc))
    bulk = index.create_in(tmp_path / "bulk", make_schema())
    segments, count = whoosh_bulk.write_segments(bulk.storage, bulk.indexname, bulk.schema, map(to_fields, docs))
    whoosh_bulk.commit(bulk.storage, bulk.indexname, bulk.schema, segments)

    assert count == len(docs)
    expected, written = dump(reference), dump(index.open_dir(tmp_path / "bulk"))
    assert written["postings"].keys() == expected["postings"].keys()
    assert written == expected


def test_bulk_cuts_segments_and_the_index_takes_updates(tmp_path, blns):
    docs = sample_documents(blns)[:50]
    ix = index.create_in(tmp_path, make_schema())
    segments, _count = whoosh_bulk.write_segments(ix.storage, ix.indexname, ix.schema, map(to_fields, docs),
                                                  segment_docs=20)
    whoosh_bulk.commit(ix.storage, ix.indexname, ix.schema, segments)
    assert len(segments) == 3
    ix = index.open_dir(tmp_path)
    with ix.writer() as writer:  # the indexer's path: replace one document, delete another
        changed = docs[5]
        changed.text = "Usulan anggaran pelatihan diperbarui"
        writer.update_document(**to_fields(changed))
        writer.delete_by_term("doc_id", docs[30].doc_id)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 49
        found = searcher.search(Term("text", "anggar"), limit=None)
        assert [hit["doc_id"] for hit in found] == [changed.doc_id]


@pytest.fixture
def corpus(app, citizen, contribute, make_policy):
    """A policy and 60 contributions, a few hidden or withdrawn."""
    policy = make_policy(**TRAINING)
    sentences = [line.rsplit("\t", 1)[0] for line in SMSA.read_text(encoding="utf-8").splitlines()[300:360]]
    statuses = {7: "hidden", 11: "withdrawn", 23: "pending"}
    return [contribute(citizen, text, on=policy, status=statuses.get(n)) for n, text in enumerate(sentences)]


def test_rebuild_in_two_processes_matches_one_process(app, corpus, find, citizen):
    expected = documents.expected_states()
    assert f"contribution:{corpus[11].id}" not in expected  # withdrawn
    services.backend().procs = 1
    assert services.rebuild() == len(expected)
    single = services.backend().doc_states()
    assert single == expected
    single_found = find(None, "makanan enak")
    assert single_found
    services.backend().procs = 2
    assert services.rebuild() == len(expected)
    assert services.backend().doc_states() == single
    assert sorted(find(None, "makanan enak")) == sorted(single_found)
    assert services.check().agrees


def _raise(part: int):
    raise OSError("disk full")


def _die(part: int):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(("failure", "message"), [(_raise, "disk full"), (_die, "exited with code -9")])
def test_a_failing_indexing_process_leaves_the_live_index_alone(app, corpus, failure, message):
    services.rebuild()
    live = services.backend().current_dir()
    generations = sorted(services.index_root().glob("gen-*"))
    backend = WhooshBackend(services.index_root(), procs=2)
    parent = os.getpid()

    def source(part, parts):
        if part == 1:
            failure(part)
        return iter(())

    with pytest.raises(RuntimeError, match=message):
        backend.rebuild(source)
    assert os.getpid() == parent
    assert backend.current_dir() == live
    assert sorted(services.index_root().glob("gen-*")) == generations  # the half-written one is gone
