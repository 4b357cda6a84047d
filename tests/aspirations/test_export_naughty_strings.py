"""Every string of the Big List of Naughty Strings survives an export: read back from the CSV with the
csv module and from the XLSX with openpyxl it is the text as written, or its neutralised form when a
spreadsheet would run it as a formula, and no XLSX cell is a formula. JSON keeps it exactly."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from portal.aspirations.exports import formats

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _rows(texts):
    """Two columns: the text, and the text with a prefix (so leading characters are tested mid-cell too)."""
    return [[text, f"Pasal 1: {text}"] for text in texts]


def _batches(rows, size=100):
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def test_every_naughty_string_reads_back_from_the_csv(blns):
    rows = _rows(blns)
    data = b"".join(formats.csv_chunks(["Text", "Quoted"], _batches(rows)))
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == ["Text", "Quoted"]
    assert len(read) == len(rows) + 1
    for text, (cell, quoted) in zip(blns, read[1:], strict=True):
        expected = "'" + text if text.startswith(DANGEROUS_STARTS) else text
        assert cell == expected, repr(text)
        assert quoted == f"Pasal 1: {text}"
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell == ""


def test_every_naughty_string_reads_back_from_the_xlsx_as_text(blns, tmp_path):
    rows = _rows(blns)
    path = tmp_path / "naughty.xlsx"
    formats.write_xlsx(["Text", "Quoted"], _batches(rows), str(path))
    sheet = openpyxl.load_workbook(path).active
    read = list(sheet.iter_rows(min_row=2))
    assert len(read) == len(rows)
    for text, (cell, quoted) in zip(blns, read, strict=True):
        assert cell.data_type != "f" and quoted.data_type != "f", repr(text)
        expected = formats.xlsx_text(text)
        # An empty string is an empty cell; every other one is a text cell holding the text.
        assert (cell.value or "") == expected, repr(text)
        if text and not formats.XML_ILLEGAL.search(text):
            assert expected == ("'" + text if text.startswith(DANGEROUS_STARTS) else text)
        assert quoted.value == formats.xlsx_text(f"Pasal 1: {text}")


def test_every_naughty_string_is_kept_exactly_in_json(blns):
    rows = _rows(blns)
    data = b"".join(formats.json_chunks(["text", "quoted"], _batches(rows)))
    items = json.loads(data.decode("utf-8"))
    assert [item["text"] for item in items] == list(blns)


def test_only_the_control_characters_xml_cannot_hold_change_in_xlsx():
    assert formats.xlsx_text("a\x01b\x1fc\ufffe") == "a\ufffdb\ufffdc\ufffd"
    assert formats.xlsx_text("baris\nbaru\ttab") == "baris\nbaru\ttab"
    assert formats.xlsx_text("\rawal") == "'\rawal"


def test_naughty_contributions_come_out_of_the_real_export_as_written_or_neutralised(
        blns, make_policy, citizen, official, client_for):
    """Every naughty string stored as a contribution's text (rows put in directly: the contribution
    checks refuse some, such as blank text), exported through the page as CSV, XLSX and JSON."""
    from sqlalchemy import insert

    from portal.contributions.models import Contribution
    from portal.extensions import db, utcnow

    policy = make_policy()
    texts = [text for text in blns if text and "\x00" not in text]  # PostgreSQL cannot store NUL
    db.session.execute(insert(Contribution.__table__), [
        {"kind": "contribution", "author_id": citizen.id, "body": text, "status": "published",
         "policy_id": policy.id, "stakeholder_group": "citizen", "created_at": utcnow(), "updated_at": utcnow()}
        for text in texts
    ])
    db.session.commit()
    client = client_for(official)
    data = {"policy": policy.id, "statuses": ["published"]}

    response = client.post("/aspirations/export/", data={**data, "format": "csv"})
    read = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert [row["Text"] for row in read] == [formats.neutralise(text) for text in texts]

    response = client.post("/aspirations/export/", data={**data, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Text")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [(cell.value or "") for cell in cells] == [formats.xlsx_text(text) for text in texts]

    response = client.post("/aspirations/export/", data={**data, "format": "json"})
    assert [item["text"] for item in json.loads(response.get_data(as_text=True))] == texts
