"""A forum thread read by many visitors at once on the threaded server: nobody
sees a reply that waits for moderation, nobody gets a 500, and every post
shows exactly as it renders alone."""

from __future__ import annotations

import re
import threading
import urllib.request
from itertools import count

from sqlalchemy import update

from portal import text
from portal.extensions import db
from portal.forums import services
from portal.contributions.models import Contribution

from tests.conftest import corpus_texts

CLIENTS = 16
VIEWS_EACH = 15
SECRET = "RAHASIA-MENUNGGU-MODERASI"
BODY = re.compile(r'<div class="post__body"[^>]*>(.*?)</div>', re.S)


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_parallel_visitors_never_see_a_pending_reply_nor_a_500(
    app, live_server, make_thread, make_user, citizen, member
):
    app.config["FORUM_PAGE_SIZE"] = 100
    samples = [body for body in corpus_texts() if "\x00" not in body and body.strip() and len(body) < 2000]
    thread = make_thread(body="Pembuka utas dengan **tebal** dan https://medan.go.id")
    for n, body in enumerate(samples[::60][:40]):
        services.reply((citizen, member)[n % 2], thread, f"{n}. {body}")
    expected = [text.render(post.body) for post in thread.posts]

    # A new account whose replies wait for a moderator, holding the secret.
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 10**6
    newcomer = make_user(display_name="Akun Baru")
    services.reply(newcomer, thread, f"**{SECRET}** pertama <b>mentah</b> https://rahasia.example")
    thread_id, newcomer_id = thread.id, newcomer.id
    post_ids = [post.id for post in thread.posts]
    User, Thread = type(newcomer), type(thread)
    db.session.remove()

    stop = threading.Event()
    errors: list[BaseException] = []
    numbers = count(1)

    def keep_writing_the_secret() -> None:
        # Each of the newcomer's replies is rendered while the pages are rendered for others.
        with app.app_context():
            while not stop.is_set():
                author, target = db.session.get(User, newcomer_id), db.session.get(Thread, thread_id)
                services.reply(author, target, f"{SECRET} nomor {next(numbers)}: *miring* [tautan](https://rahasia.example)")
                db.session.remove()

    def keep_the_stored_html_stale() -> None:
        # As after an upgrade of the renderer: every view renders every post again. Rows in id
        # order, as the write-backs take them, so PostgreSQL never sees a deadlock.
        with app.app_context():
            while not stop.is_set():
                for ident in sorted(post_ids):
                    db.session.execute(update(Contribution).where(Contribution.id == ident).values(html_version="old"))
                db.session.commit()
                stop.wait(0.02)

    results: list[tuple[int, str]] = []
    start = threading.Barrier(CLIENTS)

    def visitor() -> None:
        start.wait(timeout=30)
        for _ in range(VIEWS_EACH):
            results.append(_fetch(f"{live_server}/forum/t/{thread_id}"))

    def guarded(work):
        def run() -> None:
            try:
                work()
            except BaseException as error:  # reported below, so a failing thread fails the test
                errors.append(error)
        return run

    writers = [threading.Thread(target=guarded(work)) for work in (keep_writing_the_secret, keep_the_stored_html_stale)]
    visitors = [threading.Thread(target=guarded(visitor)) for _ in range(CLIENTS)]
    for worker in writers + visitors:
        worker.start()
    for worker in visitors:
        worker.join(timeout=300)
    stop.set()
    for worker in writers:
        worker.join(timeout=60)

    assert errors == []
    assert len(results) == CLIENTS * VIEWS_EACH
    assert [status for status, _page in results if status != 200] == []
    assert [n for n, (_status, page) in enumerate(results) if SECRET in page or "rahasia.example" in page] == []
    shown = [str(html) for html in expected]
    assert [n for n, (_status, page) in enumerate(results) if BODY.findall(page) != shown] == [], (
        "every view shows every published post exactly as it renders alone"
    )
    with app.app_context():
        written = db.session.query(Contribution).filter(Contribution.body.contains(SECRET)).count()
    assert written > 1, "the newcomer kept writing during the views"
