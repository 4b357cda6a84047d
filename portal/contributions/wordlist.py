"""The word filter: finds abuse in a contribution's text so that it waits for
a moderator. A match does not refuse the text; it only sends the
contribution to the moderation queue.

The words are in `lexicon` (where they come from is said there); extra ones
come from the `MODERATION_BLOCKED_WORDS` setting (a list, or a
comma-separated string) and count like the built-in abusive words.

Matching is on whole words after undoing what people do to slip a word past
a filter: compatibility forms, accents and invisible characters, look-alike
Cyrillic and Greek letters, leetspeak (4nj1ng), repeated letters (anjiiing),
letters spaced or punctuated apart (a n j i n g, b.a.n.g.s.a.t, bang-sat),
masked letters (b*ngs*t), abbreviations (anjg, bgst) and inflections
(bangsatnya). Whole words keep "bangsa" apart from "bangsat".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from portal.contributions import lexicon

_INVISIBLE = {"Cf", "Mn", "Me"}  # format characters (zero-width) and combining marks (accents)
# Cyrillic and Greek letters that look like Latin ones.
_LOOKALIKES = str.maketrans("аеорсухіјкмтвнαεικνοτυ", "aeopcyxijkmtbhaeikvotu")
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "|": "i", "0": "o", "5": "s",
                       "$": "s", "7": "t", "9": "g", "6": "g", "8": "b"})
_MASKS = "*#%"
_WORD_CHARS = "a-z0-9@$!|" + re.escape(_MASKS)
_PIECE = re.compile(f"[{_WORD_CHARS}]+")
_EDGES = "^[^a-z0-9@$]+|[^a-z0-9]+$"
_RUNS = re.compile(r"(.)\1+")
_LETTER = re.compile("[a-z]")
_WINDOW = 6  # how far a literal-use word reaches

ABUSIVE, CONTEXTUAL = "abusive", "contextual"


def normalise(text: str) -> str:
    """Fold `text` for matching: compatibility forms, no accents or invisible characters, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _INVISIBLE)
    return stripped.casefold()


def _collapse(word: str) -> str:
    return _RUNS.sub(r"\1", word)


def _deleet(piece: str) -> str:
    """Leetspeak undone in a piece that has letters ("b4b1" -> "babi"); plain numbers stay numbers."""
    if not _LETTER.search(piece):
        return piece
    piece = re.sub(r"(?<=[a-z])[2²]+$", "", piece)  # "kata2" is "kata-kata"
    return piece.translate(_LEET)


@dataclass
class _Token:
    word: str  # folded, leetspeak undone
    disguised: bool  # spelt to slip past a filter: leetspeak, masks, spacing, joined pieces
    exclaimed: bool = False  # followed by "!"


def tokens(text: str) -> tuple[list[_Token], list[_Token]]:
    """The words of `text` in order, and the extra words that disguise splits apart (a n j i n g, bang-sat)."""
    words: list[_Token] = []
    joined: list[_Token] = []
    letters: list[str] = []  # a run of one-letter chunks, "a n j i n g"

    def end_letters() -> None:
        if len(letters) >= 3:
            joined.append(_Token(_deleet("".join(letters)), True))
        letters.clear()

    for chunk in normalise(text).split():
        latin = chunk.translate(_LOOKALIKES)
        lookalike, chunk = latin != chunk, latin
        core = re.sub(_EDGES, "", chunk)
        exclaimed = "!" in chunk[chunk.rfind(core[-1:]) + 1:] if core else False
        if len(core) == 1:
            letters.append(core)
            continue
        end_letters()
        if not core:
            continue
        pieces = _PIECE.findall(core)
        for part in pieces:
            word = _deleet(part.strip(_MASKS))
            if word and not word.isdigit():
                words.append(_Token(word, lookalike or word != part or any(m in word for m in _MASKS)))
        if len(pieces) > 1:
            glued = _deleet("".join(pieces))
            if _LETTER.search(glued):
                joined.append(_Token(glued, True))
        if words and exclaimed:
            words[-1].exclaimed = True
    end_letters()
    return words, joined


class Lexicon:
    """The words to find, indexed by spelling and by spelling with repeated letters collapsed."""

    def __init__(self, extra: tuple[str, ...] = ()):
        self.spellings: dict[str, tuple[str, str]] = {}  # spelling -> (word, kind)
        self.collapsed: dict[str, tuple[str, str]] = {}
        self.phrases: list[tuple[str, ...]] = []
        self.innocent = [tuple(_deleet(part) for part in normalise(phrase).split()) for phrase in lexicon.INNOCENT_PHRASES]
        for kind, words in ((CONTEXTUAL, lexicon.CONTEXTUAL), (ABUSIVE, lexicon.ABUSIVE + lexicon.ENGLISH)):
            for word in words:
                self._add(word, word, kind)
        for word, spellings in lexicon.SPELLINGS.items():
            for spelling in spellings:  # an abbreviation is never the literal word
                self._add(spelling, word, ABUSIVE)
        for phrase in lexicon.PHRASES + extra:
            parts = tuple(normalise(phrase).split())
            if len(parts) > 1:
                self.phrases.append(parts)
            elif parts:
                self._add(parts[0], parts[0], ABUSIVE)
        self.literal = frozenset(lexicon.LITERAL_CONTEXT)
        self.before = frozenset(lexicon.INSULT_BEFORE)
        self.after = frozenset(lexicon.INSULT_AFTER)
        self.masked = [(spelling, entry) for spelling, entry in self.spellings.items()]

    def _add(self, spelling: str, word: str, kind: str) -> None:
        spelling = normalise(spelling)
        self.spellings[spelling] = (word, kind)
        folded = _collapse(spelling)
        if len(spelling) >= 4 and len(folded) >= 3:  # "cook" is not "cok", nor "taii" "tai"
            self.collapsed.setdefault(folded, (word, kind))

    def lookup(self, word: str) -> tuple[str, str, bool] | None:
        """(word, kind, disguised) for a token, or None: its spelling, then collapsed, masked, inflected."""
        if word in self.spellings:
            return (*self.spellings[word], False)
        if any(mask in word for mask in _MASKS):
            return self._masked(word)
        folded = _collapse(word)
        if folded in self.collapsed:
            return (*self.collapsed[folded], True)
        for suffix in lexicon.SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3:
                found = self.spellings.get(stem) or self.collapsed.get(_collapse(stem))
                if found:
                    return (*found, False)
        return None

    def _masked(self, word: str) -> tuple[str, str, bool] | None:
        """A word with letters masked ("b*ngs*t"): each mask stands for at most one letter."""
        masks = sum(word.count(mask) for mask in _MASKS)
        if len(word) > 24 or masks > 3 or len(word) - masks < 3:  # bounded: masks could match in many ways
            return None
        pattern = re.compile("".join("[a-z]?" if ch in _MASKS else re.escape(ch) for ch in word))
        for spelling, entry in self.masked:
            if pattern.fullmatch(spelling):
                return (*entry, True)
        return None


@lru_cache(maxsize=16)
def _lexicon(extra: tuple[str, ...]) -> Lexicon:
    return Lexicon(extra)


def _split_words(extra: str | Iterable[str] | None) -> tuple[str, ...]:
    if not extra:
        return ()
    if isinstance(extra, str):
        extra = extra.split(",")
    return tuple(word.strip() for word in extra if word and word.strip())


def blocked_words(extra: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The built-in abusive words and phrases plus `extra` ones (the contextual words are not listed)."""
    return lexicon.ABUSIVE + lexicon.ENGLISH + lexicon.PHRASES + _split_words(extra)


def find_blocked(text: str, extra: str | Iterable[str] | None = None) -> list[str]:
    """The words and phrases found in `text` (as the lexicon spells them), in order of appearance."""
    found: list[str] = []
    lex = _lexicon(_split_words(extra))
    words, joined = tokens(text)
    keys = [word.word for word in words]
    innocent = {index for phrase in lex.innocent for start in _occurrences(keys, phrase)
                for index in range(start, start + len(phrase))}
    matches = [None if index in innocent else lex.lookup(key) for index, key in enumerate(keys)]
    for index, match in enumerate(matches):
        if match and (match[1] == ABUSIVE or _insulting(lex, words, matches, index, match[2])):
            found.append(match[0])
    for token in joined:
        match = lex.lookup(token.word)
        if match:
            found.append(match[0])
    collapsed = [_collapse(key) for key in keys]
    for phrase in lex.phrases:
        for _start in _occurrences(collapsed, tuple(_collapse(part) for part in phrase)):
            found.append(" ".join(phrase))
    return found


def _occurrences(keys: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Where the words of `phrase` follow one another in `keys`."""
    size = len(phrase)
    return [start for start in range(len(keys) - size + 1) if tuple(keys[start:start + size]) == phrase]


def contains_blocked(text: str, extra: str | Iterable[str] | None = None) -> bool:
    """Whether `text` contains abuse the word filter sends to the queue."""
    return bool(find_blocked(text, extra))


def _insulting(lex: Lexicon, words: list[_Token], matches: list, index: int, collapsed: bool) -> bool:
    """Whether a contextual word is used as an insult: disguised, or framed as one, and not near its literal use."""
    if collapsed or words[index].disguised:
        return True
    near = words[max(0, index - _WINDOW): index + _WINDOW + 1]
    if any(token.word in lex.literal for token in near):
        return False
    if len(words) == 1 or words[index].exclaimed:
        return True
    if any(matches[i] for i in (index - 1, index + 1) if 0 <= i < len(matches)):
        return True  # next to another insult: "tai anjing", "monyet babi"
    before = {token.word for token in words[max(0, index - 2): index]}
    after = words[index + 1].word if index + 1 < len(words) else None
    return bool(before & lex.before) or after in lex.after
