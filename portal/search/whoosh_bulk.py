"""Bulk segment writing for `flask search rebuild`: Whoosh's own file format, without
the overhead of Whoosh's general-purpose writer.

Whoosh's SegmentWriter spends most of a rebuild on bookkeeping: every posting goes
through an external sort pool (pickled out to run files and merged back), and at
commit each posting's field length is read back from the column just written. Here
the postings of a segment are gathered in memory (a segment is cut every
`segment_docs` documents, which bounds the memory), field lengths are kept in plain
dicts, and the codec's per-document and field writers are driven directly: the files
are the ones Whoosh itself writes, so the index opens, searches and takes updates like
any other (a test compares both writers posting by posting).

`build_parallel` runs `parts` forked processes, each writing the segments of its own
share of the documents (each reads its share from the database itself).
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import traceback
from collections import Counter, defaultdict
from typing import Callable, Iterable

from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import Storage
from whoosh.index import TOC
from whoosh.util.numeric import byte_to_length, length_to_byte

# Documents per segment: about 60 postings each, held in memory until the segment is written.
SEGMENT_DOCS = 100_000
PROGRESS_EVERY = 500

Progress = Callable[[int], None]
# (part, parts, progress) -> (segments written, documents written), run in each process.
PartBuilder = Callable[[int, int, Progress], tuple[list[Segment], int]]


class SegmentBuilder:
    """Writes one segment from field dicts (as `IndexWriter.add_document` takes them)."""

    def __init__(self, storage: Storage, indexname: str, schema: Schema):
        self.schema = schema
        self.storage = storage
        # Blocks stored uncompressed (a bigger index, but no zlib on every block written or read: the
        # decoded postings are the same). Every posting list goes to the postings file, as Whoosh's own
        # writer leaves it (inlinelimit=1 inlines nothing): Whoosh reads an inlined list without
        # values back as '' where its writer wants None, and its next merge of the segment failed.
        self.codec = W3Codec(compression=0, inlinelimit=1)
        self.segment = self.codec.new_segment(storage, indexname)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.doc_count = 0
        # fieldname -> term bytes -> [(docnum, weight, encoded value)], in docnum order.
        self.postings: dict[str, dict[bytes, list]] = {name: defaultdict(list) for name in schema.names()}
        # fieldname -> {docnum: length as the length column gives it back}
        self.lengths: dict[str, dict[int, int]] = {name: {} for name in schema.names()}
        # How each field is indexed, worked out once: analysed term lists with positions, single
        # terms (ID fields), the field's own `index()`, or not at all.
        self.plan = []
        for fieldname in sorted(schema.names()):
            field = schema[fieldname]
            if not field.indexed:
                how = None
            elif type(field.format) is formats.Positions:
                how = "positions"
            elif type(field) is ID and type(field.analyzer) is IDTokenizer:
                how = "id"
            else:
                how = "field"
            self.plan.append((fieldname, field, how, f"_stored_{fieldname}", self.postings[fieldname],
                              self.lengths[fieldname]))

    def add(self, fields: dict) -> None:
        """Add one document: the same work as SegmentWriter.add_document, in one pass."""
        perdoc = self.perdoc
        docnum = self.doc_count
        perdoc.start_doc(docnum)
        for fieldname, field, how, stored_key, postings, lengths in self.plan:
            value = fields.get(fieldname)
            if value is None:
                continue
            length = 0
            if how == "positions" and isinstance(value, list):
                length = len(value)
                for tbytes, _freq, weight, vbytes in _positions_items(value, field.format):
                    postings[tbytes].append((docnum, weight, vbytes))
            elif how == "id":  # the value is the one term
                postings[value.encode("utf-8")].append((docnum, field.format.field_boost, b""))
            elif how is not None:
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in field.index(value):
                    if scorable:
                        length += freq
                    postings[tbytes].append((docnum, weight, vbytes))
            stored = fields.get(stored_key, value)
            perdoc.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
            if length:
                lengths[docnum] = _STORED_LENGTH.get(length) or _stored_length(length)
        perdoc.finish_doc()
        self.doc_count += 1

    def finish(self) -> Segment:
        """Write the per-document files and the postings; returns the finished segment."""
        self.perdoc.close()
        writer = self.codec.field_writer(self.storage, self.segment)
        current = None
        for fieldname in sorted(self.postings):
            terms = self.postings[fieldname]
            if not terms:
                continue
            if current is not None:
                writer.finish_field()
            writer.start_field(fieldname, self.schema[fieldname])
            current = fieldname
            lengths = self.lengths[fieldname]
            for tbytes in sorted(terms):
                docnums, weights, values = zip(*terms[tbytes], strict=True)
                writer.start_term(tbytes)
                _fill_blocks(writer._postwriter, docnums, weights, values,
                             [lengths.get(docnum, 0) for docnum in docnums] if lengths else None)
                writer.finish_term()
        if current is not None:
            writer.finish_field()
        writer.close()
        self.postings.clear()
        self.lengths.clear()
        self.segment.set_doc_count(self.doc_count)
        if self.segment.should_assemble():  # one compound file, as Whoosh's writer leaves a segment
            self.segment.create_compound_file(self.storage)
            self.segment.compound = True
        return self.segment


def _fill_blocks(postings, docnums, weights, values, lengths) -> None:
    """What W3PostingsWriter.add_posting does for each posting, a block at a time: fill the buffered
    block (ids, weights, non-empty values and the block's weight and length bounds) and write it out
    when full; `finish_term` writes the last one."""
    limit = postings._blocklimit
    for start in range(0, len(docnums), limit):
        if postings._ids:
            postings._write_block()
        end = start + limit
        postings._ids.extend(docnums[start:end])
        postings._weights.extend(weights[start:end])
        postings._maxweight = max(0, *weights[start:end])
        postings._values.extend(value for value in values[start:end] if value)
        if lengths is not None:
            found = [length for length in lengths[start:end] if length]
            if found:
                postings._minlength, postings._maxlength = min(found), max(found)


def _positions_items(terms: list[str], fmt: formats.Positions):
    """(term bytes, frequency, weight, encoded positions) of an analysed term list, as
    `Positions.word_values` gives them for a list value (one position per term)."""
    boost = fmt.field_boost
    counts = Counter(terms)
    last = {term: pos for pos, term in enumerate(terms)}
    repeated: dict[str, list[int]] = {}
    if len(counts) < len(terms):
        for pos, term in enumerate(terms):
            if counts[term] > 1:
                repeated.setdefault(term, []).append(pos)
    for term, freq in counts.items():
        if freq == 1:  # most terms occur once: their encodings repeat
            pos = last[term]
            encoded = _ONE_POSITION.get(pos)
            if encoded is None:
                encoded = _ONE_POSITION[pos] = fmt.encode([pos])
        else:
            encoded = fmt.encode(repeated[term])
        yield term.encode("utf-8"), freq, freq * boost, encoded


_ONE_POSITION: dict[int, bytes] = {}
_STORED_LENGTH: dict[int, int] = {}


def _stored_length(length: int) -> int:
    """The length as the one-byte length column gives it back (what Whoosh's writer records)."""
    _STORED_LENGTH[length] = stored = byte_to_length(length_to_byte(length))
    return stored


def write_segments(storage: Storage, indexname: str, schema: Schema, field_dicts: Iterable[dict],
                   progress: Progress | None = None, segment_docs: int = SEGMENT_DOCS) -> tuple[list[Segment], int]:
    """Write documents into as many segments as `segment_docs` asks; returns them and the count."""
    segments: list[Segment] = []
    builder = None
    count = pending = 0
    for fields in field_dicts:
        if builder is None:
            builder = SegmentBuilder(storage, indexname, schema)
        builder.add(fields)
        count += 1
        pending += 1
        if progress is not None and pending >= PROGRESS_EVERY:
            progress(pending)
            pending = 0
        if builder.doc_count >= segment_docs:
            segments.append(builder.finish())
            builder = None
    if builder is not None:
        segments.append(builder.finish())
    if progress is not None and pending:
        progress(pending)
    return segments, count


def commit(storage: Storage, indexname: str, schema: Schema, segments: list[Segment]) -> None:
    """Make the segments the index's content (a new table of contents after the empty one)."""
    TOC(schema, segments, generation=1).write(storage, indexname)


def build_parallel(build_part: PartBuilder, parts: int, progress: Progress | None = None) -> tuple[list[Segment], int]:
    """Run `build_part(part, parts, progress)` in `parts` forked processes; returns every segment and the count.

    Raises RuntimeError when a process fails or dies; the caller removes what was written.
    """
    context = multiprocessing.get_context("fork")
    messages = context.Queue()

    def child(part: int) -> None:
        try:
            result = build_part(part, parts, lambda n: messages.put(("progress", part, n)))
            messages.put(("done", part, result))
        except BaseException:
            messages.put(("error", part, traceback.format_exc()))
        finally:
            messages.close()
            messages.join_thread()

    workers = [context.Process(target=child, args=(part,), daemon=True) for part in range(parts)]
    for worker in workers:
        worker.start()
    segments: list[Segment] = []
    count = 0
    waiting = set(range(parts))
    quiet: set[int] = set()
    errors: list[str] = []
    try:
        while waiting:
            try:
                kind, part, payload = messages.get(timeout=0.5)
            except queue_module.Empty:
                # A process gone without a word was killed or crashed hard. One that exited cleanly
                # has its last message in the pipe: it gets one more wait before it counts as lost.
                for part in list(waiting):
                    code = workers[part].exitcode
                    if code is not None and (code != 0 or part in quiet):
                        waiting.discard(part)
                        errors.append(f"indexing process {part} exited with code {code}")
                    elif code == 0:
                        quiet.add(part)
                continue
            if kind == "progress":
                if progress is not None:
                    progress(payload)
                continue
            waiting.discard(part)
            if kind == "done":
                segments += payload[0]
                count += payload[1]
            else:
                errors.append(payload)
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
                worker.join()
    if errors:
        raise RuntimeError("rebuild failed in an indexing process:\n" + "\n".join(errors))
    return segments, count

