"""Attachment checks and digest mail benchmark (prints figures; not a test).

Builds a throwaway SQLite instance under /tmp, then measures:
  1. `attachments.check` on a 10 MB PDF, a 9 MB DOCX (an incompressible
     picture plus Word XML made from the IndoNLU sentences), a DOCX declaring
     1 GiB unpacked, and a DOCX whose directory lies (inflated until the
     limit): time and peak Python memory (tracemalloc) each;
  2. `send_digests` for F followers with E followed events each (file mail
     backend): digests and events per second.

Run:  .venv/bin/python bench/mail_and_attachments.py [--followers 500] [--events 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "indonesian" / "smsa" / "train_preprocess.tsv"
MIB = 1024 * 1024


def _measure(label: str, check, upload) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        check(upload)
        outcome = "accepted"
    except Exception as error:  # the refusals are what is measured
        outcome = f"refused ({type(error).__name__})"
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  {label:<48} {len(upload.data) / MIB:6.1f} MB  {elapsed * 1000:8.1f} ms  "
          f"peak {peak / MIB:5.1f} MiB  {outcome}")


def bench_attachments() -> None:
    from tests.submissions.test_attachment_safety import build_zip, deflated, deflated_zeros, docx_with

    from portal.submissions import attachments
    from portal.submissions.attachments import Upload
    from portal.submissions.demo import minimal_pdf

    pdf = minimal_pdf(["Kajian"])
    big_pdf = pdf[:-6] + os.urandom(10 * MIB - len(pdf) - 100) + b"\n%%EOF\n"
    lines = [line.split("\t")[0] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    xml = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines).encode()
    report = build_zip([
        ("[Content_Types].xml", deflated(b'<?xml version="1.0"?><Types/>')),
        ("word/document.xml", deflated(xml)),
        ("word/media/image1.jpeg", deflated(os.urandom(8 * MIB))),
    ])
    print("1. attachment checks (ATTACHMENT_MAX_UNPACKED_BYTES = 100 MB)")
    _measure("PDF, 10 MB", attachments.check, Upload("kajian.pdf", big_pdf))
    _measure("DOCX, picture + Word XML", attachments.check, Upload("laporan.docx", report))
    _measure("DOCX declaring 1 GiB unpacked", attachments.check, Upload("bom.docx", docx_with(deflated_zeros(1024))))
    liar = docx_with(deflated_zeros(1024), declared={"word/media/image1.png": (4096, 0)})
    _measure("DOCX lying: declares 4 KB, inflates to 1 GiB", attachments.check, Upload("bom.docx", liar))
    print(f"  (zlib {zlib.ZLIB_RUNTIME_VERSION})")


def bench_digests(followers: int, events: int) -> None:
    from portal.accounts.models import User
    from portal.extensions import db, utcnow
    from portal.notifications import digests, services
    from portal.notifications.models import Follow

    users = [User(email=f"ikut{n}@example.org", display_name=f"Pengikut {n}", password_hash="x") for n in range(followers)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Follow(user_id=user.id, target_type="policy", target_id=1, created_at=utcnow()) for user in users)
    db.session.commit()
    started = time.perf_counter()
    for n in range(events):
        services.notify_followers("policy", 1, "new_activity", f"/policies/contoh#c-{n}", title="Rancangan Perwal")
        db.session.commit()
    queued = time.perf_counter() - started
    db.session.expunge_all()  # as in `flask notifications send-digests`, which starts with an empty session
    del users
    started = time.perf_counter()
    run = digests.send_digests()
    elapsed = time.perf_counter() - started
    print(f"2. digests: {followers} followers x {events} events")
    print(f"  queueing (notify_followers + commit)  {followers * events / queued:8.0f} events/s")
    print(f"  send_digests: {run.digests} digests, {run.events} events in {elapsed:.2f} s "
          f"= {run.digests / elapsed:.0f} digests/s, {run.events / elapsed:.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=500)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()

    from portal import create_app
    from portal.extensions import db

    with tempfile.TemporaryDirectory(prefix="portal-bench-mail-") as instance:
        app = create_app({"INSTANCE_PATH": instance}, env="testing")
        with app.app_context():
            db.create_all()
            bench_attachments()
            bench_digests(args.followers, args.events)


if __name__ == "__main__":
    main()
