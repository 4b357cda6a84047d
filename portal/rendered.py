"""User text kept as HTML beside the text, so a page never renders Markdown on a view.

A model that shows user text names it in `RENDERED_TEXT` ({"body": "body_html"})
and has an `html_version` column; it may define `markdown_source(field)` to
prepare the text (articles space their ayat). Before every flush, new rows and
rows whose text changed get their HTML from `portal.text`, with
`text.VERSION`, so every edit refreshes it in the same transaction.

Pages print it with the `rendered` filter (`{{ post|rendered("body") }}`).
A row rendered by another version of the renderer (or before the column
existed) is rendered afresh for that page and written back after the
response, guarded so it never overwrites a newer edit; `flask text rerender`
does every such row at once (run by `make run` and after an upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterator

import click
from flask import Flask, current_app, g, has_request_context
from flask.cli import AppGroup
from markupsafe import Markup
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, with_polymorphic

from portal import text
from portal.extensions import db

PENDING_KEY = "rendered_write_back"
BATCH_SIZE = 200

text_cli = AppGroup("text", help="Stored HTML of user text.")


@dataclass(frozen=True)
class Refresh:
    """HTML rendered afresh for one row, and the text it was rendered from."""

    model: type
    ident: Any
    sources: dict[str, str | None]  # source attribute -> the text as read
    html: dict[str, str]  # html attribute -> HTML


def _fields(obj: Any) -> dict[str, str]:
    """source attribute -> html attribute, of a model or one of its rows."""
    return getattr(obj if isinstance(obj, type) else type(obj), "RENDERED_TEXT", {})


def _markdown(obj: Any, field: str) -> str:
    prepare = getattr(obj, "markdown_source", None)
    return prepare(field) if prepare is not None else getattr(obj, field) or ""


def render_fields(obj: Any) -> dict[str, str]:
    """html attribute -> HTML of every rendered field of `obj`."""
    return {html: text.render_html(_markdown(obj, source)) for source, html in _fields(obj).items()}


def _render_before_flush(session: Session, flush_context, instances) -> None:
    # Rows that are new, whose text changed, or that an older renderer wrote.
    for obj in chain(session.new, session.dirty):
        fields = _fields(obj)
        if not fields:
            continue
        state = inspect(obj)
        stale = state.pending or obj.html_version != text.VERSION
        for source, html in fields.items():
            if stale or state.attrs[source].history.has_changes():
                setattr(obj, html, text.render_html(_markdown(obj, source)))
        if stale:
            obj.html_version = text.VERSION


def html(obj: Any, field: str) -> Markup:
    """The `rendered` filter: the stored HTML of `obj`'s `field`, rendered afresh (and
    queued for writing back) when another renderer version wrote it."""
    html_attr = _fields(obj)[field]
    if obj.html_version == text.VERSION and getattr(obj, html_attr) is not None:
        return text.stored(getattr(obj, html_attr))
    fresh = render_fields(obj)
    _queue(obj, fresh)
    return text.stored(fresh[html_attr])


def _queue(obj: Any, fresh: dict[str, str]) -> None:
    state = inspect(obj)
    if not has_request_context() or state.identity is None or state.modified:
        return  # a row not in the database yet, or changed and not flushed: its flush renders it
    pending = g.setdefault(PENDING_KEY, {})
    model = state.mapper.class_
    sources = {source: getattr(obj, source) for source in _fields(obj)}
    pending[(model, state.identity)] = Refresh(model, state.identity[0], sources, fresh)


def store(refresh: Refresh, session) -> bool:
    """Write `refresh` unless the row changed since it was read or is already current."""
    mapper = inspect(refresh.model)
    version = mapper.columns["html_version"]
    by_table: dict[Any, tuple[dict, list]] = {}
    for source, html_attr in _fields(refresh.model).items():
        column = mapper.columns[html_attr]
        values, guards = by_table.setdefault(column.table, ({}, []))
        values[column] = refresh.html[html_attr]
        guards.append(_equals(mapper.columns[source], refresh.sources[source]))
    first, rest = version.table, [table for table in by_table if table is not version.table]
    values, guards = by_table.get(first, ({}, []))
    guards = [*guards, or_(version.is_(None), version != text.VERSION)]
    if session.execute(_update(first, {**values, version: text.VERSION}, refresh.ident, guards)).rowcount != 1:
        return False
    for table in rest:
        values, guards = by_table[table]
        session.execute(_update(table, values, refresh.ident, guards))
    return True


def _equals(column, value):
    return column.is_(None) if value is None else column == value


def _update(table, values: dict, ident: Any, guards: list):
    (key,) = table.primary_key.columns
    # Keep "last changed" columns as they are: re-rendering is not an edit.
    untouched = {column: column for column in table.columns if column.onupdate is not None}
    return update(table).where(key == ident, *guards).values({**untouched, **values})


def _lock_order(refresh: Refresh) -> tuple[str, Any]:
    return inspect(refresh.model).columns["html_version"].table.name, refresh.ident


def _write_back(app: Flask, refreshes: list[Refresh]) -> None:
    with app.app_context():
        try:
            for refresh in refreshes:
                store(refresh, db.session)
            db.session.commit()
        except SQLAlchemyError:  # the next view renders it again; nothing is lost
            db.session.rollback()
            app.logger.exception("rendered: writing back fresh HTML failed")


def _roots() -> Iterator[type]:
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        if "RENDERED_TEXT" in vars(cls) and not any(
            "RENDERED_TEXT" in vars(base) for base in cls.__mro__[1:] if base is not object
        ):
            yield cls


def rerender(progress=None) -> int:
    """Re-render every row an older renderer wrote; returns how many rows were written."""
    written = 0
    for root in sorted(_roots(), key=lambda cls: cls.__name__):
        entity = with_polymorphic(root, "*") if inspect(root).polymorphic_on is not None else root
        stale = or_(entity.html_version.is_(None), entity.html_version != text.VERSION)
        last = None
        while True:
            query = select(entity).where(stale).order_by(entity.id).limit(BATCH_SIZE)
            if last is not None:
                query = query.where(entity.id > last)
            rows = db.session.scalars(query).all()
            if not rows:
                break
            refreshes = [
                Refresh(type(row), row.id, {s: getattr(row, s) for s in _fields(row)}, render_fields(row))
                for row in rows
            ]
            last = rows[-1].id
            written += sum(store(refresh, db.session) for refresh in refreshes)
            db.session.commit()
            if progress is not None:
                progress(len(rows))
    return written


def stale_count() -> int:
    """How many rows an older renderer wrote (or none did)."""
    total = 0
    for root in _roots():
        total += db.session.scalar(
            select(db.func.count()).select_from(root).where(
                or_(root.html_version.is_(None), root.html_version != text.VERSION)
            )
        ) or 0
    return total


@text_cli.command("rerender")
def rerender_command() -> None:
    """Re-render the stored HTML that an older renderer wrote."""
    total = stale_count()
    if not total:
        click.echo(f"Stored HTML is current ({text.VERSION}).")
        return
    with click.progressbar(length=total, label="Rendering", show_pos=True) as bar:
        written = rerender(progress=bar.update)
    click.echo(f"Re-rendered {written} rows with {text.VERSION}.")


def init_app(app: Flask) -> None:
    """Render changed text at every flush; write back what pages rendered afresh, after the response."""
    if not event.contains(Session, "before_flush", _render_before_flush):
        event.listen(Session, "before_flush", _render_before_flush)
    app.jinja_env.filters["rendered"] = html

    @app.after_request
    def write_back_after_response(response):
        pending = g.pop(PENDING_KEY, None)
        if pending:
            application = current_app._get_current_object()
            # Rows in one order (table, id) in every write-back, so two never wait on each other (PostgreSQL).
            refreshes = sorted(pending.values(), key=_lock_order)
            response.call_on_close(lambda: _write_back(application, refreshes))
        return response
