"""Text preparation for themes: the search's tokens and Sastrawi stems, stop words out, negations kept.

Each document becomes a list of stemmed tokens. A negation ("tidak", "belum", "kurang", ...) is fused
with the content word after it ("tidak puas" is one token), so "puas" and "tidak puas" never count as
the same opinion. Stems are mapped back to the surface form seen most often, for readable labels.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain
from typing import Iterable
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


# From this many documents on, a word written in only one of them is not stemmed: alone it cannot make a
# term that two documents share (min_df), and Sastrawi spends most of its time on such rare words.
STEM_RARE_FROM = 20


@lru_cache(maxsize=CACHE_SIZE)
def word(raw: str) -> str | None:
    """One raw token lowercased, accents and stretched letters folded; None for a stop word, a single
    character or a bare number."""
    folded = STRETCHED.sub(r"\1", raw.lower().translate(accent_map))
    if len(folded) < 2 or folded.isdigit() or folded in THEME_STOP_WORDS:
        return None
    return folded


def stemmed(folded: str) -> str:
    """The search's Sastrawi stem (cached there); negations unchanged."""
    return folded if folded in THEME_NEGATIONS else stem(folded)


class Prepared:
    """Stemmed token lists of the documents, and the surface forms seen for each stem.

    Work is done per distinct token, not per occurrence: each raw token is folded once, each distinct
    word stemmed once (and the stems are the search's, cached by the process), the documents are then
    mapped through those tables.
    """

    def __init__(self) -> None:
        self._counts: Counter = Counter()  # surface -> occurrences, for labels
        self._surfaces: dict[str, list[str]] | None = None  # term -> the surfaces seen for it
        self._terms: dict[str, str] = {}  # surface -> term, for this collection

    def documents(self, texts: list[str]) -> list[list[str]]:
        """The stemmed tokens of each text (see `tokens`)."""
        raws = [TOKEN_PATTERN.findall(NOISE.sub(" ", text[:MAX_CHARS])) for text in texts]
        folded = {raw: word(raw) for raw in set(chain.from_iterable(raws))}
        # word() gives None or a non-empty string: filter(None, ...) keeps the words
        found = [list(filter(None, map(folded.__getitem__, found))) for found in raws]
        del raws, folded
        frequency = None
        if len(texts) >= STEM_RARE_FROM:
            frequency = Counter(chain.from_iterable(map(set, found)))
        terms = self._terms
        for surface in set(chain.from_iterable(found)) - terms.keys():
            rare = frequency is not None and frequency[surface] <= 1
            terms[surface] = surface if rare else stemmed(surface)
        self._counts.update(chain.from_iterable(found))
        self._surfaces = None
        lookup = terms.__getitem__
        return [list(map(lookup, ws)) if THEME_NEGATIONS.isdisjoint(ws) else self._fused(ws) for ws in found]

    def tokens(self, text: str) -> list[str]:
        """The stemmed tokens of `text`, negations fused with the next content word."""
        return self.documents([text])[0]

    def _fused(self, found: list[str]) -> list[str]:
        out: list[str] = []
        negation: str | None = None
        for surface in found:
            if surface in THEME_NEGATIONS:
                if negation is not None:
                    out.append(negation)
                negation = surface
                continue
            term = self._terms[surface]
            if negation is not None:
                term = f"{negation}_{term}"
                negation = None
            out.append(term)
        if negation is not None:
            out.append(negation)
        return out

    def readable(self, feature: str) -> str:
        """A feature (stems joined by spaces, negations by '_') in the words people wrote."""
        if self._surfaces is None:
            self._surfaces = {}
            for surface, term in self._terms.items():
                self._surfaces.setdefault(term, []).append(surface)
        counts = self._counts
        words = []
        for part in feature.split(" "):
            for piece in part.split("_"):
                seen = self._surfaces.get(piece)
                # most frequent surface form; ties broken alphabetically so the label is deterministic
                words.append(min(seen, key=lambda s: (-counts[s], s)) if seen else piece)
        return " ".join(words)


def warm(texts: Iterable[str]) -> int:
    """Fold and stem, into the process's caches, every word written in at least two of `texts` (the
    words a summary stems, see `Prepared.documents`); how many words were stemmed.

    The jobs worker calls this before it forks a work horse per job: each horse then inherits the
    stems instead of paying Sastrawi for every word again."""
    seen: Counter = Counter()
    for text in texts:
        if isinstance(text, str):
            seen.update({word(raw) for raw in TOKEN_PATTERN.findall(NOISE.sub(" ", text[:MAX_CHARS]))})
    seen.pop(None, None)
    shared = [surface for surface, count in seen.items() if count >= 2]
    for surface in shared:
        stemmed(surface)
    return len(shared)
