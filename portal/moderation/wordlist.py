"""The word filter: a small list of obvious abuse in Indonesian (including
Medan and Javanese street words) and English. A match does not refuse the
text; it only sends the contribution to the moderation queue.

Extra words come from the `MODERATION_BLOCKED_WORDS` setting (a list, or a
comma-separated string). Matching is on whole words, ignores case, accents,
full-width forms and invisible characters, and lets a phrase's words be
separated by any white space.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

# Obvious insults, slurs and obscenities only: words with an everyday
# meaning (e.g. "anjing" = dog, "babi" = pig) are left out on purpose,
# because a policy consultation uses them literally.
INDONESIAN = (
    "bajingan", "bangsat", "brengsek", "kampret", "keparat", "goblok", "goblog", "tolol",
    "kontol", "memek", "ngentot", "entot", "jancok", "jancuk", "dancok", "asu", "pelacur",
    "lonte", "pantek", "pukimak", "puki mak", "kimak", "cibai", "bodat", "perek", "ngewe",
    "bencong",
)
ENGLISH = (
    "fuck", "fucker", "fucking", "fucked", "motherfucker", "shit", "bullshit", "bitch",
    "bastard", "asshole", "cunt", "dickhead", "whore", "slut", "retard", "nigger", "faggot",
)
BLOCKED_WORDS: tuple[str, ...] = INDONESIAN + ENGLISH

_INVISIBLE = {"Cf", "Mn", "Me"}  # format characters (zero-width) and combining marks (accents)


def normalise(text: str) -> str:
    """Fold `text` for matching: compatibility forms, no accents or invisible characters, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _INVISIBLE)
    return stripped.casefold()


def _split_words(extra: str | Iterable[str] | None) -> tuple[str, ...]:
    if not extra:
        return ()
    if isinstance(extra, str):
        extra = extra.split(",")
    return tuple(word.strip() for word in extra if word and word.strip())


@lru_cache(maxsize=16)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = sorted({r"\s+".join(map(re.escape, normalise(word).split())) for word in words}, key=len, reverse=True)
    parts = [part for part in parts if part]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def blocked_words(extra: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The built-in list plus `extra` words."""
    return BLOCKED_WORDS + _split_words(extra)


def find_blocked(text: str, extra: str | Iterable[str] | None = None) -> list[str]:
    """The blocked words found in `text` (normalised), in order of appearance."""
    return [match.group(0) for match in _pattern(blocked_words(extra)).finditer(normalise(text))]


def contains_blocked(text: str, extra: str | Iterable[str] | None = None) -> bool:
    """Whether `text` contains any blocked word or phrase."""
    return _pattern(blocked_words(extra)).search(normalise(text)) is not None
