"""Account-enumeration timing benchmark (prints figures; not a test).

Does registration or a password-reset request take a different time when the address already
has an account? Builds a throwaway SQLite instance under /tmp with the development password
hashing (Argon2id, RFC 9106 profile), one account, and then posts, in shuffled order each round:

  registration with the account's address   vs   registration with a new address
  reset request for the account's address   vs   reset request for an unknown address

through the real routes. It times each request until its response is ready (what the sender
can see), then closes the response as a WSGI server does, which runs the after-response work
(the look-up, the token, the mail), and times that separately. Prints medians and p95.

Run:  .venv/bin/python bench/enumeration.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "sandi-bench-enumerasi-2026"
KNOWN = "terdaftar@example.org"


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def build(workdir: Path):
    """A development app on a fresh SQLite file, with one account."""
    from portal import create_app
    from portal.extensions import db

    app = create_app(
        {
            "INSTANCE_PATH": str(workdir / "instance"),
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(workdir / "bench.db"),
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "file",
        },
        env="development",
    )
    with app.app_context():
        db.create_all()
        from portal.accounts import services

        services.create_user(KNOWN, "Warga Terdaftar", PASSWORD, "citizen")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40, help="requests of each kind (default 40)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-bench-enum-") as tmp:
        app = build(Path(tmp))
        counter = iter(range(10**9))

        def post(url: str, data: dict):
            # A fresh client each time, as a prober without cookies (nobody stays signed in).
            return app.test_client().post(url, data=data)

        def registration(address: str):
            return post("/register", {
                "email": address, "display_name": "Warga Bench", "password": PASSWORD + "x",
                "password2": PASSWORD + "x", "role": "citizen", "organisation": "", "consent": "y",
            })

        cases = {
            "register, known address": lambda: registration(KNOWN),
            "register, new address": lambda: registration(f"baru{next(counter)}@example.org"),
            "reset, known address": lambda: post("/reset-password", {"email": KNOWN}),
            "reset, unknown address": lambda: post("/reset-password", {"email": f"asing{next(counter)}@example.org"}),
        }
        answer: dict[str, list[float]] = {name: [] for name in cases}
        after: dict[str, list[float]] = {name: [] for name in cases}
        statuses: dict[str, set[int]] = {name: set() for name in cases}
        for send in cases.values():  # warm up every path once
            send().close()
        for _round in range(args.rounds):
            order = list(cases)
            random.shuffle(order)
            for name in order:
                start = time.perf_counter()
                response = cases[name]()
                ready = time.perf_counter()
                response.close()
                done = time.perf_counter()
                answer[name].append((ready - start) * 1000)
                after[name].append((done - ready) * 1000)
                statuses[name].add(response.status_code)
        mails = len(list((Path(app.instance_path) / "mail").glob("*.eml")))

    print(f"# account enumeration timing, {args.rounds} requests each, "
          f"{platform.machine()} Python {platform.python_version()}, SQLite, Argon2id "
          f"t={app.config['ARGON2_TIME_COST']} m={app.config['ARGON2_MEMORY_COST'] // 1024} MiB "
          f"p={app.config['ARGON2_PARALLELISM']}")
    print(f"{'case':28} {'status':>7} {'answer median':>14} {'answer p95':>11} {'after-response median':>22}")
    for name in cases:
        status = ",".join(str(code) for code in sorted(statuses[name]))
        print(f"{name:28} {status:>7} {statistics.median(answer[name]):11.1f} ms {p95(answer[name]):8.1f} ms"
              f" {statistics.median(after[name]):19.1f} ms")
    for route in ("register", "reset"):
        known = statistics.median(answer[f"{route}, known address"])
        other = statistics.median(answer[f"{route}, {'new' if route == 'register' else 'unknown'} address"])
        print(f"{route}: known / other answer median = {known / other:.2f}")
    print(f"mails written: {mails}")


if __name__ == "__main__":
    main()
