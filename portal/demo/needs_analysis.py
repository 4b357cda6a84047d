"""The needs-analysis consultation at full size: the contributions of data/needs_analysis.jsonl
(comments on its articles, formal submissions from the verified organisations, forum posts, and
one copy-paste campaign), from many residents, members and officials, dated over the weeks the
consultation has been open, some tagged with the positions they concern, some answered.

Everything is written through the services the pages use. Two things are done once for the whole
batch instead of once per item, because per item they would make `flask seed-demo` slow: the
link suggestions and campaign placement that follow each publication (computed after the batch
with the same functions, `suggest_all` and `regroup_campaigns`), and the password hash (one for
all demo accounts, portal.demo.people). The dates are set afterwards, as portal.demo.seed does for
its timelines: the services stamp everything "now".
"""

from __future__ import annotations

import json
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.aspirations import links as links_package
from portal.aspirations.links import services as links
from portal.aspirations.links.models import ContributionLink
from portal.aspirations.responses import services as responses
from portal.aspirations.summaries import citing
from portal.comments import services as comments
from portal.comments.models import Comment
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.contributions.signals import contribution_published
from portal.demo.people import People, make_people
from portal.extensions import db, utcnow
from portal.forums import services as forums
from portal.forums.models import Thread
from portal.positions.models import Position
from portal.proposals.models import Policy
from portal.submissions import services as submissions

DATA = Path(__file__).resolve().parent / "data" / "needs_analysis.jsonl"
# Articles whose text version 2 changed (or removed): what is said about them was said on version 2.
CHANGED_IN_V2 = {"pasal-5", "pasal-9", "pasal-10a", "pasal-11", "pasal-16", "pasal-17"}
# Forum threads that speak of version 1's text as well; the others began after version 2.
EARLY_THREADS = {"Antrean di kantor camat: pengalaman kalian", "Bezetting itu apa sih?",
                 "Redistribusi pegawai: adil atau tidak?"}
CONFIRMED_SUGGESTIONS = 15  # portal suggestions a moderator confirms (the rest wait in the queue)
ENDORSED = 30  # comments other residents marked "I agree"


@dataclass
class Seeded:
    """What was made, for the command's report and the tests."""

    contributions: list[Contribution] = field(default_factory=list)
    campaign: list[Contribution] = field(default_factory=list)
    answered: int = 0
    tagged: int = 0
    confirmed: int = 0


def rows() -> list[dict]:
    """The data file's rows, in order."""
    with DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@contextmanager
def _batch():
    """Publish at once (no first-post review: a moderator would approve these as they come) and leave
    the per-item link suggestions and campaign placement to the end of the batch."""
    config = current_app.config
    before = config.get("MODERATION_PREMODERATE_FIRST_N")
    config["MODERATION_PREMODERATE_FIRST_N"] = 0
    contribution_published.disconnect(links_package.on_published)
    # Each service commits; reloading every object of the session after each of those commits
    # is what would make the batch slow, and nothing else writes to the demo database meanwhile.
    session = db.session()
    expire_before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire_before
        session.expire_all()
        contribution_published.connect(links_package.on_published)
        config["MODERATION_PREMODERATE_FIRST_N"] = before


def seed_needs_analysis(policy: Policy, domain: str, password: str) -> Seeded:
    """Create the consultation's contributions; nothing if the campaign is already there."""
    data = rows()
    campaign_text = next(row["text"] for row in data if row.get("campaign"))
    if db.session.scalar(select(Contribution.id).where(Contribution.body == campaign_text)) is not None:
        return Seeded()
    admin = db.session.scalar(select(User).where(User.email == f"admin@{domain}"))
    moderator = db.session.scalar(select(User).where(User.email == f"moderator@{domain}"))
    people = make_people(admin, domain, password)
    clock = _Clock(policy)
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    seeded = Seeded()
    threads: dict[str, Thread] = {}
    written: dict[str, tuple[Contribution, datetime]] = {}  # text -> item and when, for replies
    with _batch():
        for index, row in enumerate(data):
            author = _author(people, row, index)
            parent = _parent(written, row)
            early = parent is None and row["kind"] == "comment" and _on_version_1(policy, row)
            if early:
                item = _on_first_version(author, policy, row)
            else:
                item = _write(author, policy, row, threads, parent[0] if parent else None)
            item_time = clock.when(row, early, parent[1] if parent else None)
            written[row["text"]] = (item, item_time)
            _date(item, item_time)
            if row["kind"] == "post":
                _date_thread(item.thread, item_time)
            (seeded.campaign if row.get("campaign") else seeded.contributions).append(item)
            if row.get("position"):
                links.tag_by_author(author, item, [f"position:{positions[row['position']].id}"])
                seeded.tagged += 1
            db.session.commit()
    links.regroup_campaigns(policy.id)
    index = links.Index.build()
    for item in seeded.contributions + seeded.campaign:
        links.suggest(item, index)
    db.session.commit()
    seeded.confirmed = _confirm_some(moderator, policy)
    for row, item in zip(data, seeded.contributions + seeded.campaign, strict=True):
        if "response" in row:
            answer = row["response"]
            responses.respond(moderator, item, outcome=answer["outcome"], explanation=answer["explanation"],
                              change=answer.get("change", ""))
            seeded.answered += 1
    _endorse(people, seeded.contributions)
    return seeded


def _author(people: People, row: dict, index: int) -> User:
    """Who wrote a row: a member of the named organisation, the named agency, or a resident (the same
    resident writes now and then, as people do; a campaign is signed by many)."""
    group = row["group"]
    if group == "official":
        return people.officials[row.get("official", "bkpsdm")]
    if group in ("ngo", "academic"):
        organisation = row.get("org")
        if organisation is None:  # a comment: any member of that kind
            candidates = sorted(key[1] for key in people.members if key[0] == group)
            organisation = candidates[zlib.crc32(row["text"].encode()) % len(candidates)]
        return people.members[(group, organisation)]
    citizens = people.citizens
    if row.get("campaign"):
        return citizens[(index * 3) % len(citizens)]
    return citizens[(index * 7 + index // len(citizens)) % len(citizens)]


def _parent(written: dict, row: dict) -> tuple[Contribution, datetime] | None:
    """The comment (and its time) a reply row answers: the one whose text starts with `reply_to`."""
    start = row.get("reply_to")
    if not start:
        return None
    return next(value for text, value in written.items() if text.startswith(start))


def _write(author: User, policy: Policy, row: dict, threads: dict[str, Thread],
           parent: Contribution | None = None) -> Contribution:
    kind = row["kind"]
    if kind == "submission":
        return submissions.submit(author, policy, row["title"], row["text"], row.get("articles", []))
    if kind == "post":
        title = row["thread"]
        if title not in threads:
            category = forums.policy_category(policy)
            threads[title] = forums.start_thread(author, category, title, row["text"])
            return threads[title].posts[0]
        return forums.reply(author, threads[title], row["text"])
    return comments.post_comment(author, policy, body=row["text"], stance=row.get("stance"),
                                 article_key=row.get("article"), parent=parent)


def _on_version_1(policy: Policy, row: dict) -> bool:
    """Comments on an article version 2 left as it was fall, some of them, before version 2 appeared."""
    return (len(policy.versions) > 1 and row.get("article") not in CHANGED_IN_V2 and not row.get("campaign")
            and zlib.crc32(row["text"].encode()) % 2 == 0)


def _on_first_version(author: User, policy: Policy, row: dict) -> Comment:
    """A comment made on version 1 (it carries over, marked so), admitted by the moderation rules."""
    comment = Comment(policy_id=policy.id, version_id=policy.versions[0].id, article_key=row.get("article"),
                      stance=row.get("stance"), suggested_wording="", body=row["text"])
    with db.session.no_autoflush:
        contributions.admit(author, comment)
    db.session.commit()
    return comment


class _Clock:
    """When each row was written: the same every run, spread over the consultation so far, after
    version 2 for what speaks of version 2, in order inside a thread, the campaign in one day."""

    def __init__(self, policy: Policy):
        self.opens = policy.opens_at + timedelta(hours=2)
        self.now = min(utcnow(), policy.closes_at) - timedelta(minutes=30)
        later = [v.created_at for v in policy.versions if v.number > 1]
        self.v2 = later[0] + timedelta(minutes=20) if later else self.opens
        self.last_in_thread: dict[str, datetime] = {}

    def _between(self, start: datetime, end: datetime, key: str) -> datetime:
        fraction = (zlib.crc32(key.encode()) % 10_000) / 10_000
        return start + (end - start) * fraction

    def when(self, row: dict, on_version_1: bool, after: datetime | None = None) -> datetime:
        text = row["text"]
        if after is not None:  # a reply: within two days of the comment it answers
            return min(max(after, self.v2) + timedelta(minutes=90 + zlib.crc32(text.encode()) % 2800), self.now)
        if row.get("campaign"):  # forwarded on a messaging group: the copies arrive within a day
            start = self.v2 + (self.now - self.v2) / 3
            return self._between(start, start + timedelta(hours=22), text)
        if on_version_1:
            return self._between(self.opens, self.v2 - timedelta(minutes=30), text)
        if row["kind"] == "post":
            title = row["thread"]
            start = self.opens if title in EARLY_THREADS else self.v2
            previous = self.last_in_thread.get(title)
            if previous is None:
                moment = self._between(start, start + (self.now - start) / 3, title)
            else:  # a reply comes a few hours after the post before it
                moment = min(previous + timedelta(minutes=40 + zlib.crc32(text.encode()) % 600), self.now)
            self.last_in_thread[title] = moment
            return moment
        keys = set(row.get("articles") or [row.get("article")])
        start = self.v2 if keys & CHANGED_IN_V2 else self.opens
        return self._between(start, self.now, text)


def _date(item: Contribution, when: datetime) -> None:
    item.created_at = item.updated_at = when
    if item.published_at is not None:
        item.published_at = when
    for event in item.events:
        event.created_at = when


def _date_thread(thread: Thread, when: datetime) -> None:
    if thread.posts and thread.posts[0].created_at == when:
        thread.created_at = when
    thread.last_post_at = max(when, thread.created_at)


def _confirm_some(moderator: User, policy: Policy) -> int:
    """The moderator confirms the first suggestions the portal made on this consultation."""
    suggested = db.session.scalars(
        select(ContributionLink).join(Contribution, Contribution.id == ContributionLink.contribution_id)
        .where(Contribution.policy_id == policy.id, ContributionLink.source == "suggested",
               ContributionLink.status == "active", ContributionLink.position_id.is_not(None))
        .order_by(ContributionLink.id).limit(CONFIRMED_SUGGESTIONS)
    ).all()
    for link in suggested:
        links.confirm(moderator, link)
    return len(suggested)


def _endorse(people: People, items: list[Contribution]) -> None:
    """Some residents mark some comments "I agree" (never their own)."""
    candidates = [item for item in items if isinstance(item, Comment) and item.parent_id is None][:: 6][:ENDORSED]
    for number, comment in enumerate(candidates):
        for step in range(1 + number % 4):
            reader = people.citizens[(number * 11 + step * 17 + 5) % len(people.citizens)]
            if reader.id != comment.author_id:
                comments.endorse(reader, comment)


# The answers to two themes of the nurse position's published summary (portal.aspirations.summaries.demo):
# the first to the theme its record change cites, the second to the largest of the others.
THEME_ANSWERS = (
    ("partly_accepted",
     "Kebutuhan Perawat Ahli Pertama dihitung ulang dengan data kunjungan 24 bulan dan sif jaga puskesmas rawat "
     "inap: kebutuhan naik 6 orang. Rasio per penduduk pada Pasal 9 tetap dipakai sebagai batas bawah.",
     "Kebutuhan jabatan Perawat Ahli Pertama dinaikkan 6 orang."),
    ("accepted",
     "Dinas Kesehatan menjadwalkan pelatihan kegawatdaruratan dasar bersertifikat dan pelatihan pelayanan ramah "
     "lansia dan disabilitas bagi perawat puskesmas, dibiayai APBD, dengan jadwal yang diumumkan terbuka.",
     ""),
)


def answer_summary_themes(summary, domain: str) -> int:
    """Answer two themes of a published summary, the one a record change cites first; returns how many."""
    if summary is None:
        return 0
    moderator = db.session.scalar(select(User).where(User.email == f"moderator@{domain}"))
    themes = [theme for theme in summary.kept_themes if not theme.is_other]
    cited = [theme for theme in themes if citing.citing_changes(theme)]
    ordered = cited[:1] + sorted((t for t in themes if t not in cited[:1]), key=lambda t: -t.size)
    count = min(len(ordered), len(THEME_ANSWERS))
    for theme, (outcome, explanation, change) in zip(ordered[:count], THEME_ANSWERS[:count], strict=True):
        responses.respond_to_theme(moderator, theme, outcome=outcome, explanation=explanation, change=change)
    return count
