"""Attachments that would mislead or harm whoever opens them: names that display
as something else, DOCX/ODT "zip bombs", and files that are a web page too.

The zip bombs are built here, in memory: a deflate stream of zeros is a few
kilobytes per gibibyte, so nothing big is ever written to disk or committed.
"""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import unicodedata
import zipfile
import zlib

import pytest
from sqlalchemy import func, select

from portal.errors import ValidationError
from portal.extensions import db, utcnow
from portal.i18n import local_zone
from portal.submissions import attachments, services
from portal.submissions.attachments import Upload
from portal.submissions.models import Attachment, Submission
from tests.conftest import CORPORA
from tests.submissions.conftest import make_docx, post_multipart

MIB = 1024 * 1024
TITLE = "Kajian beban kerja pekerja sosial"
BODY = "Kami melampirkan kajian lapangan dari enam kecamatan."
# The right-to-left override makes "laporan\u202egpj.exe.pdf" display as "laporanfdp.exe.jpg".
RLO_NAME = "laporan\u202egpj.exe.pdf"
BIDI_AND_INVISIBLE = (
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164",
       "\ufe0f", "\U000e0041"]
)


# --- building archives by hand ----------------------------------------------------------

def deflated_zeros(mib: int) -> tuple[bytes, int, int]:
    """A raw deflate stream that inflates to `mib` MiB of zeros: (stream, size, crc32).

    One MiB compressed with a full flush is a self-contained run of blocks, so
    repeating it makes a valid stream of any length at about 1 KB per MiB.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    zeros, crc = bytes(MIB), 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return piece * mib + final, mib * MIB, crc


def deflated(text: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, size, crc32) of `text`."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(text) + compressor.flush(), len(text), zlib.crc32(text)


def build_zip(members: list[tuple[str, tuple[bytes, int, int]]], declared: dict[str, tuple[int, int]] | None = None) -> bytes:
    """A ZIP of deflated members written field by field, so a test can make the
    directory declare a size and CRC other than the real ones (`declared`: name -> (size, crc))."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, (raw, size, crc) in members:
        size, crc = (declared or {}).get(name, (size, crc))
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0))
        out.write(encoded + raw)
        central.write(struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0, 0, 0, 0, 0, offset
        ))
        central.write(encoded)
    directory = central.getvalue()
    count = len(members)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), out.tell(), 0)
    return out.getvalue() + directory + end


def docx_with(part: tuple[bytes, int, int], declared: dict[str, tuple[int, int]] | None = None) -> bytes:
    """A DOCX (the two parts Word needs) with `part` as its picture."""
    return build_zip(
        [
            ("[Content_Types].xml", deflated(b'<?xml version="1.0"?><Types/>')),
            ("word/document.xml", deflated(b'<?xml version="1.0"?><w:document>' + b"<w:p>Kajian</w:p>" * 200 + b"</w:document>")),
            ("word/media/image1.png", part),
        ],
        declared,
    )


def _submit_through_the_form(client, login_as, user, policy, filename: str, content: bytes):
    login_as(user)
    return post_multipart(
        client,
        f"/policies/{policy.slug}/submissions/new",
        {"title": TITLE, "body": BODY, "attachments": [(io.BytesIO(content), filename)]},
    )


def _nothing_saved() -> None:
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    uploads = attachments.upload_folder()
    assert not uploads.exists() or list(uploads.iterdir()) == []


# --- names ------------------------------------------------------------------------

def test_the_right_to_left_override_is_removed_from_the_shown_and_downloaded_name(client, login_as, ngo, policy, pdf_bytes):
    response = _submit_through_the_form(client, login_as, ngo, policy, RLO_NAME, pdf_bytes)
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.original_name == "laporangpj.exe.pdf"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "laporangpj.exe.pdf" in page and "\u202e" not in page
    download = client.get(f"/submissions/{attachment.submission.public_id}/attachments/{attachment.id}")
    download.close()
    assert "laporangpj.exe.pdf" in download.headers["Content-Disposition"]
    assert "%E2%80%AE" not in download.headers["Content-Disposition"].upper()


@pytest.mark.parametrize("mark", BIDI_AND_INVISIBLE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_bidirectional_control_and_invisible_character_is_dropped(mark):
    assert attachments.clean_filename(f"kajian{mark}{mark}final{mark}.pdf") == "kajianfinal.pdf"


def test_a_name_is_nfc_without_folders_controls_or_characters_windows_refuses():
    assert attachments.clean_filename("Kaji\u0301an.pdf") == unicodedata.normalize("NFC", "Kaji\u0301an.pdf")
    assert attachments.clean_filename("C:\\Users\\sari\\..\\laporan.pdf") == "laporan.pdf"
    assert attachments.clean_filename("../../etc/\u202e/passwd") == "passwd"
    assert attachments.clean_filename("../../etc/\u202e/") == "lampiran"
    assert attachments.clean_filename("baris\nbaru\t\x00\x85\u2028nama.pdf") == "baris baru nama.pdf"
    assert attachments.clean_filename('kata<sandi>:"|?*.pdf') == "kata_sandi______.pdf"
    assert attachments.clean_filename("  ...tersembunyi.pdf. . ") == "tersembunyi.pdf"
    assert attachments.clean_filename("\u202e\u200b") == "lampiran"


def test_an_overlong_name_keeps_its_extension_within_255_characters_and_bytes():
    latin = attachments.clean_filename("a" * 1000 + ".docx")
    assert len(latin) == 255 and latin.endswith(".docx")
    wide = attachments.clean_filename("kajian-" + "é" * 400 + ".pdf")  # two bytes each in UTF-8
    assert wide.endswith(".pdf") and len(wide.encode("utf-8")) <= 255
    emoji = attachments.clean_filename("\U0001f4c4" * 300)  # four bytes each, no extension
    assert 0 < len(emoji.encode("utf-8")) <= 255


def test_naughty_strings_as_file_names_come_out_clean(blns):
    ignorable = {ch for ch in map(chr, range(0x110000)) if unicodedata.category(ch) in ("Cf", "Cc", "Cs", "Co", "Zl", "Zp")}
    for naughty in blns:
        name = attachments.clean_filename(naughty + ".pdf")
        assert name and name == unicodedata.normalize("NFC", name)
        assert not (set(name) & ignorable), (naughty, name)
        assert "/" not in name and "\\" not in name
        assert len(name) <= 255 and len(name.encode("utf-8")) <= 255


def test_naughty_names_are_stored_and_served_on_this_database(client, ngo, policy, pdf_bytes, blns):
    trick = [s for s in blns if any(unicodedata.category(ch) == "Cf" for ch in s)][:5]
    assert trick, "the corpus has strings with format characters"
    files = [Upload(name + ".pdf", pdf_bytes) for name in trick]
    submission = services.submit(ngo, policy, TITLE, BODY, [], files)
    for attachment in submission.attachments:
        assert not any(unicodedata.category(ch) == "Cf" for ch in attachment.original_name)
        response = client.get(f"/submissions/{submission.public_id}/attachments/{attachment.id}")
        response.close()
        assert response.status_code == 200


def test_a_name_stored_before_the_rules_is_shown_and_served_clean(client, ngo, policy, pdf_bytes):
    submission = services.submit(ngo, policy, TITLE, BODY, [], [Upload("lama.pdf", pdf_bytes)])
    attachment = submission.attachments[0]
    attachment.original_name = RLO_NAME  # as an older version of the portal kept it
    db.session.commit()
    page = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert "laporangpj.exe.pdf" in page and "\u202e" not in page
    response = client.get(f"/submissions/{submission.public_id}/attachments/{attachment.id}")
    response.close()
    assert "%E2%80%AE" not in response.headers["Content-Disposition"].upper()


# --- zip bombs ----------------------------------------------------------------------

def test_a_docx_that_unpacks_to_one_gibibyte_is_refused_413_in_indonesian_and_the_text_kept(
    client, login_as, make_user, policy
):
    bomb = docx_with(deflated_zeros(1024))
    assert len(bomb) < 2 * MIB and attachments.detect_type(bomb) == attachments.DOCX
    member = make_user(role="ngo", organisation="LBH Medan", verified=True)  # Indonesian interface
    response = _submit_through_the_form(client, login_as, member, policy, "kajian.docx", bomb)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Berkas kajian.docx jika dibuka berukuran lebih dari 100 MB" in page
    assert f'value="{TITLE}"' in page and BODY in page
    _nothing_saved()


def test_an_odt_that_unpacks_to_one_gibibyte_is_refused_too(app, ngo, policy):
    bomb = build_zip([
        ("mimetype", deflated(b"application/vnd.oasis.opendocument.text")),
        ("content.xml", deflated(b'<?xml version="1.0"?><office:document-content/>')),
        ("Pictures/gambar.png", deflated_zeros(1024)),
    ])
    assert attachments.detect_type(bomb) == attachments.ODT
    with pytest.raises(attachments.AttachmentTooLarge):
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("catatan.odt", bomb)])
    _nothing_saved()


def test_a_zip_bomb_recorded_as_offline_input_is_refused_413_with_the_typed_text_kept(client, login_as, official, policy):
    login_as(official)
    response = post_multipart(
        client,
        f"/policies/{policy.slug}/submissions/offline",
        {
            "channel": "letter", "received_on": utcnow().astimezone(local_zone()).date().isoformat(),
            "author_name": "Forum Warga Medan Johor", "stakeholder_group": "citizen",
            "title": TITLE, "body": BODY, "attachments": [(io.BytesIO(docx_with(deflated_zeros(1024))), "surat.docx")],
        },
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "surat.docx unpacks to more than 100 MB" in page
    assert f'value="{TITLE}"' in page and 'value="Forum Warga Medan Johor"' in page
    _nothing_saved()


def test_a_zip_bomb_whose_directory_lies_about_its_size_is_refused_all_the_same(app, ngo, policy):
    part = deflated_zeros(1024)
    liar = docx_with(part, declared={"word/media/image1.png": (4096, 0)})
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 10_000  # what the directory claims
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", liar)])
    # Refused as damaged as soon as the part passes its declared 4 KB, not after inflating 100 MB.
    assert "rusak" in refused.value.message
    _nothing_saved()


def test_checking_a_zip_bomb_never_holds_it_unpacked_in_memory(app, monkeypatch):
    liar = docx_with(deflated_zeros(1024), declared={"word/media/image1.png": (4096, 0)})
    # Limits raised so that an honest 256 MiB part is inflated to its end and accepted.
    app.config["ATTACHMENT_MAX_UNPACKED_BYTES"] = 1024 * MIB
    monkeypatch.setattr(attachments, "ZIP_MAX_RATIO", 10**6)
    honest = docx_with(deflated_zeros(256))
    outcomes = []
    for bomb in (liar, honest):
        tracemalloc.start()
        try:
            attachments.check(Upload("kajian.docx", bomb))
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        # The file itself is under 1 MB and parts are inflated a quarter MiB at a time.
        assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB while checking"
    assert outcomes == ["refused", "accepted"]


def test_the_unpacked_limit_is_a_setting(app, ngo, policy):
    app.config["ATTACHMENT_MAX_UNPACKED_BYTES"] = 5 * MIB
    with pytest.raises(attachments.AttachmentTooLarge) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", docx_with(deflated_zeros(6)))])
    assert "5 MB" in refused.value.message
    submission = services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", docx_with(deflated_zeros(1)))])
    assert submission.attachments[0].content_type == attachments.DOCX


def test_a_part_compressed_a_thousand_times_is_refused_though_small_in_total(app, ngo, policy):
    with pytest.raises(attachments.AttachmentTooLarge) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", docx_with(deflated_zeros(8)))])
    assert str(attachments.ZIP_MAX_RATIO) in refused.value.message


def test_an_archive_of_too_many_parts_is_refused(app, ngo, policy):
    parts = [("[Content_Types].xml", deflated(b"<Types/>")), ("word/document.xml", deflated(b"<w:document/>"))]
    parts += [(f"word/media/{n}.xml", deflated(b"<x/>")) for n in range(attachments.ZIP_MAX_MEMBERS)]
    with pytest.raises(attachments.AttachmentTooLarge) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", build_zip(parts))])
    assert str(attachments.ZIP_MAX_MEMBERS) in refused.value.message


def test_a_part_that_does_not_match_its_crc_is_refused_as_damaged(app, ngo, policy):
    damaged = docx_with(deflated(b"PNG" * 100), declared={"word/media/image1.png": (300, 12345)})
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", damaged)])
    assert not isinstance(refused.value, attachments.AttachmentTooLarge)
    assert "rusak" in refused.value.message  # "damaged", in the default language outside a request


def test_real_documents_pass_the_archive_checks(app, ngo, policy):
    photo = os.urandom(3 * MIB)  # incompressible, as pictures are
    report = docx_with(deflated(photo))
    sentences = (CORPORA / "indonesian" / "smsa" / "train_preprocess.tsv").read_text(encoding="utf-8").splitlines()
    paragraphs = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:rPr><w:lang w:val="id-ID"/></w:rPr>'
        f"<w:t>{line.split(chr(9))[0]}</w:t></w:r></w:p>"
        for line in sentences
    )
    heavy_xml = docx_with(deflated(paragraphs.encode()))  # a long report: several MB of Word XML
    submission = services.submit(
        ngo, policy, TITLE, BODY, [], [Upload("foto.docx", report), Upload("kajian.docx", heavy_xml), Upload("m.docx", make_docx())]
    )
    assert [a.content_type for a in submission.attachments] == [attachments.DOCX] * 3


# --- polyglots: a document that is also a web page --------------------------------------

def test_a_pdf_that_is_also_an_html_page_is_refused(client, login_as, ngo, policy, pdf_bytes):
    polyglot = pdf_bytes.replace(b"\n", b"\n<html><body><script>fetch('/account')</script></body></html>\n", 1)
    assert attachments.detect_type(polyglot) == attachments.PDF  # a valid PDF all the same
    response = _submit_through_the_form(client, login_as, ngo, policy, "kajian.pdf", polyglot)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "web-page code" in page and f'value="{TITLE}"' in page
    _nothing_saved()


def test_a_web_page_with_a_docx_appended_is_refused(app, ngo, policy):
    polyglot = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>\n" + make_docx()
    assert zipfile.is_zipfile(io.BytesIO(polyglot)), "ZIP readers accept a prefix"
    with pytest.raises(ValidationError):
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", polyglot)])
    _nothing_saved()


@pytest.mark.parametrize("marker", [b"<script>", b"<SVG onload=x>", b"<iframe src=x>", b"<a href='javascript:x'>", b"<img src=x>"])
def test_markup_anywhere_in_the_first_kilobyte_is_found(pdf_bytes, marker):
    assert attachments.has_markup(pdf_bytes[:500] + marker + pdf_bytes[500:])


def test_pdf_and_office_structures_are_not_taken_for_markup(pdf_bytes):
    pdf_syntax = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" \
        b"trailer <</ID [<a1b2c3d4e5f6><a1b2c3d4e5f6>] /Root 1 0 R>>\n<b> <a 0f> <abba>\n"
    stored_xml = b'<table:table table:name="Tabel1"><text:p>Pasal 5</text:p><office:body/><w:p><w:t>Judul</w:t></w:p>'
    for document in (pdf_bytes, make_docx(), pdf_syntax, stored_xml):
        assert not attachments.has_markup(document), document


def test_a_download_can_never_run_as_a_page_of_the_portal(client, ngo, policy, pdf_bytes):
    # Markup past the first kilobyte is not looked for; the headers keep such a file inert.
    late = pdf_bytes[:-6] + b" " * 2048 + b"<html><script>alert(1)</script></html>\n%%EOF\n"
    submission = services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.pdf", late)])
    attachment = submission.attachments[0]
    response = client.get(f"/submissions/{submission.public_id}/attachments/{attachment.id}")
    response.close()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    policy_header = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy_header and "default-src 'none'" in policy_header
