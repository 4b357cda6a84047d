"""A second app on the test database with REDIS_URL set (its own queue name and key prefix, so
parallel runs never share a queue), and `work()`: a real RQ worker in burst mode in this process."""

from __future__ import annotations

import os
import uuid

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import CsrfClient

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def queued_app(app, _schema, tmp_path, publish_at_once):
    """The portal as deployed with Redis: long work goes to the job queue (contributions published at once)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"jobs on RQ are not tested: no Redis answers at {REDIS_URL} ({error})")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    queued = create_app(
        {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "queued-instance"),
         "REDIS_URL": REDIS_URL, "SESSION_REDIS_PREFIX": prefix + ":session:", "JOBS_QUEUE": prefix,
         "JOBS_RETRY_INTERVALS": [0], "EXPORT_INLINE_MAX_ROWS": 5,
         "MODERATION_PREMODERATE_FIRST_N": app.config["MODERATION_PREMODERATE_FIRST_N"]},
        env="testing",
    )
    queued.test_client_class = CsrfClient
    client = redis.Redis.from_url(REDIS_URL)
    try:
        with queued.app_context():
            yield queued
            db.session.remove()
            db.engine.dispose()
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def work(queued_app):
    """work() -> how many RQ jobs (portal jobs and search drains) a fresh worker finished or failed, in
    burst mode (it stops when the queue is empty)."""
    from rq import SimpleWorker

    from portal.jobs import services as jobs

    def finished(queue) -> int:
        return queue.finished_job_registry.count + queue.failed_job_registry.count

    def run() -> int:
        queue = jobs.queue()
        before = finished(queue)
        SimpleWorker([queue], connection=jobs.connection()).work(burst=True, with_scheduler=False)
        return finished(queue) - before

    return run


@pytest.fixture
def browser(queued_app, sign_in):
    """browser(user) -> a client of the queued app signed in as `user`, in English."""

    def make(user):
        client = queued_app.test_client()
        sign_in(user, client, lang="en")
        return client

    return make
