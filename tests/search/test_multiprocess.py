"""Several processes writing and indexing at once, one killed mid-way: the index still agrees."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.contributions.models import Contribution
from portal.search import services

WRITER = Path(__file__).with_name("writer_process.py")


def test_writers_in_parallel_and_a_killed_one_leave_index_and_database_agreeing(app, runner, citizen):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    db.engine.dispose()  # the children open their own connections

    def spawn(tag: str, count: int, pause: float = 0.0):
        return subprocess.Popen(
            [sys.executable, str(WRITER), url, app.instance_path, str(citizen.id), str(count), tag, str(pause),
             app.config["SEARCH_BACKEND"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    writers = [spawn(f"proses{n}", 12) for n in range(3)]
    victim = spawn("korban", 0, pause=0.01)  # writes until killed
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and written < 5:  # let the victim get some rows (and drains) in
        time.sleep(0.2)
        written = db.session.scalar(
            select(func.count(Contribution.id)).where(Contribution.body.like("%korban%"))) or 0
        db.session.rollback()
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    for writer in writers:
        out, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err
    assert written >= 5

    # Whatever the victim left half-done, the next drain finishes it.
    assert runner.invoke(args=["search", "drain"]).exit_code == 0
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    total = db.session.scalar(select(func.count(Contribution.id)))
    assert total >= 36 + 5
    assert len([key for key in services.backend().doc_ids() if key.startswith("contribution:")]) == total
