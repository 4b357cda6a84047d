"""Locust users of bench/load.py: the day a draft opens (run by bench/load.py, not by hand).

Each simulated user signs in with its own seeded account from its own address (X-Forwarded-For,
trusted by the bench's app servers as from a proxy in front of the load balancer), then reads,
searches, comments, flags and (members of verified organisations) sends formal submissions with
a PDF attached, pausing 5-15 s between actions (reading a page). Every contribution carries a unique word; the words
of those that got a success answer are written to LOAD_RESULTS for the check afterwards.

Every answer is classified: right (the status and content the page should have), a clean retry
page (503 with Retry-After and "try again" in words), or an error (a 500 or any other status, a
cut or reset connection, a timeout, a page without what it should show, a signed-out redirect).
After a retry page the user does what the page says: waits Retry-After seconds and sends the same
request again (the same form), up to RETRIES times; the action's final result is recorded too.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import time

from locust import HttpUser, between, events, task

SETTINGS = json.loads(open(os.environ["LOAD_SETTINGS"], encoding="utf-8").read())
ACCOUNTS = itertools.cycle(SETTINGS["accounts"])
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
START = time.time()
ACTION_IDS = itertools.count(1)
RETRIES = 3
TIMEOUT = 90  # seconds a person waits for a page before giving up (haproxy answers by 60 s)
SENT: list[dict] = []  # contributions answered with success: kind, word, second
ANSWERS: list[dict] = []  # every answer that was not right: name, status, second, kind (retry page / error), detail
ACTIONS: list[dict] = []  # every action: name, second, result (ok / ok after retry / failed after retries / error)
RETRY_WORDS = ("Coba lagi", "Try again", "coba lagi", "try again")
ALREADY_REPORTED = "Anda sudah melaporkan kontribusi ini."


def _now() -> float:
    return round(time.time() - START, 2)


def _clean_retry_page(response) -> bool:
    text = response.text or ""
    return (response.status_code == 503 and response.headers.get("Retry-After", "").isdigit()
            and any(word in text for word in RETRY_WORDS))


def _judge(response, ok, expect) -> str | None:
    """None when the answer is right, else what is wrong with it. `expect`: what the page (or the
    redirect's Location) must hold, or a dict of it by status."""
    if response.status_code == 0:
        return f"no answer ({type(response.error).__name__})"
    if response.status_code not in ok:
        return str(response.status_code)
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login" in location:
        return "signed out"
    if response.status_code == 200 and "</html>" not in (response.text or ""):
        return "incomplete page"
    marker = expect.get(response.status_code) if isinstance(expect, dict) else expect
    if marker and response.status_code != 302 and marker not in response.text:
        return "wrong content"
    if marker and response.status_code == 302 and marker not in location:
        return "wrong redirect"
    return None


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as out:
        json.dump({"sent": SENT, "answers": ANSWERS, "actions": ACTIONS, "start": START}, out)


class Reader(HttpUser):
    """A citizen or a member of an organisation on the day the draft opens."""

    wait_time = between(5, 15)

    def on_start(self):
        self.account = next(ACCOUNTS)
        self.client.headers["X-Forwarded-For"] = self.account["address"]
        self.token = None
        while not self._sign_in():
            time.sleep(2)  # a failed sign-in (a fault) is tried again, as a person would

    def _request(self, method: str, path: str, name: str, ok=(200,), expect: str | dict | None = None, **kwargs):
        """One action: the request, and after a clean retry page the same request again once
        Retry-After has passed (as the page asks), up to RETRIES times. Returns the right answer or None."""
        action = next(ACTION_IDS)
        for attempt in range(RETRIES + 1):
            with self.client.request(method, path, name=name, catch_response=True, allow_redirects=False,
                                     timeout=TIMEOUT, **kwargs) as response:
                wrong = _judge(response, ok, expect)
                if wrong is None:
                    response.success()
                    ACTIONS.append({"name": name, "second": _now(), "action": action,
                                    "result": "ok after retry" if attempt else "ok"})
                    return response
                clean = _clean_retry_page(response)
                response.failure("retry page" if clean else wrong)
                ANSWERS.append({"name": name, "status": response.status_code, "second": _now(), "action": action,
                                "kind": "retry page" if clean else "error", "detail": "" if clean else wrong})
                if not clean:
                    ACTIONS.append({"name": name, "second": _now(), "action": action, "result": "error"})
                    return None
                wait = int(response.headers["Retry-After"])
            if attempt < RETRIES:
                time.sleep(wait)
        ACTIONS.append({"name": name, "second": _now(), "action": action, "result": "failed after retries"})
        return None

    def _sign_in(self) -> bool:
        page = self._request("GET", "/login", "sign-in form", ok=(200, 302))
        if page is None:
            return False
        if page.status_code == 200:  # 302: signed in already (a fault came after the sign-in)
            found = TOKEN.search(page.text)
            answer = self._request("POST", "/login", "sign in", ok=(302,), data={
                "email": self.account["email"], "password": SETTINGS["password"], "csrf_token": found.group(1)})
            if answer is None:
                return False
        page = self._request("GET", SETTINGS["policy"], "policy page", expect=SETTINGS["policy_title"])
        if page is None:
            return False
        self.token = TOKEN.search(page.text).group(1)
        return True

    def _send(self, path: str, name: str, kind: str, data: dict, word: str, expect: str | dict, files=None,
              ok=(302,)) -> None:
        """Post a form (retried after a retry page by _request); a success answer is recorded for the check."""
        answer = self._request("POST", path, name, ok=ok, expect=expect, data={**data, "csrf_token": self.token},
                               files=files)
        if answer is not None and kind:
            SENT.append({"kind": kind, "word": word, "second": _now()})

    @task(6)
    def read_policy(self):
        self._request("GET", SETTINGS["policy"], "policy page", expect=SETTINGS["policy_title"])

    @task(6)
    def read_article_comments(self):
        self._request("GET", random.choice(SETTINGS["article_lists"]), "article comments", expect="Pasal")

    @task(3)
    def read_position(self):
        self._request("GET", random.choice(SETTINGS["positions"]), "position page")

    @task(4)
    def search(self):
        self._request("GET", "/search?q=" + random.choice(SETTINGS["queries"]), "search", expect='name="q"')

    @task(3)
    def comment(self):
        word = "ujibeban" + secrets.token_hex(5)
        key = random.choice(SETTINGS["article_keys"])
        self._send(SETTINGS["policy"] + "/comments", "comment (POST)", "comment", {
            "stance": random.choice(["supports", "objects", "suggests_change"]), "article_key": key,
            "body": f"Usulan {word}: analisis kebutuhan jabatan di kecamatan perlu memakai data penduduk terbaru."},
            word, expect="#c-")

    @task(1)
    def flag(self):
        public_id = random.choice(SETTINGS["flaggable"])
        # 400 "already reported" is the right answer to a second report (or a resent one): one per person.
        self._send(f"/contributions/{public_id}/flag", "flag (POST)", "", {"reason": "off_topic", "note": ""}, "",
                   ok=(302, 400), expect={400: ALREADY_REPORTED})

    @task(1)
    def submission(self):
        if not self.account["member"]:
            return self.read_policy()
        word = "ujibeban" + secrets.token_hex(5)
        self._send(SETTINGS["submission"], "submission (POST)", "submission", {
            "title": f"Masukan resmi {word}",
            "body": f"Lembaga kami menyampaikan masukan {word} tentang formasi jabatan fungsional."},
            word, expect="/submissions/", files={"attachments": ("masukan.pdf", PDF, "application/pdf")})
