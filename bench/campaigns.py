"""How well portal.aspirations.campaigns finds a copy-paste campaign.

A campaign of 300 near-copies of one form letter (typos, greetings added or changed,
sentences reordered, a word dropped) is mixed with 1,000 distinct contributions (texts
of the Indonesian SmSA set in ../shared/corpora/indonesian/, at least 12 words each,
duplicates removed). Prints the share of copies grouped together (target >= 95%), the
number of distinct contributions wrongly grouped with anything (target 0), and the time.

    .venv/bin/python bench/campaigns.py [--corpus DIR] [--copies 300] [--distinct 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.aspirations import campaigns  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "indonesian"

LETTER = [
    "Kami warga Kecamatan Medan Deli menolak pengurangan formasi guru SD dalam rancangan analisis kebutuhan ini",
    "Jumlah murid di sekolah kami terus bertambah setiap tahun sementara guru yang pensiun tidak diganti",
    "Kami meminta Pemerintah Kota menghitung ulang beban kerja guru berdasarkan data murid tahun ini",
    "Pasal 5 harus menyebut bahwa formasi guru tidak boleh dikurangi sebelum kajian selesai",
    "Kami juga meminta agar tenaga honorer yang sudah lama mengabdi diprioritaskan",
]
GREETINGS = [
    "Assalamualaikum wr. wb.", "Assalamu'alaikum warahmatullahi wabarakatuh,", "Selamat pagi Bapak/Ibu,",
    "Yth. Bapak Wali Kota,", "Salam sejahtera untuk kita semua.", "Halo,", "Dengan hormat,", "Selamat siang.",
]
CLOSINGS = ["Terima kasih.", "Terimakasih atas perhatiannya.", "Wassalamualaikum wr wb.", "Hormat kami,",
            "Salam.", "Trims.", ""]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    action = rng.choice(("swap", "drop", "double", "replace"))
    if action == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if action == "drop":
        return word[:i] + word[i + 1:]
    if action == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aiueoknmrst") + word[i + 1:]


def near_copy(rng: random.Random) -> str:
    sentences = [s.split() for s in LETTER]
    if rng.random() < 0.7:
        rng.shuffle(sentences)
    if rng.random() < 0.3:
        sentences.pop(rng.randrange(len(sentences)))  # one sentence left out
    words = [(si, wi) for si, s in enumerate(sentences) for wi in range(len(s))]
    for si, wi in rng.sample(words, rng.randint(1, 6)):
        sentences[si][wi] = typo(sentences[si][wi], rng)
    if rng.random() < 0.3:
        si = rng.randrange(len(sentences))
        sentences[si].pop(rng.randrange(len(sentences[si])))  # a word dropped
    body = " ".join(" ".join(s) + rng.choice((".", ".", "!", "")) for s in sentences)
    if rng.random() < 0.2:
        body = body.lower()
    opening = rng.choice(GREETINGS) + " " if rng.random() < 0.7 else ""
    return (opening + body + " " + rng.choice(CLOSINGS)).strip()


def distinct_texts(corpus: Path, n: int, rng: random.Random) -> list[str]:
    seen, texts = set(), []
    for path in sorted((corpus / "smsa").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.rsplit("\t", 1)[0].strip()
            key = " ".join(text.lower().split())
            if len(text.split()) >= 12 and key not in seen:
                seen.add(key)
                texts.append(text)
    rng.shuffle(texts)
    return texts[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    distinct = distinct_texts(args.corpus, args.distinct, rng)
    texts = {i + 1: text for i, text in enumerate(distinct)}
    copy_ids = set()
    for _ in range(args.copies):
        key = len(texts) + 1
        texts[key] = near_copy(rng)
        copy_ids.add(key)
    order = list(texts.items())
    rng.shuffle(order)  # the campaign's copies arrive among the others, not after them
    shuffled = {new + 1: text for new, (_, text) in enumerate(order)}
    copy_ids = {new + 1 for new, (old, _) in enumerate(order) if old in copy_ids}

    started = time.perf_counter()
    groups = campaigns.group(shuffled)
    elapsed = time.perf_counter() - started

    best = max(groups, key=lambda g: len(copy_ids.intersection(g)), default=[])
    grouped_copies = len(copy_ids.intersection(best))
    wrongly = sorted({key for g in groups for key in g if key not in copy_ids})
    print(f"texts: {len(shuffled)} ({len(distinct)} distinct + {len(copy_ids)} near-copies), seed {args.seed}")
    print(f"groups found: {len(groups)}; largest campaign group: {len(best)}")
    print(f"copies grouped together: {grouped_copies}/{len(copy_ids)} = {grouped_copies / max(len(copy_ids), 1):.1%}"
          " (target >= 95%)")
    print(f"distinct contributions wrongly grouped: {len(wrongly)} (target 0)")
    print(f"time: {elapsed:.2f} s for {len(shuffled)} texts")
    for key in wrongly[:5]:
        print("  wrongly grouped:", shuffled[key][:120])


if __name__ == "__main__":
    main()
