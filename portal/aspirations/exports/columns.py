"""The columns of a contributions export, in file order, and the registry other packages add to.

The base columns come from one Core query per batch (services.py). A column that needs more
has a *loader*: a function given the ids of one batch of contributions (at most
services.BATCH_SIZE of them) that returns, in one query, {contribution id: value}. A value is
None, a string, a number, a datetime or a list of strings (joined with "; " in CSV and XLSX,
an array in JSON).

The theme and response columns are declared here as empty slots, so every export has them at
the same place even before their packages fill them: the themes and responses packages call

    register_column("theme", _l("Theme"), load_themes)

at app start, which fills the slot. A new key is added before the personal-data columns.
Positions: the base loader names the position a comment is written on; a package that links
contributions to positions adds its links with `register_position_source` (column) and
`register_position_scope` (the position filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from portal.comments.models import STANCE_LABELS, Comment
from portal.contributions.models import KIND_LABELS, STATUS_LABELS
from portal.extensions import db
from portal.positions.models import Position
from portal.submissions.models import SubmissionArticle

Loader = Callable[[Sequence[int]], Mapping[int, Any]]
# position id -> a select of the ids of the contributions that concern it
PositionScope = Callable[[int], Select]

GROUP_LABELS = {
    "citizen": _l("Citizen (warga)"),
    "ngo": _l("NGO (LSM)"),
    "academic": _l("Academic (akademisi)"),
    "official": _l("Official"),
}


@dataclass(frozen=True)
class Column:
    """One column: its key (the JSON name), its header in the reader's language, and where its values come from.

    loader    None: the base query's value of the same key; else a Loader (see the module docstring)
    personal  personal data: only in an admin's export with a recorded reason
    labels    code -> readable label, for CSV and XLSX (JSON keeps the codes)
    slot      an empty place another package fills with register_column
    """

    key: str
    label: Any
    loader: Loader | None = None
    personal: bool = False
    labels: Mapping[str, Any] | None = None
    slot: bool = False


def article_label(key: str | None) -> str:
    """ "pasal-5" -> "Pasal 5" (the article's stable key, read back as its number)."""
    if not key:
        return ""
    head, _, number = key.partition("-")
    return f"{head.capitalize()} {number.upper()}".strip() if number else key


def load_submission_articles(ids: Sequence[int]) -> dict[int, list[str]]:
    """The articles each submission of the batch concerns, as "Pasal N" (comments carry theirs in the row)."""
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(SubmissionArticle.submission_id, SubmissionArticle.article_key)
        .where(SubmissionArticle.submission_id.in_(ids))
        .order_by(SubmissionArticle.submission_id, SubmissionArticle.article_key)
    )
    for contribution_id, key in rows:
        found.setdefault(contribution_id, []).append(article_label(key))
    return found


def _load_comment_positions(ids: Sequence[int]) -> dict[int, list[str]]:
    comment, position = Comment.__table__, Position.__table__
    rows = db.session.execute(
        select(comment.c.id, position.c.code, position.c.name)
        .join(position, position.c.id == comment.c.position_id)
        .where(comment.c.id.in_(ids))
    )
    return {contribution_id: [f"{code} {name}"] for contribution_id, code, name in rows}


_POSITION_SOURCES: list[Loader] = [_load_comment_positions]
_POSITION_SCOPES: list[PositionScope] = [
    lambda position_id: select(Comment.__table__.c.id).where(Comment.__table__.c.position_id == position_id),
]


def register_position_source(loader: Loader) -> None:
    """Add positions to the "positions" column: `loader(ids)` -> {contribution id: [position labels]}."""
    if loader not in _POSITION_SOURCES:
        _POSITION_SOURCES.append(loader)


def register_position_scope(scope: PositionScope) -> None:
    """Widen the position filter: `scope(position_id)` -> a select of contribution ids concerning it."""
    if scope not in _POSITION_SCOPES:
        _POSITION_SCOPES.append(scope)


def position_scopes() -> list[PositionScope]:
    """Every way a contribution can concern a position (for the position filter)."""
    return list(_POSITION_SCOPES)


def _load_positions(ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for source in _POSITION_SOURCES:
        for contribution_id, labels in source(ids).items():
            known = found.setdefault(contribution_id, [])
            known += [label for label in labels if label not in known]
    return found


_BASE = [
    Column("public_id", _l("Public id")),
    Column("kind", _l("Kind"), labels=KIND_LABELS),
    Column("policy", _l("Draft policy")),
    Column("article", _l("Article (Pasal)")),  # filled in services from the row and the loader below
    Column("positions", _l("Positions"), loader=_load_positions),
    Column("stance", _l("Stance"), labels=STANCE_LABELS),
    Column("stakeholder_group", _l("Stakeholder group"), labels=GROUP_LABELS),
    Column("organisation", _l("Organisation")),
    Column("status", _l("Status"), labels=STATUS_LABELS),
    Column("created_at", _l("Created (WIB)")),
    Column("text", _l("Text")),
    Column("theme", _l("Theme"), slot=True),
    Column("response_outcome", _l("Response outcome"), slot=True),
    Column("response_text", _l("Response text"), slot=True),
    Column("author_name", _l("Author name"), personal=True),
    Column("author_email", _l("Author e-mail"), personal=True),
]
_SLOTS = {column.key: column for column in _BASE if column.slot}
_COLUMNS: list[Column] = list(_BASE)

def register_column(key: str, label: Any, loader: Loader, *, personal: bool = False,
                    labels: Mapping[str, Any] | None = None) -> Column:
    """Add a column to every export (or fill the empty slot of that key); `loader(ids)` -> {id: value}.

    Raises ValueError when another package already filled the key."""
    column = Column(key, label, loader, personal=personal, labels=labels)
    for index, existing in enumerate(_COLUMNS):
        if existing.key == key:
            if not existing.slot:
                raise ValueError(f"export column {key!r} is registered already")
            _COLUMNS[index] = column
            return column
    first_personal = next((i for i, c in enumerate(_COLUMNS) if c.personal), len(_COLUMNS))
    _COLUMNS.insert(first_personal, column)
    return column


def unregister_column(key: str) -> None:
    """Take a registered column out again (an empty slot comes back in its place); for tests."""
    for index, existing in enumerate(_COLUMNS):
        if existing.key == key and not existing.slot:
            if key in _SLOTS:
                _COLUMNS[index] = _SLOTS[key]
            else:
                del _COLUMNS[index]
            return


def columns(*, personal: bool = False) -> list[Column]:
    """The columns of an export, in file order; the personal-data ones only when asked for."""
    return [column for column in _COLUMNS if personal or not column.personal]
