"""The demo submissions: realistic input from the demo NGO and academic accounts."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.submissions import attachments
from portal.submissions import demo as submissions_demo
from portal.submissions.demo import minimal_pdf, seed_submissions_demo
from portal.submissions.models import Submission


def test_the_hand_written_pdf_passes_the_content_check():
    data = minimal_pdf(["Masukan (draf) untuk Pasal 5", "Back\\slash"])
    assert attachments.detect_type(data) == attachments.PDF
    assert data.startswith(b"%PDF-1.4")
    # The cross-reference table points at each object.
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert data[xref_at:].startswith(b"xref")


def test_the_demo_seeds_realistic_submissions_once(runner):
    result = runner.invoke(args=["seed-demo"])  # calls seed_submissions_demo()
    assert result.exit_code == 0, result.output
    # The submissions demo's own letters (the needs-analysis consultation adds its own).
    titles = {spec.title for spec in submissions_demo.SPECS} | {submissions_demo.OFFLINE["title"]}
    created = [s for s in db.session.scalars(select(Submission)) if s.title in titles]
    assert 4 <= len(created) <= 6
    assert len({s.public_id for s in created}) == len(created)
    statuses = {s.status for s in created}
    assert "withdrawn" in statuses and "published" in statuses
    assert any(s.is_offline for s in created)
    assert any(s.confirmed_cosignatures for s in created)
    with_files = [s for s in created if s.attachments]
    assert with_files and all(a.content_type == "application/pdf" for s in with_files for a in s.attachments)
    emails = {s.author.email for s in created if not s.is_offline}
    assert emails == {"lsm@demo.medan.go.id", "akademisi@demo.medan.go.id"}
    # Running it again adds nothing.
    assert seed_submissions_demo() == []
    total = len(list(db.session.scalars(select(Submission))))
    runner.invoke(args=["seed-demo"])
    assert len(list(db.session.scalars(select(Submission)))) == total
