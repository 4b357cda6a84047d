"""Checking attachments by their content (PDF, DOCX, ODT only) and keeping
them under instance/uploads, never under static/."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
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
MAX_NAME = 255


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


def clean_filename(filename: str) -> str:
    """The name without any folder part or control characters, at most 255 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in name).strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        name = (stem if dot else name)[: MAX_NAME - len(ext)] + ext
    return name or "lampiran"


def download_name(filename: str, content_type: str) -> str:
    """The name offered on download, ending in the extension of the detected type."""
    extension = EXTENSIONS.get(content_type, "")
    if extension and not filename.lower().endswith(extension):
        return filename + extension
    return filename


def detect_type(data: bytes) -> str | None:
    """PDF, DOCX or ODT content type of `data`, or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in data[-PDF_TAIL:] else None
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
        raise ValidationError(
            "attachments",
            _("The file %(name)s is larger than %(mb)s MB, the most a file may be.", name=name, mb=megabytes(limit)),
        )
    content_type = detect_type(data)
    if content_type is None:
        raise ValidationError("attachments", _refusal(name, data))
    return CheckedFile(
        filename=name, data=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest()
    )


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
