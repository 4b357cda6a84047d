"""Export benchmark (prints figures; not a test): 100,000 contributions exported as CSV, XLSX and JSON
through the real export page, with the time and the peak memory of each.

It builds a throwaway database (a SQLite file under /tmp; with --database-url, an EMPTY PostgreSQL
database, whose tables it creates and drops again) holding one policy with --rows contributions
(70 % comments on its articles, 15 % formal submissions of organisations on one or two articles,
15 % forum posts), their texts drawn from the Indonesian sentences of ../shared/corpora/, put in
with bulk Core inserts. Then an official signs in and posts the export form once per format; the
downloaded bytes are read as a browser would and thrown away.

Memory: each format is exported by a fresh process (this script again), so memory the build
freed cannot hide the export's. After the app starts and the official signs in, its peak RSS is
reset to its current RSS (Linux /proc/self/clear_refs, "5"); after the export, VmHWM - VmRSS(before)
is the peak the export added, everything included (query rows, writer, openpyxl and its import,
Werkzeug). Target: < 200 MB for each format.

Run:  .venv/bin/python bench/exports.py [--rows 100000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import random
import sqlite3
import subprocess  # nosec B404 runs this script again, to measure each export alone
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
TARGET_MB = 200
PASSWORD = "Sandi bench ekspor 2026"
OFFICIAL = "pejabat@bench.example"


def sentences() -> list[str]:
    """Indonesian sentences (SmSA reviews) to write the contributions with."""
    with (CORPORA / "indonesian" / "smsa" / "train_preprocess.tsv").open(encoding="utf-8") as handle:
        return [row[0] for row in csv.reader(handle, delimiter="\t") if row and row[0].strip()]


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> bool:
    """Make the peak RSS the current RSS; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def build(app, rows: int, rng: random.Random) -> dict:
    """The official, the policy and `rows` contributions; returns what the export needs."""
    from sqlalchemy import insert

    from portal.accounts.auth import hash_password
    from portal.accounts.models import Organisation, User
    from portal.comments.models import Comment
    from portal.contributions.models import Contribution
    from portal.extensions import db, utcnow
    from portal.forums import services as forums
    from portal.forums.models import Post
    from portal.proposals import services as proposals
    from portal.submissions.models import Submission, SubmissionArticle

    pool = sentences()
    official = User(email=OFFICIAL, display_name="Pejabat Bench", role="moderator",
                    password_hash=hash_password(PASSWORD))
    db.session.add(official)
    db.session.commit()
    body = "Rancangan Peraturan Wali Kota Medan.\n\n## BAB I — Ketentuan Umum\n\n" + "\n\n".join(
        f"### Pasal {n}\nKetentuan {n}\n\n{pool[n]}" for n in range(1, 21))
    now = utcnow()
    policy = proposals.create_policy(official, title="Rancangan Perwal Analisis Kebutuhan Jabatan (bench)",
                                     kind="Rancangan Peraturan Wali Kota", summary="Bench.", body=body,
                                     opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                                     position_ids=[])
    proposals.transition(official, policy, "open")
    thread = forums.start_thread(official, forums.policy_category(policy), "Diskusi bench", "Pembuka diskusi.")

    people = [{"email": f"warga{n}@bench.example", "display_name": f"Warga {n}", "role": "citizen",
               "password_hash": "x", "active": True, "created_at": now} for n in range(2000)]
    db.session.execute(insert(User.__table__), people)
    organisations = [{"name": f"LSM Bench {n}", "kind": "ngo", "created_at": now} for n in range(50)]
    db.session.execute(insert(Organisation.__table__), organisations)
    db.session.commit()
    user_ids = [row[0] for row in db.session.execute(User.__table__.select().with_only_columns(User.__table__.c.id))]
    org_ids = [row[0] for row in db.session.execute(
        Organisation.__table__.select().with_only_columns(Organisation.__table__.c.id))]
    first_id = (db.session.execute(Contribution.__table__.select().with_only_columns(
        Contribution.__table__.c.id).order_by(Contribution.__table__.c.id.desc()).limit(1)).scalar() or 0) + 1

    stances = ("supports", "objects", "suggests_change")
    chunk = 5000
    for start in range(0, rows, chunk):
        items, comments, submissions, articles, posts = [], [], [], [], []
        for n in range(start, min(rows, start + chunk)):
            cid = first_id + n
            roll = rng.random()
            kind = "comment" if roll < 0.70 else "submission" if roll < 0.85 else "post"
            prefix = {"comment": "KMT", "submission": "MSK", "post": "FRM"}[kind]
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
            items.append({
                "id": cid, "kind": kind, "public_id": f"{prefix}-2026-{cid:07d}", "author_id": rng.choice(user_ids),
                "body": text, "status": "published" if rng.random() < 0.95 else "hidden", "policy_id": policy.id,
                "stakeholder_group": "ngo" if kind == "submission" else "citizen",
                "organisation_id": rng.choice(org_ids) if kind == "submission" else None,
                "created_at": now - timedelta(minutes=rows - n), "updated_at": now,
            })
            if kind == "comment":
                comments.append({"id": cid, "article_key": f"pasal-{rng.randint(1, 20)}",
                                 "stance": rng.choice(stances), "suggested_wording": ""})
            elif kind == "submission":
                submissions.append({"id": cid, "title": f"Masukan resmi {cid}", "channel": "portal"})
                for key in sorted(rng.sample(range(1, 21), rng.randint(1, 2))):
                    articles.append({"submission_id": cid, "article_key": f"pasal-{key}"})
            else:
                posts.append({"id": cid, "thread_id": thread.id, "is_opening": False})
        db.session.execute(insert(Contribution.__table__), items)
        for table, values in ((Comment.__table__, comments), (Submission.__table__, submissions),
                              (SubmissionArticle.__table__, articles), (Post.__table__, posts)):
            if values:
                db.session.execute(insert(table), values)
        db.session.commit()
    return {"policy_id": policy.id}


def measure(client, policy_id: int, file_format: str) -> tuple[float, int, float, float]:
    """(seconds, bytes, peak MB above the start, RSS MB at the start) for one export through the page."""
    gc.collect()
    exact = reset_peak()
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    response = client.post("/aspirations/export/", data={"policy": policy_id, "format": file_format,
                                                          "statuses": ["published", "hidden"]},
                           buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    peak = _status_kb("VmHWM") if exact else _status_kb("VmRSS")
    return elapsed, size, (peak - before) / 1024, before / 1024


def _app(url: str, workdir: str):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": workdir, "WTF_CSRF_ENABLED": False,
                       "MODERATION_PREMODERATE_FIRST_N": 0}, env="testing")


def export_once(url: str, workdir: str, policy_id: int, file_format: str) -> None:
    """In a fresh process (so the build's freed memory cannot hide the export's): sign in, export, print."""
    app = _app(url, workdir)
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})
        assert response.status_code == 302, "the official could not sign in"
        elapsed, size, peak, before = measure(client, policy_id, file_format)
    print(f"RESULT {elapsed} {size} {peak} {before}")


def main() -> None:
    """Build the data, export it once per format (each in its own process), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an EMPTY PostgreSQL database (its tables are created and dropped)")
    parser.add_argument("--export", choices=("csv", "xlsx", "json"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--policy-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export:
        export_once(args.database_url, args.workdir, args.policy_id, args.export)
        return

    from sqlalchemy import inspect

    from portal.config import _database_url
    from portal.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="pp-export-bench-"))
    url = _database_url(args.database_url) if args.database_url else f"sqlite:///{workdir / 'portal.db'}"
    app = _app(url, str(workdir))
    backend = "PostgreSQL" if url.startswith("postgresql") else f"SQLite {sqlite3.sqlite_version}"
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {backend}; load average {os.getloadavg()[0]:.1f}")
    with app.app_context():
        if url.startswith("postgresql") and inspect(db.engine).get_table_names():
            sys.exit("the PostgreSQL database is not empty; give an empty one (its tables are dropped afterwards)")
        db.create_all()
        try:
            started = time.perf_counter()
            built = build(app, args.rows, random.Random(42))
            print(f"built {args.rows:,} contributions in {time.perf_counter() - started:.1f} s")
            db.session.remove()
            if url.startswith("postgresql"):
                with db.engine.connect() as connection:  # as autovacuum would after a bulk load: fresh statistics
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            print(f"{'format':<6} {'time':>8} {'size':>10} {'peak added':>11} {'RSS before':>11}  target")
            for file_format in ("csv", "xlsx", "json"):
                done = subprocess.run(  # nosec B603 this very script, with arguments it made
                    [sys.executable, __file__, "--export", file_format, "--database-url", url,
                     "--workdir", str(workdir), "--policy-id", str(built["policy_id"])],
                    capture_output=True, text=True, check=True)
                line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
                elapsed, size, peak, before = (float(value) for value in line.split()[1:])
                verdict = "ok" if peak < TARGET_MB else "OVER"
                print(f"{file_format:<6} {elapsed:>7.1f}s {size / 1e6:>8.1f}MB {peak:>9.1f}MB {before:>9.1f}MB  "
                      f"< {TARGET_MB} MB {verdict}", flush=True)
        finally:
            db.session.remove()
            if url.startswith("postgresql"):
                db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
