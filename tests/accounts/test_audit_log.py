"""The audit log is append-only and admins can filter it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.extensions import db


@pytest.fixture
def entry(make_user):
    admin = make_user(role="admin")
    target = make_user(display_name="Target Audit")
    saved = record(admin, "user.deactivate", target, reason="Akun palsu", source="test")
    db.session.commit()
    return saved


def test_audit_entry_records_who_what_and_why(entry):
    stored = db.session.get(AuditEntry, entry.id)
    assert stored.action == "user.deactivate"
    assert stored.target_type == "user"
    assert stored.target_label == "Target Audit"
    assert stored.reason == "Akun palsu"
    assert stored.actor.role == "admin"
    assert stored.created_at.tzinfo is not None


def test_audit_entry_cannot_be_changed(entry):
    entry.reason = "diubah diam-diam"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason == "Akun palsu"


def test_audit_entry_cannot_be_deleted(entry):
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.id == entry.id)) is not None


def test_admin_filters_the_log_by_action(client, make_user, login_as, entry):
    admin = entry.actor
    record(admin, "affiliation.verify", None)
    db.session.commit()
    login_as(admin)

    everything = client.get("/admin/audit/").get_data(as_text=True)
    assert "<code>user.deactivate</code>" in everything and "<code>affiliation.verify</code>" in everything
    filtered = client.get("/admin/audit/?action=affiliation.verify").get_data(as_text=True)
    assert "<code>affiliation.verify</code>" in filtered
    assert "<code>user.deactivate</code>" not in filtered


def test_audit_page_survives_odd_filter_values(client, make_user, login_as, entry):
    login_as(entry.actor)
    for query in ("since=kemarin", "until=2026-13-45", "actor=abc", "page=-3", "page=999", "action=%00"):
        response = client.get("/admin/audit/?" + query)
        assert response.status_code in (200, 400), query


def _recorded_actions() -> dict[str, str]:
    """Every action key the code passes to audit `record` (a literal, or either side of `a if x else b`)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    found: dict[str, str] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"):
                continue
            if len(node.args) < 2:
                continue
            action = node.args[1]
            options = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for option in options:
                assert isinstance(option, ast.Constant), f"{path}:{node.lineno}: pass the action as a literal"
                found[option.value] = f"{path.relative_to(root.parent)}:{node.lineno}"
    return found


def test_every_recorded_action_has_a_label_in_both_languages(app):
    from flask_babel import force_locale

    from portal.audit.labels import ACTION_LABELS

    actions = _recorded_actions()
    assert len(actions) >= 30
    missing = {action: where for action, where in actions.items() if action not in ACTION_LABELS}
    assert missing == {}, "give these actions a label in portal/audit/labels.py"
    with app.test_request_context(), force_locale("id"):
        indonesian = {key: str(label) for key, label in ACTION_LABELS.items()}
    with app.test_request_context(), force_locale("en"):
        english = {key: str(label) for key, label in ACTION_LABELS.items()}
    untranslated = [key for key in ACTION_LABELS if indonesian[key] == english[key] and key != "opd.create"]
    assert untranslated == []


def test_the_log_names_actions_and_items_in_words(client, make_user, login_as, entry):
    admin = entry.actor
    record(admin, "position.import", None, created=3, updated=1, rows=4)
    record(admin, "policy.version", type("Policy", (), {"id": 7, "title": "Rancangan Perwal ABK"})(), number=2)
    db.session.commit()
    login_as(admin)
    import re

    page = client.get("/admin/audit/").get_data(as_text=True)
    cells = [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    text = " | ".join(" ".join(cell.split()) for cell in cells)
    assert "Data jabatan diimpor" in text and "Seluruh portal created: 3; updated: 1; rows: 4" in text
    assert "Versi baru kebijakan diterbitkan" in text and "Kebijakan: Rancangan Perwal ABK number: 2" in text
    assert "Akun dinonaktifkan" in text and "Akun: Target Audit" in text
    assert "#None" not in page and "portal #" not in page and '{"' not in page
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert ("position.import", "Data jabatan diimpor") in options
