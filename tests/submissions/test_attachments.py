"""Attachments: judged by content, refused with a message that keeps the typed
text, and downloaded only as files by those who may see the submission."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.errors import ValidationError
from portal.extensions import db
from portal.submissions import attachments, services
from portal.submissions.attachments import Upload
from portal.submissions.models import Attachment, Submission
from tests.submissions.conftest import make_docx, make_odt, post_multipart

TITLE = "Kajian sumber data kependudukan"
BODY = "Kami mengusulkan agar data pengaduan masyarakat ikut dihitung.\n\n- satu\n- dua"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def _download(client, url: str):
    """GET a download and close it (a file response holds the stored file open until closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _bad_files(pdf_bytes: bytes, limit: int) -> dict[str, tuple[str, bytes, str]]:
    """name -> (filename, content, a word the refusal must contain)."""
    return {
        "renamed executable": ("laporan.pdf", EXE, "program"),
        "empty file": ("kosong.pdf", b"", "empty"),
        "oversized file": ("besar.pdf", pdf_bytes[:-6] + b" " * (limit + 1 - len(pdf_bytes)) + b"%%EOF\n", "MB"),
        "fake pdf": ("palsu.pdf", b"%PDF-1.7\nini bukan pdf sungguhan, tanpa akhir berkas", "PDF"),
        "docx that is not a zip": ("kajian.docx", b"PK\x03\x04 bukan zip yang utuh sama sekali", "DOCX"),
    }


@pytest.mark.parametrize(
    "case", ["renamed executable", "empty file", "oversized file", "fake pdf", "docx that is not a zip"]
)
def test_a_bad_attachment_is_refused_with_a_message_and_the_typed_text_is_kept(
    app, client, login_as, ngo, policy, pdf_bytes, case
):
    filename, content, word = _bad_files(pdf_bytes, attachments.max_bytes())[case]
    login_as(ngo)
    response = post_multipart(
        client,
        f"/policies/{policy.slug}/submissions/new",
        {
            "title": TITLE,
            "body": BODY,
            "article_keys": ["pasal-5"],
            "attachments": [(io.BytesIO(pdf_bytes), "baik.pdf"), (io.BytesIO(content), filename)],
        },
    )
    # Too large is 413 (the form is shown again all the same); any other refusal is 400.
    assert response.status_code == (413 if case == "oversized file" else 400)
    page = response.get_data(as_text=True)
    assert filename in page
    assert word in page
    assert 'class="error"' in page
    # The title and text typed so far are in the re-rendered form.
    assert f'value="{TITLE}"' in page
    assert "Kami mengusulkan agar data pengaduan masyarakat ikut dihitung." in page
    assert 'value="pasal-5" checked' in page
    # Nothing was saved, and no file was left behind.
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    uploads = attachments.upload_folder()
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_the_size_limit_is_configurable(app, ngo, policy, pdf_bytes):
    app.config["ATTACHMENT_MAX_BYTES"] = len(pdf_bytes) - 1
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("a.pdf", pdf_bytes)])
    assert refused.value.field == "attachments"


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x05\x06" + b"\x00" * 18,  # an empty ZIP: neither DOCX nor ODT
        b"<html><script>alert(1)</script></html>",
        b"\x7fELF\x02\x01\x01",
        b"%PDF-",
    ],
)
def test_content_that_is_no_accepted_document_is_detected_as_such(content):
    assert attachments.detect_type(content) is None


def test_an_odt_needs_the_odt_mimetype_member():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert attachments.detect_type(buffer.getvalue()) is None
    assert attachments.detect_type(make_odt()) == attachments.ODT
    assert attachments.detect_type(make_docx()) == attachments.DOCX


def test_a_pdf_named_docx_is_judged_by_content_and_downloads_as_pdf(client, ngo, policy, pdf_bytes):
    submission = services.submit(ngo, policy, TITLE, BODY, [], [Upload("kajian.docx", pdf_bytes)])
    attachment = submission.attachments[0]
    assert attachment.content_type == "application/pdf"
    response = _download(client, f"/submissions/{submission.public_id}/attachments/{attachment.id}")
    assert response.mimetype == "application/pdf"
    assert "kajian.docx.pdf" in response.headers["Content-Disposition"]


def test_a_download_is_an_attachment_with_nosniff(client, ngo, policy, pdf_bytes):
    submission = services.submit(ngo, policy, TITLE, BODY, [], [Upload("Masukan LBH (final).pdf", pdf_bytes)])
    attachment = submission.attachments[0]
    response = _download(client, f"/submissions/{submission.public_id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == pdf_bytes
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"


def test_a_pending_submissions_attachment_is_404_to_others_and_served_to_its_author(
    app, client, login_as, make_user, ngo, official, policy, pdf_bytes
):
    app.config["MODERATION_BLOCKED_WORDS"] = ("katatunda",)
    submission = services.submit(ngo, policy, TITLE, "Isi katatunda.", [], [Upload("a.pdf", pdf_bytes)])
    assert submission.status == "pending"
    url = f"/submissions/{submission.public_id}/attachments/{submission.attachments[0].id}"
    assert _download(client, url).status_code == 404
    login_as(make_user())
    assert _download(client, url).status_code == 404
    client.post("/logout")
    login_as(ngo)
    assert _download(client, url).status_code == 200
    client.post("/logout")
    login_as(official)
    assert _download(client, url).status_code == 200


def test_an_attachment_of_another_submission_is_not_found(client, ngo, policy, pdf_bytes):
    first = services.submit(ngo, policy, TITLE, BODY, [], [Upload("a.pdf", pdf_bytes)])
    second = services.submit(ngo, policy, "Lain", "Isi lain.", [], [])
    assert _download(client, f"/submissions/{second.public_id}/attachments/{first.attachments[0].id}").status_code == 404
    assert _download(client, f"/submissions/{first.public_id}/attachments/999999").status_code == 404


def test_a_failed_save_leaves_no_file_behind(app, ngo, policy, pdf_bytes, monkeypatch):
    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("a.pdf", pdf_bytes)])
    monkeypatch.undo()
    assert list(attachments.upload_folder().iterdir()) == []
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_five_full_size_attachments_fit_in_one_request(app, client, login_as, ngo, policy, pdf_bytes):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # smaller than five files together
    app.config["ATTACHMENT_MAX_BYTES"] = 600 * 1024
    big = pdf_bytes[:-6] + b" " * (590 * 1024) + b"%%EOF\n"
    login_as(ngo)
    response = post_multipart(
        client,
        f"/policies/{policy.slug}/submissions/new",
        {"title": TITLE, "body": BODY, "attachments": [(io.BytesIO(big), f"{n}.pdf") for n in range(5)]},
    )
    assert response.status_code == 302
    assert len(db.session.scalar(select(Submission)).attachments) == 5
