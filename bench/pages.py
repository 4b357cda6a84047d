"""Page benchmark (prints figures; not a test): the portal's heaviest public pages against the
framework floor, through one gunicorn setting, side by side in one run.

It builds a throwaway instance under /tmp (SQLite unless --database-url is given): the demo
content, plus a policy with --articles articles and --comments published comments on them, a
forum thread of --posts posts and a position with --field-comments field comments (bulk ORM
inserts: a minute of service calls would measure nothing more), and rebuilds the search index.
Then it serves a bare Flask "hello" route and the portal, each with gunicorn (2 sync workers),
and runs `wrk -t2 -c16 -d<duration>s --latency` against the floor and each page, anonymous
(no cookie: every request a first visit) and signed in (the session cookie of a real sign-in
through the login form, as the demo citizen, who has comments on these pages; and, unless
--no-newcomer, as a citizen who has written nothing, served the copy kept for their viewer
class). It prints requests per second, p50 and p99 latency, the share of the
floor's rate (measured just before the page, so both see the same machine), and each page's query count and size as a test client of the same database sees
them (the anonymous count is a fresh render; a page served from the page cache costs one query).

Goal (issue 9): every page a visitor sees at >= 25 % of the floor anonymous, >= 10 % signed in.

Run:  .venv/bin/python bench/pages.py [--duration 10] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import http.client
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
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--worker-class", "sync",
            "--log-level", "warning"]
WRK_THREADS, WRK_CONNECTIONS = 2, 16
CITIZEN = ("warga@demo.medan.go.id", "demo-portal-2026")
# A citizen who has written, agreed with and followed nothing: served the copy kept for their viewer class.
NEWCOMER = ("pembaca.baru@bench.medan.go.id", "bench-pages-2026", "Pembaca Baru")
SEARCH_QUERY = "kebutuhan jabatan"
GOAL_ANONYMOUS, GOAL_SIGNED_IN = 0.25, 0.10


# --- the data --------------------------------------------------------------------------

def policy_body(articles: int) -> str:
    """A draft with `articles` Pasal in three BAB."""
    lines = ["Rancangan Peraturan Wali Kota Medan tentang Uji Beban Halaman.", ""]
    for n in range(1, articles + 1):
        if n % 10 == 1:
            lines += [f"## BAB {n // 10 + 1} — Bagian {n // 10 + 1}", ""]
        lines += [f"### Pasal {n} — Ketentuan {n}", "",
                  f"(1) Perangkat daerah menyusun analisis kebutuhan jabatan untuk urusan ke-{n}.",
                  "(2) Analisis diperbarui setiap tahun dengan data kependudukan per kecamatan.", ""]
    return "\n".join(lines)


def comment_text(n: int) -> str:
    return (f"Komentar nomor {n}: data pegawai per kecamatan perlu dibuka agar warga dapat "
            f"memeriksa **kebutuhan jabatan** di wilayahnya. Lihat juga https://medan.go.id/data/{n} "
            "untuk rujukan.")


def build(args) -> dict:
    """Seed the instance and return the paths of the measured pages."""
    from portal import create_app
    from portal.accounts.models import User
    from portal.comments.models import POSITION_FIELDS, Comment
    from portal.demo.seed import seed_demo
    from portal.extensions import db, utcnow
    from portal.forums import services as forums
    from portal.forums.models import Post
    from portal.contributions.services import make_public_id
    from portal.positions.models import Position
    from portal.proposals import services as proposals
    from portal.search import services as search

    from portal.accounts import services as accounts

    app = create_app(env="development")
    with app.app_context():
        db.create_all()
        seed_demo()
        accounts.create_user(NEWCOMER[0], NEWCOMER[2], NEWCOMER[1], "citizen")
        users = db.session.query(User).order_by(User.id).all()
        moderator = next(u for u in users if u.role == "moderator")
        authors = [u for u in users if u.role != "admin" and u.email != NEWCOMER[0]]
        now = utcnow()
        position = db.session.query(Position).order_by(Position.id).first()
        policy = proposals.create_policy(
            moderator, title="Rancangan Perwal Uji Beban Halaman", kind="Rancangan Peraturan Wali Kota",
            summary="Rancangan untuk mengukur halaman.", body=policy_body(args.articles),
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), position_ids=[position.id],
        )
        proposals.transition(moderator, policy, "open")
        version = policy.current_version

        def stamp(contribution, author, n):
            contribution.author_id = author.id
            contribution.stakeholder_group = author.stakeholder_group
            contribution.status = "published"
            contribution.created_at = contribution.updated_at = contribution.published_at = now
            contribution.body = comment_text(n)

        batch = []
        for n in range(args.comments):
            comment = Comment(policy_id=policy.id, version_id=version.id, article_key=f"pasal-{n % args.articles + 1}",
                              stance=("supports", "objects", "suggests_change")[n % 3])
            stamp(comment, authors[n % len(authors)], n)
            batch.append(comment)
        for n in range(args.field_comments):
            comment = Comment(policy_id=policy.id, position_id=position.id,
                              position_field=POSITION_FIELDS[n % len(POSITION_FIELDS)], stance="suggests_change")
            stamp(comment, authors[n % len(authors)], 100_000 + n)
            batch.append(comment)
        category = forums.policy_category(policy)
        thread = forums.start_thread(moderator, category, "Diskusi uji beban", comment_text(-1))
        for n in range(args.posts - 1):
            post = Post(thread_id=thread.id, policy_id=policy.id)
            stamp(post, authors[n % len(authors)], 200_000 + n)
            batch.append(post)
        db.session.add_all(batch)
        db.session.flush()
        for contribution in batch:
            contribution.public_id = make_public_id(contribution)
        db.session.commit()
        search.rebuild()
        paths = {
            "home": "/",
            "policy": f"/policies/{policy.slug}",
            "article comments": article_comments_path(app, policy.slug),
            "thread": f"/forum/t/{thread.id}",
            "position": f"/positions/{position.id}",
            "search": "/search?" + urlencode({"q": SEARCH_QUERY}),
        }
        db.session.remove()
        db.engine.dispose()
    return paths


def article_comments_path(app, slug: str) -> str:
    """The paged comment list of one article (the first)."""
    from flask import url_for

    with app.test_request_context():
        return url_for("comments.article_list", slug=slug, key="pasal-1")


def page_costs(paths: dict) -> dict:
    """Queries and bytes of each page, anonymous (fresh render) and signed in."""
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"PAGE_CACHE_ENABLED": False, "RATELIMIT_ENABLED": False}, env="development")
    seen: list = []
    with app.app_context():  # each request below gets its own context, as under a server
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(1))
    clients = {"anonymous": app.test_client()}
    for who, account in (("signed in", CITIZEN), ("newcomer", NEWCOMER)):
        client = clients[who] = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = client.post("/login", data={"email": account[0], "password": account[1], "csrf_token": token})
        assert answer.status_code == 302, "sign-in failed"
    costs = {}
    for name, path in paths.items():
        if path is None:
            continue
        for who, client in clients.items():
            client.get(path)  # first view: stored HTML written back, caches warmed
            seen.clear()
            response = client.get(path)
            costs[name, who] = (len(seen), len(response.get_data()), response.status_code)
    with app.app_context():
        db.engine.dispose()
    return costs


# --- serving and measuring ------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(GUNICORN + ["--bind", f"127.0.0.1:{port}", target], cwd=ROOT, env=env,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn serving {target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def settle(port: int) -> None:
    """Wait until the server has answered every request wrk left queued (sync workers go on with
    them after wrk hangs up), so one measurement's backlog never slows the next."""
    for _ in range(2 * 2):  # each worker, twice
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", "/static/css/portal.css")
        connection.getresponse().read()
        connection.close()


def sign_in(port: int, account: tuple = CITIZEN) -> str:
    """The Cookie header of a real sign-in through the login form."""
    def request(method, path, body=None, cookie=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        cookies = [value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie"]
        return response.status, data, cookies

    _status, page, cookies = request("GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urlencode({"email": account[0], "password": account[1], "csrf_token": token})
    status, _page, cookies = request("POST", "/login", form, "; ".join(cookies))
    if status != 302 or not cookies:
        raise SystemExit(f"sign-in failed ({status})")
    # Follow the redirect as a browser does: the page it leads to shows (and drops) the
    # "signed in" message. Replaying the cookie that still holds it would measure a page that
    # shows the message on every view.
    status, _page, shown = request("GET", "/", cookie="; ".join(cookies))
    if status != 200:
        raise SystemExit(f"the page after signing in failed ({status})")
    return "; ".join(shown or cookies)


def wrk(url: str, duration: int, cookie: str | None = None) -> dict:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration}s", "--timeout", "30s",
               "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: _ms(re.search(rf"^\s+{p}%\s+(\S+)", output, re.M).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "p50": latency["50"], "p99": latency["99"], "non2xx": int(errors.group(1)) if errors else 0}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is not installed: installing the Debian package with apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{platform.machine()} {cpu}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
            f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per measurement")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--field-comments", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="times each page is measured; the best counts")
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file under /tmp)")
    parser.add_argument("--redis", help="REDIS_URL for the portal (sessions, limits, page cache)")
    parser.add_argument("--newcomer", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure each page signed in as a citizen with no contributions of their own")
    args = parser.parse_args()
    ensure_wrk()

    instance = tempfile.mkdtemp(prefix="bench-pages-")
    env = dict(os.environ, PORTAL_INSTANCE_PATH=instance, SECRET_KEY=secrets.token_hex(32))
    env.pop("REDIS_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis:
        env["REDIS_URL"] = args.redis
    os.environ.update(env)
    started = time.perf_counter()
    paths = build(args)
    costs = page_costs(paths)
    print(f"Built {args.articles} articles, {args.comments} comments, a {args.posts}-post thread, "
          f"{args.field_comments} field comments in {time.perf_counter() - started:.0f} s ({instance})")

    floor_port, portal_port = free_port(), free_port()
    portal_env = dict(env, PORTAL_ENV="production", PORTAL_BASE_URL=f"http://127.0.0.1:{portal_port}")
    floor = serve("bench.hello_app:app", floor_port, env)
    portal = serve("wsgi:app", portal_port, portal_env)
    results: dict = {}
    try:
        readers = (("anonymous", None), ("signed in", sign_in(portal_port)))
        if args.newcomer:
            readers += (("newcomer", sign_in(portal_port, NEWCOMER)),)
        targets = [(name, who, path, header) for name, path in paths.items() if path is not None
                   for who, header in readers]
        for _name, _who, path, header in targets:  # warm both workers: stored HTML, search postings, page cache
            settle(portal_port)
            wrk(f"http://127.0.0.1:{portal_port}{path}", 2, header)
        floor_url = f"http://127.0.0.1:{floor_port}/"
        for _round in range(args.rounds):
            # Each page is measured right after the floor, and its share is taken against that
            # floor: the machine's other load drifts by more than the pages differ. A row keeps
            # its best round, the one least disturbed by whatever else the machine was doing.
            for name, who, path, header in targets:
                settle(portal_port)
                floor_now = wrk(floor_url, args.duration)
                result = wrk(f"http://127.0.0.1:{portal_port}{path}", args.duration, header)
                result["share"] = result["rate"] / floor_now["rate"]
                best = results.get((name, who))
                if best is None or result["share"] > best["share"]:
                    results[name, who] = result
                if results.get(("floor", "-"), {"rate": 0})["rate"] < floor_now["rate"]:
                    results["floor", "-"] = dict(floor_now, share=1.0)
    finally:
        stop(portal)
        stop(floor)

    rows = [("floor (bare Flask)", "-", results["floor", "-"], None)]
    for name, path in paths.items():
        for who in ("anonymous", "signed in") + (("newcomer",) if args.newcomer else ()):
            rows.append((name, who, results.get((name, who)), costs.get((name, who))))
            if path is None:
                break
    print(f"\n{machine()}; gunicorn 2 sync workers; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration}s, "
          f"each page right after the floor, best of {args.rounds} rounds; "
          f"{'Redis' if args.redis else 'no Redis'}; {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"{'page':<20} {'who':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'floor':>7} {'goal':>6} "
          f"{'queries':>7} {'bytes':>9}")
    for name, who, result, cost in rows:
        if result is None:
            print(f"{name:<20} {who:<10} (no such route on this branch)")
            continue
        share = result["share"]
        goal = {"anonymous": GOAL_ANONYMOUS, "signed in": GOAL_SIGNED_IN, "newcomer": GOAL_SIGNED_IN}.get(who)
        verdict = "" if goal is None else ("met" if share >= goal else "NOT")
        queries, size = (f"{cost[0]}", f"{cost[1]:,}") if cost else ("", "")
        flag = f"  ({result['non2xx']} non-2xx)" if result["non2xx"] else ""
        print(f"{name:<20} {who:<10} {result['rate']:>8.1f} {result['p50']:>8.1f} {result['p99']:>8.1f} "
              f"{share:>6.1%} {verdict:>6} {queries:>7} {size:>9}{flag}")
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
