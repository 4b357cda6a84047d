"""The bulk rebuild and Whoosh's own writer are interchangeable.

Random sequences, seeded: the portal's indexer rebuilds an index with the bulk writer, then
applies hundreds of adds, edits, hides and deletes made through the portal's services (with the
merges they cause, and an optimize), to that index and, beside it, to an index only ever written by
Whoosh's own writer from the same documents, laid out in the same segments. After every drain the
segment layouts must be equal; after each merge, the optimize and at the end everything is compared:
every term's statistics, every posting (id, weight, value) block by block with the block metadata
Whoosh's searcher skips by (max id, max weight, min and max length), stored fields, columns, field
lengths and deletions; and the answers to a query set, from the portal's evaluator and from Whoosh's
own searcher (every facet, the facet and date filters, date sort, pages after the first, phrases).
Any difference fails.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from whoosh import index, query, sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader

from portal.comments import services as comments
from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services as moderation
from portal.contributions.models import Contribution
from portal.proposals import services as proposals
from portal.search import services
from portal.search.backend import SearchBackend, SearchQuery, Visibility
from portal.search.whoosh_backend import (
    CURRENT, DATE_COLUMN, FACET_FIELDS, FORMAT_FILE, FORMAT_VERSION, WhooshBackend, _filters, make_schema, to_fields,
)
from tests.conftest import CORPORA
from tests.search.conftest import TRAINING

pytestmark = pytest.mark.whoosh_only  # the Whoosh backend's own workings

SMSA = CORPORA / "indonesian" / "smsa" / "train_preprocess.tsv"
REGULATION = CORPORA / "regulations" / "uu-2014-5.md"
XSS = CORPORA / "xss" / "payloads.txt"
INITIAL = 70  # contributions before the rebuild
SEGMENT_DOCS = 20  # documents per bulk segment: several small segments, which Whoosh merges


class Twin(SearchBackend):
    """What the portal's indexer writes to, twice: `bulk` (rebuilt by the bulk writer) and
    `reference` (rebuilt, document by document, by Whoosh's own writer); both take every update."""

    def __init__(self, bulk: WhooshBackend, reference: WhooshBackend):
        self.bulk, self.reference = bulk, reference
        self.rebuilds = 0

    def index_documents(self, documents):
        self.apply(list(documents), [])

    def delete_documents(self, doc_ids):
        self.apply([], list(doc_ids))

    def apply(self, documents, deletions):
        self.bulk.apply(documents, deletions)
        self.reference.apply(documents, deletions)

    def rebuild(self, source, progress=None):
        count = self.bulk.rebuild(source, progress)
        by_id = {doc.doc_id: doc for doc in source(0, 1)}
        bulk = index.open_dir(str(self.bulk.current_dir()))
        layout = []
        for segment in bulk._segments():
            reader = SegmentReader(bulk.storage, bulk.schema, segment)
            layout.append([reader.stored_fields(n)["doc_id"] for n in range(segment.doc_count_all())])
            reader.close()
        self.rebuilds += 1
        name = f"gen-whoosh-writer-{self.rebuilds}"
        (self.reference.root / name).mkdir(parents=True)
        (self.reference.root / name / FORMAT_FILE).write_text(FORMAT_VERSION)
        ix = index.create_in(str(self.reference.root / name), make_schema())
        for doc_ids in layout:  # one commit per bulk segment, unmerged: the same segments
            writer = ix.writer()
            for doc_id in doc_ids:
                writer.add_document(**to_fields(by_id[doc_id]))
            writer.commit(merge=False)
        (self.reference.root / CURRENT).write_text(name)
        return count

    def optimize(self):
        """Whoosh's optimize (every segment merged into one, deletions dropped) on both."""
        for backend in (self.bulk, self.reference):
            index.open_dir(str(backend.current_dir())).optimize()

    def search(self, request, visibility, exclude=frozenset()):
        return self.bulk.search(request, visibility, exclude)

    def doc_ids(self):
        return self.bulk.doc_ids()

    def doc_states(self):
        return self.bulk.doc_states()

    def outdated(self):
        return self.bulk.outdated()


def layout(backend: WhooshBackend) -> list[tuple[int, int]]:
    """(documents, deleted) of each segment, in the table of contents' order."""
    return [(s.doc_count_all(), s.deleted_count()) for s in index.open_dir(str(backend.current_dir()))._segments()]


def outcome(function, *args):
    """What `function(*args)` returns, or the name of what it raises (Whoosh's reader raises on a
    segment whose documents have none of a field: the same for both writers, or the test says so)."""
    try:
        return function(*args)
    except Exception as error:
        return type(error).__name__


def blocks(matcher) -> list[tuple]:
    """Each block of a posting list as Whoosh's reader decodes it: the metadata its searcher skips
    blocks by (length, max id, max weight, min and max length), then the ids, weights and values.
    (A list kept in the term table instead has one block, read posting by posting.)"""
    found = []
    if not isinstance(matcher, W3LeafMatcher):
        postings = []
        while matcher.is_active():
            postings.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
        return [postings]
    while matcher.is_active():
        matcher._read_ids(), matcher._read_weights(), matcher._read_values()
        found.append((matcher._blocklength, matcher.block_max_id(), matcher.block_max_weight(),
                      matcher.block_min_length(), matcher.block_max_length(),
                      tuple(matcher._ids), tuple(matcher._weights), tuple(matcher._values)))
        matcher._next_block()
    return found


def dump(backend: WhooshBackend) -> list[dict]:
    """Everything in every segment that a reader or searcher reads, deleted documents included."""
    ix = index.open_dir(str(backend.current_dir()))
    schema = ix.schema  # each `ix.schema` reads the table of contents again
    found = []
    for segment in ix._segments():
        reader = SegmentReader(ix.storage, schema, segment)
        docs = range(segment.doc_count_all())
        part = {
            "doc_count_all": segment.doc_count_all(),
            "deleted": sorted(segment.deleted_docs()) if segment.has_deletions() else [],
            "stored": [reader.stored_fields(n) for n in docs],
            "columns": {name: list(reader.column_reader(name, translate=False))
                        for name in schema.names() if reader.has_column(name)},
            "lengths": {name: ([reader.doc_field_length(n, name) for n in docs], reader.field_length(name),
                               outcome(reader.min_field_length, name), outcome(reader.max_field_length, name))
                        for name in schema.scorable_names()},
            "terms": {},
        }
        for fieldname in sorted(reader.indexed_field_names()):
            for tbytes, info in reader.iter_field(fieldname):
                statistics = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                              info.max_weight(), info.min_id(), info.max_id())
                matcher = reader.postings(fieldname, schema[fieldname].from_bytes(tbytes))
                if isinstance(matcher, FilterMatcher):  # deleted documents' postings too
                    matcher = matcher.child
                part["terms"][(fieldname, tbytes)] = (type(matcher).__name__, statistics, blocks(matcher))
        reader.close()
        found.append(part)
    return found


def assert_same_index(twin: Twin) -> None:
    expected, written = dump(twin.reference), dump(twin.bulk)
    assert len(written) == len(expected)
    for number, (mine, theirs) in enumerate(zip(written, expected, strict=True)):
        for key in theirs:
            if key == "terms":
                assert mine["terms"].keys() == theirs["terms"].keys(), f"segment {number}: the terms differ"
                for term, value in theirs["terms"].items():
                    assert mine["terms"][term] == value, f"segment {number}, term {term}"
            else:
                assert mine[key] == theirs[key], f"segment {number}: {key} differs"


def whoosh_answers(backend: WhooshBackend, request: SearchQuery, visibility: Visibility) -> dict:
    """What Whoosh's own searcher answers: every hit with its score, the facet groups, the second page."""
    searcher = backend._searcher()
    user_query = backend.parse(request.text, searcher.schema)
    filters = _filters(request, visibility)
    whoosh_query = query.Require(user_query, query.And(filters)) if filters else user_query
    facets = {name: sorting.FieldFacet(fieldname) for name, fieldname in FACET_FIELDS.items()}
    newest = {"sortedby": sorting.FieldFacet(DATE_COLUMN, reverse=True)} if request.sort == "date" else {}
    results = searcher.search(whoosh_query, limit=None, groupedby=facets, **newest)

    def second_page():
        # Whoosh's page collector skips blocks by their quality (max weight, min and max length):
        # it trips over one of Whoosh's own assertions on some queries, on either index alike.
        found = searcher.search_page(whoosh_query, 2, pagelen=request.per_page, **newest)
        return [(hit["doc_id"], hit.score) for hit in found]

    return {
        "hits": [(hit["doc_id"], hit.score) for hit in results],
        "groups": {name: sorted((str(k), len(v)) for k, v in results.groups(name).items()) for name in facets},
        "page 2": outcome(second_page),
    }


def compare_answers(twin: Twin, texts: list[str], visibilities: list[Visibility], requests) -> int:
    """Both indexes answer every request alike through the portal's evaluator, and those requests
    `requests` marks (all the plain ones, the filtered ones for one viewer) through Whoosh's searcher,
    which must also agree with the evaluator on totals and facet counts; returns how many found something."""
    answered = 0
    for text in texts:
        for visibility in visibilities:
            for request, ask_whoosh in requests(text, visibility):
                mine, theirs = twin.bulk.search(request, visibility), twin.reference.search(request, visibility)
                assert mine == theirs, (text, visibility, request)
                answered += bool(mine.total)
                if not ask_whoosh:
                    continue
                expected = whoosh_answers(twin.reference, request, visibility)
                assert whoosh_answers(twin.bulk, request, visibility) == expected, (text, visibility, request)
                assert mine.total == len(expected["hits"])
                for name, counts in expected["groups"].items():
                    assert dict(mine.facets.get(name, [])) == {k: n for k, n in counts if k not in ("None", "")}
                if request.sort == "relevance" and mine.hits:
                    assert {hit.doc_id for hit in mine.hits} <= {doc_id for doc_id, _ in expected["hits"]}
    return answered


def request_variants(policy_ids: list[int], quick: bool):
    """(request, whether to ask Whoosh's searcher too) for a text and a viewer: pages and date sort,
    and unless `quick` every facet filter and the date filters (Whoosh's searcher for the official
    viewer's facet filters; dates filter on a column Whoosh's query language does not reach)."""
    def variants(text: str, visibility: Visibility):
        yield SearchQuery(text=text, per_page=5), True
        yield SearchQuery(text=text, per_page=5, page=2), False  # Whoosh's page 2 is in every answer
        yield SearchQuery(text=text, per_page=5, sort="date"), not quick
        yield SearchQuery(text=text, per_page=5, sort="date", page=3), False
        if quick:
            return
        filters = [{"kinds": (kind,)} for kind in ("policy", "article", "contribution", "comment")]
        filters += [{"policy_ids": (policy_id,)} for policy_id in policy_ids]
        filters += [{"groups": (group,)} for group in ("citizen", "ngo")]
        if visibility.everything:  # the search page offers the status filter to officials only
            filters += [{"statuses": (status,)} for status in ("pending", "published", "hidden", "draft")]
        for chosen in filters:
            yield SearchQuery(text=text, per_page=5, **chosen), visibility.everything
        for since in ("30d", "365d"):
            yield SearchQuery(text=text, per_page=5, date_range=since), False
        today = date.today()
        yield SearchQuery(text=text, per_page=5, date_from=today - timedelta(days=90),
                          date_to=today - timedelta(days=10)), False
        yield SearchQuery(text=text, per_page=5, date_to=today - timedelta(days=200), sort="date", page=2), False
    return variants


def sentences() -> list[str]:
    texts = [line.rsplit("\t", 1)[0] for line in SMSA.read_text(encoding="utf-8").splitlines()[:400]]
    texts += [line for line in XSS.read_text(encoding="utf-8").splitlines()[:40] if line.strip()]
    return texts


def policy_body(rng: random.Random, paragraphs: list[str], articles: int) -> str:
    parts = ["Rancangan Peraturan Wali Kota Medan.", "## BAB I — Ketentuan Umum"]
    for n in range(1, articles + 1):
        parts += [f"### Pasal {n}", rng.choice(paragraphs)]
    return "\n\n".join(parts)


def query_texts(rng: random.Random, texts: list[str]) -> list[str]:
    words = sorted({w for text in texts for w in re.findall(r"[a-z]{5,}", text.lower())})
    chosen = rng.sample(words, 6)
    pairs = [re.findall(r"[a-z]{4,}", text.lower()) for text in texts]
    pair = next(p for p in (rng.choice(pairs) for _ in range(100)) if len(p) >= 3)
    return chosen[:2] + [f"{chosen[3]} {chosen[4]}", f"{chosen[2]} OR pelayanan", f"makanan NOT {chosen[5]}",
                         f'"{pair[0]} {pair[1]}"', "pasal"]


# (seed, rebuild processes, adds, edits, hides and deletes after the rebuild)
@pytest.mark.parametrize(("seed", "procs", "operations"), [(8, 2, 200), (9, 1, 100)])
def test_bulk_and_whooshs_writer_stay_identical_through_updates_merges_and_an_optimize(
        app, tmp_path, seed, procs, operations, official, citizen, make_user, contribute, make_policy):
    rng = random.Random(seed)
    app.config["SEARCH_INLINE_INDEXING"] = False  # the test drains, through the portal's indexer
    root = services.index_root()
    twin = Twin(WhooshBackend(root, procs=procs, segment_docs=SEGMENT_DOCS), WhooshBackend(tmp_path / "reference"))
    app.extensions["portal_search"] = {str(root): twin}
    texts = sentences()
    paragraphs = [p for p in REGULATION.read_text(encoding="utf-8").split("\n") if 80 < len(p) < 400][:200]
    authors = [citizen, make_user(), make_user(role="ngo", organisation="LBH Medan", verified=True)]
    policies = [make_policy(title=TRAINING["title"], summary=TRAINING["summary"], body=policy_body(rng, paragraphs, 5)),
                make_policy(title="Rancangan Perwal Analisis Jabatan", summary=TRAINING["summary"], body=policy_body(rng, paragraphs, 4)),
                make_policy(status="draft", title="Konsep Perwal Formasi", summary=TRAINING["summary"], body=policy_body(rng, paragraphs, 3))]
    now = utcnow()

    def add() -> None:
        policy = rng.choice(policies[:2] + [None])
        if policy is not None and rng.random() < 0.4:
            comments.post_comment(rng.choice(authors), policy, body=rng.choice(texts), stance="supports",
                                  article_key=rng.choice(("pasal-1", "pasal-2", None)))
        else:
            contribute(rng.choice(authors), rng.choice(texts) + " " + rng.choice(texts), on=policy,
                       status=rng.choice((None, None, "pending", "hidden")))

    for _ in range(INITIAL):
        add()
    for item in db.session.scalars(select(Contribution)):  # a year of dates, for the date facet and filters
        item.created_at = now - timedelta(days=rng.randrange(400), minutes=rng.randrange(1440))
    db.session.commit()
    assert services.rebuild() > INITIAL
    assert_same_index(twin)
    policy_ids = [p.id for p in policies]
    visibilities = [Visibility(), Visibility(user_id=citizen.id), Visibility(user_id=official.id, everything=True)]
    words = query_texts(rng, texts)
    assert compare_answers(twin, words, visibilities, request_variants(policy_ids, quick=True)) > 15

    def living(statuses=None) -> list[Contribution]:
        found = select(Contribution).where(Contribution.status != "withdrawn").order_by(Contribution.id)
        if statuses:
            found = found.where(Contribution.status.in_(statuses))
        return list(db.session.scalars(found))

    def edit() -> None:
        if rng.random() < 0.12:
            policy = rng.choice(policies)
            proposals.add_version(official, policy, policy_body(rng, paragraphs, rng.randrange(2, 6)), "Perubahan.")
        elif rng.random() < 0.1:
            policy = rng.choice(policies)
            proposals.update_details(official, policy, title=policy.title + " (perubahan)", kind=policy.kind,
                                     summary=rng.choice(texts), opens_at=policy.opens_at, closes_at=policy.closes_at)
        else:
            item = rng.choice(living())
            item.body = rng.choice(texts)
            db.session.commit()

    def hide() -> None:
        roll = rng.random()
        if roll < 0.5 and (shown := living(("pending", "published"))):
            moderation.hide(official, rng.choice(shown), rng.choice(("spam", "abuse", "off_topic")))
        elif roll < 0.75 and (hidden := living(("hidden",))):
            moderation.restore(official, rng.choice(hidden))
        elif waiting := living(("pending",)):
            moderation.approve(official, rng.choice(waiting))

    def delete() -> None:
        if rng.random() < 0.5 and (mine := [c for c in living(("pending", "published")) if c.author_id == citizen.id]):
            contributions.withdraw(citizen, rng.choice(mine))
        elif plain := [c for c in living() if c.kind == "contribution"]:
            db.session.delete(rng.choice(plain))
            db.session.commit()

    mix = [add] * 35 + [edit] * 25 + [hide] * 20 + [delete] * 20
    shape, merges, drains = layout(twin.bulk), 0, 0
    optimize_at = rng.randrange(operations // 3, 2 * operations // 3)
    for step in range(operations):
        rng.choice(mix)()
        if rng.random() < 0.2 or step == operations - 1:
            app.config["SEARCH_BATCH_SIZE"] = rng.choice((2, 4, 200))
            services.drain()
            drains += 1
            now_shape = layout(twin.bulk)
            assert now_shape == layout(twin.reference), f"step {step}: the segments differ"
            if len(now_shape) < len(shape) or sum(n for n, _d in now_shape) < sum(n for n, _d in shape):
                merges += 1
                if merges == 1:
                    assert_same_index(twin)
            shape = now_shape
        if step == optimize_at:
            services.drain()
            twin.optimize()
            assert len(layout(twin.bulk)) == 1 and layout(twin.bulk) == layout(twin.reference)
            assert_same_index(twin)
            assert compare_answers(twin, words, visibilities, request_variants(policy_ids, quick=True)) > 15
            shape = layout(twin.bulk)

    assert merges >= 3 and drains >= operations // 8
    assert_same_index(twin)
    assert compare_answers(twin, words, visibilities, request_variants(policy_ids, quick=False)) > 100
    report = services.check()
    assert report.healthy, (report.missing, report.extra, report.stale)
