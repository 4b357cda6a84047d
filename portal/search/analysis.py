"""Text analysis for the search index: Indonesian (and English) tokens,
lowercased and accent-folded, stop words dropped, Indonesian words stemmed
with Sastrawi.

Whoosh pickles the analyzers into the index's schema, so every class here
must stay importable under this module path (`portal.search.analysis`) and
hold no unpicklable state: the stemmer lives at module level, not on the filter.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from portal.search import stemmer
from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token, Tokenizer
from whoosh.support.charset import accent_map
from whoosh.analysis.tokenizers import default_pattern

STOPWORDS_FILE = Path(__file__).with_name("stopwords_id.txt")

# Negations change what a sentence means ("tidak setuju"); they stay searchable.
NEGATIONS = frozenset({"tidak", "bukan", "belum", "tak", "jangan", "tanpa"})

# A small English list: the portal's second language; kept short so content words stay.
ENGLISH_STOP_WORDS = frozenset(
    """a an and are as at be by for from has have in is it its of on or that the this to was were
    will with which who whom what when where why how i you he she we they them our your their""".split()
)

STEM_CACHE_SIZE = 200_000
_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def load_stop_words() -> frozenset[str]:
    """The Indonesian list (stopwords-iso) plus the English one, minus negations."""
    words = {line.strip().lower() for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()}
    words.discard("")
    return frozenset((words | ENGLISH_STOP_WORDS) - NEGATIONS)


STOP_WORDS = load_stop_words()


@lru_cache(maxsize=1)
def _stemmer():
    # Sastrawi's Stemmer without the cost of the rules that cannot apply (same stems; see stemmer.py),
    # not the factory's CachedStemmer: its cache never forgets.
    return stemmer.create()


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """The Sastrawi stem of one lowercased word; other tokens (numbers, codes) unchanged."""
    if len(word) < 4 or not _WORD.match(word):
        return word
    try:
        stemmed = _stemmer().stem_word(word)
    except Exception:  # a stemmer bug must never lose a document
        return word
    return stemmed or word


class SastrawiStemFilter(Filter):
    """Replace each token's text by its Sastrawi stem (cached)."""

    is_morph = True

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


def _base(stop_words: frozenset[str] = STOP_WORDS):
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=stop_words, minsize=1)
    )


# RegexTokenizer's default expression, with its group made non-capturing (for findall).
TOKEN_PATTERN = re.compile(default_pattern.pattern.replace("(", "(?:"), re.UNICODE)


@lru_cache(maxsize=STEM_CACHE_SIZE)
def normalise(raw: str) -> tuple[str, str, bool]:
    """(exact term, stemmed term, is a stop word) of one raw token: lowercased, accents folded, stemmed."""
    word = raw.lower().translate(accent_map)
    if not word or word in STOP_WORDS:
        return word, word, True
    return word, stem(word), False


class IndonesianAnalyzer(Tokenizer):
    """Tokenise, lowercase, fold accents, drop stop words and (when `stemming`) stem, in one pass.

    Gives the same tokens as `RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map) |
    StopFilter(STOP_WORDS) [| SastrawiStemFilter]`, without a generator per filter and with each
    distinct raw token normalised once (cached): indexing spends most of its time here.
    """

    def __init__(self, stemming: bool = True):
        self.stemming = stemming
        self.is_morph = stemming

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.stemming == self.stemming

    def __hash__(self) -> int:
        return hash((type(self), self.stemming))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", no_morph=False, **kwargs):
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not a string")
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        index = 1 if self.stemming and not no_morph else 0
        if not tokenize:
            keeporiginal = True  # as RegexTokenizer does for an untokenised value
            found = [(value, start_pos, start_char, start_char + len(value))]
        else:
            found = (
                (match.group(0), start_pos + n, start_char + match.start(), start_char + match.end())
                for n, match in enumerate(TOKEN_PATTERN.finditer(value))
            )
        pos = None
        for raw, token_pos, start, end in found:
            terms = normalise(raw)
            if terms[2]:
                if removestops:
                    continue
                t.stopped = True
                t.text = terms[0]
            else:
                t.stopped = False
                t.text = terms[index]
                if positions:  # StopFilter(renumber=True): kept tokens numbered without the stop words
                    pos = token_pos if pos is None else pos + 1
            t.boost = 1.0
            if keeporiginal:
                t.original = raw
            if positions:
                t.pos = token_pos if t.stopped else pos
            if chars:
                t.startchar, t.endchar = start, end
            yield t


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """The exact and the stemmed terms of `text` in order, stop words dropped (one tokenisation for both fields)."""
    kept = [terms for terms in map(normalise, TOKEN_PATTERN.findall(text)) if not terms[2]]
    return [terms[0] for terms in kept], [terms[1] for terms in kept]


def indonesian_analyzer():
    """Tokens for the stemmed `text` field: pelatihan, dilatih and latihan all become `latih`."""
    return IndonesianAnalyzer(stemming=True)


def exact_analyzer():
    """Tokens for the unstemmed `text_exact` field: exact forms rank higher."""
    return IndonesianAnalyzer(stemming=False)


def tokens(text: str, stemmed: bool = True) -> list[str]:
    """The index terms `text` produces (for tests and the benchmark)."""
    analyzer = indonesian_analyzer() if stemmed else exact_analyzer()
    return [token.text for token in analyzer(text)]
