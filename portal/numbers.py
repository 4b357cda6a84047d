"""Whole numbers read from the address: `<int:...>` in routes and numbers in
the query string, in one place, so that no number a request carries can reach
the database unchecked (SQLite cannot bind 2**63, PostgreSQL's INTEGER stops
at 2**31 - 1) or be read from other scripts' digits (`١٢`, `₀₁₂`)."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from portal.errors import ValidationError

MAX_ID = 2**31 - 1  # the largest id or number a column of type INTEGER holds on every backend
_MAX_DIGITS = len(str(MAX_ID))


class BoundedIntConverter(IntegerConverter):
    """`<int:name>`: ASCII digits only, 1 to MAX_ID; any other text does not match the route (404)."""

    regex = rf"[0-9]{{1,{_MAX_DIGITS}}}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def init_app(app: Flask) -> None:
    """Make `<int:...>` the bounded converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def query_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The whole number in query parameter `name`, `default` when absent or blank; a 400 with a clear
    message for anything else (signs, exponents, other scripts' digits, or outside minimum..maximum)."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip()
    if value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS and minimum <= int(value) <= maximum:
        return int(value)
    raise ValidationError(name, _(
        "The address contains a number that is not valid (%(name)s=%(value)s). "
        "Use a whole number from %(low)d to %(high)d, written with the digits 0-9.",
        name=name, value=value[:20], low=minimum, high=maximum,
    ))
