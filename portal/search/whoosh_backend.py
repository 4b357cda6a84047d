"""The Whoosh search backend: a file index under SEARCH_INDEX_PATH.

Layout: `<root>/CURRENT` names the live generation directory (`<root>/gen-...`);
a rebuild writes a new generation and swaps CURRENT with an atomic rename, so
readers never see a half-built index. Only the indexer (holding the lock in
`portal.search.indexer`) ever opens a writer.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from whoosh import fields, index, query

from portal.search import querying, whoosh_bulk, whoosh_compat  # noqa: F401  (whoosh_compat: fixes on import)
from portal.search.querying import DATE_DAYS, SUGGEST_BELOW, day_range, make_hit, ordered_facets
from portal.search.whoosh_schema import (  # noqa: F401  (doc_key_number, to_fields: the schema's API, used here too)
    DATE_COLUMN,
    KEY_COLUMN,
    SEARCH_FIELDS,
    doc_key_number,
    epoch_us,
    make_schema,
    to_fields,
)
from portal.search.whoosh_eval import PostingsCache, SegmentData, SegmentQuery, term_statistics
from portal.search.backend import (
    Document,
    DocumentSource,
    Progress,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Visibility,
)

CURRENT = "CURRENT"
# Bumped whenever the schema or what is stored changes; a generation without this version is outdated.
# 3: no posting list inlined in the term table (Whoosh could not merge the segments that had them);
#    a column of document keys (to leave out documents the index holds in an outdated state);
#    texts indexed without their Markdown syntax.
FORMAT_VERSION = "3"
FORMAT_FILE = "FORMAT"
FACET_FIELDS = {"kind": "kind", "policy": "policy", "group": "group", "status": "status"}
MICROSECONDS = 1_000_000
DAY = 86_400 * MICROSECONDS
SPELLING_FIELD = "text_exact"


class WhooshBackend(SearchBackend):
    """Search backed by a Whoosh file index under `root`."""

    def __init__(self, root: str | os.PathLike, procs: int = 1, writer_timeout: float = 10.0,
                 segment_docs: int = whoosh_bulk.SEGMENT_DOCS):
        self.root = Path(root)
        self.procs = procs
        self.writer_timeout = writer_timeout
        self.segment_docs = segment_docs  # documents per segment a rebuild writes
        self._opened: tuple[str, index.Index] | None = None
        # One open searcher per thread, reused until the index changes (opening one reads every
        # segment's headers and term tables).
        self._local = threading.local()
        # (segment id, name) -> what is read once per segment: its columns and lengths ("data") and
        # its spelling lexicon; and the decoded postings of recently searched terms.
        self._per_segment: dict[tuple[str, str], SegmentData | dict] = {}
        self._per_segment_lock = threading.Lock()
        self._postings = PostingsCache()

    # --- locations -------------------------------------------------------------------

    def current_dir(self) -> Path:
        """The live generation directory, created (empty) on first use."""
        pointer = self.root / CURRENT
        try:
            return self.root / pointer.read_text().strip()
        except FileNotFoundError:
            pass
        self.root.mkdir(parents=True, exist_ok=True)
        name = self._new_generation()
        index.create_in(self.root / name, make_schema())
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        tmp.write_text(name)
        try:
            os.link(tmp, pointer)  # fails if another process got there first: use theirs
        except FileExistsError:
            shutil.rmtree(self.root / name, ignore_errors=True)
        finally:
            tmp.unlink(missing_ok=True)
        return self.root / pointer.read_text().strip()

    def _new_generation(self) -> str:
        name = f"gen-{time.time_ns()}-{os.getpid()}"
        (self.root / name).mkdir(parents=True)
        (self.root / name / FORMAT_FILE).write_text(FORMAT_VERSION)
        return name

    def outdated(self) -> bool:
        """True when the live generation was written by an older version (its format differs)."""
        try:
            return (self.current_dir() / FORMAT_FILE).read_text().strip() != FORMAT_VERSION
        except FileNotFoundError:
            return True

    def _index(self) -> index.Index:
        location = str(self.current_dir())
        opened = self._opened
        if opened is None or opened[0] != location:
            opened = self._opened = (location, index.open_dir(location))
        return opened[1]

    def _searcher(self):
        """This thread's searcher on the live index, reopened when the index has changed."""
        ix = self._index()
        held = getattr(self._local, "held", None)
        if held is not None and held[0] is ix and held[1].up_to_date():
            return held[1]
        if held is not None:
            held[1].close()
        self._local.held = None
        searcher = ix.searcher()
        self._local.held = (ix, searcher)
        self._forget_segments(searcher)
        return searcher

    def close(self) -> None:
        """Close this thread's searcher."""
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            held[1].close()

    def _forget_segments(self, searcher) -> None:
        segments = (leaf.segment() for leaf, _offset in searcher.reader().leaf_readers())
        live = {segment.segment_id() for segment in segments if segment is not None}
        with self._per_segment_lock:
            for key in [key for key in self._per_segment if key[0] not in live]:
                del self._per_segment[key]
        self._postings.forget(live)

    # --- writing -------------------------------------------------------------------------

    def apply(self, documents: list[Document], deletions: list[str]) -> None:
        """Upsert and delete in one Whoosh commit (replaying a batch is harmless)."""
        if not documents and not deletions:
            return
        # update_document cannot see documents added earlier in the same writer: one per doc_id.
        documents = list({doc.doc_id: doc for doc in documents}.values())
        upserted = {doc.doc_id for doc in documents}
        deletions = [doc_id for doc_id in dict.fromkeys(deletions) if doc_id not in upserted]
        writer = self._index().writer(timeout=self.writer_timeout)
        try:
            for doc_id in deletions:
                writer.delete_by_term("doc_id", doc_id)
            for doc in documents:
                writer.update_document(**to_fields(doc))
            writer.commit()
        except BaseException:
            if not writer.is_closed:  # a failed commit (in a merge, say) still holds the lock and temp files
                writer.cancel()
            raise

    def rebuild(self, source: DocumentSource, progress: Progress | None = None) -> int:
        """Write every document into a new generation (in `procs` processes), then swap CURRENT to it."""
        self.root.mkdir(parents=True, exist_ok=True)
        previous = self.current_dir().name
        name = self._new_generation()
        ix = index.create_in(self.root / name, make_schema())

        def build_part(part: int, parts: int, report: Progress | None):
            fields = (to_fields(doc) for doc in source(part, parts))
            return whoosh_bulk.write_segments(ix.storage, ix.indexname, ix.schema, fields, report, self.segment_docs)

        try:
            if self.procs > 1:
                segments, count = whoosh_bulk.build_parallel(build_part, self.procs, progress)
            else:
                segments, count = build_part(0, 1, progress)
            whoosh_bulk.commit(ix.storage, ix.indexname, ix.schema, segments)
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        tmp.write_text(name)
        os.replace(tmp, self.root / CURRENT)
        self._remove_old_generations(keep={name, previous})
        return count

    def _remove_old_generations(self, keep: set[str]) -> None:
        # The previous generation stays one round: a reader may still have it open.
        for path in self.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # --- reading -------------------------------------------------------------------------

    def doc_states(self) -> dict[str, str]:
        """doc_id -> stored status of every document."""
        with self._index().searcher() as searcher:
            return {
                stored["doc_id"]: stored.get("status", "")
                for stored in searcher.reader().all_stored_fields()
            }

    def doc_ids(self) -> set[str]:
        """Every doc_id in the index."""
        return set(self.doc_states())

    def parse(self, text: str, schema: fields.Schema):
        """Parse user words into a Whoosh query over the text fields (`querying.parse`)."""
        return querying.parse(text, schema)

    def search(self, request: SearchQuery, visibility: Visibility, exclude=frozenset()) -> SearchResults:
        """Run one search: visibility and facet filters, facet counts, ranking, highlights, suggestion.

        Each segment turns the query into a mask of matched documents (`whoosh_eval`), counts the
        facets over it and offers its best `page * per_page` documents; the best of all are the page.
        Documents in `exclude` (doc ids) are left out of everything, the counts included.
        """
        searcher = self._searcher()
        user_query = self.parse(request.text, searcher.schema)
        terms = set(user_query.iter_all_terms())
        if user_query is query.NullQuery or not terms:
            return SearchResults([], 0, 1, request.per_page, empty_query=True)
        now = datetime.now(timezone.utc)
        filters = _filters(request, visibility)
        final_query = query.Require(user_query, query.And(filters)) if filters else user_query
        first_day, last_day = day_range(request, now)
        statistics = term_statistics(searcher, {term for term in terms if term[0] in SEARCH_FIELDS})
        pagelen = request.per_page
        wanted = max(1, request.page) * pagelen
        total = 0
        counts: dict[str, Counter] = {name: Counter() for name in (*FACET_FIELDS.values(), "date")}
        since = {key: epoch_us(now) - days * DAY for key, days in DATE_DAYS.items()}
        excluded = np.array(sorted({doc_key_number(doc_id) for doc_id in exclude}), np.int64)
        candidates = []  # (-sort key, tie-breaker, leaf number, docnum in the leaf)
        leaves = _leaves(searcher)
        for number, (leaf, base) in enumerate(leaves):
            data = self._segment_data(leaf.reader())
            segment = SegmentQuery(leaf, data, self._postings)
            matched = segment.mask(final_query)
            if not matched.any():
                continue
            matched &= segment.live()
            if len(excluded):
                matched &= ~np.isin(data.keys, excluded)
            if first_day is not None:
                matched &= data.created // DAY >= first_day
            if last_day is not None:
                matched &= data.created // DAY <= last_day
            docs = np.flatnonzero(matched)
            if not len(docs):
                continue
            total += len(docs)
            for name in FACET_FIELDS.values():
                tally = np.bincount(data.codes[name][docs], minlength=len(data.labels[name]))
                for code in np.flatnonzero(tally):
                    counts[name][data.labels[name][code]] += int(tally[code])
            created = data.created[docs]
            for key, moment in since.items():
                counts["date"][key] += int(np.count_nonzero(created >= moment))
            keys = created if request.sort == "date" else segment.scores(matched, statistics)[docs]
            best = np.argpartition(-keys, wanted - 1)[:wanted] if wanted < len(docs) else range(len(docs))
            # Ties: by relevance the earlier document first; by date the later one (added later).
            order = -1 if request.sort == "date" else 1
            candidates += [(-float(keys[i]), order * (base + int(docs[i])), number, int(docs[i])) for i in best]
        candidates.sort()
        pagenum = min(max(1, request.page), max(1, -(-total // pagelen)))  # past the end: the last page
        offset = (pagenum - 1) * pagelen
        words, stems = querying.query_words(terms)
        hits = [
            make_hit(leaves[number][0].stored_fields(doc), -key if request.sort != "date" else 0.0, words, stems)
            for key, _docnum, number, doc in candidates[offset:offset + pagelen]
        ]
        facets = ordered_facets({name: counts[fieldname] for name, fieldname in FACET_FIELDS.items()}, counts["date"])
        return SearchResults(
            hits=hits,
            total=total,
            page=pagenum,
            per_page=pagelen,
            facets=facets,
            suggestion=self._suggest(searcher, request.text) if total < SUGGEST_BELOW else None,
        )

    def _segment_data(self, reader) -> SegmentData:
        key = (reader.segment().segment_id(), "data")
        data = self._per_segment.get(key)
        if data is None:
            data = SegmentData(reader, FACET_FIELDS.values(), DATE_COLUMN, SEARCH_FIELDS, KEY_COLUMN)
            with self._per_segment_lock:
                self._per_segment[key] = data
        return data

    def _suggest(self, searcher, text: str) -> str | None:
        """`querying.suggest` over the exact words of every segment's lexicon."""
        lexicons = [self._lexicon(leaf.reader()) for leaf, _base in _leaves(searcher)]

        def frequencies(words: set[str]) -> dict[str, int]:
            found = {word: sum(lexicon.get(word, 0) for lexicon in lexicons) for word in words}
            return {word: count for word, count in found.items() if count}

        return querying.suggest(text, frequencies, lambda stem: bool(searcher.doc_frequency("text", stem)))

    def _lexicon(self, reader) -> dict[str, int]:
        """Exact word -> document frequency in one segment, read once per segment (for suggestions)."""
        key = (reader.segment().segment_id(), SPELLING_FIELD)
        lexicon = self._per_segment.get(key)
        if lexicon is None:
            lexicon = {}
            if SPELLING_FIELD in reader.indexed_field_names():
                lexicon = {term.decode("utf-8"): info.doc_frequency() for term, info in reader.iter_field(SPELLING_FIELD)}
            with self._per_segment_lock:
                self._per_segment[key] = lexicon
        return lexicon


def _leaves(searcher) -> list:
    """(segment searcher, first index-wide docnum) of each segment (none for an empty index)."""
    return [(leaf, base) for leaf, base in searcher.leaf_searchers() if leaf.reader().segment() is not None]


def _filters(request: SearchQuery, visibility: Visibility) -> list:
    filters = []
    if not visibility.everything:
        published = query.Term("status", "published")
        if visibility.user_id is not None:
            filters.append(query.Or([published, query.Term("author", str(visibility.user_id))]))
        else:
            filters.append(published)
    for fieldname, values in (
        ("kind", request.kinds),
        ("policy", tuple(str(v) for v in request.policy_ids)),
        ("group", request.groups),
        ("status", request.statuses),
    ):
        if values:
            filters.append(query.Or([query.Term(fieldname, value) for value in values]))
    return filters
