"""The search interface the portal speaks to, independent of Whoosh.

A backend stores `Document`s (flat, already-visible-or-not records built
from the database by `portal.search.documents`) and answers `SearchQuery`s
for a `Visibility`. A PostgreSQL full-text backend can implement the same
methods; nothing outside `portal.search` imports a backend directly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable


KINDS = ("policy", "article", "comment", "submission", "post", "contribution")
SORTS = ("relevance", "date")
DATE_RANGES = ("7d", "30d", "365d")
FACETS = ("kind", "policy", "group", "status", "date")


@dataclass
class Document:
    """One searchable item: a policy, an article of its current version, or a contribution."""

    doc_id: str  # "<doc_type>:<db id>", e.g. "contribution:12", "article:40", "policy:3"
    doc_type: str  # "policy", "article" or "contribution"
    db_id: int
    kind: str  # one of KINDS
    status: str  # contributions: their status; policies and articles: "published" or "draft"
    title: str = ""
    text: str = ""
    policy_id: int | None = None
    article_keys: list[str] = field(default_factory=list)
    position_codes: list[str] = field(default_factory=list)
    stakeholder_group: str = ""
    organisation_id: int | None = None
    author_id: int | None = None
    created_at: datetime | None = None
    published_at: datetime | None = None


@dataclass
class Visibility:
    """Who is asking: everyone sees published items; an author also their own; `everything` for moderators."""

    user_id: int | None = None
    everything: bool = False


@dataclass
class SearchQuery:
    """A parsed search request: words, facet filters, sort and page."""

    text: str
    kinds: tuple[str, ...] = ()
    policy_ids: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_range: str | None = None  # one of DATE_RANGES
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10


@dataclass
class Hit:
    """One result: which row, and its highlighted title and fragments ((text, is_match) pieces)."""

    doc_id: str
    doc_type: str
    db_id: int
    kind: str
    score: float
    fields: dict
    title: list = field(default_factory=list)  # highlight.Fragments: (text, is_match) pieces
    fragments: list = field(default_factory=list)


@dataclass
class SearchResults:
    """A page of hits, the total, facet counts and an optional spelling suggestion."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    empty_query: bool = False

    @property
    def pages(self) -> int:
        """Number of pages."""
        return max(1, -(-self.total // self.per_page))

    # The pager macro reads these, as on a Flask-SQLAlchemy pagination.
    @property
    def has_prev(self) -> bool:
        """A page before this one exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """A page after this one exists."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page number."""
        return self.page + 1


class QuerySyntaxError(ValueError):
    """The words could not be understood as a query."""


Progress = Callable[[int], None]
# (part, parts) -> the documents of that share of the whole index: a backend that builds in
# several processes asks each process for its own part (part 0 of 1 is everything).
DocumentSource = Callable[[int, int], Iterable[Document]]


class SearchBackend(ABC):
    """What a search backend must do."""

    def index_documents(self, documents: Iterable[Document]) -> None:
        """Add or replace documents (by doc_id) in one commit."""
        self.apply(list(documents), [])

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Remove documents by doc_id; unknown ids are ignored."""
        self.apply([], list(doc_ids))

    @abstractmethod
    def apply(self, documents: list[Document], deletions: list[str]) -> None:
        """Upsert and delete in one batch, in one commit."""

    @abstractmethod
    def search(self, query: SearchQuery, visibility: Visibility, exclude: frozenset[str] = frozenset()) -> SearchResults:
        """Answer `query` with what `visibility` may see, leaving out the doc ids in `exclude` (from the hits,
        the total and the facet counts); raises QuerySyntaxError."""

    @abstractmethod
    def rebuild(self, source: DocumentSource, progress: Progress | None = None) -> int:
        """Build a fresh index from every part of `source` and swap it in atomically; returns the count."""

    @abstractmethod
    def doc_ids(self) -> set[str]:
        """Every doc_id in the index (for `flask search check`)."""

    def outdated(self) -> bool:
        """True when the index was built by an older version of this backend and needs a rebuild."""
        return False

    def doc_states(self) -> dict[str, str]:
        """doc_id -> the status the index holds (for drift checks); by default statuses are unknown ("")."""
        return dict.fromkeys(self.doc_ids(), "")

    def close(self) -> None:  # noqa: B027 optional hook: a backend with nothing to release keeps it
        """Release files and handles."""
