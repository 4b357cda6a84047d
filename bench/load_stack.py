"""The stack of bench/load.py (run by it, not by hand): a PostgreSQL cluster, a redis-server, two
gunicorn app servers, the search worker and haproxy, all of the bench's own under a temporary
folder and on free ports, and the seeded content (run inside the stack's environment).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
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
        code = "import bench.load_stack as s, json, sys; print(json.dumps(s.seed_data(int(sys.argv[1]))))"
        out = subprocess.run([str(BIN / "python"), "-c", code, str(self.args.users)], cwd=ROOT, env=self.env,
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_apps(self) -> None:
        for n, port in enumerate(self.app_ports, 1):
            command = [str(BIN / "gunicorn"), "--workers", str(self.args.workers), "--worker-class",
                       self.args.worker_class, "--threads", str(self.args.threads), "--bind", f"127.0.0.1:{port}",
                       "--log-level", "error", "--timeout", "60", "bench.load_wsgi:app"]
            with open(self.dir / f"app{n}.log", "w") as log:  # the app server's errors (--keep keeps them)
                self.processes[f"app{n}"] = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True,
                                                             stdout=log, stderr=log)
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
        config = (ROOT / "deploy" / "haproxy.cfg").read_text()
        config = config.replace("bind :80", f"bind 127.0.0.1:{self.lb_port}")
        ports = dict(enumerate(self.app_ports, 1))
        config = re.sub(r"(    server app(\d)) \S+", lambda m: f"{m.group(1)} 127.0.0.1:{ports[int(m.group(2))]}", config)
        config = config.replace("/etc/haproxy/errors/portal-503.http", str(errors))
        # The bench's own log (haproxy.log in the temporary folder; --keep keeps it).
        config = config.replace("global\n", "global\n    log stdout format raw local0\n", 1)
        config = config.replace("defaults\n", "defaults\n    log global\n", 1)
        (self.dir / "haproxy.cfg").write_text(config)
        with open(self.dir / "haproxy.log", "w") as log:
            self.processes["haproxy"] = subprocess.Popen(["haproxy", "-f", str(self.dir / "haproxy.cfg")],
                                                         start_new_session=True, stdout=log, stderr=log)
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
                "policy_title": policy.title,
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
