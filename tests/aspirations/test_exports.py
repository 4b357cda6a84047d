"""Officials export the contributions of a policy, a position or a period as CSV, XLSX and JSON:
the right rows and columns, the filters, personal data only for admins with a recorded reason,
streamed files, and cells a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import openpyxl
import pytest

from portal.aspirations.exports import columns as registry
from portal.aspirations.exports import formats, services
from portal.extensions import db, utcnow

from tests.conftest import audit_entries, text_of

URL = "/aspirations/export/"


@pytest.fixture
def consultation(publish_at_once, make_policy, make_position, citizen, member, contribute, make_user, make_thread):
    """A policy on one position with a comment, a formal submission, a forum post and a comment on the
    position, plus a pending comment, and a comment on another policy."""
    from portal.forums import services as forums

    position = make_position(name="Perawat Terampil", code="JAB-PERAWAT")
    policy = make_policy(positions=[position])
    other_policy = make_policy(title="Rancangan Perwal Lain")
    comment = contribute(citizen, "Pasal 2 perlu data kecamatan terbaru.", kind="comment", on=policy,
                         stance="objects", article_key="pasal-2")
    submission = contribute(member, "Kami mengusulkan perubahan definisi jabatan.", kind="submission", on=policy,
                            title="Masukan LBH Medan", article_keys=["pasal-1", "pasal-3"])
    thread = make_thread(author=citizen, category=forums.policy_category(policy), title="Perawat di Puskesmas")
    post = contribute(make_user(display_name="Warga Forum"), "Setuju, ABK perlu dihitung ulang.", kind="post",
                      on=thread)
    on_position = contribute(make_user(), "Tugas pokok perawat kurang jelas.", kind="field_comment", on=position,
                             stance="suggests_change")
    pending = contribute(make_user(), "Komentar yang menunggu moderasi.", kind="comment", on=policy,
                         stance="supports", status="pending")
    elsewhere = contribute(citizen, "Komentar di kebijakan lain.", kind="comment", on=other_policy, stance="supports")
    return {"policy": policy, "other_policy": other_policy, "position": position, "comment": comment,
            "submission": submission, "thread": thread, "post": post, "on_position": on_position,
            "pending": pending, "elsewhere": elsewhere, "opening": thread.posts[0]}


def _post(client, **form):
    data = {"format": "csv", "statuses": ["published"], **form}
    return client.post(URL, data=data)


def _csv_rows(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "CSV starts with the UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _xlsx_rows(response) -> tuple[list, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"formula in {cell.coordinate}: {cell.value!r}"
    values = [[cell.value for cell in row] for row in rows]
    return values[0], values[1:]


# A comment on a position's record during the policy's consultation belongs to the policy too.
POLICY_ROWS = ("comment", "submission", "post", "opening", "on_position")
ENGLISH_HEADER = ["Public id", "Kind", "Draft policy", "Article (Pasal)", "Positions", "Stance", "Stakeholder group",
                  "Organisation", "Status", "Created (WIB)", "Text", "Theme", "Response outcome", "Response text"]


def test_a_policy_exports_as_csv_with_its_published_contributions_and_the_columns(
        consultation, official, client_for):
    c = consultation
    response = _post(client_for(official), policy=c["policy"].id)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"masukan-")
    assert _csv_header(response) == ENGLISH_HEADER
    rows = {row["Public id"]: row for row in _csv_rows(response)}
    expected = {c[name].public_id for name in POLICY_ROWS}
    assert set(rows) == expected  # not the pending one, not the other policy's
    comment = rows[c["comment"].public_id]
    assert comment["Kind"] == "Comment"
    assert comment["Article (Pasal)"] == "Pasal 2"
    assert comment["Stance"] == "Objects"
    assert comment["Stakeholder group"] == "Citizen (warga)"
    assert comment["Status"] == "Published"
    assert comment["Draft policy"] == c["policy"].title
    assert comment["Text"] == "Pasal 2 perlu data kecamatan terbaru."
    assert comment["Created (WIB)"][:4] == str(utcnow().year)
    submission = rows[c["submission"].public_id]
    assert submission["Article (Pasal)"] == "Pasal 1; Pasal 3"
    assert submission["Organisation"] == "LBH Medan"
    assert submission["Stakeholder group"] == "NGO (LSM)"
    assert submission["Text"].startswith("Masukan LBH Medan\n\nKami mengusulkan")
    assert rows[c["post"].public_id]["Kind"] == "Forum post"


def test_the_headers_follow_the_officials_language(consultation, official, client_for):
    response = _post(client_for(official, lang="id"), policy=consultation["policy"].id)
    header = _csv_header(response)
    assert header[0] != "Public id" and len(header) == len(ENGLISH_HEADER)


def test_personal_data_is_left_out_by_default(consultation, official, client_for, member, citizen):
    response = _post(client_for(official), policy=consultation["policy"].id)
    body = response.get_data(as_text=True)
    assert "Author" not in body
    for person in (member, citizen):
        assert person.email not in body and person.display_name not in body


def test_a_position_exports_the_comments_on_its_record(consultation, official, client_for):
    c = consultation
    rows = _csv_rows(_post(client_for(official), position=c["position"].id))
    assert [row["Public id"] for row in rows] == [c["on_position"].public_id]
    assert rows[0]["Positions"] == "JAB-PERAWAT Perawat Terampil"
    assert rows[0]["Stance"] == "Suggests a change"


def test_json_is_one_valid_document_with_codes_and_iso_times(consultation, official, client_for):
    c = consultation
    response = _post(client_for(official), policy=c["policy"].id, format="json")
    assert response.is_streamed and response.mimetype == "application/json"
    items = json.loads(response.get_data(as_text=True))
    assert {item["public_id"] for item in items} == {c[n].public_id for n in POLICY_ROWS}
    comment = next(item for item in items if item["public_id"] == c["comment"].public_id)
    assert list(comment) == [column.key for column in registry.columns()]
    assert comment["kind"] == "comment" and comment["stance"] == "objects" and comment["status"] == "published"
    assert comment["stakeholder_group"] == "citizen"
    assert comment["created_at"].endswith("+07:00")
    assert comment["theme"] is None
    submission = next(item for item in items if item["public_id"] == c["submission"].public_id)
    assert submission["article"] == ["Pasal 1", "Pasal 3"]


def test_xlsx_opens_with_the_same_rows_and_no_formula(consultation, official, client_for):
    c = consultation
    response = _post(client_for(official), policy=c["policy"].id, format="xlsx")
    assert response.status_code == 200
    assert response.mimetype == formats.MIMETYPES["xlsx"]
    header, rows = _xlsx_rows(response)
    assert header == ENGLISH_HEADER
    assert sorted(row[0] for row in rows) == sorted(c[n].public_id for n in POLICY_ROWS)
    comment = next(row for row in rows if row[0] == c["comment"].public_id)
    assert comment[3] == "Pasal 2" and comment[5] == "Objects"
    assert comment[9].year == utcnow().year  # a real date cell


@pytest.mark.parametrize("filters, expected", [
    ({"kinds": ["submission"]}, {"submission"}),
    ({"kinds": ["comment", "post"]}, {"comment", "post", "opening", "on_position"}),
    ({"stances": ["objects"]}, {"comment"}),
    ({"groups": ["ngo"]}, {"submission"}),
    ({"statuses": ["pending"]}, {"pending"}),
    ({"statuses": ["pending", "published"], "kinds": ["comment"]}, {"comment", "pending", "on_position"}),
])
def test_filters_choose_the_rows(consultation, official, client_for, filters, expected):
    c = consultation
    rows = _csv_rows(_post(client_for(official), policy=c["policy"].id, **filters))
    assert {row["Public id"] for row in rows} == {c[name].public_id for name in expected}


def test_a_date_range_exports_every_policys_contributions_written_then(consultation, official, client_for):
    c = consultation
    today = utcnow() + timedelta(hours=7)
    client = client_for(official)
    rows = _csv_rows(_post(client, since=today.date().isoformat(), until=today.date().isoformat(), kinds=["comment"]))
    assert {row["Public id"] for row in rows} == {c["comment"].public_id, c["elsewhere"].public_id,
                                                   c["on_position"].public_id}
    tomorrow = (today + timedelta(days=1)).date().isoformat()
    assert _csv_rows(_post(client, since=tomorrow)) == []


@pytest.mark.parametrize("form, message", [
    ({}, "Choose what to export"),
    ({"since": "2026-05-02", "until": "2026-05-01"}, "end date is before the start date"),
    ({"policy": "999999"}, "Not a valid choice"),
    ({"policy": "abc"}, "could not coerce"),
    ({"since": "kemarin"}, "Not a valid date value"),
    ({"kinds": ["contribution"]}, "is not a valid choice"),
    ({"format": "pdf"}, "Not a valid choice"),
])
def test_bad_filters_answer_400_with_a_clear_message(consultation, official, client_for, form, message):
    response = _post(client_for(official), **form)
    assert response.status_code == 400
    assert message in text_of(response)


def test_a_bad_number_in_the_address_is_a_400(official, client_for):
    assert client_for(official).get(URL + "?policy=12abc").status_code == 400


def test_a_policy_with_no_contributions_exports_only_the_headers(make_policy, official, client_for):
    policy = make_policy()
    client = client_for(official)
    response = _post(client, policy=policy.id)
    assert response.status_code == 200
    assert _csv_header(response) == ENGLISH_HEADER and _csv_rows(response) == []
    assert json.loads(_post(client, policy=policy.id, format="json").get_data(as_text=True)) == []
    header, rows = _xlsx_rows(_post(client, policy=policy.id, format="xlsx"))
    assert header == ENGLISH_HEADER and rows == []


def test_an_admin_includes_personal_data_with_a_reason_that_the_audit_log_keeps(
        consultation, admin, client_for, member, citizen):
    c = consultation
    reason = "Verifikasi identitas pengirim masukan resmi — permintaan Inspektorat."
    response = _post(client_for(admin), policy=c["policy"].id, personal="y", reason=reason)
    assert response.status_code == 200
    rows = {row["Public id"]: row for row in _csv_rows(response)}
    assert rows[c["submission"].public_id]["Author e-mail"] == member.email
    assert rows[c["comment"].public_id]["Author name"] == citizen.display_name
    entries = audit_entries("aspirations.export_personal")
    assert len(entries) == 1 and entries[0].reason == reason and entries[0].actor_id == admin.id
    assert entries[0].target_id == c["policy"].id and '"format": "csv"' in entries[0].detail


def test_personal_data_needs_a_reason(consultation, admin, client_for):
    response = _post(client_for(admin), policy=consultation["policy"].id, personal="y", reason="  ")
    assert response.status_code == 400
    assert "Give the reason for including personal data" in text_of(response)
    assert audit_entries("aspirations.export_personal") == []


def test_an_official_may_not_include_personal_data(consultation, official, client_for):
    client = client_for(official)
    assert "Include personal data" not in text_of(client.get(URL))
    response = _post(client, policy=consultation["policy"].id, personal="y", reason="Ingin tahu.")
    assert response.status_code == 403
    assert audit_entries("aspirations.export_personal") == []


def test_every_export_is_in_the_audit_log(consultation, official, client_for):
    _post(client_for(official), policy=consultation["policy"].id, format="json", kinds=["comment"])
    entries = audit_entries("aspirations.export")
    assert len(entries) == 1 and entries[0].actor_id == official.id
    assert json.loads(entries[0].detail) == {"format": "json", "policy": consultation["policy"].id,
                                             "kinds": ["comment"], "statuses": ["published"]}


def test_citizens_and_members_may_not_export(consultation, citizen, member, client_for, client):
    for user in (citizen, member):
        other = client_for(user)
        assert other.get(URL).status_code == 403
        assert _post(other, policy=consultation["policy"].id).status_code == 403
    assert client.get(URL).status_code == 302  # to the sign-in page
    assert audit_entries("aspirations.export") == []


def test_officials_find_the_export_from_the_policy_and_position_pages(consultation, official, citizen, client_for):
    c = consultation
    official_client, citizen_client = client_for(official), client_for(citizen)
    policy_page = official_client.get(f"/policies/{c['policy'].slug}").get_data(as_text=True)
    assert f"{URL}?policy={c['policy'].id}" in policy_page
    position_page = official_client.get(f"/positions/{c['position'].id}").get_data(as_text=True)
    assert f"{URL}?position={c['position'].id}" in position_page
    assert URL not in citizen_client.get(f"/policies/{c['policy'].slug}").get_data(as_text=True)
    form = official_client.get(f"{URL}?position={c['position'].id}")
    assert form.status_code == 200 and "JAB-PERAWAT Perawat Terampil" in text_of(form)


def test_formula_like_texts_are_neutralised_in_every_spreadsheet_format(
        publish_at_once, make_policy, make_user, contribute, official, client_for):
    policy = make_policy()
    dangerous = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+62 812 3456", "-1+1", "@SUM(A1:A2)",
                 "\tdiawali tab", "=1+1 dan seterusnya"]
    for text in dangerous:
        contribute(make_user(), text, kind="comment", on=policy, stance="supports")
    client = client_for(official)
    texts = [row["Text"] for row in _csv_rows(_post(client, policy=policy.id))]
    assert sorted(texts) == sorted("'" + text for text in dangerous)
    header, rows = _xlsx_rows(_post(client, policy=policy.id, format="xlsx"))
    assert sorted(row[header.index("Text")] for row in rows) == sorted("'" + text for text in dangerous)
    items = json.loads(_post(client, policy=policy.id, format="json").get_data(as_text=True))
    assert sorted(item["text"] for item in items) == sorted(dangerous)  # JSON keeps the text as written


def test_a_registered_column_is_filled_by_one_query_per_batch(consultation, official, app):
    c = consultation
    calls = []

    def load_labels(ids):
        calls.append(list(ids))
        return {contribution_id: f"label {contribution_id}" for contribution_id in ids}

    def load_themes(ids):
        return {}

    registry.register_column("reviewer_label", "Reviewer label", load_labels)
    try:
        with pytest.raises(ValueError):  # the summaries fill the theme slot when the app is made
            registry.register_column("theme", "Theme again", load_themes)
        with app.test_request_context():
            started = services.start_export(official, services.ExportRequest(policy_id=c["policy"].id, format="json",
                                                                          statuses=("published",)))
            started.batch_size = 2
            batches = list(started.batches())
        keys = started.keys
        assert keys.index("reviewer_label") == len(keys) - 1  # added after the others, before personal data
        assert keys.index("theme") == [col.key for col in registry.columns()].index("theme")
        rows = [dict(zip(keys, row, strict=True)) for batch in batches for row in batch]
        assert len(rows) == 5 and [len(ids) for ids in calls] == [2, 2, 1]
        assert all(row["reviewer_label"] == f"label {_id(row)}" for row in rows)
    finally:
        registry.unregister_column("reviewer_label")
    assert "reviewer_label" not in [column.key for column in registry.columns()]


def _id(row) -> int:
    from sqlalchemy import select

    from portal.contributions.models import Contribution

    return db.session.scalar(select(Contribution.id).where(Contribution.public_id == row["public_id"]))


def test_the_command_exports_a_policy_to_a_file(consultation, admin, runner, tmp_path):
    c = consultation
    out = tmp_path / "masukan.json"
    result = runner.invoke(args=["aspirations", "export", "--policy", str(c["policy"].id), "--format", "json",
                                 "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    items = json.loads(out.read_text(encoding="utf-8"))
    assert {item["public_id"] for item in items} == {c[n].public_id for n in POLICY_ROWS}
    assert "author_email" not in items[0]
    xlsx = tmp_path / "masukan.xlsx"
    result = runner.invoke(args=["aspirations", "export", "--policy", str(c["policy"].id), "--format", "xlsx",
                                 "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(xlsx).active.max_row == 1 + len(POLICY_ROWS)
    bad = runner.invoke(args=["aspirations", "export", "--policy", "999999", "--lang", "en"])
    assert bad.exit_code != 0 and "There is no draft policy number 999999" in bad.output


def test_the_command_gives_personal_data_only_to_an_admin_with_a_reason(consultation, admin, official, runner,
                                                                        member):
    policy_id = str(consultation["policy"].id)
    refused = runner.invoke(args=["aspirations", "export", "--policy", policy_id, "--actor-email", official.email,
                                  "--personal-data-reason", "Ingin tahu.", "--lang", "en"])
    assert refused.exit_code != 0 and "may not make this export" in refused.output
    done = runner.invoke(args=["aspirations", "export", "--policy", policy_id, "--format", "csv",
                               "--personal-data-reason", "Permintaan Inspektorat.", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert member.email in done.output and "Author e-mail" in done.output
    assert [entry.reason for entry in audit_entries("aspirations.export_personal")] == ["Permintaan Inspektorat."]
