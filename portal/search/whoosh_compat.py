"""A fix to whoosh-reloaded, applied once on import (guarded, so a release that fixes the library
leaves it alone).

Opening a file inside a compound segment (every segment Whoosh writes is one compound file,
memory-mapped) wrapped its bytes in `BytesIO`, which copies them: every reader or searcher
opened copied every file of every segment into memory, tens of megabytes at 100,000 documents.
Each update to the index opens a searcher (to replace documents by id) and the next query opens
another, so one post cost ~100 ms of copying, and the copies evicted the CPU caches the next
request ran in. Compound files now read straight from the map.

(Whoosh's postings writer can also keep short posting lists in the term table, "inlined", but
calls a method the term info class does not have, so no Whoosh writer inlines; the portal does
not either, see `whoosh_bulk`.)
"""

from __future__ import annotations

import os

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class MemoryReader:
    """A read-only file over a memoryview that does not copy it (BytesIO does)."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: memoryview):
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._pos = max(start, end)
        return self._buf[start:end].tobytes()

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start = self._pos
        limit = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        end = start
        while end < limit:  # only pickled headers are read by lines: short
            end += 1
            if self._buf[end - 1] == 0x0A:
                break
        self._pos = end
        return self._buf[start:end].tobytes()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass


class MappedFile(BufferFile):
    """A file inside a memory-mapped compound segment, read in place."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = MemoryReader(buf)


if compound.BufferFile is BufferFile:
    compound.BufferFile = MappedFile
