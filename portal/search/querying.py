"""What both search backends compute the same way: the query language (Whoosh's parser, with the
syntax we do not offer switched off), date ranges, the order of facet counts, "did you mean"
suggestions and the highlighted title and fragments of a hit."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Callable, Iterable

from whoosh.qparser import MultifieldParser, plugins

from portal.search.analysis import TOKEN_PATTERN, normalise
from portal.search.backend import Hit, QuerySyntaxError, SearchQuery
from portal.search.highlight import highlight, plain, plain_text

EPOCH = date(1970, 1, 1)
DATE_DAYS = {"7d": 7, "30d": 30, "365d": 365}
SEARCH_FIELDS = ("title", "text", "text_exact")
# Query syntax we do not offer: field names, wildcards, ranges, boosts, "*:*".
REFUSED_PLUGINS = (
    plugins.FieldsPlugin,
    plugins.WildcardPlugin,
    plugins.RangePlugin,
    plugins.BoostPlugin,
    plugins.EveryPlugin,
    plugins.SingleQuotePlugin,
)
SUGGEST_BELOW = 3  # offer "did you mean" only when a query finds fewer hits than this
SPELLING_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
SPELLING_MAX_CHARS = 30  # longer words get no suggestion (their one-edit neighbours run into the thousands)
SNIPPET_CHARS = 240


def parse(text: str, schema=None):
    """Parse user words into a Whoosh query over the text fields, with the refused syntax switched off."""
    parser = MultifieldParser(list(SEARCH_FIELDS), schema if schema is not None else _schema())
    for plugin in REFUSED_PLUGINS:
        parser.remove_plugin_class(plugin)
    try:
        return parser.parse(text)
    except Exception as error:  # Whoosh raises assorted errors on odd input
        raise QuerySyntaxError(str(error)) from error


@lru_cache(maxsize=1)
def _schema():
    from portal.search.whoosh_schema import make_schema

    return make_schema()


def query_words(terms: Iterable[tuple[str, str]]) -> tuple[frozenset[str], frozenset[str]]:
    """(exact words, stems) a parsed query asks for, for the highlighter."""
    terms = set(terms)
    words = frozenset(text for fieldname, text in terms if fieldname == "text_exact")
    stems = frozenset(text for fieldname, text in terms if fieldname in ("title", "text"))
    return words, stems


def day_range(request: SearchQuery, now: datetime) -> tuple[int | None, int | None]:
    """The first and last day (days since 1970, either open) the request's date filters allow."""
    first = (request.date_from - EPOCH).days if request.date_from else None
    last = (request.date_to - EPOCH).days if request.date_to else None
    if request.date_range in DATE_DAYS:
        since = int(now.timestamp()) // 86400 - DATE_DAYS[request.date_range]
        first = since if first is None else max(first, since)
    return first, last


def ordered_facets(counts: dict[str, dict], dates: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts as the page shows them: most first (then by value), empty values left out; the
    date facet in the order of its ranges, those with no item left out."""
    facets = {
        name: [(str(value), count) for value, count in sorted(values.items(), key=lambda item: (-item[1], str(item[0])))
               if value not in (None, "")]
        for name, values in counts.items()
    }
    facets["date"] = [(key, dates[key]) for key in sorted(DATE_DAYS, key=DATE_DAYS.get) if dates.get(key)]
    return facets


def suggest(text: str, frequencies: Callable[[set[str]], dict[str, int]],
            known_stem: Callable[[str], bool]) -> str | None:
    """`text` with each word the index knows in no form replaced by the most frequent indexed word one
    edit away (a letter dropped, added, changed or two swapped), or None when nothing changes.

    `frequencies(words)` gives the document frequency of the exact words the index knows (others
    left out); `known_stem(stem)` says whether any document holds a stem.
    """
    pieces, last = [], 0
    for match in TOKEN_PATTERN.finditer(text):
        word, stemmed, stopped = normalise(match.group(0))
        # A word found through its stem ("latihan" finds "pelatihan") is no misspelling.
        if stopped or len(word) > SPELLING_MAX_CHARS or frequencies({word}).get(word) or known_stem(stemmed):
            continue
        candidates = one_edit(word)
        found = frequencies(candidates)
        best = max(found, key=lambda candidate: (found[candidate], candidate), default=None)
        if best is not None and found[best]:
            pieces += [text[last:match.start()], best]
            last = match.end()
    return "".join(pieces) + text[last:] if pieces else None


def one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (Damerau: delete, swap, replace, insert)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {left + right[1:] for left, right in splits if right}
    found |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    found |= {left + letter + right[1:] for left, right in splits if right for letter in SPELLING_LETTERS}
    found |= {left + letter + right for left, right in splits for letter in SPELLING_LETTERS}
    found.discard(word)
    return found


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def make_hit(stored: dict, score: float, words: frozenset[str], stems: frozenset[str]) -> Hit:
    """A hit from a document's stored values: its title and text highlighted where the query's words
    or stems occur (the start of the text when they occur in neither)."""
    stored = {key: _aware(value) for key, value in stored.items()}
    title = stored.get("title") or ""
    title_pieces = highlight(title, words, stems, top=1) or plain(title)
    text = plain_text(stored.get("text") or "")  # Markdown as written: the snippet shows the words, not the syntax
    fragments = highlight(text, words, stems) or plain(
        text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else ""))
    return Hit(
        doc_id=stored["doc_id"],
        doc_type=stored["doc_type"],
        db_id=int(stored["db_id"]),
        kind=stored["kind"],
        score=score,
        fields=stored,
        title=title_pieces,
        fragments=fragments,
    )
