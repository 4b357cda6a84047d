"""`flask search rebuild`, `check` and `drain`."""

from __future__ import annotations

from sqlalchemy import delete

from portal.extensions import db
from portal.moderation.models import Contribution
from portal.search import services
from portal.search.backend import Document


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


def test_rebuild_swaps_in_a_new_directory_that_agrees_with_the_database(runner, citizen, contribute, drain, find):
    item = contribute(citizen, "Uji kompetensi manajerial.")
    drain()
    services.backend().delete_documents([f"contribution:{item.id}"])  # drift the rebuild must repair
    before = services.backend().current_dir()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    after = services.backend().current_dir()
    assert after != before and after.exists()
    assert find(None, "manajerial") == [f"contribution:{item.id}"]
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Changes committed after a rebuild still flow through the outbox into the new directory.
    later = contribute(citizen, "Uji kompetensi teknis.")
    drain()
    assert find(None, "teknis") == [f"contribution:{later.id}"]


def test_an_index_from_an_older_version_is_reported_and_rebuilt(runner, citizen, contribute, drain):
    contribute(citizen, "Uji kompetensi manajerial.")
    drain()
    (services.backend().current_dir() / "FORMAT").write_text("1")  # as an older portal left it
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "older version" in result.output
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0
