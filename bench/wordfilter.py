"""How well the word filter finds abusive and hateful Indonesian text.

Data (not shipped with the portal; licensed CC BY-NC-SA 4.0): the labelled
tweets of

    Muhammad Okky Ibrohim and Indra Budi. 2019. Multi-label Hate Speech and
    Abusive Language Detection in Indonesian Twitter. In Proceedings of the
    Third Workshop on Abusive Language Online (ALW3), 46-57, Florence.
    https://aclanthology.org/W19-3506  doi:10.18653/v1/W19-3506
    re_dataset.csv from github.com/okkyibrohim/id-multi-label-hate-speech-and-abusive-language-detection

A tweet counts as positive when it is labelled hate speech (HS) or abusive
(Abusive). The tweets are split in two halves by a hash of their text, so a
tweet posted twice lands in one half only: the lexicon and its rules were
chosen on the "dev" half; the "held-out" half was used only to report.
Both filters are measured on both halves; the held-out figures are the ones
to quote.

    .venv/bin/python bench/wordfilter.py path/to/re_dataset.csv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.contributions import wordlist  # noqa: E402

# The filter before this change (portal/moderation/wordlist.py at d232793), for comparison.
OLD_WORDS = (
    "bajingan", "bangsat", "brengsek", "kampret", "keparat", "goblok", "goblog", "tolol",
    "kontol", "memek", "ngentot", "entot", "jancok", "jancuk", "dancok", "asu", "pelacur",
    "lonte", "pantek", "pukimak", "puki mak", "kimak", "cibai", "bodat", "perek", "ngewe",
    "bencong", "fuck", "fucker", "fucking", "fucked", "motherfucker", "shit", "bullshit", "bitch",
    "bastard", "asshole", "cunt", "dickhead", "whore", "slut", "retard", "nigger", "faggot",
)


def _old_normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in {"Cf", "Mn", "Me"}).casefold()


_OLD = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted((r"\s+".join(map(re.escape, w.split())) for w in OLD_WORDS), key=len, reverse=True))
    + r")(?!\w)"
)


def old_filter(text: str) -> bool:
    """The previous word filter: 44 words, whole words, no spelling variants."""
    return _OLD.search(_old_normalise(text)) is not None


def new_filter(text: str) -> bool:
    """The word filter the portal runs now."""
    return wordlist.contains_blocked(text)


def decode(raw: str) -> str:
    """The tweet as written: the file keeps non-ASCII text as literal \\xNN escapes of its UTF-8 bytes."""
    def from_escapes(match: re.Match) -> str:
        data = bytes(int(code, 16) for code in re.findall(r"\\x([0-9a-fA-F]{2})", match.group(0)))
        return data.decode("utf-8", "replace")

    return re.sub(r"(?:\\x[0-9a-fA-F]{2})+", from_escapes, raw).replace("\\n", "\n")


def load(path: Path) -> dict[str, list[tuple[str, bool]]]:
    """The tweets of each half, with whether each is hateful or abusive."""
    halves: dict[str, list[tuple[str, bool]]] = {"dev": [], "held-out": []}
    with path.open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle):
            raw = row["Tweet"]
            half = "dev" if hashlib.sha256(raw.encode()).digest()[0] % 2 == 0 else "held-out"
            halves[half].append((decode(raw), row["HS"] == "1" or row["Abusive"] == "1"))
    return halves


def measure(flags, rows: list[tuple[str, bool]]) -> dict[str, float]:
    """Recall, precision and false-alarm rate of `flags` over labelled rows, and its speed."""
    tp = fp = fn = tn = 0
    start = time.perf_counter()
    for text, positive in rows:
        hit = flags(text)
        tp += hit and positive
        fp += hit and not positive
        fn += positive and not hit
        tn += not hit and not positive
    seconds = time.perf_counter() - start
    return {
        "recall": tp / (tp + fn), "precision": tp / (tp + fp) if tp + fp else 0.0,
        "false alarms": fp / (fp + tn), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "per_second": len(rows) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="re_dataset.csv of Ibrohim & Budi (2019)")
    args = parser.parse_args()
    if not args.dataset.is_file():
        parser.error(f"{args.dataset} is not a file")
    halves = load(args.dataset)
    print("Data: Ibrohim & Budi (2019), Multi-label Hate Speech and Abusive Language Detection in")
    print("Indonesian Twitter, ALW3, doi:10.18653/v1/W19-3506 (CC BY-NC-SA 4.0); positive = HS or Abusive.")
    for half in ("dev", "held-out"):
        rows = halves[half]
        positives = sum(positive for _, positive in rows)
        print(f"\n{half} half: {len(rows)} tweets, {positives} hateful or abusive, {len(rows) - positives} clean")
        print(f"  {'filter':<8} {'recall':>7} {'precision':>10} {'false alarms':>13}  {'tweets/s':>9}")
        for name, flags in (("old", old_filter), ("new", new_filter)):
            m = measure(flags, rows)
            print(f"  {name:<8} {m['recall']:>7.1%} {m['precision']:>10.1%} {m['false alarms']:>13.1%}  "
                  f"{m['per_second']:>9,.0f}   (tp {m['tp']}, fp {m['fp']}, fn {m['fn']}, tn {m['tn']})")
    print("\nThe lexicon and its rules were chosen on the dev half; quote the held-out figures.")


if __name__ == "__main__":
    main()
