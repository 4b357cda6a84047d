"""No number in an address answers 500: every route that takes a number in its
path, and every number read from a query string, tried with numbers the
database cannot bind, signs, exponents and other scripts' digits.

The routes come from the application's URL map, the query parameters from
reading the views (`query_int("name")` in a view or in a helper it calls), so
a new route or parameter is tried without editing this file, unless it needs
an object to stand on (PATH_VALUES)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from werkzeug.routing import IntegerConverter

from portal.numbers import MAX_ID

ROOT = Path(__file__).resolve().parent.parent

BAD = [str(2**63), str(10**30), str(2**31), "-1", "0", "₀₁₂", "١٢", "1e5", " 1x", "+1", "1.0", "0x1f", "１２"]
POLICY_BODY = "Rancangan.\n\n## BAB I — Umum\n\n### Pasal 1\nPengertian\n\nJabatan adalah kedudukan.\n"


@pytest.fixture
def portal(app, make_user, admin, make_policy, contribute, make_thread, make_position, general, login_as,
           publish_at_once):
    """An admin signed in, and a policy with two versions, a submission, a forum category and thread."""
    from portal.proposals import services as proposals

    policy = make_policy(by=admin, title="Rancangan Perwal ABK", kind="Perwal", summary="", body=POLICY_BODY)
    proposals.add_version(admin, policy, POLICY_BODY + "\n### Pasal 2\nData\n\nData terbaru.\n", "Pasal 2.")
    ngo = make_user(role="ngo", organisation="LBH Medan", verified=True)
    submission = contribute(ngo, "Isi masukan.", kind="submission", on=policy, title="Masukan")
    thread = make_thread(admin, general, "Utas", "Isi utas.")
    comment = contribute(ngo, "Komentar.", kind="comment", on=policy)
    position = make_position(code="DINSOS-005", name="Pekerja Sosial")
    login_as(admin)
    return {"policy": policy, "submission": submission, "category": general, "thread": thread,
            "comment": comment, "position": position}


# The values a route needs besides its numbers, by endpoint.
PATH_VALUES = {
    "proposals.version": lambda p: {"slug": p["policy"].slug},
    "proposals.diff": lambda p: {"slug": p["policy"].slug},
    "submissions.policy_list": lambda p: {"slug": p["policy"].slug},
    "submissions.attachment": lambda p: {"public_id": p["submission"].public_id},
    "forums.category": lambda p: {"slug": p["category"].slug},
    "forums.thread": lambda p: {"thread_id": p["thread"].id},
    "forums.moderate": lambda p: {"action": "lock"},
}


def number_routes(app):
    """(rule, its number arguments) for every route with a `<int:...>` in its path."""
    routes = []
    for rule in app.url_map.iter_rules():
        numbers = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if numbers:
            routes.append((rule, numbers))
    return routes


def test_every_int_in_a_route_uses_the_bounded_converter(app):
    from portal.numbers import BoundedIntConverter

    routes = number_routes(app)
    assert len(routes) >= 15, "the URL map lost its number routes"
    for rule, numbers in routes:
        for name in numbers:
            assert isinstance(rule._converters[name], BoundedIntConverter), f"{rule.rule}: unbounded <int:{name}>"
    named = {rule.rule for rule, _numbers in routes}
    assert {"/positions/<int:position_id>", "/positions/opds/<int:opd_id>"} <= named


def test_a_number_in_a_path_that_cannot_be_an_id_answers_404(app, client, portal):
    tried = 0
    for rule, numbers in number_routes(app):
        extra = PATH_VALUES.get(rule.endpoint, lambda p: {})(portal)
        method = "GET" if "GET" in rule.methods else "POST"
        for name in numbers:
            for bad in BAD:
                target = _put(rule, name, bad, extra)
                response = client.open(target, method=method, data={"csrf_token": client.csrf_token()})
                assert response.status_code == 404, f"{method} {target}: {response.status_code}"
                assert "Halaman tidak ditemukan" in response.get_data(as_text=True), f"{method} {target}"
                tried += 1
    assert tried >= 15 * len(BAD)


def test_the_largest_id_reaches_the_database_and_is_simply_not_found(app, client, portal):
    for rule, numbers in number_routes(app):
        if "GET" not in rule.methods:
            continue
        extra = PATH_VALUES.get(rule.endpoint, lambda p: {})(portal)
        for name in numbers:
            target = _put(rule, name, str(MAX_ID), extra)
            response = client.get(target)
            assert response.status_code == 404, f"GET {target}: {response.status_code}"


def _put(rule, number_name: str, value: str, extra: dict) -> str:
    """The rule's path with `value` as `number_name`, 1 as any other number and `extra` for the rest."""

    def argument(match) -> str:
        name = match.group(1)
        return quote(value if name == number_name else str(extra.get(name, "1")), safe="")

    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", argument, rule.rule)


# --- the query string ------------------------------------------------------------


def query_numbers() -> dict[str, set[str]]:
    """endpoint -> the query parameters its view reads with query_int (itself or through a helper of its module)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "portal").glob("*/views.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        blueprint = _blueprint_name(tree)
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}

        def names_in(node, seen=(), functions=functions):
            result = set()
            for call in ast.walk(node):
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                    continue
                if call.func.id == "query_int" and call.args and isinstance(call.args[0], ast.Constant):
                    result.add(call.args[0].value)
                elif call.func.id in functions and call.func.id not in seen:
                    result |= names_in(functions[call.func.id], (*seen, call.func.id))
            return result

        for name, node in functions.items():
            # Pages read with GET; a POST view that re-renders its page on an error reads them too, as its page does.
            routed = [d for d in node.decorator_list if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                      and d.func.attr in {"get", "route"}]
            names = names_in(node) if routed else set()
            if names:
                owner = routed[0].func.value.id
                found[f"{blueprint.get(owner, owner)}.{name}"] = names
    return found


def _blueprint_name(tree) -> dict[str, str]:
    """variable -> blueprint name, for `bp = Blueprint("forums", ...)`."""
    names = {}
    for node in tree.body:
        call = getattr(node, "value", None)
        if isinstance(node, ast.Assign) and isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Blueprint":
            names[node.targets[0].id] = call.args[0].value
    return names


QUERY_PATH_VALUES = {
    "proposals.diff": lambda p: {"slug": p["policy"].slug},
    "submissions.policy_list": lambda p: {"slug": p["policy"].slug},
    "forums.category": lambda p: {"slug": p["category"].slug},
    "forums.thread": lambda p: {"thread_id": p["thread"].id},
    "comments.policy_list": lambda p: {"slug": p["policy"].slug},
    "comments.article_list": lambda p: {"slug": p["policy"].slug, "key": p["policy"].current_version.articles[0].key},
    "comments.field_list": lambda p: {"position_id": p["position"].id, "name": "requirements"},
    "comments.comment": lambda p: {"public_id": p["comment"].public_id},
}
# Known from issue 8 (each answered 500), so the tests try them even if the reading of the views missed one.
KNOWN = {
    "positions.index": {"opd", "grade", "page"},
    "accounts_admin.users": {"page"},
    "audit.index": {"actor", "page"},
    "contributions.mine": {"page"},
    "notifications.index": {"page"},
    "proposals.diff": {"from", "to"},
    "search.index": {"page"},
}
# Parameters with a narrower range than 1..MAX_ID, and what the largest allowed value answers.
RANGES = {("positions.index", "grade"): (1, 17)}
LARGEST_ANSWERS = {("proposals.diff", "from"): 404, ("proposals.diff", "to"): 404}


def test_the_views_read_every_query_number_through_one_helper():
    for path in (ROOT / "portal").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "type=int" not in source, f"{path}: read query numbers with portal.numbers.query_int"
        assert "int(request.args" not in source and "int(args.get" not in source, path
    found = query_numbers()
    for endpoint, names in KNOWN.items():
        assert names <= found.get(endpoint, set()), f"the reading of the views missed {endpoint} {names}"


def every_query_number() -> dict[str, set[str]]:
    numbers = {endpoint: set(names) for endpoint, names in KNOWN.items()}
    for endpoint, names in query_numbers().items():
        numbers.setdefault(endpoint, set()).update(names)
    return numbers


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_number_in_the_query_string_answers_400_in_the_users_language(app, client, portal, bad):
    from flask import url_for

    for endpoint, names in every_query_number().items():
        assert endpoint in app.view_functions, f"the reading named an unknown endpoint {endpoint}"
        values = QUERY_PATH_VALUES.get(endpoint, lambda p: {})(portal)
        with app.test_request_context():
            base = url_for(endpoint, **values)
        for name in names:
            response = client.get(base, query_string={name: bad, "q": "jabatan"})
            assert response.status_code == 400, f"{base}?{name}={bad}: {response.status_code}"
            page = response.get_data(as_text=True)
            assert "Alamat ini memuat angka yang tidak sah" in page, f"{base}?{name}={bad}"


def test_numbers_in_range_still_work_up_to_the_largest(app, client, portal):
    from flask import url_for

    for endpoint, names in every_query_number().items():
        values = QUERY_PATH_VALUES.get(endpoint, lambda p: {})(portal)
        with app.test_request_context():
            base = url_for(endpoint, **values)
        for name in names:
            low, high = RANGES.get((endpoint, name), (1, MAX_ID))
            largest = LARGEST_ANSWERS.get((endpoint, name), 200)
            for value, expected in ((str(low), 200), (f" {low} ", 200), (str(high), largest)):
                response = client.get(base, query_string={name: value, "q": "jabatan"})
                assert response.status_code == expected, f"{base}?{name}={value!r}: {response.status_code}"
            response = client.get(base, query_string={name: str(high + 1), "q": "jabatan"})
            assert response.status_code == 400, f"{base}?{name}={high + 1}"
