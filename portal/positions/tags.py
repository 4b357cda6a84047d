"""What an author may say a contribution concerns: positions and OPDs, as the form values
"position:ID" / "opd:ID" of every contribution form (comments, formal submissions, forum posts).

This module offers the choices (a policy's positions and their OPDs, or those found by name),
and checks the values before a contribution is stored, so a bad value is a form error and
the typed text stays. The links themselves are kept by `portal.aspirations.links`, which
listens to `portal.contributions.signals.author_tagged`.
"""

from __future__ import annotations

import re
from typing import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from portal.errors import ValidationError
from portal.extensions import db
from portal.positions.models import Opd, Position

MAX_TAGS = 10  # what an author may tag on one contribution
MAX_QUERY = 100  # characters of a search for a position or OPD
FOUND_LIMIT = 20  # positions and OPDs a search offers
FIELD = "concerns"  # the form field of the tags
_VALUE = re.compile(r"(position|opd):([0-9]{1,10})")


def choices_for(positions: Iterable[Position]) -> list[tuple[str, str]]:
    """(value, label) of the positions and then of their OPDs, each once."""
    positions = [p for p in positions if p is not None]
    choices = [(f"position:{p.id}", p.name) for p in positions]
    opds = {p.opd_id: p.opd for p in positions if p.opd is not None}
    return choices + [(f"opd:{opd.id}", opd.name) for opd in opds.values()]


def parse(values) -> list[tuple[int | None, int | None]]:
    """(position_id, opd_id) of the well-formed values among the first MAX_TAGS; the rest is left out."""
    tags = []
    for value in list(values or [])[:MAX_TAGS]:
        match = _VALUE.fullmatch(str(value))
        if match is None or not 0 < int(match.group(2)) < 2**31:
            continue
        number = int(match.group(2))
        tags.append((number, None) if match.group(1) == "position" else (None, number))
    return tags


def check(values) -> list[str]:
    """The chosen values, each once, when every one names an existing position or OPD and there are
    at most MAX_TAGS; otherwise ValidationError on the form's "concerns" field."""
    unique = list(dict.fromkeys(str(value) for value in (values or ())))
    if len(unique) > MAX_TAGS:
        raise ValidationError(FIELD, ngettext("Choose at most %(num)d position or OPD.",
                                              "Choose at most %(num)d positions or OPDs.", MAX_TAGS))
    wrong = ValidationError(FIELD, _("Choose the positions and OPDs from the list."))
    if len(parse(unique)) != len(unique):
        raise wrong
    found = labels(unique)
    if len(found) != len(unique):
        raise wrong
    return unique


def labels(values) -> dict[str, str]:
    """value -> label of the values that name an existing position or OPD (two queries at most)."""
    tags = parse(values)
    position_ids = [p for p, _o in tags if p is not None]
    opd_ids = [o for _p, o in tags if o is not None]
    found: dict[str, str] = {}
    if position_ids:
        for pid, name in db.session.execute(select(Position.id, Position.name).where(Position.id.in_(position_ids))):
            found[f"position:{pid}"] = name
    if opd_ids:
        for oid, name in db.session.execute(select(Opd.id, Opd.name).where(Opd.id.in_(opd_ids))):
            found[f"opd:{oid}"] = name
    return found


def search(query: str) -> list[tuple[str, str]]:
    """(value, label) of the OPDs and positions whose name (or code, or short name) contains `query`."""
    needle = " ".join(str(query or "").split())[:MAX_QUERY].lower()
    if len(needle) < 2:
        return []
    opds = db.session.scalars(
        select(Opd).where(or_(func.lower(Opd.name).contains(needle, autoescape=True),
                              func.lower(Opd.code).contains(needle, autoescape=True),
                              func.lower(func.coalesce(Opd.short_name, "")).contains(needle, autoescape=True)))
        .order_by(Opd.name, Opd.id).limit(FOUND_LIMIT)
    ).all()
    positions = db.session.execute(
        select(Position.id, Position.name, Opd.name).join(Opd, Opd.id == Position.opd_id)
        .where(or_(func.lower(Position.name).contains(needle, autoescape=True),
                   func.lower(Position.code).contains(needle, autoescape=True)))
        .order_by(Position.name, Position.id).limit(FOUND_LIMIT)
    ).all()
    found = [(f"opd:{opd.id}", opd.name) for opd in opds]
    found += [(f"position:{pid}", f"{name} — {opd_name}") for pid, name, opd_name in positions]
    return found[:FOUND_LIMIT]


def offered(base: list[tuple[str, str]], chosen, found=()) -> list[tuple[str, str]]:
    """What a form offers: `base`, then what the author chose that is not in it (so a choice found by a
    search stays ticked), then what a search `found`."""
    seen = {value for value, _label in base}
    extra = [(v, label) for v, label in labels(chosen).items() if v not in seen]
    seen |= {v for v, _label in extra}
    return list(base) + extra + [(v, label) for v, label in found if v not in seen]


def field_view(base: list[tuple[str, str]], chosen, errors=(), *, find: bool = False,
               query: str | None = None) -> dict:
    """What a form's tag field shows (templates/_concerns.html): `base` and the author's choices, with
    `find` a search box, and with `query` (its button was pressed) what the search found."""
    chosen = [str(value) for value in chosen or ()]
    query = None if query is None else " ".join(str(query).split())[:MAX_QUERY]
    found = search(query) if query is not None else None
    return {"choices": offered(base, chosen, found or ()), "chosen": chosen, "errors": list(errors or ()),
            "find": find, "query": query or "", "found": None if found is None else len(found), "max": MAX_TAGS}
