"""`flask aspirations evaluate`: three rows on a labelled file; clear errors on bad files."""

from __future__ import annotations

import csv
import json

import pytest

from tests.aspirations.themes.corpus import LABELLED

METHODS = ("portal themes", "random, same sizes", "plain TF-IDF + NMF")


def write(path, kind):
    if kind == "jsonl":
        path.write_text("".join(json.dumps({"teks": t, "topik": label}) + "\n" for t, label in LABELLED),
                        encoding="utf-8")
        return path
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t" if kind == "tsv" else ",")
        writer.writerow(["teks", "topik"])
        writer.writerows(LABELLED)
    return path


def rows_of(output):
    found = {}
    for line in output.splitlines():
        for method in METHODS:
            if line.startswith(method):
                n, k, purity, nmi = line[len(method):].split()
                found[method] = (int(n), int(k), float(purity), float(nmi))
    return found


@pytest.mark.parametrize("name,kind", [("set.csv", "csv"), ("set.tsv", "tsv"), ("set.jsonl", "jsonl"),
                                       ("set.txt", "tsv"), ("set.data", "jsonl")])
def test_prints_the_three_methods(runner, tmp_path, name, kind):
    path = write(tmp_path / name, kind)
    result = runner.invoke(args=["aspirations", "evaluate", str(path), "--text", "teks", "--label", "topik",
                                 "--themes", "3"])
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output)
    assert set(rows) == set(METHODS)
    assert all(row[0] == len(LABELLED) for row in rows.values())
    portal, shuffled = rows["portal themes"], rows["random, same sizes"]
    assert portal[1] == 3 and shuffled[1] == 3
    assert portal[3] > shuffled[3]  # three clear subjects: the themes find them, chance does not
    assert all(0 <= row[2] <= 1 and 0 <= row[3] <= 1 for row in rows.values())


def test_the_portal_chooses_the_count_without_themes(runner, tmp_path):
    path = write(tmp_path / "set.csv", "csv")
    result = runner.invoke(args=["aspirations", "evaluate", str(path), "--text", "teks", "--label", "topik"])
    assert result.exit_code == 0, result.output
    assert 2 <= rows_of(result.output)["portal themes"][1] <= 12


def test_a_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["aspirations", "evaluate", str(tmp_path / "nowhere.csv"), "--text", "a",
                                 "--label", "b"])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_a_missing_column_names_the_columns_there_are(runner, tmp_path):
    path = write(tmp_path / "set.csv", "csv")
    result = runner.invoke(args=["aspirations", "evaluate", str(path), "--text", "text", "--label", "topik"])
    assert result.exit_code == 1
    assert "no column 'text'" in result.output and "teks, topik" in result.output


@pytest.mark.parametrize("name,content,message", [
    ("broken.jsonl", '{"teks": "a", "topik": "b"}\n{"teks": \n', "line 2: not JSON"),
    ("list.jsonl", '["a", "b"]\n', "JSON object per line"),
    ("empty.csv", "teks,topik\n", "no rows with a 'topik' label"),
    ("latin1.csv", "teks,topik\ncaf\xe9,x\n", "not UTF-8"),
])
def test_bad_files_exit_non_zero_with_a_message(runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if name == "latin1.csv" else content.encode("utf-8"))
    result = runner.invoke(args=["aspirations", "evaluate", str(path), "--text", "teks", "--label", "topik"])
    assert result.exit_code != 0
    assert message in result.output


def test_themes_must_be_a_positive_count(runner, tmp_path):
    path = write(tmp_path / "set.csv", "csv")
    result = runner.invoke(args=["aspirations", "evaluate", str(path), "--text", "teks", "--label", "topik",
                                 "--themes", "0"])
    assert result.exit_code == 2 and "--themes" in result.output
