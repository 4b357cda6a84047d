"""Fixtures for the bounded-page tests: a policy with many articles, authors, and a query counter."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db, utcnow
from portal.proposals import services as proposals


def policy_text(articles: int) -> str:
    """A draft with `articles` articles under three chapters."""
    lines = ["Rancangan Peraturan Wali Kota Medan tentang Penataan Jabatan.", ""]
    for n in range(1, articles + 1):
        if n % 10 == 1:
            lines += [f"## BAB {n // 10 + 1} — Bagian {n // 10 + 1}", ""]
        lines += [f"### Pasal {n} — Ketentuan {n}", "", f"Isi ketentuan pasal {n} tentang jabatan.", ""]
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Comments here are published at once."""


@pytest.fixture
def big_policy(moderator):
    """An open policy with 30 articles."""
    now = utcnow()
    policy = proposals.create_policy(
        moderator, title="Rancangan Perwal Penataan Jabatan", kind="Rancangan Peraturan Wali Kota",
        summary="Ringkasan.", body=policy_text(30), opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10), position_ids=[],
    )
    proposals.transition(moderator, policy, "open")
    return policy


@pytest.fixture
def authors(make_user):
    """A handful of authors."""
    return [make_user() for _ in range(5)]


@contextmanager
def counting_queries():
    """Count the SQL statements sent while the block runs: `with counting_queries() as count: ...; count()`."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", before)


def measure(client, url: str) -> tuple[int, int, int]:
    """(status, query count, HTML bytes) of one GET."""
    db.session.expire_all()
    with counting_queries() as count:
        response = client.get(url)
    return response.status_code, count(), len(response.get_data())
