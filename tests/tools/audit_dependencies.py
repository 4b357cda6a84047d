"""Check the pinned dependencies against a vulnerability database with pip-audit, as `make test` does.

    .venv/bin/python tests/tools/audit_dependencies.py requirements.txt requirements-dev.txt

pip-audit looks each pinned release up in PyPI's advisory data. Where that service cannot be
reached (a closed network, a mirror that serves packages but not the JSON API), pip-audit marks
every package "not found", prints "No known vulnerabilities found" and exits 0: an all-clear
that checked nothing. So this reads pip-audit's JSON report instead and says which of three
things happened:

  exit 1  a known vulnerability in a pinned release (package, version, advisory, fixed versions);
  exit 0  "no known vulnerabilities" only when every package was checked;
  exit 0  "SKIPPED" (or "INCOMPLETE"), naming the packages that could not be checked, when the
          database could not be reached; exit 1 instead when AUDIT_REQUIRED=1 is set, for a
          machine that should reach it.

A pip-audit that fails for another reason (a broken requirements file) exits 2.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 # runs pip-audit from this virtual environment, no shell
import sys
import tempfile
from pathlib import Path

# Words in pip-audit's errors that mean the vulnerability service could not be reached.
_UNREACHABLE = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "timed out", "Timeout",
                "Temporary failure in name resolution", "Network is unreachable", "Connection refused")


def verdict(report: dict, *, required: bool = False) -> tuple[int, list[str]]:
    """The exit status and the lines to print for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    lines: list[str] = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            lines.append(f"VULNERABLE {dependency['name']} {dependency.get('version', '?')}: {vuln.get('id', '?')}"
                         f"{f' ({aliases})' if aliases else ''}; fixed in {fixed}")
    if vulnerable:
        count = sum(len(d["vulns"]) for d in vulnerable)
        lines.append(f"dependency audit: {count} known vulnerabilities in {len(vulnerable)} pinned packages")
        return 1, lines
    if not dependencies:
        return 2, ["dependency audit: pip-audit listed no packages; check the requirements files"]
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        if checked:
            lines.append(f"dependency audit INCOMPLETE: no known vulnerabilities in the {len(checked)} packages "
                         f"checked, but {len(skipped)} could not be checked: {names}")
        else:
            lines.append(f"dependency audit SKIPPED: the vulnerability database could not be reached, so none of the "
                         f"{len(skipped)} pinned packages was checked (this is not an all-clear)")
        lines.append(f"  pip-audit said: {skipped[0]['skip_reason']}")
        if required:
            lines.append("  AUDIT_REQUIRED=1 is set: failing")
            return 1, lines
        return 0, lines
    return 0, [f"dependency audit: no known vulnerabilities in the {len(checked)} pinned packages"]


def run(requirements: list[str], *, required: bool = False) -> int:
    """Run pip-audit on the requirements files and print the verdict; returns the exit status."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "audit.json"
        command = [str(pip_audit), "--no-deps", "--disable-pip", "--progress-spinner", "off", "--timeout", "15",
                   "-f", "json", "-o", str(out)]
        for name in requirements:
            command += ["-r", name]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # nosec B603 # fixed arguments
        except subprocess.TimeoutExpired:
            finished = None
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    if report is None:
        said = finished.stderr.strip().splitlines()[-1:] if finished is not None else ["no answer in 600 s"]
        if finished is None or any(word in finished.stderr for word in _UNREACHABLE):
            print("dependency audit SKIPPED: the vulnerability database could not be reached "
                  f"(this is not an all-clear): {' '.join(said)}")
            return 1 if required else 0
        print(f"dependency audit: pip-audit failed: {' '.join(said)}")
        return 2
    status, lines = verdict(report, required=required)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    files = sys.argv[1:] or ["requirements.txt"]
    sys.exit(run(files, required=os.environ.get("AUDIT_REQUIRED") == "1"))
