"""Load and fault bench (prints figures; not a test): the production stack on this machine, and
the day a draft opens.

It starts, all under a temporary folder and on free ports: a PostgreSQL cluster of its own
(pg_createcluster, dropped afterwards: the machine's main cluster is never touched), a redis-server
of its own (AOF on, as production needs for sessions), the portal seeded with the demo content, a
draft open for consultation and --users accounts (a fifth of them members of verified
organisations), two gunicorn app servers (--workers each, --worker-class), the search worker
(`flask search worker`), and haproxy in front. Then Locust (headless) runs --users users for
--duration seconds: reading the policy page, article comment lists and position pages, searching,
commenting, flagging and sending formal submissions with a PDF attached (bench/load_locustfile.py).
It prints requests per second, p50/p95/p99 per page and the errors, waits for the search worker,
and checks that every contribution that got a success answer is in the database and found by the
public search page: the goal is 0 errors, 0 lost.

--faults: during the run, kill -9 a worker of app server 1 (at 15 s), restart the bench's
PostgreSQL (30 s) and its Redis (45 s); prints each fault's second, the errors it caused (and
whether each was a clean retry page), the recovery time and the lost count.

Needs haproxy (Debian: `apt-get install -y haproxy`), PostgreSQL 15 server tools (pg_createcluster),
redis-server, and locust (requirements-dev.txt). Run as root (pg_createcluster).

Run:  .venv/bin/python bench/load.py [--users 200] [--duration 60] [--faults]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PG_VERSION = "15"
PASSWORD = "uji-beban-rahasia-2026"
REDIS_DB = 3
# What a user may do, left as in production (the per-account and per-address limits hold: each user
# has its own account and address); the only setting changed: contributions are published at once
# (no pre-moderation of new accounts), so the check can find them in public search.
OVERRIDES = {"MODERATION_PREMODERATE_FIRST_N": 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not start on port {port}")


def need_tools() -> None:
    missing = [tool for tool in ("haproxy", "redis-server", "pg_createcluster") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            "bench/load.py needs " + ", ".join(missing) + ". On Debian: apt-get install -y haproxy redis-server "
            "postgresql-15 (and .venv/bin/pip install -r requirements-dev.txt for locust)."
        )
    if not (BIN / "locust").exists():
        raise SystemExit("locust is missing: .venv/bin/pip install -r requirements-dev.txt")


# --- the stack ---------------------------------------------------------------------------------

class Stack:
    """PostgreSQL, Redis, two app servers, the search worker and haproxy, all the bench's own."""

    def __init__(self, args):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="portal-load-"))
        self.cluster = f"load{os.getpid()}"
        self.pg_port, self.redis_port, self.lb_port = free_port(), free_port(), free_port()
        self.app_ports = [free_port(), free_port()]
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis: subprocess.Popen | None = None
        self.env = dict(os.environ)
        self.env.update({
            "PORTAL_ENV": "development",  # plain HTTP on this machine: production cookies are Secure-only
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.pg_port}/portal",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/{REDIS_DB}",
            "PORTAL_INSTANCE_PATH": str(self.dir / "instance"),
            "SECRET_KEY": secrets.token_hex(32),
            "TRUSTED_PROXIES": "2",  # haproxy, and the simulated users' own address before it
            "PORTAL_BASE_URL": f"http://127.0.0.1:{self.lb_port}",
            "LOAD_OVERRIDES": json.dumps(OVERRIDES),
        })

    def start_postgres(self) -> None:
        subprocess.run(["pg_createcluster", PG_VERSION, self.cluster, "-p", str(self.pg_port), "--",
                        "--auth=trust"], check=True, stdout=subprocess.DEVNULL)
        self.pg_ctl("start")
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-qc",
                        "CREATE DATABASE portal"], check=True)

    def pg_ctl(self, action: str) -> None:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.cluster, action],
                       check=True, stdout=subprocess.DEVNULL)

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--save", "", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL)
        wait_port(self.redis_port, "redis-server")

    def restart_redis(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown"], stdout=subprocess.DEVNULL)
        self.redis.wait(timeout=30)
        self.start_redis()

    def seed(self) -> dict:
        """Demo content, an open draft with 10 articles, accounts; the paths the users visit."""
        code = "import bench.load as l, json, sys; print(json.dumps(l.seed_data(int(sys.argv[1]))))"
        out = subprocess.run([str(BIN / "python"), "-c", code, str(self.args.users)], cwd=ROOT, env=self.env,
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_apps(self) -> None:
        for n, port in enumerate(self.app_ports, 1):
            command = [str(BIN / "gunicorn"), "--workers", str(self.args.workers), "--worker-class",
                       self.args.worker_class, "--threads", str(self.args.threads), "--bind", f"127.0.0.1:{port}",
                       "--log-level", "error", "--timeout", "60", "bench.load_wsgi:app"]
            self.processes[f"app{n}"] = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        for port in self.app_ports:
            wait_port(port, "gunicorn")
            for _ in range(4 * self.args.workers):  # each worker's first request loads templates and caches
                for path in ("/", "/static/css/portal.css", "/login"):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()  # noqa: S310
        worker = [str(BIN / "flask"), "--app", "bench.load_wsgi", "search", "worker"]
        self.processes["search worker"] = subprocess.Popen(worker, cwd=ROOT, env=self.env, start_new_session=True,
                                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_haproxy(self) -> None:
        errors = self.dir / "503.http"
        errors.write_text((ROOT / "deploy" / "haproxy-503.http").read_text())
        servers = "\n".join(f"    server app{n} 127.0.0.1:{port} check inter 1s fall 3 rise 1 maxconn 32"
                            for n, port in enumerate(self.app_ports, 1))
        config = (ROOT / "deploy" / "haproxy.cfg").read_text()
        config = config.replace("bind :80", f"bind 127.0.0.1:{self.lb_port}")
        config = re.sub(r"    server app\d .*\n", "", config).replace("    # servers\n", servers + "\n")
        config = config.replace("/etc/haproxy/errors/portal-503.http", str(errors))
        (self.dir / "haproxy.cfg").write_text(config)
        self.processes["haproxy"] = subprocess.Popen(["haproxy", "-q", "-f", str(self.dir / "haproxy.cfg")],
                                                     start_new_session=True)
        wait_port(self.lb_port, "haproxy")
        time.sleep(2)  # first health checks

    def worker_pids(self, name: str) -> list[int]:
        master = self.processes[name].pid
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=30)
        subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, self.cluster], stderr=subprocess.DEVNULL)
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def seed_data(users: int) -> dict:
    """Run inside the stack's environment (a subprocess): build the database and return the plan."""
    from flask import url_for

    from portal import create_app
    from portal.accounts import services as accounts
    from portal.accounts.auth import hash_password
    from portal.accounts.models import Consent, User
    from portal.comments import services as comments
    from portal.demo.seed import seed_demo
    from portal.extensions import db, utcnow
    from portal.positions.models import Position
    from portal.proposals import services as proposals
    from portal.search import services as search

    app = create_app(OVERRIDES)
    with app.app_context():
        db.create_all()
        seed_demo()
        admin = db.session.query(User).filter_by(role="admin").first()
        moderator = db.session.query(User).filter_by(role="moderator").first()
        positions = db.session.query(Position).order_by(Position.id).limit(20).all()
        body = "Rancangan Peraturan Wali Kota Medan tentang Formasi Jabatan.\n\n" + "\n".join(
            f"### Pasal {n} — Ketentuan {n}\n\n(1) Perangkat daerah menyusun analisis kebutuhan jabatan "
            f"untuk urusan ke-{n}.\n" for n in range(1, 11))
        now = utcnow()
        policy = proposals.create_policy(
            moderator, title="Rancangan Perwal Formasi Jabatan 2027", kind="Rancangan Peraturan Wali Kota",
            summary="Draf yang dibuka hari ini.", body=body, opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30), position_ids=[p.id for p in positions[:3]])
        proposals.transition(moderator, policy, "open")
        password_hash = hash_password(PASSWORD)  # one hash for all: the bench's seeding, not its measure
        accounts_plan = []
        members = []
        for n in range(users):
            member = n % 5 == 0
            user = User(email=f"warga{n}@uji.medan.go.id", display_name=f"Peserta Uji {n}",
                        password_hash=password_hash, role="ngo" if member else "citizen")
            user.consents.append(Consent(notice_version=app.config["PRIVACY_NOTICE_VERSION"]))
            db.session.add(user)
            if member:
                members.append(user)
            accounts_plan.append({"email": user.email, "member": member,
                                  "address": f"10.{n // 250}.{n % 250}.{1 + n % 7}"})
        db.session.commit()
        for n, user in enumerate(members):
            user.organisation = accounts.find_or_create_organisation(f"Lembaga Uji {n}", "ngo")
            db.session.commit()
            accounts.verify_affiliation(admin, user)
        first = db.session.query(User).filter_by(role="citizen", email="warga1@uji.medan.go.id").one()
        flaggable = [comments.post_comment(first, policy, body=f"Komentar awal nomor {n} tentang Pasal {n % 10 + 1}.",
                                           stance="supports", article_key=f"pasal-{n % 10 + 1}").public_id
                     for n in range(20)]
        search.rebuild()
        with app.test_request_context():
            plan = {
                "password": PASSWORD,
                "accounts": accounts_plan,
                "policy": url_for("consultation.policy", slug=policy.slug),
                "submission": url_for("submissions.new", slug=policy.slug),
                "article_keys": [f"pasal-{n}" for n in range(1, 11)],
                "article_lists": [url_for("comments.article_list", slug=policy.slug, key=f"pasal-{n}")
                                  for n in range(1, 11)],
                "positions": [url_for("consultation.position", position_id=p.id) for p in positions],
                "queries": [quote(q) for q in ("kebutuhan jabatan", "formasi", "data penduduk", "pelayanan",
                                               "analisis beban kerja", "kecamatan")],
                "flaggable": flaggable,
            }
        db.session.remove()
        db.engine.dispose()
    return plan


# --- the run -----------------------------------------------------------------------------------

def inject_faults(stack: Stack, log: list, start: float) -> None:
    """At 15 s kill -9 a worker of app server 1; at 30 s restart PostgreSQL; at 45 s restart Redis."""
    def at(second: float) -> None:
        time.sleep(max(0.0, start + second - time.time()))

    at(15)
    pid = stack.worker_pids("app1")[0]
    os.kill(pid, signal.SIGKILL)
    log.append(("kill -9 an app-server worker", round(time.time() - start, 1)))
    at(30)
    log.append(("restart PostgreSQL", round(time.time() - start, 1)))
    stack.pg_ctl("restart")
    at(45)
    log.append(("restart Redis", round(time.time() - start, 1)))
    stack.restart_redis()


def run_locust(stack: Stack, plan: dict, faults: bool) -> dict:
    settings, results, prefix = stack.dir / "plan.json", stack.dir / "results.json", stack.dir / "stats"
    settings.write_text(json.dumps(plan))
    env = dict(os.environ, LOAD_SETTINGS=str(settings), LOAD_RESULTS=str(results))
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_locustfile.py"), "--headless",
               "-u", str(stack.args.users), "-r", str(stack.args.spawn_rate), "-t", f"{stack.args.duration}s",
               "--host", f"http://127.0.0.1:{stack.lb_port}", "--csv", str(prefix), "--only-summary",
               "--loglevel", "ERROR", "--stop-timeout", "20"]
    log: list = []
    locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    start = time.time()
    if faults:
        threading.Thread(target=inject_faults, args=(stack, log, start), daemon=True).start()
    _out, err = locust.communicate()
    if not results.exists():
        raise SystemExit("locust wrote no results:\n" + err[-3000:])
    data = json.loads(results.read_text())
    data["faults"] = log
    data["offset"] = start - data["start"]
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stream:
        data["stats"] = list(csv.DictReader(stream))
    return data


def wait_for_indexer(stack: Stack, seconds: float = 120) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with engine.connect() as connection:
            if connection.execute(text("SELECT count(*) FROM search_outbox WHERE processed_at IS NULL")).scalar() == 0:
                break
        time.sleep(0.5)
    engine.dispose()
    return time.monotonic() - started


def check_lost(stack: Stack, sent: list[dict]) -> tuple[int, int]:
    """(missing from the database, missing from public search) among contributions answered with success."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        stored = " ".join(row[0] for row in connection.execute(
            text("SELECT body FROM contributions WHERE body LIKE '%ujibeban%'")))
    engine.dispose()
    in_db = sum(1 for item in sent if item["word"] in stored)
    found = 0
    for item in sent:
        url = f"http://127.0.0.1:{stack.lb_port}/search?q={item['word']}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the bench's own address
            page = re.sub(r"<[^>]+>", "", response.read().decode())
        found += item["word"] in page
    return len(sent) - in_db, len(sent) - found


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores ({cpu})"


def report(args, data: dict, indexer_wait: float, lost: tuple[int, int], load_before, load_after) -> None:
    stats, failures, sent = data["stats"], data["failures"], data["sent"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    print(f"\nmachine: {machine()}; load average before {load_before}, after {load_after} "
          f"(other sessions share this machine)")
    print(f"stack: 2 gunicorn app servers x {args.workers} {args.worker_class} workers"
          f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''} behind haproxy, "
          f"PostgreSQL {PG_VERSION} and Redis of the bench's own, search worker; {args.users} users, {args.duration} s")
    print(f"\n{'page':24} {'requests':>9} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in stats:
        print(f"{row['Name'][:24]:24} {row['Request Count']:>9} {row['Failure Count']:>7} {row['50%']:>7} "
              f"{row['95%']:>7} {row['99%']:>7}")
    print(f"\nrequests per second: {float(total['Requests/s']):.1f}; errors: {total['Failure Count']}")
    statuses: dict[str, int] = {}
    for failure in failures:
        statuses[str(failure["status"])] = statuses.get(str(failure["status"]), 0) + 1
    if statuses:
        print("errors by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    kinds = {kind: sum(1 for item in sent if item["kind"] == kind) for kind in ("comment", "submission")}
    print(f"contributions answered with success: {kinds['comment']} comments, {kinds['submission']} submissions; "
          f"search worker caught up {indexer_wait:.1f} s after the run")
    print(f"lost: {lost[0]} missing from the database, {lost[1]} not found by public search")
    if data["faults"]:
        print("\nfaults (second of the run):")
        offset = data["offset"]
        for (name, second), following in zip(data["faults"], [f[1] for f in data["faults"][1:]] + [1e9], strict=True):
            window = [f for f in failures if second <= f["second"] - offset < min(following, second + 14.9)]
            clean = sum(1 for f in window if f["clean"])
            recovery = max((f["second"] - offset for f in window), default=second) - second
            statuses = sorted({str(f["status"]) for f in window})
            print(f"  {second:5.1f} s  {name}: {len(window)} failed requests ({clean} clean retry pages; "
                  f"statuses {', '.join(statuses) or '-'}), last failure {recovery:.1f} s after it")
        outside = [f for f in failures if not any(s <= f["second"] - offset < s + 15 for _n, s in data["faults"])]
        print(f"  failures outside the 15 s after a fault: {len(outside)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    need_tools()
    stack = Stack(args)
    try:
        print(f"starting the stack under {stack.dir} ...", flush=True)
        stack.start_postgres()
        stack.start_redis()
        plan = stack.seed()
        stack.start_apps()
        stack.start_haproxy()
        load_before = open("/proc/loadavg").read().split()[:3]
        print(f"running {args.users} users for {args.duration} s{' with faults' if args.faults else ''} ...", flush=True)
        data = run_locust(stack, plan, args.faults)
        load_after = open("/proc/loadavg").read().split()[:3]
        indexer_wait = wait_for_indexer(stack)
        lost = check_lost(stack, data["sent"])
        report(args, data, indexer_wait, lost, " ".join(load_before), " ".join(load_after))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
