"""Text preparation for themes: the search's tokens and Sastrawi stems, stop words out, negations kept.

Each document becomes a list of stemmed tokens. A negation ("tidak", "belum", "kurang", ...) is fused
with the content word after it ("tidak puas" is one token), so "puas" and "tidak puas" never count as
the same opinion. Stems are mapped back to the surface form seen most often, for readable labels.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from portal.search.analysis import NEGATIONS, STOP_WORDS, TOKEN_PATTERN, stem
from whoosh.support.charset import accent_map

# The search's negations plus common informal and abbreviated forms; "kurang" softens like a negation.
THEME_NEGATIONS = NEGATIONS | frozenset(
    {"kurang", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "ndak", "tdk", "blm", "bkn", "jgn", "tanpa"}
)
# Colloquial function words and particles the formal list lacks (chat, tweets, reviews): they carry no theme.
INFORMAL_STOP_WORDS = frozenset(
    """nya yg dgn dg utk dr dri krn karna jd jdi sdh udh udah dah aja aj sih si dong deh kok nih tuh lah kan
    kalo klo kl emang emg gitu gini gimana gmn yah ya yaa ah eh oh loh lho wkwk wkwkwk hehe haha hihi
    gw gue gua lu lo elo km kmu ak aku sy saya kita kami dia mereka pun tp tapi trs terus lg lagi
    bgt banget bngt aj sm sama ama kyk kayak spt skrg sekarang bs bisa mau mo pd pada dlm dalam
    ini itu tsb jg juga""".split()
) - THEME_NEGATIONS
THEME_STOP_WORDS = (STOP_WORDS | INFORMAL_STOP_WORDS) - THEME_NEGATIONS

# What names no theme: links, @mentions, anonymised placeholders such as [USERNAME] or [URL].
NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\[[A-Z_]+\]")
# A letter repeated three or more times is stretched for emphasis ("bagusss"): keep one.
STRETCHED = re.compile(r"([a-z])\1{2,}")

# A contribution longer than this is themed on its beginning (the whole text stays stored and counted).
MAX_CHARS = 20_000
CACHE_SIZE = 200_000


@lru_cache(maxsize=CACHE_SIZE)
def token(raw: str) -> tuple[str, str] | None:
    """(surface, stem) of one raw token, or None for a stop word, a single character or a bare number."""
    word = STRETCHED.sub(r"\1", raw.lower().translate(accent_map))
    if len(word) < 2 or word.isdigit() or word in THEME_STOP_WORDS:
        return None
    if word in THEME_NEGATIONS:
        return word, word
    return word, stem(word)


class Prepared:
    """Stemmed token lists of the documents, and the surface forms seen for each stem."""

    def __init__(self) -> None:
        self.surfaces: dict[str, Counter] = {}

    def tokens(self, text: str) -> list[str]:
        """The stemmed tokens of `text`, negations fused with the next content word."""
        out: list[str] = []
        negation: str | None = None
        for raw in TOKEN_PATTERN.findall(NOISE.sub(" ", text[:MAX_CHARS])):
            found = token(raw)
            if found is None:
                continue
            surface, stemmed = found
            if stemmed in THEME_NEGATIONS:
                if negation is not None:
                    out.append(negation)
                negation = stemmed
                continue
            self._seen(stemmed, surface)
            if negation is not None:
                stemmed = f"{negation}_{stemmed}"
                negation = None
            out.append(stemmed)
        if negation is not None:
            out.append(negation)
        return out

    def _seen(self, stemmed: str, surface: str) -> None:
        counts = self.surfaces.get(stemmed)
        if counts is None:
            counts = self.surfaces[stemmed] = Counter()
        counts[surface] += 1

    def readable(self, feature: str) -> str:
        """A feature (stems joined by spaces, negations by '_') in the words people wrote."""
        words = []
        for part in feature.split(" "):
            for piece in part.split("_"):
                counts = self.surfaces.get(piece)
                # most frequent surface form; ties broken alphabetically so the label is deterministic
                words.append(min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else piece)
        return " ".join(words)


def ngrams(tokens: list[str], max_n: int = 2) -> list[str]:
    """Unigrams and word n-grams up to `max_n` (joined by spaces)."""
    grams = list(tokens)
    for n in range(2, max_n + 1):
        grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return grams
