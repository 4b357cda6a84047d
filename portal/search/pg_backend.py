"""The PostgreSQL full-text search backend (SEARCH_BACKEND=postgres), over `search_documents`
(`portal.search.pg_index`, which also keeps it up to date in each writing transaction).

A query is parsed as the Whoosh backend parses it (`querying.parse`) and its tree becomes a
`tsquery` over the stems: a word (any of its fields) is its stem, a phrase its stems in a row
(`<->`), AND / OR / NOT as `&`, `|`, `!`. So both backends find the same documents. Ranking is
`ts_rank` over the weighted stems (a title counts more than the text) plus half of it over the
exact words, so exact forms rank first; facets are counted with one GROUP BY GROUPING SETS over
the same filtered rows; snippets come from the portal's own highlighter.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, text
from whoosh import query

from portal.extensions import db
from portal.search import pg_index, querying
from portal.search.analysis import stem
from portal.search.backend import (
    Document,
    DocumentSource,
    Progress,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Visibility,
)
from portal.search.pg_index import EPOCH, SearchDocument, lexeme

BATCH = 1000  # rows a rebuild inserts per statement
EXACT_BONUS = 0.5
# "Did you mean" picks the most frequent neighbour; counting stops here (ties above it go by the word).
FREQUENCY_CAP = 1000
FACET_COLUMNS = {"kind": "kind", "policy": "policy_id", "group": "grp", "status": "status"}
SHOWN = "doc_id, doc_type, db_id, kind, status, policy_id, grp, author_id, created_at, title, body"


class PostgresBackend(SearchBackend):
    """Search over the `search_documents` table of the portal's own PostgreSQL database."""

    # --- writing ---------------------------------------------------------------------------

    def apply(self, documents: list[Document], deletions: list[str]) -> None:
        """Upsert and delete in one transaction (the indexer's drain of rows left in the outbox)."""
        if not documents and not deletions:
            return
        with db.engine.begin() as connection:
            pg_index.write(connection, documents, deletions)

    def rebuild(self, source: DocumentSource, progress: Progress | None = None) -> int:
        """Replace every row in one transaction; writers of indexed changes wait for it, readers do not.

        The table lock (SHARE ROW EXCLUSIVE: searches still read the old rows) makes a transaction
        that commits a change during the rebuild wait to write its row until the rebuild has
        committed; its change is then written over the rebuilt row, so nothing is lost either way.
        """
        table = SearchDocument.__table__
        count = 0
        with db.engine.begin() as connection:
            connection.execute(text("LOCK TABLE search_documents IN SHARE ROW EXCLUSIVE MODE"))
            connection.execute(delete(table))
            batch: dict[str, dict] = {}
            for document in source(0, 1):
                batch[document.doc_id] = pg_index.row(document)
                if len(batch) >= BATCH:
                    count += self._insert(connection, batch, progress)
            count += self._insert(connection, batch, progress)
        return count

    @staticmethod
    def _insert(connection, batch: dict[str, dict], progress: Progress | None) -> int:
        if not batch:
            return 0
        connection.execute(insert(SearchDocument.__table__), list(batch.values()))
        done = len(batch)
        batch.clear()
        if progress is not None:
            progress(done)
        return done

    # --- reading ---------------------------------------------------------------------------

    def doc_states(self) -> dict[str, str]:
        """doc_id -> status of every row."""
        table = SearchDocument.__table__
        with db.engine.connect() as connection:
            return dict(connection.execute(select(table.c.doc_id, table.c.status)).all())

    def doc_ids(self) -> set[str]:
        """Every doc_id in the index."""
        return set(self.doc_states())

    def search(self, request: SearchQuery, visibility: Visibility, exclude=frozenset()) -> SearchResults:
        """Run one search: visibility and facet filters, facet counts, ranking, highlights, suggestion."""
        user_query = querying.parse(request.text)
        terms = set(user_query.iter_all_terms())
        tsquery = to_tsquery(user_query) if user_query is not query.NullQuery and terms else None
        if tsquery is None:
            return SearchResults([], 0, 1, request.per_page, empty_query=True)
        now = datetime.now(timezone.utc)
        where, params = _where(request, visibility, exclude, now)
        params["q"] = tsquery
        words, stems = querying.query_words(terms)
        exact = " | ".join(lexeme(word) for word in sorted(words) if word)
        if exact:
            params["exact"] = exact
        connection = db.session.connection()  # the request's own: its rows are then reloaded on it too
        total, counts, dates = _facets(connection, where, params, now)
        pagelen = request.per_page
        pagenum = min(max(1, request.page), max(1, -(-total // pagelen)))  # past the end: the last page
        params.update(limit=pagelen, offset=(pagenum - 1) * pagelen)
        if request.sort == "date":
            # Ties: the later-written document first, as Whoosh's index order gives them.
            order, score = "created_at DESC, db_id DESC, doc_type", "0.0"
        else:
            order = "score DESC, created_at, db_id"
            score = "ts_rank(terms, CAST(:q AS tsquery))"
            if exact:
                score += f" + {EXACT_BONUS} * ts_rank(words, CAST(:exact AS tsquery))"
        rows = connection.execute(text(
            f"SELECT {SHOWN}, {score} AS score FROM search_documents WHERE {where} "  # nosec B608 # fixed column names and clauses; every value is a bound parameter
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        ), params).mappings().all()
        suggestion = None
        if total < querying.SUGGEST_BELOW:
            suggestion = querying.suggest(request.text, lambda found: _frequencies(connection, found),
                                          lambda found: _known_stem(connection, found))
        hits = [
            querying.make_hit({**row, "text": row["body"], "group": row["grp"]}, float(row["score"]), words, stems)
            for row in rows
        ]
        return SearchResults(hits=hits, total=total, page=pagenum, per_page=pagelen,
                             facets=querying.ordered_facets(counts, dates), suggestion=suggestion)


def to_tsquery(node) -> str | None:
    """The tsquery (text form, over stems) of a parsed Whoosh query; None when it asks for nothing."""
    if isinstance(node, query.Term):
        if node.fieldname in ("title", "text"):
            return lexeme(node.text)
        if node.fieldname == "text_exact":
            return lexeme(stem(node.text))
        return None
    if isinstance(node, query.Phrase):
        words = node.words if node.fieldname != "text_exact" else [stem(word) for word in node.words]
        return "(" + " <-> ".join(lexeme(word) for word in words) + ")" if words else None
    if isinstance(node, (query.And, query.Or, query.DisjunctionMax)):
        parts = [part for part in map(to_tsquery, node.subqueries) if part is not None]
        parts = list(dict.fromkeys(parts))
        if not parts:
            return None
        joined = (" & " if isinstance(node, query.And) else " | ").join(parts)
        return f"({joined})" if len(parts) > 1 else parts[0]
    if isinstance(node, query.Not):
        inner = to_tsquery(node.query)
        return f"!{inner}" if inner is not None else None
    if isinstance(node, (query.Require, query.AndNot)):
        left, right = to_tsquery(node.a), to_tsquery(node.b)
        if left is None:
            return None
        if right is None:
            return left if isinstance(node, query.AndNot) else None
        return f"({left} & {'!' if isinstance(node, query.AndNot) else ''}{right})"
    if isinstance(node, query.AndMaybe):
        return to_tsquery(node.a)
    return None  # NullQuery, and the syntax the parser was told to refuse


def _where(request: SearchQuery, visibility: Visibility, exclude, now: datetime) -> tuple[str, dict]:
    clauses = ["terms @@ CAST(:q AS tsquery)"]
    params: dict = {}
    if not visibility.everything:
        if visibility.user_id is not None:
            clauses.append("(status = 'published' OR author_id = :viewer)")
            params["viewer"] = visibility.user_id
        else:
            clauses.append("status = 'published'")
    for column, name, values in (
        ("kind", "kinds", list(request.kinds)),
        ("policy_id", "policies", [int(value) for value in request.policy_ids]),
        ("grp", "groups", list(request.groups)),
        ("status", "statuses", list(request.statuses)),
    ):
        if values:
            clauses.append(f"{column} = ANY(:{name})")
            params[name] = values
    if exclude:
        clauses.append("doc_id <> ALL(:exclude)")
        params["exclude"] = sorted(exclude)
    first_day, last_day = querying.day_range(request, now)
    if first_day is not None:
        clauses.append("created_at >= :first")
        params["first"] = EPOCH + timedelta(days=first_day)
    if last_day is not None:
        clauses.append("created_at < :after_last")
        params["after_last"] = EPOCH + timedelta(days=last_day + 1)
    return " AND ".join(clauses), params


def _facets(connection, where: str, params: dict, now: datetime) -> tuple[int, dict, dict[str, int]]:
    """The total, the count of each facet value and of each date range, in one scan of the matches."""
    since = {key: now - timedelta(days=days) for key, days in querying.DATE_DAYS.items()}
    dates = ", ".join(f"count(*) FILTER (WHERE created_at >= :since_{key}) AS d_{key}" for key in since)
    columns = ", ".join(FACET_COLUMNS.values())
    grouping = ", ".join(f"GROUPING({column}) AS g_{column}" for column in FACET_COLUMNS.values())
    sets = ", ".join(f"({column})" for column in FACET_COLUMNS.values())
    rows = connection.execute(text(
        f"SELECT {columns}, {grouping}, count(*) AS n, {dates} FROM search_documents WHERE {where} "  # nosec B608 # fixed column names and clauses; every value is a bound parameter
        f"GROUP BY GROUPING SETS ({sets}, ())"
    ), {**params, **{f"since_{key}": moment for key, moment in since.items()}}).mappings().all()
    total, counts, found_dates = 0, {name: {} for name in FACET_COLUMNS}, {}
    for found in rows:
        grouped = [name for name, column in FACET_COLUMNS.items() if not found[f"g_{column}"]]
        if grouped:
            name = grouped[0]
            value = found[FACET_COLUMNS[name]]
            counts[name][str(value) if value is not None else None] = found["n"]
        else:
            total = found["n"]
            found_dates = {key: found[f"d_{key}"] for key in since}
    return total, counts, found_dates


def _frequencies(connection, words: set[str]) -> dict[str, int]:
    """Document frequency (counted up to FREQUENCY_CAP) of those `words` the exact-word vectors hold.

    The words present are found first, one GIN probe each without touching the table (a word no
    document holds, most of a misspelling's neighbours, costs nothing); only those are counted.
    """
    words = sorted(word for word in words if word)
    if not words:
        return {}
    present = connection.execute(text(
        "SELECT n FROM unnest(CAST(:queries AS tsquery[])) WITH ORDINALITY AS probe(q, n) "
        "WHERE EXISTS (SELECT 1 FROM search_documents WHERE words @@ q)"
    ), {"queries": [lexeme(word) for word in words]}).scalars().all()
    found = {}
    for number in present:
        word = words[number - 1]
        found[word] = connection.execute(text(
            "SELECT count(*) FROM (SELECT 1 FROM search_documents WHERE words @@ CAST(:q AS tsquery) LIMIT :cap) AS f"
        ), {"q": lexeme(word), "cap": FREQUENCY_CAP}).scalar()
    return found


def _known_stem(connection, found: str) -> bool:
    if not found:
        return False
    return connection.execute(text(
        "SELECT EXISTS (SELECT 1 FROM search_documents WHERE terms @@ CAST(:q AS tsquery))"
    ), {"q": lexeme(found)}).scalar()
