"""Evaluating a parsed query over a Whoosh index with numpy arrays, one segment at a time.

Whoosh's matchers walk postings one document at a time in Python; a query with common
words touches tens of thousands of postings and spends most of its time there. Here a
term's postings are decoded a block at a time into arrays (and kept in a bounded cache:
common words come back in query after query), a query becomes a boolean mask over the
segment's documents, filters on facet fields compare cached column codes, facets are
counted with `bincount`, and the matched documents are scored with Whoosh's own BM25F
formula and constants (K1 = 1.2, B = 0.75, idf = log(N / (df + 1)) + 1).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import reduce
from math import log

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

K1, B = 1.2, 0.75
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
NO_IDS = np.zeros(0, dtype=np.int64)
NO_WEIGHTS = np.zeros(0, dtype=np.float32)
# Postings kept decoded per process (ids int64 + weights float32: 12 bytes each, about 50 MB).
POSTINGS_CACHE = 4_000_000


class SegmentData:
    """What is read once per segment: facet columns as integer codes, creation times, document keys,
    field lengths."""

    def __init__(self, reader, facet_fields, date_column: str, length_fields, key_column: str | None = None):
        self.size = size = reader.doc_count_all()
        self.codes: dict[str, np.ndarray] = {}
        self.labels: dict[str, list] = {}
        self.code_of: dict[str, dict] = {}
        for name in facet_fields:
            values = reader.column_reader(name, translate=True) if reader.has_column(name) else [None] * size
            code_of: dict = {}
            self.codes[name] = np.fromiter((code_of.setdefault(v, len(code_of)) for v in values), np.int32, size)
            self.code_of[name] = code_of
            self.labels[name] = list(code_of)
        if reader.has_column(date_column):
            self.created = np.fromiter(reader.column_reader(date_column), np.int64, size)
        else:
            self.created = np.zeros(size, np.int64)
        if key_column is not None and reader.has_column(key_column):
            self.keys = np.fromiter(reader.column_reader(key_column), np.int64, size)
        else:
            self.keys = np.zeros(size, np.int64)
        self.lengths: dict[str, np.ndarray] = {}
        perdoc = reader._perdoc  # the per-document reader holds the length columns
        for name in length_fields:
            column = perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            self.lengths[name] = (
                LENGTH_OF_BYTE[np.fromiter(column, np.uint8, size)] if column is not None else np.zeros(size, np.float32)
            )


class PostingsCache:
    """(segment id, field, term) -> (document ids, weights), least recently used dropped past `limit` postings."""

    def __init__(self, limit: int = POSTINGS_CACHE):
        self.limit = limit
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (reader.segment().segment_id(), fieldname, text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = read_postings(reader, fieldname, text)
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self.size += len(found[0])
            while self.size > self.limit and len(self._items) > 1:
                _key, (ids, _weights) = self._items.popitem(last=False)
                self.size -= len(ids)
        return found

    def forget(self, live_segments: set[str]) -> None:
        """Drop the postings of segments no longer in the index."""
        with self._lock:
            for key in [key for key in self._items if key[0] not in live_segments]:
                self.size -= len(self._items.pop(key)[0])


def read_postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Every document id and weight of a term in one segment (deleted documents included), a block at a time."""
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return NO_IDS, NO_WEIGHTS
    if isinstance(matcher, FilterMatcher):  # deletions: the caller's live mask removes them
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):  # a posting list inlined in the term table (not written here)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, np.int64), np.array(weights, np.float32)
    id_blocks, weight_blocks = [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        count = matcher._blocklength
        deltas, weights = matcher._data[0], matcher._data[1]
        id_blocks.append(np.cumsum(np.array(deltas, np.int64)))  # ids are stored as gaps
        if weights is None:
            weight_blocks.append(np.ones(count, np.float32))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(count, weights, np.float32))
        else:
            weight_blocks.append(np.array(weights, np.float32))
        matcher._next_block()
    if not id_blocks:
        return NO_IDS, NO_WEIGHTS
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


class SegmentQuery:
    """A query's boolean mask over one segment's documents."""

    def __init__(self, leaf_searcher, data: SegmentData, postings: PostingsCache):
        self.searcher = leaf_searcher
        self.reader = leaf_searcher.reader()
        self.data = data
        self.postings = postings

    def none(self) -> np.ndarray:
        return np.zeros(self.data.size, bool)

    def mask(self, q) -> np.ndarray:
        """The documents `q` matches (deleted ones included)."""
        if isinstance(q, query.Term):
            codes = self.data.code_of.get(q.fieldname)
            if codes is not None:  # a facet field: compare the column's codes
                code = codes.get(q.text)
                return self.data.codes[q.fieldname] == code if code is not None else self.none()
            found = self.none()
            found[self.postings.get(self.reader, q.fieldname, q.text)[0]] = True
            return found
        if isinstance(q, query.And):
            found = None
            for sub in q.subqueries:
                found = self.mask(sub) if found is None else found & self.mask(sub)
                if not found.any():
                    return found
            return found if found is not None else self.none()
        if isinstance(q, (query.Or, query.DisjunctionMax)) and getattr(q, "minmatch", 0) in (0, 1, None):
            return reduce(np.logical_or, (self.mask(sub) for sub in q.subqueries), self.none())
        if isinstance(q, query.Require):
            return self.mask(q.a) & self.mask(q.b)
        if isinstance(q, query.AndMaybe):
            return self.mask(q.a)
        if isinstance(q, query.AndNot):
            return self.mask(q.a) & ~self.mask(q.b)
        if q is query.NullQuery:
            return self.none()
        found = self.none()  # phrases and anything else: Whoosh's own matcher
        found[list(q.docs(self.searcher))] = True
        return found

    def live(self) -> np.ndarray:
        """Documents not deleted."""
        found = np.ones(self.data.size, bool)
        if self.reader.has_deletions():
            found[list(self.reader.segment().deleted_docs())] = False
        return found

    def scores(self, matched: np.ndarray, terms: dict[tuple[str, str], tuple[float, float]]) -> np.ndarray:
        """BM25F of the matched documents: the sum over query terms of idf * tf(K1+1) / (tf + K1(1 - B + B dl/avgdl)).

        `terms` maps (field, term) to its index-wide (idf, average field length).
        """
        scores = np.zeros(self.data.size, np.float32)
        for (fieldname, text), (idf, average) in terms.items():
            ids, weights = self.postings.get(self.reader, fieldname, text)
            keep = matched[ids]
            ids, weights = ids[keep], weights[keep]
            if not len(ids):
                continue
            lengths = self.data.lengths.get(fieldname)
            lengths = lengths[ids] if lengths is not None else np.zeros(len(ids), np.float32)
            scores[ids] += idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
        return scores


def term_statistics(searcher, terms) -> dict[tuple[str, str], tuple[float, float]]:
    """(field, term) -> (idf, average field length) over the whole index, as Whoosh's BM25F takes them."""
    total = max(1, searcher.doc_count_all())
    found = {}
    for fieldname, text in terms:
        idf = log(total / (searcher.doc_frequency(fieldname, text) + 1)) + 1
        found[(fieldname, text)] = (idf, searcher.avg_field_length(fieldname) or 1.0)
    return found
