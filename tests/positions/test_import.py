"""Importing positions from CSV: all rows or none, with every problem reported by row and column."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.positions.importer import COLUMNS
from portal.positions.models import Opd, Position

from tests.conftest import audit_entries


def _csv(rows: list[dict], columns=COLUMNS, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue()


def _row(code, **fields) -> dict:
    row = {
        "code": code, "name": f"Jabatan {code}", "opd_code": "DINKES", "opd_name": "Dinas Kesehatan",
        "position_type": "pelaksana", "grade": "7", "required_count": "3", "incumbent_count": "2",
        "main_tasks": "Melayani warga.\nMencatat data.",
    }
    row.update(fields)
    return row


def _write(tmp_path, text: str | bytes, name="jabatan.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def _count() -> int:
    return db.session.scalar(select(func.count(Position.id)))


def test_good_file_imports_every_row_and_records_one_audit_entry(runner, admin, tmp_path, english_cli):
    rows = [
        _row("DINKES-1", name="Kepala Dinas Kesehatan", position_type="jpt", grade="14", parent_code=""),
        _row("DINKES-2", parent_code="DINKES-1", service_population="187000", service_area="Kecamatan Medan Deli"),
        _row("DISDIK-1", opd_code="DISDIK", opd_name="Dinas Pendidikan", position_type="fungsional", grade="9"),
    ]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code == 0, result.output
    assert "3 position(s) created" in result.output
    assert _count() == 3
    assert db.session.scalar(select(func.count(Opd.id))) == 2
    staff = db.session.scalar(select(Position).where(Position.code == "DINKES-2"))
    assert staff.parent.code == "DINKES-1"
    assert staff.main_tasks == "Melayani warga.\nMencatat data."
    assert staff.service_population == 187000
    entries = audit_entries("position.import")
    assert len(entries) == 1 and entries[0].actor_id == admin.id
    assert json.loads(entries[0].detail) == {"created": 3, "updated": 0, "opds_created": 2, "rows": 3}


def test_one_bad_row_imports_nothing_and_names_row_and_column(runner, admin, tmp_path, english_cli):
    rows = [_row("A-1"), _row("A-2"), _row("A-3", grade="18"), _row("A-4")]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code != 0
    assert "row 4, column grade:" in result.output
    assert _count() == 0
    assert db.session.scalar(select(func.count(Opd.id))) == 0


def test_every_error_is_reported_not_just_the_first(runner, admin, tmp_path, english_cli):
    rows = [
        _row("B-1", grade="tujuh"),
        _row("B-2", required_count="-2", position_type="raja"),
        _row("B-1"),
        _row("B-4", opd_code="TIDAKADA", opd_name=""),
        _row("B-5", parent_code="HILANG"),
        _row("B-6", incumbent_count="1.000"),
    ]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code == 1
    for expected in (
        "row 2, column grade:",
        "row 3, column position_type:",
        "row 3, column required_count:",
        "row 4, column code: The code B-1 already appears in row 2.",
        "row 5, column opd_code:",
        "row 6, column parent_code:",
        "row 7, column incumbent_count:",
    ):
        assert expected in result.output
    assert _count() == 0


def test_parent_may_come_later_in_the_file(runner, admin, tmp_path):
    rows = [_row("C-3", parent_code="C-2"), _row("C-2", parent_code="C-1"), _row("C-1", grade="12")]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code == 0, result.output
    leaf = db.session.scalar(select(Position).where(Position.code == "C-3"))
    assert leaf.parent.code == "C-2" and leaf.parent.parent.code == "C-1"


def test_a_loop_of_superiors_in_the_file_is_refused(runner, admin, tmp_path, english_cli):
    rows = [_row("L-1", parent_code="L-2"), _row("L-2", parent_code="L-1")]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code == 1
    assert "row 2, column parent_code:" in result.output
    assert _count() == 0


def test_existing_code_updates_that_position(runner, admin, tmp_path, make_opd, make_position, english_cli):
    opd = make_opd(code="DINKES", name="Dinas Kesehatan")
    existing = make_position(opd=opd, code="U-1", name="Nama Lama", grade=6)
    rows = [_row("U-1", name="Nama Baru", grade="8", opd_name=""), _row("U-2", parent_code="U-1", opd_name="")]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv(rows))])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    db.session.expire_all()
    updated = db.session.get(Position, existing.id)
    assert (updated.name, updated.grade) == ("Nama Baru", 8)
    assert _count() == 2


def test_header_problems_are_reported(runner, admin, tmp_path, english_cli):
    columns = [c for c in COLUMNS if c != "grade"] + ["warna"]
    result = runner.invoke(args=["positions", "import", _write(tmp_path, _csv([_row("H-1")], columns=columns))])
    assert result.exit_code == 1
    assert "row 1, column warna:" in result.output
    assert "row 1, column grade:" in result.output


def test_file_that_is_not_utf8_gets_a_clear_message(runner, admin, tmp_path):
    text = _csv([_row("W-1", name="Kepala Seksi Pemberdayaan Masyarakat — ñ")])
    result = runner.invoke(args=["positions", "import", _write(tmp_path, text.encode("cp1252"))])
    assert result.exit_code == 1
    assert "UTF-8" in result.output
    assert _count() == 0


def test_utf8_with_bom_and_semicolons_from_a_spreadsheet_are_accepted(runner, admin, tmp_path):
    text = _csv([_row("S-1", name="Pengadministrasi Umum")], delimiter=";")
    result = runner.invoke(args=["positions", "import", _write(tmp_path, "\ufeff".encode() + text.encode())])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Position.name).where(Position.code == "S-1")) == "Pengadministrasi Umum"


def test_empty_file_and_header_only_file_are_refused(runner, admin, tmp_path, english_cli):
    empty = runner.invoke(args=["positions", "import", _write(tmp_path, "", "empty.csv")])
    assert empty.exit_code == 1 and "empty" in empty.output
    header_only = runner.invoke(args=["positions", "import", _write(tmp_path, ",".join(COLUMNS) + "\n", "h.csv")])
    assert header_only.exit_code == 1 and "no rows" in header_only.output


def test_import_needs_an_admin_account(runner, make_user, tmp_path, english_cli):
    path = _write(tmp_path, _csv([_row("X-1")]))
    none = runner.invoke(args=["positions", "import", path])
    assert none.exit_code != 0 and "no active admin" in none.output
    citizen = make_user(email="warga@example.org")
    refused = runner.invoke(args=["positions", "import", path, "--actor-email", citizen.email])
    assert refused.exit_code != 0 and "may not import" in refused.output
    assert _count() == 0


def test_the_command_speaks_indonesian_by_default_in_every_line(runner, admin, tmp_path, make_user):
    bad = _write(tmp_path, _csv([_row("I-1"), _row("I-2", grade="18")]), "salah.csv")
    result = runner.invoke(args=["positions", "import", bad])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("baris 3, kolom grade: ") and lines[-1] == "Tidak ada yang diimpor: 1 masalah."
    good = _write(tmp_path, _csv([_row("I-1"), _row("I-2")]), "benar.csv")
    result = runner.invoke(args=["positions", "import", good])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 baris diimpor: 2 jabatan dibuat, 0 diperbarui, 1 OPD baru."
    refused = runner.invoke(args=["positions", "import", good, "--actor-email", make_user().email])
    assert "tidak boleh mengimpor data jabatan (hanya admin)" in refused.output
    english_words = ("row ", "column ", "Imported", "position(s)", "Nothing was", "may not")
    for output in (lines, result.output, refused.output):
        assert not any(word in str(output) for word in english_words), output


def test_the_command_speaks_english_when_asked(runner, admin, tmp_path):
    bad = _write(tmp_path, _csv([_row("E-1", grade="18")]))
    result = runner.invoke(args=["positions", "import", bad, "--lang", "en"])
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("row 2, column grade: The grade (kelas jabatan) must be a whole number")
    assert lines[-1] == "Nothing was imported: 1 problem(s)."


def test_web_upload_imports_and_shows_errors_with_400(client, english, admin, login_as):
    login_as(admin)
    bad = _csv([_row("Q-1"), _row("Q-2", grade="0")]).encode()
    response = client.post("/positions/import", data={"file": (io.BytesIO(bad), "jabatan.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert re.search(r"<td[^>]*>3</td><td[^>]*>grade</td>", page)
    assert _count() == 0
    good = _csv([_row("Q-1"), _row("Q-2")]).encode()
    response = client.post("/positions/import", data={"file": (io.BytesIO(good), "jabatan.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert _count() == 2


def test_web_upload_without_a_file_answers_400(client, english, admin, login_as):
    login_as(admin)
    response = client.post("/positions/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file" in response.get_data(as_text=True)
