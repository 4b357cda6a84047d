"""A web process stand-in for the multi-process test: writes contributions and
drains the outbox after each, as the after-request hook does.

Usage: python writer_process.py DATABASE_URL INSTANCE_PATH AUTHOR_ID COUNT TAG [PAUSE [SEARCH_BACKEND]]
(COUNT 0: write until killed.)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    """Write COUNT contributions, each in its own transaction, draining after each."""
    url, instance, author_id, count, tag = sys.argv[1:6]
    pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    backend = sys.argv[7] if len(sys.argv) > 7 else "whoosh"
    from portal import create_app
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.contributions import services as contributions
    from portal.contributions.models import Contribution
    from portal.search import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "MODERATION_PREMODERATE_FIRST_N": 0, "SEARCH_BACKEND": backend}, env="testing")
    with app.app_context():
        author = db.session.get(User, int(author_id))
        n = 0
        while int(count) == 0 or n < int(count):
            item = Contribution(body=f"Usulan pelatihan {tag} nomor {n} untuk kecamatan.")
            contributions.admit(author, item)
            db.session.commit()
            services.drain(max_batches=2, wait=0.5)
            print(n, flush=True)
            n += 1
            time.sleep(pause)


if __name__ == "__main__":
    main()
