"""Fixtures for formal-submission tests: an official, an open policy, verified
members of two organisations, and valid and invalid attachment files.
The accounts use the English interface, so tests read the English messages."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from portal.extensions import utcnow
from portal.submissions.demo import minimal_pdf

BODY = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1
Pengertian

Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab.

## BAB II — Kebutuhan Pegawai

### Pasal 5
Sumber Data

Analisis kebutuhan menggunakan data kependudukan semester terakhir.

### Pasal 9
Rasio Minimal

Satu pekerja sosial untuk setiap kecamatan.
"""


@pytest.fixture
def official(make_user):
    """A moderator (official)."""
    return make_user(role="moderator", display_name="Rina Siregar", locale="en")


@pytest.fixture
def make_policy(app, official):
    """Factory: make_policy(status="open", **details) through the policy services."""
    from portal.proposals import services

    def factory(status: str = "open", **details):
        now = utcnow()
        details.setdefault("title", "Rancangan Perwal Analisis Kebutuhan Jabatan")
        details.setdefault("kind", "Rancangan Peraturan Wali Kota")
        details.setdefault("summary", "Ringkasan.")
        details.setdefault("opens_at", now - timedelta(days=1))
        details.setdefault("closes_at", now + timedelta(days=10))
        policy = services.create_policy(official, body=BODY, **details)
        for target in {"draft": [], "open": ["open"], "closed": ["open", "closed"]}[status]:
            services.transition(official, policy, target)
        return policy

    return factory


@pytest.fixture
def policy(make_policy):
    """An open policy."""
    return make_policy()


@pytest.fixture
def ngo(make_user):
    """A verified NGO member."""
    return make_user(role="ngo", organisation="LBH Medan", verified=True, display_name="Sari Nasution", locale="en")


@pytest.fixture
def academic(make_user):
    """A verified academic member of another organisation."""
    return make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True,
                     display_name="Dr. Andi Lubis", locale="en")


@pytest.fixture
def pdf_bytes() -> bytes:
    """A small valid PDF."""
    return minimal_pdf(["Masukan LBH Medan", "Pasal 5 dan Pasal 9"])


def make_docx() -> bytes:
    """A minimal DOCX (a ZIP with the parts Word needs)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def make_odt() -> bytes:
    """A minimal ODT (its mimetype member first, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}


def executable_markup(html: str) -> list[str]:
    """What in `html` would run script: script elements, on* attributes, javascript: URLs."""
    parser = _TagCollector()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and attrs == [("src", "/static/js/place.js"), ("defer", None)]:
            continue  # the draft page's own same-origin script (keeps the reader's place)
        if tag in ("script", "iframe", "object", "embed"):
            found.append(f"<{tag}>")
        for name, value in attrs:
            if re.match(r"on\w+$", name):
                found.append(f"<{tag} {name}>")
            if name in _URL_ATTRS and value:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                if cleaned.startswith(("javascript:", "vbscript:", "data:text/html")):
                    found.append(f"<{tag} {name}={value!r}>")
    return found


def post_multipart(client, url: str, fields: dict):
    """POST a multipart form encoded in memory (the test client spools big bodies
    to a temporary file it never closes), with the session's CSRF token."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict()
    values.add("csrf_token", client.csrf_token())
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                stream, filename = item
                values.add(key, FileStorage(stream=stream, filename=filename, content_type="application/octet-stream"))
            else:
                values.add(key, item)
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", csrf=False)
