"""The direction of imports is a contract (.importlinter), checked by import-linter:
the repository keeps it, and the check fails when an import breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    """Run `lint-imports` on the `portal` package and `.importlinter` found in `where`."""
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(where / ".importlinter")],
        cwd=where, env=env, capture_output=True, text=True, timeout=300,
    )


def test_the_portal_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_that_dodges_a_cycle_inside_a_function_breaks_the_contracts(tmp_path):
    shutil.copytree(ROOT / "portal", tmp_path / "portal", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    services = tmp_path / "portal" / "contributions" / "services.py"
    # The core reaching up into moderation, hidden in a function as cycles used to be.
    services.write_text(
        services.read_text()
        + "\n\ndef _dodge():\n    from portal.moderation import services as moderation\n\n    return moderation\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert "portal.contributions.services -> portal.moderation.services" in result.stdout
    assert "No cycles between portal's packages BROKEN" in result.stdout
