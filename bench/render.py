"""Rendering benchmark (prints figures; not a test).

Measures portal.text.render (markdown-it-py + nh3) in microseconds per KB of
text on:
  1. normal text: the demo draft policies' articles, paragraphs of Indonesian
     sentences from ../shared/corpora/indonesian/ with Markdown in them, and
     the naughty strings and XSS payloads of ../shared/corpora/;
  2. adversarial text of --size characters ("[" x 20,000 made a thread take
     45 s per view with the former Python-Markdown + bleach renderer);
  2b. the sanitising of stored HTML that every view still does (nh3);
  3. a forum thread page with --replies replies, one of them "[" x --size,
     served from the stored HTML, and with every post re-rendered on each
     view (as before stored HTML, with today's renderer).
With --old, the former renderer (Python-Markdown 3 + bleach, when still
installed) is measured beside it on the normal text and on adversarial text
of --old-size characters (it is quadratic: keep that small).

Run:  .venv/bin/python bench/render.py [--size 20000] [--replies 50] [--old] [--old-size 5000]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"

ADVERSARIAL = {
    "[ x n": lambda n: "[" * n,
    "![ x n/2": lambda n: "![" * (n // 2),
    "* x n": lambda n: "*" * n,
    "nested > x n": lambda n: ">" * n + " a",
    "` runs of every length": lambda n: "".join("e" + "`" * i for i in range(int((2 * n) ** 0.5))),
    "< x n": lambda n: "<" * n,
    "[a](b) chain": lambda n: "[a](b)" * (n // 6),
    "unclosed [a](b": lambda n: "[a](b" * (n // 5),
    "*a **a nesting": lambda n: "*a **a " * (n // 14) + "b" + " a** a*" * (n // 14),
    "bare links": lambda n: "http://a.id " * (n // 12),
    "a:// x n/4": lambda n: "a://" * (n // 4),
}


def normal_texts() -> dict[str, list[str]]:
    """Realistic inputs, by kind."""
    from portal.proposals.articles import parse_articles

    articles = []
    for path in sorted((ROOT / "portal" / "demo" / "policies").glob("*.md")):
        articles += [article.body for article in parse_articles(path.read_text(encoding="utf-8"))]
    sentences = []
    with (CORPORA / "indonesian" / "smsa" / "train_preprocess.tsv").open(encoding="utf-8") as handle:
        sentences = [row[0] for row in csv.reader(handle, delimiter="\t")][:3000]
    replies = []
    for n in range(0, len(sentences) - 6, 6):
        first, second, third, fourth, fifth, sixth = sentences[n:n + 6]
        replies.append(f"{first} **{second}**\n\n> {third}\n\n- {fourth}\n- *{fifth}* https://medan.go.id/p/{n}\n\n{sixth}")
    naughty = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    naughty += (CORPORA / "xss" / "payloads.txt").read_text(encoding="utf-8").split("\n")
    return {"policy articles": articles, "forum replies (SmSA)": replies, "naughty + XSS": [t for t in naughty if t]}


def old_renderer():
    """The former renderer, when Python-Markdown and bleach are still installed."""
    try:
        import bleach
        import markdown
    except ImportError:
        return None
    from portal.text import ALLOWED_PROTOCOLS, ALLOWED_TAGS

    class NoRawHtml(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")

    cleaner = bleach.sanitizer.Cleaner(tags=ALLOWED_TAGS, attributes={"a": ["href", "title", "rel"], "ol": ["start"]},
                                       protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True, filters=[])
    linker = bleach.linkifier.Linker(skip_tags={"pre", "code"})

    def render(text: str) -> str:
        html = markdown.markdown(text, extensions=["sane_lists", NoRawHtml()], output_format="html")
        return linker.linkify(cleaner.clean(html))

    return render


def cost(render, texts: list[str], rounds: int = 3) -> tuple[float, float]:
    """(microseconds per KB, KB) over `texts`, best of `rounds`."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1024
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for t in texts:
            render(t)
        best = min(best, time.perf_counter() - started)
    return best / size * 1e6, size


def thread_page(size: int, replies: int, views: int) -> None:
    """Median time of a thread page from stored HTML, and re-rendering every post on each view."""
    from sqlalchemy import update

    from portal import create_app
    from portal.accounts.models import Consent, User
    from portal.extensions import db
    from portal.forums import services
    from portal.contributions.models import Contribution

    texts = normal_texts()["forum replies (SmSA)"]
    with tempfile.TemporaryDirectory(prefix="render-bench-") as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db", "INSTANCE_PATH": instance,
                          "MODERATION_PREMODERATE_FIRST_N": 0, "FORUM_PAGE_SIZE": replies + 10}, env="testing")
        with app.app_context():
            db.create_all()
            people = []
            for role, name in (("moderator", "Moderator"), ("citizen", "Warga"), ("citizen", "Warga Dua")):
                user = User(email=f"{name.replace(' ', '').lower()}@bench.id", display_name=name,
                            password_hash="x", role=role)
                user.consents.append(Consent(notice_version=app.config["PRIVACY_NOTICE_VERSION"]))
                db.session.add(user)
                people.append(user)
            db.session.commit()
            category = services.create_category(people[0], "Umum", "Bench.")
            thread = services.start_thread(people[1], category, "Utas bench", texts[0])
            for n in range(replies - 1):
                services.reply(people[1 + n % 2], thread, texts[(n + 1) % len(texts)])
            services.reply(people[2], thread, "[" * size)
            ids = [post.id for post in thread.posts]
            url = f"/forum/t/{thread.id}"
            client = app.test_client()

            def timed(stale: bool) -> float:
                samples = []
                for _ in range(views):
                    if stale:  # the response is not closed, so nothing is written back
                        db.session.execute(update(Contribution).where(Contribution.id.in_(ids)).values(html_version="x"))
                        db.session.commit()
                    started = time.perf_counter()
                    response = client.get(url)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200
                return statistics.median(samples)

            client.get(url).close()
            stored, rerendered = timed(False), timed(True)
        print(f"\nThread page, {replies} posts, one of them '[' x {size:,}: median of {views} views")
        print(f"  from stored HTML:                  {stored * 1000:8.1f} ms")
        print(f"  re-rendering every post each view: {rerendered * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="characters of each adversarial text")
    parser.add_argument("--replies", type=int, default=50, help="posts in the benchmarked thread")
    parser.add_argument("--views", type=int, default=10, help="page views measured per mode")
    parser.add_argument("--old", action="store_true", help="measure the former renderer too")
    parser.add_argument("--old-size", type=int, default=5_000, help="characters of adversarial text for --old")
    args = parser.parse_args()

    from portal import text

    old = old_renderer() if args.old else None
    if args.old and old is None:
        print("(the former renderer needs Markdown and bleach installed: skipped)")
    print(f"Python {platform.python_version()} on {platform.machine()}, renderer {text.VERSION}")
    print("\nNormal text (best of 3)                    KB     us/KB" + ("    old us/KB" if old else ""))
    for kind, texts in normal_texts().items():
        per_kb, size = cost(text.render, texts)
        line = f"  {kind:36s} {size:8.1f} {per_kb:9.0f}"
        if old:
            line += f" {cost(old, texts, rounds=1)[0]:12.0f}"
        print(line)

    replies = normal_texts()["forum replies (SmSA)"]
    stored = [text.render_html(t) for t in replies]
    per_kb, size = cost(text.stored, stored)
    print(f"  {'stored HTML sanitised on a view':36s} {size:8.1f} {per_kb:9.0f}   (per KB of HTML)")

    print(f"\nAdversarial text, {args.size:,} characters (best of 3)  ms   us/KB  x for 2n")
    for name, make in ADVERSARIAL.items():
        per_kb, size = cost(text.render, [make(args.size)])
        double = cost(text.render, [make(2 * args.size)])
        growth = double[0] * double[1] / (per_kb * size)
        print(f"  {name:36s} {per_kb * size / 1000:7.1f} {per_kb:7.0f} {growth:8.2f}")
    if old:
        print(f"\nFormer renderer, adversarial text of {args.old_size:,} characters: ms (x for 2n)")
        for name in ("[ x n", "![ x n/2", "unclosed [a](b"):
            make = ADVERSARIAL[name]
            single = cost(old, [make(args.old_size)], rounds=1)
            double = cost(old, [make(2 * args.old_size)], rounds=1)
            print(f"  {name:36s} {single[0] * single[1] / 1000:9.1f} ({double[0] * double[1] / (single[0] * single[1]):.2f})")

    thread_page(args.size, args.replies, args.views)


if __name__ == "__main__":
    main()
