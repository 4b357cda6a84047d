"""The Whoosh index's schema and what a `Document` becomes in it, for the backend and the bulk writer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from whoosh import columns, fields

from portal.search.analysis import exact_analyzer, index_terms, indonesian_analyzer
from portal.search.backend import Document
from portal.search.highlight import plain_text

EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
SEARCH_FIELDS = ("title", "text", "text_exact")
FIELD_BOOSTS = {"title": 2.0, "text": 1.0, "text_exact": 1.5}
DATE_COLUMN = "created_ts"  # epoch microseconds: fine enough to order items posted in the same second
KEY_COLUMN = "key"  # db_id * 4 + the doc_type's code: which row a document is, as a number
DOC_TYPE_CODES = {"policy": 1, "article": 2, "contribution": 3}


def make_schema() -> fields.Schema:
    """The index schema: filter fields, dates, and the text twice (stemmed and exact)."""
    stemmed, exact = indonesian_analyzer(), exact_analyzer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        doc_type=fields.ID(stored=True),
        db_id=fields.STORED(),
        kind=fields.ID(stored=True, sortable=True),
        status=fields.ID(stored=True, sortable=True),
        policy=fields.ID(stored=True, sortable=True),
        article=fields.KEYWORD(stored=True, commas=True),
        positions=fields.KEYWORD(stored=True, commas=True),
        group=fields.ID(stored=True, sortable=True),
        organisation=fields.ID(stored=True),
        author=fields.ID(stored=True),
        # Dates: stored for display; a column (epoch seconds) for sorting, the date facet and date
        # filters (read from the cached column, not indexed: a numeric field adds 8 terms per document).
        created_at=fields.STORED(),
        published_at=fields.STORED(),
        created_ts=fields.COLUMN(columns.NumericColumn("q")),
        key=fields.COLUMN(columns.NumericColumn("q")),
        title=fields.TEXT(analyzer=stemmed, stored=True, field_boost=FIELD_BOOSTS["title"]),
        text=fields.TEXT(analyzer=stemmed, stored=True),
        text_exact=fields.TEXT(analyzer=exact, field_boost=FIELD_BOOSTS["text_exact"]),
    )


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def epoch_us(value: datetime | None) -> int:
    """Microseconds since 1970 (UTC; naive values are taken as UTC), 0 for no date."""
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - EPOCH_UTC) // timedelta(microseconds=1)


def doc_key_number(doc_id: str) -> int:
    """The key column's number of a doc_id ("contribution:12" -> 12 * 4 + 3)."""
    doc_type, _sep, db_id = doc_id.partition(":")
    return int(db_id) * 4 + DOC_TYPE_CODES[doc_type]


def to_fields(doc: Document) -> dict:
    """The Whoosh field values of a document (None values left out).

    The texts are analysed here, once, into the exact and the stemmed terms (Whoosh takes a list
    of terms as an already analysed value), the text's Markdown syntax left out; the original text
    is what gets stored.
    """
    title_exact, title_stemmed = index_terms(doc.title or "")
    # The words of the Markdown, not its syntax: `**wajib**` is found by "wajib" (the tokenizer keeps `*`).
    text_exact, text_stemmed = index_terms(plain_text(doc.text or ""))
    values = {
        "doc_id": doc.doc_id,
        "doc_type": doc.doc_type,
        "db_id": doc.db_id,
        "kind": doc.kind,
        "status": doc.status,
        "title": title_stemmed,
        "_stored_title": doc.title or "",
        "text": text_stemmed,
        "_stored_text": doc.text or "",
        "text_exact": title_exact + text_exact,
        "article": ",".join(doc.article_keys) or None,
        "positions": ",".join(doc.position_codes) or None,
        "group": doc.stakeholder_group or "",
        "created_at": _naive_utc(doc.created_at),
        "published_at": _naive_utc(doc.published_at),
        "created_ts": epoch_us(doc.created_at),
        "key": doc_key_number(doc.doc_id),
        "policy": str(doc.policy_id) if doc.policy_id is not None else None,
        "organisation": str(doc.organisation_id) if doc.organisation_id is not None else None,
        "author": str(doc.author_id) if doc.author_id is not None else None,
    }
    return {key: value for key, value in values.items() if value is not None}
