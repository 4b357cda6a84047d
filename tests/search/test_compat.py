"""The fixes to whoosh-reloaded: compound segments read in place give what the copying reader gave."""

from __future__ import annotations

import io
import random

import pytest

from whoosh import index
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

from portal.search import whoosh_bulk
from portal.search.whoosh_backend import make_schema, to_fields
from portal.search.whoosh_compat import MappedFile, MemoryReader

from .test_bulk import dump, sample_documents

pytestmark = pytest.mark.whoosh_only  # the Whoosh backend's own workings


def test_memory_reader_reads_as_bytesio_does():
    rng = random.Random(11)
    data = bytes(rng.randrange(256) for _ in range(4096)) + b"line one\nline two\n\nlast"
    expected, reader = io.BytesIO(data), MemoryReader(memoryview(data))
    for _ in range(2000):
        op = rng.choice(("read", "readline", "seek", "seek_cur", "seek_end", "readinto"))
        size = rng.choice((-1, 0, 1, 2, 7, 100, 5000))
        if op == "read":
            assert reader.read(size) == expected.read(size)
        elif op == "readline":
            assert reader.readline(size) == expected.readline(size)
        elif op == "readinto":
            mine, theirs = bytearray(max(size, 0)), bytearray(max(size, 0))
            assert reader.readinto(mine) == expected.readinto(theirs)
            assert mine == theirs
        elif op == "seek":
            where = rng.randrange(len(data) + 10)
            assert reader.seek(where) == expected.seek(where)
        elif op == "seek_cur":
            step = rng.randrange(-min(reader.tell(), 50), 50)
            assert reader.seek(step, io.SEEK_CUR) == expected.seek(step, io.SEEK_CUR)
        else:
            back = -rng.randrange(min(len(data), 60))
            assert reader.seek(back, io.SEEK_END) == expected.seek(back, io.SEEK_END)
        assert reader.tell() == expected.tell()


def test_compound_segments_read_in_place_give_what_the_copying_reader_gave(tmp_path, blns, monkeypatch):
    docs = sample_documents(blns)
    ix = index.create_in(tmp_path, make_schema())
    segments, _count = whoosh_bulk.write_segments(ix.storage, ix.indexname, ix.schema, map(to_fields, docs),
                                                  segment_docs=250)
    whoosh_bulk.commit(ix.storage, ix.indexname, ix.schema, segments)
    with index.open_dir(tmp_path).writer() as writer:  # and a segment written by Whoosh's own writer
        writer.update_document(**to_fields(docs[3]))
    assert all(segment.is_compound() for segment in index.open_dir(tmp_path)._segments())

    assert compound.BufferFile is MappedFile
    in_place = dump(index.open_dir(tmp_path))
    monkeypatch.setattr(compound, "BufferFile", BufferFile)
    copied = dump(index.open_dir(tmp_path))

    assert in_place == copied
    assert len(in_place["stored"]) == len(docs) + 1  # the replaced document is still stored, as deleted
