"""Every mutating service refuses every role that may not use it, before it
changes anything, and lets through one role that may.

Refused means: PermissionDenied is raised, no INSERT, UPDATE or DELETE reached
the database during the call, and the session holds no new, changed or
deleted object that a later commit would store. The allowed role's call must
finish without any error, which proves the row calls the service in a way
that works: a refusal for some other reason cannot pass for a permission check.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property

import pytest
from sqlalchemy import event

from portal.errors import PermissionDenied
from portal.extensions import db

from .cases import CASES, Case
from .conftest import World


@contextmanager
def data_changes():
    """The INSERT, UPDATE and DELETE statements sent to the database inside the block."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement.split("\n", 1)[0][:120])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


class _Probed(Exception):
    """Raised by the probe actor the moment a service looks at it."""


class _ProbeActor:
    """Stands in for the actor in a first call that only evaluates the row's arguments."""

    def __getattribute__(self, name):
        raise _Probed(name)


def _build_what_the_call_uses(world: World, case: Case) -> None:
    """Run the row once with an actor that stops the service at its first look at the actor: the arguments
    (`w.comment`, `w.policy_details()`) are built then, so building them is not counted as the service's writes."""
    try:
        case.call(world, _ProbeActor())
    except _Probed:
        pass
    db.session.rollback()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_mutating_service_refuses_each_role_that_may_not_use_it(world, case: Case):
    actors = {role: getattr(world, role) for role in (*case.refused, case.allowed) if role}
    _build_what_the_call_uses(world, case)
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    for role in case.refused:
        with data_changes() as writes:
            with pytest.raises(PermissionDenied):
                case.call(world, actors[role])
            unsaved = list(db.session.new) + list(db.session.dirty) + list(db.session.deleted)
        assert writes == [], f"{case.id} as {role} wrote before refusing: {writes}"
        assert unsaved == [], f"{case.id} as {role} changed objects before refusing: {unsaved}"
        db.session.rollback()
    if case.allowed:
        case.call(world, actors[case.allowed])  # any error fails the row, PermissionDenied above all


def test_the_table_names_real_roles_and_no_role_twice():
    roles = {name for name, member in vars(World).items() if isinstance(member, cached_property)} | {"anonymous"}
    for case in CASES:
        assert set(case.refused) <= roles and (case.allowed is None or case.allowed in roles), case.id
        assert len(set(case.refused)) == len(case.refused), case.id
        assert case.allowed not in case.refused, case.id
    assert len({case.id for case in CASES}) == len(CASES), "two rows with the same id: give one a label"
