"""Factories for OPDs and positions."""

from __future__ import annotations

import itertools

import pytest

from portal.extensions import db
from portal.positions.models import Opd, Position

_numbers = itertools.count(1)


@pytest.fixture
def make_opd(app):
    """Factory: make_opd(name=..., code=...)."""

    def factory(name: str | None = None, code: str | None = None, **fields) -> Opd:
        n = next(_numbers)
        opd = Opd(code=code or f"OPD{n}", name=name or f"Dinas Contoh {n}", **fields)
        db.session.add(opd)
        db.session.commit()
        return opd

    return factory


@pytest.fixture
def make_position(app, make_opd):
    """Factory: make_position(opd=..., parent=..., **fields) with believable defaults."""

    def factory(opd: Opd | None = None, parent: Position | None = None, **fields) -> Position:
        n = next(_numbers)
        values = {
            "code": f"JAB-{n}",
            "name": f"Analis Kebijakan {n}",
            "position_type": "pelaksana",
            "grade": 7,
            "required_count": 1,
            "incumbent_count": 1,
        }
        values.update(fields)
        position = Position(opd=opd or make_opd(), parent=parent, **values)
        db.session.add(position)
        db.session.commit()
        return position

    return factory


@pytest.fixture
def admin(make_user):
    """An admin account."""
    return make_user(role="admin")




@pytest.fixture
def english_cli(app):
    """Commands speak the portal's default language; switch it to English for assertions on their text."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    return app
