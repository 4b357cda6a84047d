"""The dependency audit of `make test` (tests/tools/audit_dependencies.py) never reports an
all-clear it did not check, and fails on a known vulnerability."""

from __future__ import annotations

from tests.tools.audit_dependencies import run, verdict

SKIPPED = {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"}


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix():
    report = {"dependencies": [
        {"name": "flask", "version": "0.12", "vulns": [
            {"id": "PYSEC-2018-66", "fix_versions": ["0.12.3"], "aliases": ["CVE-2018-1000656"]}]},
        {"name": "nh3", "version": "0.3.7", "vulns": []},
    ]}
    status, lines = verdict(report)
    assert status == 1
    assert lines[0] == "VULNERABLE flask 0.12: PYSEC-2018-66 (CVE-2018-1000656); fixed in 0.12.3"


def test_an_unreachable_database_is_reported_as_skipped_not_as_clean():
    status, lines = verdict({"dependencies": [SKIPPED, {**SKIPPED, "name": "nh3"}]})
    assert status == 0
    assert lines[0].startswith("dependency audit SKIPPED")
    assert "not an all-clear" in lines[0]
    assert not any("no known vulnerabilities" in line for line in lines)


def test_a_skip_fails_where_the_audit_is_required():
    status, lines = verdict({"dependencies": [SKIPPED]}, required=True)
    assert status == 1
    assert "AUDIT_REQUIRED=1" in lines[-1]


def test_a_partly_checked_list_says_which_packages_were_not_checked():
    status, lines = verdict({"dependencies": [SKIPPED, {"name": "nh3", "version": "0.3.7", "vulns": []}]})
    assert status == 0
    assert lines[0].startswith("dependency audit INCOMPLETE") and "flask" in lines[0]


def test_all_clear_only_when_every_package_was_checked():
    status, lines = verdict({"dependencies": [{"name": "nh3", "version": "0.3.7", "vulns": []}]})
    assert (status, lines) == (0, ["dependency audit: no known vulnerabilities in the 1 pinned packages"])


def test_a_vulnerable_pin_fails_the_real_audit_or_is_reported_unchecked(tmp_path, capsys):
    # Flask 0.12 has a published advisory (CVE-2018-1000656). Where the database is reachable the
    # real pip-audit run fails; where it is not, the run says so rather than "no vulnerabilities".
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask==0.12\n")
    status = run([str(requirements)])
    said = capsys.readouterr().out
    assert "no known vulnerabilities" not in said
    if "SKIPPED" in said:
        assert status == 0
    else:
        assert status == 1 and "VULNERABLE flask 0.12" in said
