"""Delete each `permissions.require` of a mutating service, one at a time, and
show that the permission tests fail every time.

    .venv/bin/python tests/tools/delete_requires.py [--keep] [--only NAME] [--workdir /tmp/...]

The portal is copied to a scratch folder (the working tree, without .git;
`.venv` is linked). For every `permissions.require(...)` statement inside a
function that changes data, or inside a check such as `check_can_submit` that
such a function calls, the statement is replaced by `pass` in the copy, and

  1. tests/permissions/test_discovery.py runs (the reading of the code), then
  2. the rows of tests/permissions/test_refusals.py for the services that reach
     that function (the behaviour), then, if both passed, all of tests/permissions/.

A line per deletion says which failed. The exit status is 1 when some deletion
failed no test. Not part of `make test`: it runs the tests once per deletion
(tens of minutes on a small machine). TEST_DATABASE_URL is passed on.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.permissions.servicegraph import REQUIRE, ServiceGraph  # noqa: E402


@dataclass
class Site:
    """One require statement: where it is and which mutating services run through it."""

    path: Path
    function: str
    first_line: int
    last_line: int
    action: str
    services: list[str]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.first_line}"


def find_sites(graph: ServiceGraph) -> list[Site]:
    """Every require statement of a mutating function, or of a check a mutating service calls."""
    services = {f.qualname for f in graph.mutating_services()}
    callers: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for key, function in graph.functions.items():
        for callee in function.calls:
            callers.setdefault(callee, set()).add(key)

    def reaching(key) -> list[str]:
        seen, stack = {key}, [key]
        while stack:
            for caller in callers.get(stack.pop(), ()):
                if caller not in seen:
                    seen.add(caller)
                    stack.append(caller)
        return sorted(f"{m}.{n}" for m, n in seen if f"{m}.{n}" in services)

    sites = []
    for key, function in sorted(graph.functions.items()):
        module = graph.modules[function.module]
        if key not in graph.mutating and key not in graph.checks:
            continue
        affected = reaching(key)
        if not affected:
            continue  # a check that no mutating service uses
        for node in ast.walk(function.node):
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
                continue
            if graph._target(module, node.value.func) != REQUIRE:
                continue
            args = node.value.args
            action = args[1].value if len(args) > 1 and isinstance(args[1], ast.Constant) else "?"
            sites.append(Site(function.path, function.qualname, node.lineno, node.end_lineno, action, affected))
    return sites


def copy_portal(workdir: Path) -> Path:
    copy = workdir / "portal-copy"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(
        ROOT, copy, symlinks=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "instance", "__pycache__", "*.mo", ".pytest_cache"),
    )
    (copy / ".venv").symlink_to((ROOT / ".venv").resolve())
    return copy


def delete(text: str, site: Site) -> str:
    lines = text.splitlines(keepends=True)
    first = lines[site.first_line - 1]
    indent = first[: len(first) - len(first.lstrip())]
    lines[site.first_line - 1] = f"{indent}pass  # permissions.require deleted by tests/tools/delete_requires.py\n"
    for number in range(site.first_line, site.last_line):
        lines[number] = "\n"  # keep the line numbers of the rest of the file
    return "".join(lines)


def pytest(copy: Path, *args: str) -> tuple[bool, str]:
    """Run pytest in the copy; (passed, a short summary of what failed)."""
    command = [str(copy / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *args]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, env=os.environ.copy())
    lines = result.stdout.splitlines()
    failed = [line.split(" - ")[0].removeprefix("FAILED ") for line in lines if line.startswith("FAILED")]
    if result.returncode not in (0, 1):  # 5: nothing collected, 2/3/4: usage or internal error
        failed = failed or [f"pytest exit {result.returncode}: {result.stdout[-300:]} {result.stderr[-300:]}"]
    return result.returncode == 0, "; ".join(failed)


def row_selection(services: list[str]) -> str:
    return " or ".join(name.removeprefix("portal.") for name in services)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", default=None, help="scratch folder (default: a new one under /tmp)")
    parser.add_argument("--only", default=None, help="only sites in functions whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    options = parser.parse_args()

    graph = ServiceGraph()
    sites = [s for s in find_sites(graph) if not options.only or options.only in s.function]
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="delete-requires-"))
    workdir.mkdir(parents=True, exist_ok=True)
    copy = copy_portal(workdir)
    print(f"{len(sites)} permissions.require statements in mutating services; copy in {copy}", flush=True)

    survivors = []
    for number, site in enumerate(sites, 1):
        target = copy / site.path.relative_to(ROOT)
        original = target.read_text(encoding="utf-8")
        target.write_text(delete(original, site), encoding="utf-8")
        try:
            static_ok, static_failed = pytest(copy, "tests/permissions/test_discovery.py")
            rows = row_selection(site.services)
            table_ok, table_failed = pytest(copy, "tests/permissions/test_refusals.py", "-k", rows)
            whole_ok = whole_failed = None
            if static_ok and table_ok:
                whole_ok, whole_failed = pytest(copy, "tests/permissions")
        finally:
            target.write_text(original, encoding="utf-8")
        caught = not static_ok or not table_ok or whole_ok is False
        if not caught:
            survivors.append(site)
        print(
            f"[{number:2}/{len(sites)}] {site.where} {site.function} require({site.action!r}): "
            f"reading {'FAILS' if not static_ok else 'passes'}, "
            f"refusal table {'FAILS (' + table_failed + ')' if not table_ok else 'passes'}"
            + ("" if whole_ok is None else f", all permission tests {'FAIL' if not whole_ok else 'pass'}")
            + ("" if caught else "  <-- NOT CAUGHT"),
            flush=True,
        )
    if not options.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(sites) - len(survivors)} of {len(sites)} deletions fail at least one test.")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
