"""What only the formal-submission tests need: a policy text with the articles submissions name,
English-speaking accounts (an official, verified members of two organisations), and valid and
invalid attachment files. The accounts use the English interface, so tests read the English
messages."""

from __future__ import annotations

import io
import zipfile

import pytest

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
    """The official who runs the consultations here, reading the interface (and mail) in English
    as every account of these tests does; replaces tests/conftest.py's `official`."""
    return make_user(role="moderator", display_name="Rina Siregar", locale="en")


@pytest.fixture
def policy(make_policy):
    """An open policy with Pasal 1, 5 and 9 (BODY): the articles the submissions name."""
    return make_policy(body=BODY)


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
