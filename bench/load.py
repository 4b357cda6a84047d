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
It prints requests per second, p50/p95/p99 per page and every answer classified (bench/load_locustfile.py):
errors (a 500 or other wrong status, a cut or reset connection, a timeout, a page without what it
should show), clean retry pages (503, Retry-After, "try again": the user waits and sends again, as
a person told so would, and the action's eventual result counts), then waits for the search worker
and checks that every contribution that got a success answer is in the database once and found
by the public search page. Goals: 0 errors (no answer a user meets without being told to retry,
no retry that failed), 0 lost; with --faults, faults survived (each recovered from within 15 s).
The stack itself is bench/load_stack.py.

--faults: during the run, kill -9 a worker of app server 1 (at 15 s), restart the bench's
PostgreSQL (30 s) and its Redis (45 s); prints each fault's second, the answers it caused by kind,
the last one's second after it and the lost count.

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
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_stack import BIN, PG_VERSION, ROOT, Stack, need_tools  # noqa: E402


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
               "--loglevel", "ERROR", "--stop-timeout", "120"]  # actions in flight (and their retries) finish
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


def check_lost(stack: Stack, sent: list[dict]) -> dict:
    """Among contributions answered with success: missing from the database, saved more than once,
    not found by public search; and contributions saved whose sender never got a success answer."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        bodies = [row[0] for row in connection.execute(
            text("SELECT body FROM contributions WHERE body LIKE '%ujibeban%'"))]
    engine.dispose()
    saved: dict[str, int] = {}
    for body in bodies:
        for word in set(re.findall(r"ujibeban[0-9a-f]{10}", body)):
            saved[word] = saved.get(word, 0) + 1
    found = 0
    for item in sent:
        url = f"http://127.0.0.1:{stack.lb_port}/search?q={item['word']}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the bench's own address
            page = re.sub(r"<[^>]+>", "", response.read().decode())
        found += item["word"] in page
    words = {item["word"] for item in sent}
    return {"missing": sum(1 for w in words if w not in saved), "twice": sum(1 for n in saved.values() if n > 1),
            "unsearchable": len(sent) - found, "unanswered": sum(1 for w in saved if w not in words)}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores ({cpu})"


def _count(items: list[dict], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item[key])] = counts.get(str(item[key]), 0) + 1
    return counts


def report(args, data: dict, indexer_wait: float, lost: dict, load_before, load_after) -> None:
    stats, answers, actions, sent = data["stats"], data["answers"], data["actions"], data["sent"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    print(f"\nmachine: {machine()}; load average before {load_before}, after {load_after} "
          f"(other sessions share this machine)")
    print(f"stack: 2 gunicorn app servers x {args.workers} {args.worker_class} workers"
          f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''} behind haproxy, "
          f"PostgreSQL {PG_VERSION} and Redis of the bench's own, search worker; {args.users} users, {args.duration} s")
    retry_pages = [a for a in answers if a["kind"] == "retry page"]
    errors = [a for a in answers if a["kind"] == "error"]
    print(f"\n{'page':20} {'requests':>9} {'retry pg':>8} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in stats:
        name = row["Name"]
        pages = sum(1 for a in retry_pages if a["name"] == name or name == "Aggregated")
        wrong = sum(1 for a in errors if a["name"] == name or name == "Aggregated")
        print(f"{name[:20]:20} {row['Request Count']:>9} {pages:>8} {wrong:>7} {row['50%']:>7} {row['95%']:>7} "
              f"{row['99%']:>7}")
    results = _count(actions, "result")
    failed_retries = results.get("failed after retries", 0)
    answered = len(actions) - results.get("failed after retries", 0) + len(retry_pages)
    print(f"\nrequests: {answered} answered in {len(actions)} user actions (the table is "
          f"Locust's, to the time limit: {total['Request Count']}, {float(total['Requests/s']):.1f}/s)")
    print(f"errors that are not clean (500 or other wrong status, cut or reset connection, timeout, wrong content, "
          f"signed out): {len(errors)}" + (" (" + ", ".join(f"{k}: {v}" for k, v in sorted(
              _count([dict(e, what=e['detail'] or e['status']) for e in errors], "what").items())) + ")" if errors else ""))
    finished = {a["action"] for a in actions}
    waiting = len({a["action"] for a in retry_pages} - finished)
    print(f"clean retry pages (503, Retry-After, \"try again\"): {len(retry_pages)}; the user waited and sent again: "
          f"{results.get('ok after retry', 0)} actions then succeeded, {failed_retries} still failed after "
          f"3 retries, {waiting} were still waiting to send again when the run ended")
    kinds = {kind: sum(1 for item in sent if item["kind"] == kind) for kind in ("comment", "submission")}
    print(f"contributions answered with success: {kinds['comment']} comments, {kinds['submission']} submissions; "
          f"search worker caught up {indexer_wait:.1f} s after the run")
    print(f"lost: {lost['missing']} missing from the database, {lost['unsearchable']} not found by public search; "
          f"{lost['twice']} saved twice; {lost['unanswered']} saved without a success answer (the sender "
          f"met an error)")
    survived = True
    if data["faults"]:
        print("\nfaults (second of the run):")
        offset = data["offset"]
        for (name, second), following in zip(data["faults"], [f[1] for f in data["faults"][1:]] + [1e9], strict=True):
            window = [a for a in answers if second <= a["second"] - offset < min(following, second + 15)]
            last = max((a["second"] - offset for a in window), default=second) - second
            kinds_seen = _count(window, "kind")
            served = any(a["second"] - offset > second + last for a in actions if a["result"].startswith("ok"))
            survived &= last < 15 and served
            print(f"  {second:5.1f} s  {name}: {kinds_seen.get('retry page', 0)} retry pages, "
                  f"{kinds_seen.get('error', 0)} errors; last {last:.1f} s after it; served again after it: "
                  f"{'yes' if served else 'no'}")
        outside = [a for a in answers if not any(s <= a["second"] - offset < s + 15 for _n, s in data["faults"])]
        print(f"  answers not right outside the 15 s after a fault: {len(outside)}")
    goals = [("0 errors", not errors and not failed_retries),
             ("0 lost", not lost["missing"] and not lost["unsearchable"] and not lost["twice"])]
    if data["faults"]:
        goals.append(("faults survived", survived))
    print("\ngoals: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in goals))


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
