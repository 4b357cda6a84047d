"""The PostgreSQL search backend: the index is written in the changing transaction, so every app
server finds a change as soon as it is committed, with no outbox, worker or shared disk."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from portal import create_app
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.extensions import db
from portal.moderation import services as moderation
from portal.search import services
from portal.search.outbox import SearchOutbox

pytestmark = pytest.mark.postgres_only


def _outbox_rows() -> int:
    return db.session.scalar(select(func.count(SearchOutbox.id))) or 0


def test_a_new_contribution_is_found_once_committed_without_outbox_or_drain(citizen, contribute, find):
    item = contribute(citizen, "Pelatihan pegawai kecamatan harus rutin.")
    assert _outbox_rows() == 0
    assert find(None, "dilatih") == [f"contribution:{item.id}"]


def test_a_rolled_back_transaction_leaves_nothing_in_the_index(citizen, find):
    item = Contribution(body="Rahasia yang batal disimpan tentang pelatihan.")
    contributions.admit(citizen, item)
    db.session.rollback()
    assert find(None, "rahasia") == []
    assert services.check().agrees


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(citizen, find):
    kept = Contribution(body="Usulan formasi yang tetap disimpan.")
    contributions.admit(citizen, kept)
    with db.session.begin_nested() as savepoint:
        contributions.admit(citizen, Contribution(body="Usulan formasi yang dibatalkan."))
        db.session.flush()
        savepoint.rollback()
    db.session.commit()
    assert find(None, "formasi") == [f"contribution:{kept.id}"]
    assert services.check().agrees


def test_hiding_and_withdrawing_reach_the_index_with_their_commit(citizen, official, contribute, find):
    hidden = contribute(citizen, "Komentar tentang kebutuhan pegawai yang nanti disembunyikan.")
    gone = contribute(citizen, "Komentar tentang kebutuhan guru yang nanti ditarik.")
    moderation.hide(official, hidden, "spam")
    contributions.withdraw(citizen, gone)
    states = services.backend().doc_states()
    assert states[f"contribution:{hidden.id}"] == "hidden"
    assert f"contribution:{gone.id}" not in states
    assert find(None, "kebutuhan") == []
    assert find(official, "kebutuhan") == [f"contribution:{hidden.id}"]


def test_a_second_app_server_finds_what_the_first_one_wrote_at_once(app, _schema, tmp_path, citizen, contribute):
    item = contribute(citizen, "Usulan mutasi jabatan pelaksana.")
    other = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "other-server"),
                        "SEARCH_BACKEND": "postgres"}, env="testing")
    with other.app_context(), other.test_request_context():
        page = services.search(None, "mutasi")
        found = [f"{entry.hit.doc_type}:{entry.hit.db_id}" for entry in page.items]
        db.session.remove()
        db.engine.dispose()
    assert found == [f"contribution:{item.id}"]


def test_check_fails_on_a_row_changed_or_removed_behind_its_back_and_a_rebuild_repairs_it(
        runner, citizen, contribute):
    stale = contribute(citizen, "Komentar tentang rotasi pegawai.")
    missing = contribute(citizen, "Komentar tentang promosi pegawai.")
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    db.session.execute(text("UPDATE search_documents SET status = 'hidden' WHERE doc_id = :id"),
                       {"id": f"contribution:{stale.id}"})
    db.session.execute(text("DELETE FROM search_documents WHERE doc_id = :id"), {"id": f"contribution:{missing.id}"})
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1: contribution:{missing.id}" in result.output
    assert f"stale: 1: contribution:{stale.id}" in result.output
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_the_vectors_hold_stems_weighted_by_field_and_the_exact_words():
    from portal.search.pg_index import vector, word_vector

    assert vector(["latih", "jabat"], ["latih", "abc_def"]) == "'latih':1A,4B 'jabat':2A 'abc_def':5B"
    assert word_vector(["pelatihan", "o'neil", "pelatihan"]) == "'pelatihan' 'o''neil'"
