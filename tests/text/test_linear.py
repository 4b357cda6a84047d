"""Rendering takes time linear in the text, even for text written to make it slow.

Counted in Python function calls (sys.setprofile sees every call, into C
too), never timed: twice the text may cost at most 2.5 times the calls, and
no text may cost more than a fixed number of calls per character. What one
call into C does is not counted (a str.count or a regular expression over
the whole text in a loop would pass): portal/text.py scans the text once,
and bench/render.py prints the measured time for n and 2n characters. The inputs
follow cmark's pathological tests (test/pathological_tests.py) and the
reports of issue 8 ("[" x 20,000 took 45 s per view with Python-Markdown).
"""

from __future__ import annotations

import sys

import pytest

from portal import text

SIZE = 10_000
MAX_GROWTH = 2.5  # calls for 2n characters / calls for n
MAX_CALLS_PER_CHAR = 200
MAX_OUTPUT_PER_CHAR = 12  # HTML characters per character of text

ADVERSARIAL = {
    "opening brackets": lambda n: "[" * n,
    "image openers": lambda n: "![" * (n // 2),
    "stars": lambda n: "*" * n,
    "underscores": lambda n: "_" * n,
    "nested strong and emphasis": lambda n: "*a **a " * (n // 14) + "b" + " a** a*" * (n // 14),
    "emphasis closers without openers": lambda n: "a_ " * (n // 3),
    "emphasis openers without closers": lambda n: "_a " * (n // 3),
    "mismatched emphasis": lambda n: "*a_ " * (n // 4),
    "openers and closers multiple of 3": lambda n: "a**b" + "c* " * (n // 3),
    "link closers without openers": lambda n: "a]" * (n // 2),
    "link openers without closers": lambda n: "[a" * (n // 2),
    "nested brackets": lambda n: "[" * (n // 2) + "a" + "]" * (n // 2),
    "unclosed link destinations": lambda n: "[a](b" * (n // 5),
    "unclosed pointy destinations": lambda n: "[a](<b" * (n // 6),
    "unclosed link titles": lambda n: '[a](b "' * (n // 6),
    "link chain": lambda n: "[a](b)" * (n // 6),
    "reference definitions": lambda n: "".join(f"[{i}]: /u{i}\n" for i in range(n // 10)),
    "unclosed reference definitions": lambda n: "[a]: <" * (n // 6),
    "nested quotes on one line": lambda n: ">" * n + " a",
    "nested quotes on many lines": lambda n: "\n".join("> " * 30 + "a" for _ in range(n // 62)),
    "nested lists": lambda n: "\n".join("  " * (i % 40) + "* a" for i in range(n // 44)),
    "list markers": lambda n: "* " * (n // 2),
    "ordered list markers": lambda n: "1. " * (n // 3),
    "quote and list markers": lambda n: "> * " * (n // 4),
    "backtick runs of every length": lambda n: "".join("e" + "`" * i for i in range(int((2 * n) ** 0.5))),
    "one backtick run": lambda n: "`" * n,
    "fence openers": lambda n: "```\n" * (n // 4),
    "tildes": lambda n: "~" * n,
    "less-than signs": lambda n: "<" * n,
    "empty tags": lambda n: "<>" * (n // 2),
    "unclosed tags": lambda n: "<a" * (n // 2),
    "unclosed autolinks": lambda n: "<http://" * (n // 8),
    "autolinked addresses": lambda n: "<a@b.id>" * (n // 8),
    "backslashes": lambda n: "\\" * n,
    "ampersands": lambda n: "&" * n,
    "entity openers": lambda n: "&#" * (n // 2),
    "setext underline": lambda n: "a\n" + "=" * n,
    "short lines": lambda n: "a\n" * (n // 2),
    "bare links": lambda n: "http://a.id " * (n // 12),
    "glued bare links": lambda n: "http://a.id/" * (n // 12),
    "scheme-like words": lambda n: "a://" * (n // 4),
    "www runs": lambda n: "www." * (n // 4),
    "closing parentheses after a link": lambda n: "http://a.id/" + ")" * n,
    "long host": lambda n: "http://" + "a" * n + ".id",
}


def calls(source: str) -> int:
    """Python function calls (and calls into C) made while rendering `source`."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        text.render(source)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_text_renders_in_linear_time_and_size(make):
    text.render("warm up *the* parser of this thread: https://a.id")
    small, large = make(SIZE), make(2 * SIZE)
    assert len(large) >= 1.9 * len(small)
    small_calls, large_calls = calls(small), calls(large)
    assert large_calls <= MAX_GROWTH * small_calls + 1000, (small_calls, large_calls)
    assert large_calls <= MAX_CALLS_PER_CHAR * len(large), large_calls / len(large)
    assert len(text.render(large)) <= MAX_OUTPUT_PER_CHAR * len(large) + 100
