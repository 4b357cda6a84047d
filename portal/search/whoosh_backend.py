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
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from markupsafe import Markup, escape
from whoosh import collectors, columns, fields, index, query, sorting
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.qparser import MultifieldParser, QueryParser, plugins
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from portal.search import whoosh_bulk
from portal.search.analysis import exact_analyzer, index_terms, indonesian_analyzer
from portal.search.backend import (
    Document,
    DocumentSource,
    Hit,
    Progress,
    QuerySyntaxError,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Visibility,
)

CURRENT = "CURRENT"
EPOCH = date(1970, 1, 1)
SEARCH_FIELDS = ("title", "text", "text_exact")
FIELD_BOOSTS = {"title": 2.0, "text": 1.0, "text_exact": 1.5}
# Query syntax we do not offer: field names, wildcards, ranges, boosts, "*:*".
REFUSED_PLUGINS = (
    plugins.FieldsPlugin,
    plugins.WildcardPlugin,
    plugins.RangePlugin,
    plugins.BoostPlugin,
    plugins.EveryPlugin,
    plugins.SingleQuotePlugin,
)
FACET_FIELDS = {"kind": "kind", "policy": "policy", "group": "group", "status": "status"}
DATE_COLUMN = "created_ts"
DATE_DAYS = {"7d": 7, "30d": 30, "365d": 365}
SUGGEST_BELOW = 3  # offer "did you mean" only when a query finds fewer hits than this


def make_schema() -> fields.Schema:
    """The index schema: filter fields, dates, and the text twice (stemmed and exact)."""
    stemmed, exact = indonesian_analyzer(), exact_analyzer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        doc_type=fields.ID(stored=True),
        db_id=fields.STORED(),
        kind=fields.ID(stored=True, sortable=True),
        status=fields.ID(stored=True, sortable=True),
        policy=fields.ID(stored=True, sortable=True),
        article=fields.KEYWORD(stored=True, commas=True),
        positions=fields.KEYWORD(stored=True, commas=True),
        group=fields.ID(stored=True, sortable=True),
        organisation=fields.ID(stored=True),
        author=fields.ID(stored=True),
        # Dates: stored for display; a column (epoch seconds) for sorting, the date facet and date
        # filters (read from the cached column, not indexed: a numeric field adds 8 terms per document).
        created_at=fields.STORED(),
        published_at=fields.STORED(),
        created_ts=fields.COLUMN(columns.NumericColumn("q")),
        title=fields.TEXT(analyzer=stemmed, stored=True, field_boost=FIELD_BOOSTS["title"]),
        text=fields.TEXT(analyzer=stemmed, stored=True),
        text_exact=fields.TEXT(analyzer=exact, field_boost=FIELD_BOOSTS["text_exact"], spelling=True),
    )


def matching_docs(q: query.Query, searcher) -> set[int]:
    """The numbers of the documents `q` matches in one segment, without scoring them.

    Words, And, Or, Require, AndMaybe and AndNot are evaluated as sets of posting ids (read a
    block at a time); anything else (phrases, ranges) asks Whoosh's matcher.
    """
    if isinstance(q, query.Term):
        try:
            return _posting_ids(searcher.reader().postings(q.fieldname, q.text))
        except TermNotFound:
            return set()
    if isinstance(q, query.And):
        found = None
        for sub in sorted(q.subqueries, key=lambda sub: not isinstance(sub, query.Term)):
            docs = matching_docs(sub, searcher)
            found = docs if found is None else found & docs
            if not found:
                return set()
        return found if found is not None else set()
    if isinstance(q, (query.Or, query.DisjunctionMax)) and getattr(q, "minmatch", 0) in (0, 1, None):
        found: set[int] = set()
        for sub in q.subqueries:
            found |= matching_docs(sub, searcher)
        return found
    if isinstance(q, query.Require):
        found = matching_docs(q.a, searcher)
        return found & matching_docs(q.b, searcher) if found else found
    if isinstance(q, query.AndMaybe):
        return matching_docs(q.a, searcher)
    if isinstance(q, query.AndNot):
        found = matching_docs(q.a, searcher)
        return found - matching_docs(q.b, searcher) if found else found
    if q is query.NullQuery:
        return set()
    return set(q.docs(searcher))


def _posting_ids(matcher) -> set[int]:
    """Every id of a term's postings; whole blocks at a time from Whoosh's W3 posting reader."""
    excluded = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:  # deleted documents
        excluded, matcher = matcher._ids, matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return set(matcher.all_ids()) - excluded
    ids: set[int] = set()
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids.update(matcher._ids[matcher._i:])
        matcher._next_block()
    return ids - excluded if excluded else ids


class MarkFormatter(Formatter):
    """Highlight matches with <mark>; everything else is escaped by markupsafe."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return str(Markup("<mark>{}</mark>").format(get_text(text, token, replace)))


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _epoch(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def to_fields(doc: Document) -> dict:
    """The Whoosh field values of a document (None values left out).

    The texts are analysed here, once, into the exact and the stemmed terms (Whoosh takes a list
    of terms as an already analysed value); the original text is what gets stored.
    """
    title_exact, title_stemmed = index_terms(doc.title or "")
    text_exact, text_stemmed = index_terms(doc.text or "")
    values = {
        "doc_id": doc.doc_id,
        "doc_type": doc.doc_type,
        "db_id": doc.db_id,
        "kind": doc.kind,
        "status": doc.status,
        "title": title_stemmed,
        "_stored_title": doc.title or "",
        "text": text_stemmed,
        "_stored_text": doc.text or "",
        "text_exact": title_exact + text_exact,
        "article": ",".join(doc.article_keys),
        "positions": ",".join(doc.position_codes),
        "group": doc.stakeholder_group or "",
        "created_at": _naive_utc(doc.created_at),
        "published_at": _naive_utc(doc.published_at),
        "created_ts": _epoch(doc.created_at),
        "policy": str(doc.policy_id) if doc.policy_id is not None else None,
        "organisation": str(doc.organisation_id) if doc.organisation_id is not None else None,
        "author": str(doc.author_id) if doc.author_id is not None else None,
    }
    return {key: value for key, value in values.items() if value is not None}


class WhooshBackend(SearchBackend):
    """Search backed by a Whoosh file index under `root`."""

    def __init__(self, root: str | os.PathLike, procs: int = 1, writer_timeout: float = 10.0):
        self.root = Path(root)
        self.procs = procs
        self.writer_timeout = writer_timeout
        self._opened: tuple[str, index.Index] | None = None
        # One open searcher per thread, reused until the index changes: opening one copies
        # every file of the segment into memory, far more than a query costs.
        self._local = threading.local()
        # (segment id, column) -> the column's value for each document of that segment (facets).
        self._columns: dict[tuple[str, str], list] = {}
        self._columns_lock = threading.Lock()

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
        return name

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
        self._forget_columns(searcher)
        return searcher

    def close(self) -> None:
        """Close this thread's searcher."""
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            held[1].close()

    def _column_values(self, reader, fieldname: str) -> list:
        """Every document's value of a column in one segment, read once per segment."""
        key = (reader.segment().segment_id(), fieldname)
        values = self._columns.get(key)
        if values is None:
            if reader.has_column(fieldname):
                values = list(reader.column_reader(fieldname, translate=True))
            else:
                values = [None] * reader.doc_count_all()
            with self._columns_lock:
                self._columns[key] = values
        return values

    def _forget_columns(self, searcher) -> None:
        segments = (leaf.segment() for leaf, _offset in searcher.reader().leaf_readers())
        live = {segment.segment_id() for segment in segments if segment is not None}
        with self._columns_lock:
            for key in [key for key in self._columns if key[0] not in live]:
                del self._columns[key]

    # --- writing -------------------------------------------------------------------------

    def index_documents(self, documents: Iterable[Document]) -> None:
        """Add or replace documents in one commit."""
        self.apply(list(documents), [])

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Remove documents by doc_id in one commit."""
        self.apply([], list(doc_ids))

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
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, source: DocumentSource, progress: Progress | None = None) -> int:
        """Write every document into a new generation (in `procs` processes), then swap CURRENT to it."""
        self.root.mkdir(parents=True, exist_ok=True)
        previous = self.current_dir().name
        name = self._new_generation()
        ix = index.create_in(self.root / name, make_schema())

        def build_part(part: int, parts: int, report: Progress | None):
            fields = (to_fields(doc) for doc in source(part, parts))
            return whoosh_bulk.write_segments(ix.storage, ix.indexname, ix.schema, fields, report)

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

    def parse(self, text: str, schema: fields.Schema, fieldnames=SEARCH_FIELDS):
        """Parse user words into a Whoosh query with the refused syntax switched off."""
        if len(fieldnames) == 1:
            parser = QueryParser(fieldnames[0], schema)
        else:
            parser = MultifieldParser(list(fieldnames), schema)
        for plugin in REFUSED_PLUGINS:
            parser.remove_plugin_class(plugin)
        try:
            return parser.parse(text)
        except Exception as error:  # Whoosh raises assorted errors on odd input
            raise QuerySyntaxError(str(error)) from error

    def search(self, request: SearchQuery, visibility: Visibility) -> SearchResults:
        """Run one search: visibility and facet filters, facet counts, highlights, suggestion."""
        searcher = self._searcher()
        schema = searcher.schema
        user_query = self.parse(request.text, schema)
        if user_query is query.NullQuery or not list(user_query.iter_all_terms()):
            return SearchResults([], 0, 1, request.per_page, empty_query=True)
        now = datetime.now(timezone.utc)
        filters = _filters(request, visibility, now)
        # What matches: the words, narrowed by the filters (Require keeps only the words' scores).
        # `_count` evaluates it as sets of posting ids and counts the facets from cached columns;
        # `_top` then scores only the matched documents for the page.
        final_query = query.Require(user_query, query.And(filters)) if filters else user_query
        pagelen = request.per_page
        pagenum = max(1, request.page)
        matched, counts = self._count(searcher, final_query, _day_range(request, now))
        total = len(matched)
        pagenum = min(pagenum, max(1, -(-total // pagelen)))  # a page past the end shows the last one
        offset = (pagenum - 1) * pagelen
        results = self._top(searcher, user_query, matched, offset + pagelen, request.sort) if matched else []
        if matched:
            results.formatter = MarkFormatter()
            results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
        hits = [_hit(hit) for hit in results[offset:offset + pagelen]]
        facets = {
            name: sorted(counts[fieldname].items(), key=lambda item: (-item[1], str(item[0])))
            for name, fieldname in FACET_FIELDS.items()
        }
        band = _band(int(now.timestamp()))
        bands = Counter()
        for created, count in counts[DATE_COLUMN].items():
            bands[band(created or 0)] += count
        facets["date"] = _cumulate(bands)
        suggestion = None
        if total < SUGGEST_BELOW:
            suggestion = self._suggest(searcher, request.text, schema)
        return SearchResults(
            hits=hits,
            total=total,
            page=pagenum,
            per_page=pagelen,
            facets={name: [(str(k), v) for k, v in values if k not in (None, "")] for name, values in facets.items()},
            suggestion=suggestion,
        )

    def _top(self, searcher, user_query, matched: set[int], limit: int, sort: str):
        """The best `limit` of the `matched` documents by the words' score (or newest first), with
        their matched terms (for highlighting).

        Only the words are matched again here; the filters' work is done (`matched` came from
        `_count`), so documents outside it are dropped before they are scored.

        Neither Whoosh's block-quality skipping nor its matcher replacement is used: with the
        intersection of words and filters, the first trips an assertion and the second can drop a
        hit that belongs in the top. The total and the facet counts come from `_count`.
        """
        if sort == "date":
            top = collectors.SortingCollector(sorting.FieldFacet(DATE_COLUMN), limit=limit, reverse=True)
        else:
            top = collectors.TopCollector(limit, usequality=False, replace=0)
        collector = collectors.FilterCollector(collectors.TermsCollector(top), allow=matched)
        searcher.search_with_collector(user_query, collector)
        return collector.results()

    def _count(self, searcher, final_query, days: tuple[int | None, int | None]) -> tuple[set[int], dict[str, Counter]]:
        """The (index-wide) numbers of the matching documents created within `days` (first and last day
        number, either open), and the facet columns' values counted over them."""
        names = (*FACET_FIELDS.values(), DATE_COLUMN)
        counts: dict[str, Counter] = {name: Counter() for name in names}
        matched: set[int] = set()
        first, last = days
        for leaf, offset in searcher.leaf_searchers():
            docs = matching_docs(final_query, leaf)
            if docs and (first is not None or last is not None):
                created = self._column_values(leaf.reader(), DATE_COLUMN)
                docs = {
                    doc for doc in docs
                    if (first is None or created[doc] // 86400 >= first) and (last is None or created[doc] // 86400 <= last)
                }
            if not docs:
                continue
            matched.update(docs if not offset else (offset + doc for doc in docs))
            reader = leaf.reader()
            for name in names:
                counts[name].update(map(self._column_values(reader, name).__getitem__, docs))
        return matched, counts

    def _suggest(self, searcher, text: str, schema) -> str | None:
        try:
            # Only a word found in no form at all (not even through its stem) is
            # a likely misspelling: "latihan" finds "pelatihan" and needs no hint.
            stemmed = self.parse(text, schema, fieldnames=("text",))
            if all(searcher.doc_frequency(field, term) > 0 for field, term in stemmed.iter_all_terms()):
                return None
            exact_query = self.parse(text, schema, fieldnames=("text_exact",))
            corrected = searcher.correct_query(exact_query, text)
        except Exception:  # Whoosh's corrector trips on tokens without positions; a suggestion is optional
            return None
        if corrected.query != exact_query and corrected.string.strip() and corrected.string != text:
            return corrected.string
        return None


def _filters(request: SearchQuery, visibility: Visibility, now: datetime) -> list:
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


def _day_range(request: SearchQuery, now: datetime) -> tuple[int | None, int | None]:
    """The first and last day (days since 1970, either open) the request's date filters allow."""
    first = (request.date_from - EPOCH).days if request.date_from else None
    last = (request.date_to - EPOCH).days if request.date_to else None
    if request.date_range in DATE_DAYS:
        since = int(now.timestamp()) // 86400 - DATE_DAYS[request.date_range]
        first = since if first is None else max(first, since)
    return first, last


def _band(now: int):
    """A function putting a creation time (epoch seconds) into the narrowest date band."""
    limits = [(key, now - days * 86400) for key, days in sorted(DATE_DAYS.items(), key=lambda item: item[1])]

    def band(created: int) -> str:
        for key, since in limits:
            if created >= since:
                return key
        return "older"

    return band


def _cumulate(bands: dict) -> list[tuple[str, int]]:
    """Band counts -> "within 7/30/365 days" counts (a 7-day item is also within 30 days)."""
    total, found = 0, []
    for key, _days in sorted(DATE_DAYS.items(), key=lambda item: item[1]):
        total += bands.get(key, 0)
        if total:
            found.append((key, total))
    return found


def _hit(hit) -> Hit:
    stored = {key: _aware(value) for key, value in hit.fields().items()}
    title = stored.get("title") or ""
    title_html = Markup(hit.highlights("title", text=title, top=1)) if title else Markup("")
    if title and not title_html:
        title_html = escape(title)
    text = stored.get("text") or ""
    fragments = Markup(hit.highlights("text", text=text, top=2)) if text else Markup("")
    if not fragments and text:
        fragments = escape(text[:240] + ("…" if len(text) > 240 else ""))
    return Hit(
        doc_id=stored["doc_id"],
        doc_type=stored["doc_type"],
        db_id=int(stored["db_id"]),
        kind=stored["kind"],
        score=float(hit.score or 0.0),
        fields=stored,
        title_html=title_html,
        fragments_html=fragments,
    )
