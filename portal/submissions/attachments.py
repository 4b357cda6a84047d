"""Checking attachments by their content (PDF, DOCX, ODT only) and keeping
them under instance/uploads, never under static/.

A file is refused when its name could mislead (bidirectional controls and
other invisible characters are removed from it), when it is a "zip bomb" (a
DOCX or ODT that unpacks to far more than it weighs), or when its first
kilobyte holds web-page markup (a PDF or ZIP that is an HTML page as well).
Downloads are always served as files (see the download view)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from portal.errors import ValidationError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# A PDF ends with %%EOF, possibly followed by a little whitespace or junk a writer left.
PDF_TAIL = 1024
# A file name is at most this many characters and UTF-8 bytes (what file systems allow).
MAX_NAME = 255
# What a DOCX or ODT may unpack to. Real documents have tens of parts (a few
# hundred with many images) and XML that compresses about 5-20 times.
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
ZIP_MAX_MEMBERS = 1000
# As Apache POI's ZipSecureFile does (100 times, past 100 KB), a part may unpack
# to at most this many times its compressed size once it is larger than
# ZIP_RATIO_GRACE; looser than POI, whose limit some real spreadsheets break.
ZIP_MAX_RATIO = 200
ZIP_RATIO_GRACE = 4 * 1024 * 1024
ZIP_CHUNK = 256 * 1024
# How far into a file browsers and other content sniffers look for markup.
SNIFF_BYTES = 1024
# The markup a sniffer takes for a web page. No PDF or ZIP structure writes these
# (PDF hex strings hold only 0-9, a-f and spaces), so genuine documents pass.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|frameset|object|embed|applet|svg|img|meta"
    rb"|link|style|title|form|table|pre|plaintext|xmp|div|base)[\s>/]|<a\s+href\b",
    re.IGNORECASE,
)
# Invisible characters that change how a name displays: Unicode's
# Default_Ignorable_Code_Point set (bidirectional controls U+202A-202E,
# U+2066-2069, U+200E/200F, U+061C, zero-width characters, fillers, variation
# selectors, tags). Format (Cf), surrogate, private-use and unassigned
# characters are dropped as well; controls and odd spaces become a space.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_DROPPED_CATEGORIES = {"Cf", "Cs", "Co", "Cn"}
_SPACE_CATEGORIES = {"Cc", "Zs", "Zl", "Zp"}
# Folder separators, and characters Windows refuses in a name (a download under one fails there).
_REPLACED = set('/\\<>:"|?*')


class AttachmentTooLarge(ValidationError):
    """An attachment larger than the portal accepts, on disk or unpacked (answered 413)."""

    status = 413


@dataclass(frozen=True)
class Upload:
    """A file as the user sent it: its name and (up to the limit plus one byte of) its content."""

    filename: str
    data: bytes

    @classmethod
    def from_storage(cls, storage) -> "Upload":
        """Read a werkzeug FileStorage, stopping one byte past the size limit."""
        return cls(filename=storage.filename or "", data=storage.stream.read(max_bytes() + 1))


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what was detected."""

    filename: str
    data: bytes
    content_type: str
    sha256: str


def max_bytes() -> int:
    """Largest accepted attachment, in bytes (ATTACHMENT_MAX_BYTES)."""
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_folder() -> Path:
    """Where attachments are kept: instance/uploads."""
    return Path(current_app.config.get("INSTANCE_PATH") or current_app.instance_path) / "uploads"


def max_unpacked_bytes() -> int:
    """Most a DOCX or ODT may unpack to, in bytes (ATTACHMENT_MAX_UNPACKED_BYTES)."""
    return int(current_app.config.get("ATTACHMENT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def clean_filename(filename: str) -> str:
    """The name as it may be shown: NFC, no folder part, no invisible, control or bidirectional
    characters, nothing Windows refuses, at most 255 characters and 255 UTF-8 bytes."""
    name = unicodedata.normalize("NFC", filename or "")
    # Only the last path component counts (browsers on Windows send "C:\\...\\name.pdf").
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(_clean_char(ch) for ch in name)
    # Collapsed spaces; no leading dots (hidden files) nor trailing dots and spaces (Windows drops them).
    name = unicodedata.normalize("NFC", " ".join(name.split())).lstrip(". ").rstrip(". ")
    name = _shorten(name)
    return name or "lampiran"


def _clean_char(ch: str) -> str:
    code = ord(ch)
    if any(low <= code <= high for low, high in _IGNORABLE):
        return ""
    category = unicodedata.category(ch)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category in _SPACE_CATEGORIES:
        return " "
    return "_" if ch in _REPLACED else ch


def _shorten(name: str) -> str:
    """Cut the stem so the name fits MAX_NAME characters and bytes, keeping a short extension."""
    if len(name) <= MAX_NAME and len(name.encode("utf-8")) <= MAX_NAME:
        return name
    stem, dot, ext = name.rpartition(".")
    extension = dot + ext if dot and stem and len(ext) <= 10 else ""
    stem = name[: len(name) - len(extension)]
    room = MAX_NAME - len(extension.encode("utf-8"))
    stem = stem[: MAX_NAME - len(extension)]
    while len(stem.encode("utf-8")) > room:
        stem = stem[:-1]
    return stem.rstrip(". ") + extension


def download_name(filename: str, content_type: str) -> str:
    """The name offered on download, ending in the extension of the detected type."""
    extension = EXTENSIONS.get(content_type, "")
    if extension and not filename.lower().endswith(extension):
        return filename + extension
    return filename


def detect_type(data: bytes) -> str | None:
    """PDF, DOCX or ODT content type of `data`, or None for anything else (a ZIP must start
    with its first part: data before it could make the file a web page as well)."""
    if data.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in data[-PDF_TAIL:] else None
    # A ZIP may legally start with anything (its directory is at the end).
    if not data.startswith(b"PK\x03\x04"):
        return None
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        return None
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    # Read only a few bytes: a crafted archive must not inflate in memory.
                    if member.read(100).strip() == ODT.encode():
                        return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
        return None
    return None


def check(upload: Upload) -> CheckedFile:
    """Accept a PDF, DOCX or ODT file within the size limit, judged by content; else ValidationError."""
    name = clean_filename(upload.filename)
    data = upload.data
    limit = max_bytes()
    if not data:
        raise ValidationError("attachments", _("The file %(name)s is empty.", name=name))
    if len(data) > limit:
        raise AttachmentTooLarge(
            "attachments",
            _("The file %(name)s is larger than %(mb)s MB, the most a file may be.", name=name, mb=megabytes(limit)),
        )
    content_type = detect_type(data)
    if content_type is None:
        raise ValidationError("attachments", _refusal(name, data))
    if has_markup(data):
        raise ValidationError("attachments", _(
            "The file %(name)s holds web-page code (HTML or script) at its start, so it is not an ordinary "
            "document. Save it again as PDF, DOCX or ODT from your word processor and attach it anew.",
            name=name,
        ))
    if content_type in (DOCX, ODT):
        check_archive(name, data)
    return CheckedFile(
        filename=name, data=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest()
    )


def has_markup(data: bytes) -> bool:
    """Whether the first kilobyte holds markup a content sniffer would take for a web page."""
    return _MARKUP.search(data[:SNIFF_BYTES]) is not None


def check_archive(name: str, data: bytes) -> None:
    """Refuse a DOCX or ODT with too many parts or that unpacks to too much (a "zip bomb").

    The declared sizes are checked first; then every part is inflated in chunks
    and counted (never held whole in memory): a part that unpacks to more than
    its directory entry declares, or does not match its CRC, is refused as
    damaged the moment it does, so a lying directory costs no more than an honest one.
    """
    limit = max_unpacked_bytes()
    too_large = AttachmentTooLarge("attachments", _(
        "The file %(name)s unpacks to more than %(mb)s MB, the most a document may hold. Save it again "
        "with smaller images, or as PDF.", name=name, mb=megabytes(limit),
    ))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise AttachmentTooLarge("attachments", _(
                "The file %(name)s is made of more than %(n)d parts, far more than a document has. "
                "Save it again from your word processor, or as PDF.", name=name, n=ZIP_MAX_MEMBERS,
            ))
        if sum(member.file_size for member in members) > limit:
            raise too_large
        for member in members:
            if member.file_size > ZIP_RATIO_GRACE and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
                raise AttachmentTooLarge("attachments", _(
                    "The file %(name)s is compressed far more than a real document (one part unpacks to "
                    "over %(n)d times its size). Save it again from your word processor, or as PDF.",
                    name=name, n=ZIP_MAX_RATIO,
                ))
        unpacked = 0
        for member in members:
            unpacked += _unpack_counting(data, member, limit - unpacked)
            if unpacked > limit:
                raise too_large
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, struct.error, ValueError):
        raise ValidationError("attachments", _(
            "The file %(name)s is damaged: its content does not match its own table of contents. Save it "
            "again from your word processor and attach it anew.", name=name,
        )) from None


def _unpack_counting(data: bytes, member: zipfile.ZipInfo, budget: int) -> int:
    """How many bytes `member` really unpacks to, inflated a chunk at a time; stops past `budget`.

    BadZipFile when the part does not match its declared size or CRC, or is cut short.
    """
    signature, *_fields, name_length, extra_length = struct.unpack_from("<4s5H3L2H", data, member.header_offset)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile("no local header")
    start = member.header_offset + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + member.compress_size]
    if len(raw) != member.compress_size:
        raise zipfile.BadZipFile("part cut short")
    size = crc = 0
    if member.compress_type == zipfile.ZIP_STORED:
        size, crc = len(raw), zlib.crc32(raw)
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        # Input a chunk at a time too, so that no large buffer is ever copied.
        pieces = (raw[offset:offset + ZIP_CHUNK] for offset in range(0, len(raw), ZIP_CHUNK))
        pending, fed_all = b"", False
        while not inflater.eof:
            if not pending and not fed_all:
                pending = next(pieces, None)
                fed_all = pending is None
                pending = pending or b""
            chunk = inflater.decompress(pending, ZIP_CHUNK)
            pending = inflater.unconsumed_tail
            if fed_all and not chunk and not pending and not inflater.eof:
                raise zipfile.BadZipFile("part cut short")
            size += len(chunk)
            # More than the directory declares: it lies (the declared total was checked above).
            if size > member.file_size:
                raise zipfile.BadZipFile("part larger than the directory says")
            if size > budget:
                return size
            crc = zlib.crc32(chunk, crc)
    else:  # Word and LibreOffice write only stored and deflated parts
        raise NotImplementedError("compression method")
    if size != member.file_size or crc != member.CRC:
        raise zipfile.BadZipFile("size or CRC differs from the directory")
    return size


def check_all(uploads: list[Upload]) -> list[CheckedFile]:
    """Check every upload that carries a file (empty file inputs are skipped); at most MAX_FILES."""
    chosen = [upload for upload in uploads if upload.filename or upload.data]
    if len(chosen) > MAX_FILES:
        raise ValidationError("attachments", _("Attach at most %(n)d files.", n=MAX_FILES))
    return [check(upload) for upload in chosen]


def store(checked: CheckedFile) -> str:
    """Write the file under a new random name in the upload folder; return that name."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(20)
    # O_EXCL: never overwrite another file, whatever the name.
    fd = os.open(folder / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(checked.data)
    return stored_name


def remove(stored_name: str) -> None:
    """Delete a stored file if it is there (cleaning up after a failed save)."""
    try:
        (upload_folder() / stored_name).unlink()
    except FileNotFoundError:
        pass


def path_of(stored_name: str) -> Path:
    """The full path of a stored file."""
    return upload_folder() / stored_name


def megabytes(limit: int) -> str:
    """A byte count in megabytes, as shown to users (10, 0.5)."""
    value = limit / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.2f}"


def _refusal(name: str, data: bytes) -> str:
    """Say why a file is not accepted, as precisely as the content allows."""
    if data.startswith(b"%PDF-"):
        return _("The file %(name)s looks like a PDF but is damaged or incomplete. Save it again as PDF and attach it anew.", name=name)
    if data.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return _("The file %(name)s is a program, not a document. Only PDF, DOCX and ODT documents are accepted.", name=name)
    if name.lower().endswith(".pdf"):
        return _("The file %(name)s is named as a PDF but its content is not a PDF. Only PDF, DOCX and ODT documents are accepted.", name=name)
    if name.lower().endswith((".docx", ".odt")):
        return _("The file %(name)s is named as a DOCX or ODT document but its content is not one. Save it again from your word processor.", name=name)
    return _("The file %(name)s is not a PDF, DOCX or ODT document. Only these formats are accepted.", name=name)
