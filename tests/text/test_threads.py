"""Rendering from many threads at once gives exactly what one thread gives."""

from __future__ import annotations

import random
import sys
import threading

from portal import text

THREADS = 16
PER_THREAD = 600


def _texts(corpus: list[str]) -> list[str]:
    mixed = [
        "Balasan **tebal** dengan https://medan.go.id/data dan `<kode>`\n\n> kutipan\n\n- satu\n- dua",
        "```\n<h1>Judul</h1>\n```\n\n    <b>indentasi</b>\n\n[tautan](https://bkpsdm.pemkomedan.go.id)",
        "[" * 300 + "*_" * 200 + "<" * 100,
    ]
    return corpus + mixed


def test_many_threads_render_every_text_as_one_thread_does(corpus):
    texts = _texts(corpus)
    expected = [text.render(source) for source in texts]
    start = threading.Barrier(THREADS)
    wrong: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            order = random.Random(seed).sample(range(len(texts)), PER_THREAD)
            start.wait(timeout=30)
            for n in order:
                got = text.render(texts[n])
                if got != expected[n]:
                    wrong.append((n, got))
        except BaseException as error:  # reported below
            errors.append(error)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the interpreter from thread to thread as often as it can
    try:
        threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    assert wrong == [], f"{len(wrong)} renders differ from the one-thread result, e.g. {texts[wrong[0][0]]!r}"
