"""Locust users of bench/load.py: the day a draft opens (run by bench/load.py, not by hand).

Each simulated user signs in with its own seeded account from its own address (X-Forwarded-For,
trusted by the bench's app servers as from a proxy in front of the load balancer), then reads,
searches, comments, flags and (members of verified organisations) sends formal submissions with
a PDF attached, pausing 5-15 s between actions (reading a page). Every contribution carries a unique word; the words
of those that got a success answer are written to LOAD_RESULTS for the check afterwards.
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
SENT: list[dict] = []  # contributions answered with success: kind, word, second
FAILURES: list[dict] = []  # every failed request: name, status, second, clean (a retry page)
RETRY_WORDS = ("Coba lagi", "Try again", "coba lagi", "try again")


def _record_failure(name: str, response) -> None:
    text = response.text or ""
    FAILURES.append({"name": name, "status": response.status_code, "second": round(time.time() - START, 2),
                     "clean": response.status_code in (502, 503) and any(w in text for w in RETRY_WORDS)})


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as out:
        json.dump({"sent": SENT, "failures": FAILURES, "start": START}, out)


class Reader(HttpUser):
    """A citizen or a member of an organisation on the day the draft opens."""

    wait_time = between(5, 15)

    def on_start(self):
        self.account = next(ACCOUNTS)
        self.client.headers["X-Forwarded-For"] = self.account["address"]
        self.token = None
        while not self._sign_in():
            time.sleep(2)  # a failed sign-in (a fault) is tried again, as a person would

    def _request(self, method: str, path: str, name: str, ok=(200,), **kwargs):
        """One request; a failure is recorded with its second and whether it was a clean retry page."""
        with self.client.request(method, path, name=name, catch_response=True, allow_redirects=False,
                                 **kwargs) as response:
            if response.status_code in ok:
                response.success()
                return response
            response.failure(f"{response.status_code}")
            _record_failure(name, response)
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
        page = self._request("GET", SETTINGS["policy"], "policy page")
        if page is None:
            return False
        self.token = TOKEN.search(page.text).group(1)
        return True

    def _send(self, path: str, name: str, kind: str, data: dict, word: str, files=None) -> None:
        """Post a form; after a retry page (503/502) wait as it says and send again, once."""
        for attempt in range(2):
            answer = self._request("POST", path, name, ok=(302,), data={**data, "csrf_token": self.token},
                                   files=files)
            if answer is not None:
                location = answer.headers.get("Location", "")
                if "/login" in location:  # signed out (a lost session) is an error, not a success
                    FAILURES.append({"name": name, "status": "signed out", "second": round(time.time() - START, 2),
                                     "clean": False})
                    return
                if kind:
                    SENT.append({"kind": kind, "word": word, "second": round(time.time() - START, 2)})
                return
            if attempt == 0:
                time.sleep(5)

    @task(6)
    def read_policy(self):
        self._request("GET", SETTINGS["policy"], "policy page")

    @task(6)
    def read_article_comments(self):
        self._request("GET", random.choice(SETTINGS["article_lists"]), "article comments")

    @task(3)
    def read_position(self):
        self._request("GET", random.choice(SETTINGS["positions"]), "position page")

    @task(4)
    def search(self):
        self._request("GET", "/search?q=" + random.choice(SETTINGS["queries"]), "search")

    @task(3)
    def comment(self):
        word = "ujibeban" + secrets.token_hex(5)
        key = random.choice(SETTINGS["article_keys"])
        self._send(SETTINGS["policy"] + "/comments", "comment (POST)", "comment", {
            "stance": random.choice(["supports", "objects", "suggests_change"]), "article_key": key,
            "body": f"Usulan {word}: analisis kebutuhan jabatan di kecamatan perlu memakai data penduduk terbaru."},
            word)

    @task(1)
    def flag(self):
        public_id = random.choice(SETTINGS["flaggable"])
        self._send(f"/contributions/{public_id}/flag", "flag (POST)", "", {"reason": "off_topic", "note": ""}, "")

    @task(1)
    def submission(self):
        if not self.account["member"]:
            return self.read_policy()
        word = "ujibeban" + secrets.token_hex(5)
        self._send(SETTINGS["submission"], "submission (POST)", "submission", {
            "title": f"Masukan resmi {word}",
            "body": f"Lembaga kami menyampaikan masukan {word} tentang formasi jabatan fungsional."},
            word, files={"attachments": ("masukan.pdf", PDF, "application/pdf")})
