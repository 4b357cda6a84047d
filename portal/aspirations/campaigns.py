"""Campaigns: identical or near-identical contributions (a form letter, a copy-paste
campaign with small edits) found with MinHash/LSH (datasketch).

A text is normalised (Unicode NFKC, lower case, punctuation and the usual greetings
and closings dropped), cut into sentences, and each sentence into character 5-grams
that never cross a sentence boundary: reordering the sentences leaves the shingles as
they were, a typo breaks only the few shingles around it, and an added greeting is
dropped or adds only a few shingles. LSH proposes candidate pairs; each pair is then
checked by the Jaccard similarity of the two shingle sets, and the pairs that pass are
joined into groups. Texts too short to tell a copy from a coincidence ("Setuju.")
are never grouped.

`group(texts)` is pure: the same texts give the same groups (fixed MinHash seed).
"""

from __future__ import annotations

import re
import zlib
import unicodedata

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1
SHINGLE = 5  # characters per shingle
LSH_THRESHOLD = 0.4  # candidate pairs: estimated Jaccard about this or more
MIN_JACCARD = 0.55  # a candidate pair is a copy when its shingle sets overlap this much
MIN_WORDS = 6  # shorter texts are never grouped
MAX_CHARS = 20_000  # only the start of a very long text is read

# Words that open or close a message whatever it says; dropped at the start and end of
# every sentence (and whole sentences made only of them), in any spelling seen in practice.
GREETING_WORDS = frozenset("""
assalamualaikum assalamu asalamualaikum asslamualaikum assalamualaikkum assalammualaikum
alaikum alaikom warahmatullahi warohmatullahi wabarakatuh wabarokatuh wr wb wrwb
wassalamualaikum wassalam wasalam salam sejahtera hormat sehat kenal kebajikan
om swastyastu shalom namo buddhaya selamat pagi siang sore malam halo hallo helo hai hi
yth ykh kepada yang terhormat bapak ibu bpk bapak2 ibu2 pak bu saudara saudari sekalian
dengan terima kasih terimakasih trimakasih makasih trims thanks tks atas perhatiannya
perhatian nya semua kita untuk bagi dan salamku mohon maaf
""".split())

_SENTENCE = re.compile(r"[.!?;:\n\r]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> list[str]:
    """The text's sentences, each as its words in lower case without greetings."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS]).casefold()
    sentences = []
    for part in _SENTENCE.split(text):
        words = [word for word in _WORD.findall(part) if not word.isdigit() or len(word) > 1]
        while words and words[0] in GREETING_WORDS:
            words.pop(0)
        while words and words[-1] in GREETING_WORDS:
            words.pop()
        if words:
            sentences.append(" ".join(words))
    return sentences


def shingles(text: str) -> set[str]:
    """Character shingles of each sentence; empty when the text is too short to group."""
    sentences = normalise(text)
    if sum(sentence.count(" ") + 1 for sentence in sentences) < MIN_WORDS:
        return set()
    found: set[str] = set()
    for sentence in sentences:
        padded = f" {sentence} "
        if len(padded) <= SHINGLE:
            found.add(padded)
            continue
        found.update(padded[i:i + SHINGLE] for i in range(len(padded) - SHINGLE + 1))
    return found


def jaccard(a: set, b: set) -> float:
    """|a & b| / |a | b| (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group(texts: dict[int, str]) -> list[list[int]]:
    """Groups (two or more) of ids whose texts are near-identical, each ordered with its
    representative (the lowest id, the first written) first; groups ordered by that id."""
    sets = {key: shingles(text) for key, text in texts.items()}
    sets = {key: value for key, value in sets.items() if value}
    if len(sets) < 2:
        return []
    keys = sorted(sets)
    hashes = MinHash.bulk(
        [[s.encode("utf-8") for s in sorted(sets[key])] for key in keys],
        num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32,
    )
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    parent = {key: key for key in keys}

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key, minhash in zip(keys, hashes, strict=True):
        for other in lsh.query(minhash):
            a, b = root(key), root(other)
            if a != b and jaccard(sets[key], sets[other]) >= MIN_JACCARD:
                parent[max(a, b)] = min(a, b)
        lsh.insert(key, minhash)
    groups: dict[int, list[int]] = {}
    for key in keys:
        groups.setdefault(root(key), []).append(key)
    return sorted((members for members in groups.values() if len(members) > 1), key=lambda g: g[0])
