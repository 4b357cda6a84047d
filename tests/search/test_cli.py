"""`flask search rebuild`, `check` and `drain`."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from portal.extensions import db
from portal.contributions.models import Contribution
from portal.search import services
from portal.search.backend import Document


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_drain_applies_the_outbox(runner, citizen, contribute, find):
    item = contribute(citizen, "Formasi jabatan fungsional.")
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert "Applied" in result.output
    assert find(None, "fungsional") == [f"contribution:{item.id}"]


def test_check_agrees_after_drain_and_exits_1_on_drift(runner, citizen, contribute, drain):
    kept = contribute(citizen, "Kebutuhan pegawai di kecamatan.")
    erased = contribute(citizen, "Komentar yang dihapus diam-diam.")
    kept_id, erased_id = kept.id, erased.id
    drain()
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Drift: a row removed behind the ORM's back (no outbox row) and a document nobody wrote.
    db.session.execute(delete(Contribution.__table__).where(Contribution.__table__.c.id == erased_id))
    db.session.commit()
    services.backend().index_documents([Document(
        doc_id="contribution:999999", doc_type="contribution", db_id=999999, kind="comment", status="published")])
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"contribution:{erased_id}" in result.output and "contribution:999999" in result.output
    assert f"contribution:{kept_id}" not in result.output


def test_check_reports_a_missing_document(runner, citizen, contribute, drain):
    item = contribute(citizen, "Pemetaan jabatan pelaksana.")
    drain()
    services.backend().delete_documents([f"contribution:{item.id}"])
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"missing: 1: contribution:{item.id}" in result.output


def test_rebuild_swaps_in_a_new_index_that_agrees_with_the_database(runner, citizen, contribute, drain, find,
                                                                   search_backend):
    item = contribute(citizen, "Uji kompetensi manajerial.")
    drain()
    services.backend().delete_documents([f"contribution:{item.id}"])  # drift the rebuild must repair
    assert runner.invoke(args=["search", "check"]).exit_code == 1
    before = services.backend().current_dir() if search_backend == "whoosh" else None
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    if search_backend == "whoosh":  # a new directory; on postgres, the rows replaced in one transaction
        after = services.backend().current_dir()
        assert after != before and after.exists()
    assert find(None, "manajerial") == [f"contribution:{item.id}"]
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Changes committed after a rebuild still reach the new index.
    later = contribute(citizen, "Uji kompetensi teknis.")
    drain()
    assert find(None, "teknis") == [f"contribution:{later.id}"]


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_an_index_from_an_older_version_is_reported_and_rebuilt(runner, citizen, contribute, drain):
    contribute(citizen, "Uji kompetensi manajerial.")
    drain()
    (services.backend().current_dir() / "FORMAT").write_text("1")  # as an older portal left it
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "older version" in result.output
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def _stray_writer():
    """Whoosh's write lock held by a writer nobody commits: every update of the index fails meanwhile."""
    from whoosh import index

    backend = services.backend()
    backend.writer_timeout = 0.1
    return index.open_dir(str(backend.current_dir())).writer()


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_check_is_healthy_with_fresh_changes_waiting(runner, citizen, contribute, drain):
    drain()
    contribute(citizen, "Usulan yang baru saja dikirim.")
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    assert "waiting in the outbox: 1" in result.output and "agrees" in result.output


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_check_fails_on_changes_waiting_longer_than_the_set_age_and_a_rebuild_repairs_it(
        app, runner, citizen, contribute, drain):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.extensions import utcnow
    from portal.search.outbox import SearchOutbox

    drain()
    contribute(citizen, "Usulan yang tertahan lama.")
    db.session.execute(update(SearchOutbox).values(created_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()  # no indexer ran for six minutes (a stopped worker, say)
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "1 changes have waited longer than 300 s (SEARCH_OUTBOX_MAX_AGE)" in result.output
    assert "agrees" not in result.output
    app.config["SEARCH_OUTBOX_MAX_AGE"] = 600
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    app.config["SEARCH_OUTBOX_MAX_AGE"] = 300
    # What `make run` does when check fails: rebuild, which covers the waiting rows.
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_a_failed_drain_is_recorded_and_check_fails_until_a_drain_works(runner, citizen, contribute, drain, find):
    drain()
    item = contribute(citizen, "Komentar tentang mutasi jabatan.")
    stray = _stray_writer()
    try:
        result = runner.invoke(args=["search", "drain"])
        assert result.exit_code == 1
        assert "Updating the index failed: LockError" in result.output
        checked = runner.invoke(args=["search", "check"])
        assert checked.exit_code == 1
        assert "The last update of the index failed (1 in a row" in checked.output and "LockError" in checked.output
        assert runner.invoke(args=["search", "drain"]).exit_code == 1
        assert "(2 in a row" in runner.invoke(args=["search", "check"]).output
    finally:
        stray.cancel()
    result = runner.invoke(args=["search", "drain"])  # the next drain retries the same rows
    assert result.exit_code == 0 and "Applied 1 outbox rows" in result.output
    assert find(None, "mutasi") == [f"contribution:{item.id}"]
    checked = runner.invoke(args=["search", "check"])
    assert checked.exit_code == 0, checked.output


@pytest.mark.whoosh_only  # the outbox, its drains and the index's files
def test_a_rebuild_clears_a_recorded_failure(runner, citizen, contribute, drain):
    drain()
    contribute(citizen, "Komentar tentang rotasi pegawai.")
    stray = _stray_writer()
    try:
        assert runner.invoke(args=["search", "drain"]).exit_code == 1
    finally:
        stray.cancel()
    assert runner.invoke(args=["search", "check"]).exit_code == 1
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0  # as `make run` does on a failed check
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert not services.indexing_status().failing and services.indexing_status().last_failure


def test_the_postgres_backend_refuses_to_start_on_sqlite(tmp_path):
    from portal import create_app

    with pytest.raises(RuntimeError, match="SEARCH_BACKEND=postgres needs the portal's database on PostgreSQL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_PATH": str(tmp_path),
                    "SEARCH_BACKEND": "postgres"}, env="testing")
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND must be one of whoosh, postgres"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_PATH": str(tmp_path),
                    "SEARCH_BACKEND": "elastic"}, env="testing")
