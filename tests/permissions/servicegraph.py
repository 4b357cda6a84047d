"""Which public services change data, found by reading the code, not by a list.

Every module under `portal/` is parsed (nothing is imported or run). Each
module-level function becomes a node of a call graph; a call is resolved the
way Python would resolve it in that module: a function defined there, a name
imported with `from portal.x import f` (re-exports followed), or an attribute
of an imported portal module (`moderation.admit`, `notifications.notify`).
A name that refers to a portal function without calling it (a callback) counts
as a call too, so a write cannot hide behind `before_commit=snapshot`.

A function *writes* when its own body (nested functions and lambdas included)
  - calls a session method that changes data: `commit`, `add`, `add_all`,
    `delete`, `flush`, `merge`, `bulk_*` on `db.session`, on `session` or on
    `session.connection()`;
  - builds a SQL data change: `update(...)`, `insert(...)` or `delete(...)`
    imported from SQLAlchemy, or `text("UPDATE ...")`;
  - assigns to an attribute of one of its parameters (`user.role = ...`), or
    calls `setattr` on one: a change the next commit would store;
and it *mutates* when it writes or calls (transitively) a function that
mutates. Public functions (no leading underscore) of the service modules that
mutate are the mutating services.

A function *asks* when it calls `portal.permissions.require`, or calls a
function that does not mutate and asks (a check such as
`submissions.services.check_can_submit`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"

# Modules that hold no services: pages, forms, tables, commands and demo data.
NOT_SERVICES = {"views.py", "forms.py", "models.py", "cli.py", "demo.py", "__init__.py"}
SESSION_WRITES = {"commit", "add", "add_all", "delete", "flush", "merge",
                  "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings"}
DML = {"update", "insert", "delete"}
REQUIRE = ("portal.permissions", "require")


@dataclass
class Function:
    """One module-level function: where it is and what its body does."""

    module: str
    name: str
    node: ast.FunctionDef
    path: Path
    base: Path
    calls: set[tuple[str, str]] = field(default_factory=set)
    writes: list[str] = field(default_factory=list)  # why it writes, e.g. "db.session.commit() line 12"

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(self.base)}:{self.node.lineno}"


def module_name(path: Path, base: Path = ROOT) -> str:
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class Module:
    """A parsed module: its functions and what its names refer to."""

    def __init__(self, path: Path, base: Path = ROOT):
        self.path = path
        self.name = module_name(path, base)
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {
            node.name: node for node in self.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.module_aliases: dict[str, str] = {}  # local name -> portal module
        self.symbol_aliases: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        self.sqlalchemy_names: dict[str, str] = {}  # local name -> the SQLAlchemy name it imports
        for node in ast.walk(self.tree):  # imports inside functions count too
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("portal"):
                        self.module_aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                source = node.module
                if node.level:  # relative import: from .x import y
                    package = self.name.split(".") if path.name == "__init__.py" else self.name.split(".")[:-1]
                    source = ".".join([*package[: len(package) - node.level + 1], node.module])
                for alias in node.names:
                    local = alias.asname or alias.name
                    if source.startswith("sqlalchemy"):
                        self.sqlalchemy_names[local] = alias.name
                    elif source.startswith("portal"):
                        candidate = f"{source}.{alias.name}"
                        if _module_path(candidate, base) is not None:
                            self.module_aliases[local] = candidate
                        else:
                            self.symbol_aliases[local] = (source, alias.name)


def _module_path(name: str, root: Path = ROOT) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


class ServiceGraph:
    """The call graph of every function under portal/ and what follows from it."""

    def __init__(self, root: Path = PORTAL):
        """Read the package at `root` (portal/ by default, or a copy of it)."""
        self.root = root
        self.modules = {m.name: m for m in (Module(p, root.parent) for p in sorted(root.rglob("*.py")))}
        self.functions: dict[tuple[str, str], Function] = {}
        for module in self.modules.values():
            for name, node in module.functions.items():
                self.functions[(module.name, name)] = Function(module.name, name, node, module.path, root.parent)
        for function in self.functions.values():
            self._read_body(self.modules[function.module], function)

    # --- resolving names ---------------------------------------------------------

    def resolve(self, module: str, name: str, seen: frozenset = frozenset()) -> tuple[str, str] | None:
        """The (module, function) that `name` means in `module`, following re-exports."""
        if (module, name) in seen or module not in self.modules:
            return None
        if (module, name) in self.functions:
            return (module, name)
        target = self.modules[module].symbol_aliases.get(name)
        if target is None:
            return None
        if target == REQUIRE:
            return REQUIRE
        return self.resolve(target[0], target[1], seen | {(module, name)})

    def _target(self, module: Module, expr: ast.expr) -> tuple[str, str] | None:
        if isinstance(expr, ast.Name):
            return self.resolve(module.name, expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            owner = module.module_aliases.get(expr.value.id)
            if owner is not None:
                if (owner, expr.attr) == REQUIRE:
                    return REQUIRE
                return self.resolve(owner, expr.attr)
        return None

    # --- reading one body -----------------------------------------------------------

    def _read_body(self, module: Module, function: Function) -> None:
        params = _params(function.node)
        for child, local in _walk_scoped(function.node):
            if isinstance(child, ast.Call):
                reason = self._write_call(module, child, params)
                if reason:
                    function.writes.append(f"{reason} line {child.lineno}")
            if isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Load):
                if isinstance(child, ast.Name) and child.id in local:
                    continue  # a local variable, not the module-level function of that name
                if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name) and child.value.id in local:
                    continue
                target = self._target(module, child)
                if target is not None:
                    function.calls.add(target)
            if isinstance(child, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = child.targets if isinstance(child, (ast.Assign, ast.Delete)) else [child.target]
                for target in targets:
                    if _attribute_root(target) in params:
                        function.writes.append(f"sets {ast.unparse(target)} line {child.lineno}")

    def _write_call(self, module: Module, call: ast.Call, params: set[str]) -> str | None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in SESSION_WRITES and _is_session(func.value):
            return f"{ast.unparse(func)}()"
        if isinstance(func, ast.Name) and module.sqlalchemy_names.get(func.id) in DML:
            return f"{func.id}(...)"
        if isinstance(func, ast.Name) and module.sqlalchemy_names.get(func.id) == "text" and call.args:
            sql = call.args[0]
            if isinstance(sql, ast.Constant) and isinstance(sql.value, str):
                if sql.value.lstrip().split(" ", 1)[0].upper() in {"UPDATE", "INSERT", "DELETE"}:
                    return "text(<data change>)"
        if isinstance(func, ast.Name) and func.id == "setattr" and call.args:
            if _attribute_root(call.args[0]) in params:
                return "setattr()"
        return None

    # --- what follows ------------------------------------------------------------------

    @cached_property
    def mutating(self) -> set[tuple[str, str]]:
        """Every function that writes or calls one that mutates (a fixed point)."""
        result = {key for key, f in self.functions.items() if f.writes}
        changed = True
        while changed:
            changed = False
            for key, function in self.functions.items():
                if key not in result and function.calls & result:
                    result.add(key)
                    changed = True
        return result

    @cached_property
    def checks(self) -> set[tuple[str, str]]:
        """Functions that do not mutate and call require, directly or through another such check."""
        result: set[tuple[str, str]] = set()
        changed = True
        while changed:
            changed = False
            for key, function in self.functions.items():
                if key in result or key in self.mutating:
                    continue
                if REQUIRE in function.calls or function.calls & result:
                    result.add(key)
                    changed = True
        return result

    def service_modules(self) -> list[str]:
        """The modules that hold services: portal/<package>/<module>.py (and one level deeper in
        portal/aspirations/), but not pages, forms, models, commands or demo data."""
        names = []
        for name, module in self.modules.items():
            relative = module.path.relative_to(self.root)
            # portal/<package>/<module>.py, and portal/aspirations/<part>/<module>.py (a package of sub-packages)
            nested = relative.parts[0] == "aspirations" and len(relative.parts) == 3
            if (len(relative.parts) != 2 and not nested) or relative.name in NOT_SERVICES or relative.parts[0] == "demo":
                continue
            names.append(name)
        return sorted(names)

    def mutating_services(self) -> list[Function]:
        """Public functions of the service modules that change data."""
        modules = set(self.service_modules())
        return sorted(
            (f for key, f in self.functions.items() if f.module in modules and f.public and key in self.mutating),
            key=lambda f: f.qualname,
        )

    def why_mutates(self, function: Function, depth: int = 6) -> str:
        """A short chain that shows why `function` mutates, e.g. "add_version -> commit: db.session.commit()"."""
        chain, current = [function.name], function
        for _ in range(depth):
            if current.writes:
                return " -> ".join(chain) + ": " + current.writes[0]
            callees = (self.functions[c] for c in sorted(current.calls) if c in self.mutating and c in self.functions)
            nxt = next(callees, None)
            if nxt is None:
                break
            chain.append(nxt.name)
            current = nxt
        return " -> ".join(chain)

    def asks_before_writing(self, function: Function) -> str | None:
        """None when the body asks `require` (itself or through a check) before its first write;
        otherwise what is wrong."""
        module = self.modules[function.module]
        params = _params(function.node)
        local = _local_names(function.node)
        for statement in function.node.body:
            asks = writes = False
            for child in ast.walk(statement):
                if isinstance(child, ast.Call):
                    shadowed = isinstance(child.func, ast.Name) and child.func.id in local
                    target = None if shadowed else self._target(module, child.func)
                    if target == REQUIRE or target in self.checks:
                        asks = True
                    elif target in self.mutating or self._write_call(module, child, params):
                        writes = True
                elif isinstance(child, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                    targets = child.targets if isinstance(child, (ast.Assign, ast.Delete)) else [child.target]
                    if any(_attribute_root(t) in params for t in targets):
                        writes = True
            if asks:
                return None
            if writes:
                return f"writes at line {statement.lineno} before asking permissions.require"
        return "never asks permissions.require"


def _params(node) -> set[str]:
    args = node.args
    names = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return {a.arg for a in names if a is not None}


def _local_names(scope) -> set[str]:
    """The names a function (or lambda) binds itself: Python treats them as local everywhere in it."""
    names = set(_params(scope))
    body = scope.body if isinstance(scope.body, list) else [scope.body]
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # its body is its own scope
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _walk_scoped(scope, outer: frozenset = frozenset()):
    """(node, names local to the scopes around it) for every node of a function, nested scopes included."""
    local = outer | _local_names(scope)
    body = scope.body if isinstance(scope.body, list) else [scope.body]
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node, local
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for decorator in getattr(node, "decorator_list", []):
                stack.append(decorator)
            yield from _walk_scoped(node, local)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _attribute_root(expr: ast.expr) -> str | None:
    """`user` for `user.role` or `user.organisation.name`; None for a plain name or `d[k]`."""
    if not isinstance(expr, ast.Attribute):
        return None
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _is_session(expr: ast.expr) -> bool:
    """`db.session`, `session`, `self.session` or `<one of them>.connection()`."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "connection":
        expr = expr.func.value
    if isinstance(expr, ast.Name):
        return expr.id == "session"
    return isinstance(expr, ast.Attribute) and expr.attr == "session"
