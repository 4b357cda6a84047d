"""Which positions and OPDs a contribution concerns, and which contributions are copies of one text.

Authors tag what their contribution concerns (source "author"). After a contribution is
published the portal suggests links for the rest (source "suggested"): a position's title,
an OPD's name or one of its abbreviations found in the text (normalised, case-insensitive,
whole words), or a text that resembles a position record (TF-IDF cosine over the title and
the tasks, above SIMILARITY_THRESHOLD). A moderator confirms a suggestion (source
"confirmed") or removes it (kept with status "removed", so it is not suggested again); both
are in the audit log.

The same moment places the contribution in a campaign (`Contribution.campaign_id`) when it
is a near-copy of another published contribution on the same policy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.aspirations import campaigns
from portal.aspirations.links.models import ContributionLink
from portal.audit.services import record
from portal.contributions.models import Contribution
from portal.errors import NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.positions import tags as position_tags
from portal.positions.models import Opd, Position

SIMILARITY_THRESHOLD = 0.3  # TF-IDF cosine between a text and a position record
MAX_SUGGESTIONS = 5  # per contribution
MIN_TITLE_CHARS = 6  # shorter titles ("Guru") are too common to mean a position
CAMPAIGN_SCAN = 5_000  # the latest published contributions of a policy a new one is compared with
MAX_TAGS = position_tags.MAX_TAGS  # what an author may tag on one contribution

# Common abbreviations of city OPDs -> words the OPD's name contains (normalised). An OPD whose
# name contains all of them gets the abbreviation; its own short name and code count too.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "disdukcapil": ("kependudukan", "pencatatan sipil"),
    "dukcapil": ("kependudukan", "pencatatan sipil"),
    "bkpsdm": ("kepegawaian", "pengembangan sumber daya manusia"),
    "bkd": ("badan kepegawaian daerah",),
    "bkpp": ("kepegawaian", "pendidikan", "pelatihan"),
    "dinkes": ("dinas kesehatan",),
    "disdik": ("dinas pendidikan",),
    "dispendik": ("dinas pendidikan",),
    "bappeda": ("perencanaan pembangunan",),
    "bapelitbang": ("perencanaan", "penelitian"),
    "satpol pp": ("satuan polisi pamong praja",),
    "satpol": ("satuan polisi pamong praja",),
    "dishub": ("dinas perhubungan",),
    "dinsos": ("dinas sosial",),
    "disnaker": ("tenaga kerja",),
    "disnakertrans": ("tenaga kerja", "transmigrasi"),
    "dlh": ("dinas lingkungan hidup",),
    "dpmptsp": ("penanaman modal", "pelayanan terpadu satu pintu"),
    "dpmpptsp": ("penanaman modal", "pelayanan terpadu satu pintu"),
    "bpkad": ("pengelolaan keuangan", "aset daerah"),
    "bpbd": ("penanggulangan bencana",),
    "bapenda": ("pendapatan daerah",),
    "bpprd": ("pendapatan", "retribusi"),
    "diskominfo": ("komunikasi", "informatika"),
    "kominfo": ("komunikasi", "informatika"),
    "dinas pu": ("pekerjaan umum",),
    "dpupr": ("pekerjaan umum", "penataan ruang"),
    "disperkim": ("perumahan", "permukiman"),
    "dp3a": ("pemberdayaan perempuan", "perlindungan anak"),
    "dppkb": ("pengendalian penduduk", "keluarga berencana"),
    "disbudpar": ("kebudayaan", "pariwisata"),
    "dispora": ("pemuda", "olahraga"),
    "disperindag": ("perindustrian", "perdagangan"),
    "diskop": ("koperasi",),
    "damkar": ("pemadam kebakaran",),
    "inspektorat": ("inspektorat",),
    "setda": ("sekretariat daerah",),
    "sekwan": ("sekretariat dprd",),
    "kesbangpol": ("kesatuan bangsa", "politik"),
    "rsud": ("rumah sakit umum daerah",),
    "puskesmas": ("pusat kesehatan masyarakat",),
}
_GENERIC = {"dinas", "badan", "kantor", "kota", "medan", "daerah", "bagian", "unit", "dan"}


def normalise(text: str) -> str:
    """Lower case words separated by single spaces, padded with one space on each side."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " " + " ".join(re.findall(r"\w+", text)) + " "


def _phrase_in(phrase: str, padded_text: str) -> bool:
    phrase = normalise(phrase)
    return phrase.strip() != "" and phrase in padded_text


def _strip_city(name: str) -> str:
    """An OPD's name without "Kota Medan" and the like, as people write it."""
    words = normalise(name).split()
    while words and words[-1] in ("kota", "medan", "kabupaten"):
        words.pop()
    return " ".join(words)


def opd_names(opd: Opd) -> list[tuple[str, str]]:
    """(phrase, reason) pairs that name the OPD in a text: its name, short name, code and abbreviations."""
    names = [(opd.name, "opd_name")]
    stripped = _strip_city(opd.name)
    if stripped and set(stripped.split()) - _GENERIC and stripped != normalise(opd.name).strip():
        names.append((stripped, "opd_name"))
    for extra in (opd.short_name, opd.code):
        value = normalise(extra or "").strip()
        if len(value) >= 3 and not value.isdigit() and value not in _GENERIC:
            names.append((value, "abbreviation"))
    padded = normalise(opd.name)
    for abbreviation, words in ABBREVIATIONS.items():
        if all(f" {word} " in padded for word in words):
            names.append((abbreviation, "abbreviation"))
    seen, unique = set(), []
    for phrase, reason in names:
        key = normalise(phrase)
        if key not in seen:
            seen.add(key)
            unique.append((phrase, reason))
    return unique


def _position_text(position: Position) -> str:
    return " ".join(filter(None, (position.name, position.summary, position.main_tasks, position.work_results,
                                  position.responsibilities)))


@dataclass
class Index:
    """What suggestions are matched against: every OPD's names and every position's title and record."""

    opds: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)
    titles: list[tuple[int, str]] = field(default_factory=list)
    position_ids: list[int] = field(default_factory=list)
    vectorizer: object | None = None
    matrix: object | None = None

    @classmethod
    def build(cls) -> "Index":
        index = cls()
        for opd in db.session.scalars(select(Opd).order_by(Opd.id)):
            index.opds.append((opd.id, opd_names(opd)))
        positions = list(db.session.scalars(select(Position).order_by(Position.id)))
        index.titles = [(p.id, p.name) for p in positions if len(normalise(p.name).strip()) >= MIN_TITLE_CHARS]
        texts = [_position_text(p) for p in positions]
        if texts and any(normalise(t).strip() for t in texts):
            from sklearn.feature_extraction.text import TfidfVectorizer

            index.vectorizer = TfidfVectorizer(lowercase=True, sublinear_tf=True, ngram_range=(1, 2),
                                               strip_accents="unicode")
            try:
                index.matrix = index.vectorizer.fit_transform(texts)
                index.position_ids = [p.id for p in positions]
            except ValueError:  # only stop words or no words at all
                index.vectorizer = None
        return index

    def find(self, text: str) -> list[dict]:
        """Candidate links for `text`: dicts with position_id or opd_id, reason, matched and score."""
        padded = normalise(text)
        found: list[dict] = []
        for position_id, title in self.titles:
            if _phrase_in(title, padded):
                found.append({"position_id": position_id, "reason": "title", "matched": title[:200]})
        for opd_id, names in self.opds:
            for phrase, reason in names:
                if _phrase_in(phrase, padded):
                    found.append({"opd_id": opd_id, "reason": reason, "matched": phrase[:200]})
                    break
        if self.vectorizer is not None and padded.strip():
            from sklearn.metrics.pairwise import linear_kernel

            scores = linear_kernel(self.vectorizer.transform([text]), self.matrix)[0]
            ranked = sorted(range(len(scores)), key=lambda i: -scores[i])[:MAX_SUGGESTIONS]
            for i in ranked:
                if scores[i] >= SIMILARITY_THRESHOLD:
                    found.append({"position_id": self.position_ids[i], "reason": "similarity",
                                  "score": round(float(scores[i]), 3), "matched": ""})
        return found


def _existing(contribution_id: int) -> dict[tuple, ContributionLink]:
    links = db.session.scalars(select(ContributionLink).where(ContributionLink.contribution_id == contribution_id))
    return {(link.position_id, link.opd_id): link for link in links}


def suggest(contribution: Contribution, index: Index | None = None) -> list[ContributionLink]:
    """Add the portal's suggestions for a published contribution to the session (the caller commits);
    never a link it already has, nor one a moderator removed."""
    index = index or Index.build()
    existing = _existing(contribution.id)
    added: list[ContributionLink] = []
    for candidate in index.find(contribution.moderated_text()):
        key = (candidate.get("position_id"), candidate.get("opd_id"))
        if key in existing or len(added) >= MAX_SUGGESTIONS:
            continue
        link = ContributionLink(contribution_id=contribution.id, source="suggested", status="active",
                                created_at=utcnow(), **candidate)
        db.session.add(link)
        existing[key] = link
        added.append(link)
    return added


def place_in_campaign(contribution: Contribution) -> int | None:
    """Give a newly published contribution the campaign of its nearest near-copy on the same policy
    (starting one with that copy as its first), in the caller's transaction; returns the campaign id."""
    if contribution.policy_id is None or contribution.campaign_id is not None:
        return contribution.campaign_id
    rows = db.session.execute(
        select(Contribution.id, Contribution.body, Contribution.campaign_id)
        .where(Contribution.policy_id == contribution.policy_id, Contribution.status == "published",
               Contribution.id != contribution.id)
        .order_by(Contribution.id.desc()).limit(CAMPAIGN_SCAN)
    ).all()
    mine = campaigns.shingles(contribution.body)
    if not mine:
        return None
    best, best_score = None, campaigns.MIN_JACCARD
    for row in rows:
        score = campaigns.jaccard(mine, campaigns.shingles(row.body))
        if score >= best_score:
            best, best_score = row, score
    if best is None:
        return None
    campaign_id = best.campaign_id or best.id
    if best.campaign_id is None:
        db.session.get(Contribution, best.id).campaign_id = campaign_id
    contribution.campaign_id = campaign_id
    return campaign_id


def regroup_campaigns(policy_id: int | None = None) -> int:
    """Recompute the campaigns of one policy (or of every policy) from its published contributions,
    with `campaigns.group`; commits. Returns the number of contributions in a campaign."""
    policies = [policy_id] if policy_id is not None else list(db.session.scalars(
        select(Contribution.policy_id).where(Contribution.policy_id.is_not(None)).distinct()))
    grouped = 0
    for pid in policies:
        texts = dict(db.session.execute(
            select(Contribution.id, Contribution.body)
            .where(Contribution.policy_id == pid, Contribution.status == "published")
        ).all())
        campaign_of = {member: members[0] for members in campaigns.group(texts) for member in members}
        for contribution in db.session.scalars(select(Contribution).where(Contribution.policy_id == pid)):
            contribution.campaign_id = campaign_of.get(contribution.id)
        grouped += len(campaign_of)
        db.session.commit()
    return grouped


def analyse(contribution: Contribution, index: Index | None = None) -> None:
    """Suggestions and campaign for one published contribution, in the caller's transaction."""
    suggest(contribution, index)
    place_in_campaign(contribution)


def analyse_later(contribution_id: int) -> None:
    """`analyse` after the response, in its own transaction (the contribution may be gone by then)."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.status != "published":
        return
    analyse(contribution)
    db.session.commit()


def suggest_all(batch: int = 500, progress=None) -> int:
    """Suggestions for every published contribution (the `flask aspirations suggest-links` command);
    returns how many links were added. Commits a batch at a time."""
    index = Index.build()
    added, last_id = 0, 0
    while True:
        items = list(db.session.scalars(
            select(Contribution).where(Contribution.status == "published", Contribution.id > last_id)
            .order_by(Contribution.id).limit(batch)
        ))
        if not items:
            return added
        for contribution in items:
            added += len(suggest(contribution, index))
        last_id = items[-1].id
        db.session.commit()
        if progress is not None:
            progress(len(items))


# --- people's actions -------------------------------------------------------------

def parse_tags(values) -> list[tuple[int | None, int | None]]:
    """Form values "position:12" / "opd:3" as (position_id, opd_id); anything else is left out."""
    return position_tags.parse(values)


def tag_by_author(actor, contribution: Contribution, values) -> list[ContributionLink]:
    """Record what the author says their contribution concerns (source "author"); commits."""
    permissions.require(actor, "aspiration_link.tag", contribution)
    existing = _existing(contribution.id)
    added = []
    for position_id, opd_id in parse_tags(values):
        model, key = (Position, position_id) if position_id else (Opd, opd_id)
        if db.session.get(model, key) is None:
            continue
        link = existing.get((position_id, opd_id))
        if link is None:
            link = ContributionLink(contribution_id=contribution.id, position_id=position_id, opd_id=opd_id,
                                    created_at=utcnow(), reason="author", matched="")
            db.session.add(link)
            existing[(position_id, opd_id)] = link
        link.source, link.status, link.created_by_id = "author", "active", actor.id
        added.append(link)
    db.session.commit()
    return added


def shown_links(ids: list[int]) -> dict[int, list[ContributionLink]]:
    """contribution id -> its active links by the author or confirmed by a moderator (one query)."""
    found: dict[int, list[ContributionLink]] = {}
    for link in db.session.scalars(
        select(ContributionLink)
        .where(ContributionLink.contribution_id.in_(ids), ContributionLink.status == "active",
               ContributionLink.source.in_(("author", "confirmed")))
        .order_by(ContributionLink.position_id.is_(None), ContributionLink.id)
        .options(joinedload(ContributionLink.position).joinedload(Position.opd), joinedload(ContributionLink.opd))
    ):
        found.setdefault(link.contribution_id, []).append(link)
    return found


def get_link(actor, link_id: int) -> ContributionLink:
    """A link, for the moderators' screen."""
    permissions.require(actor, "aspiration_link.review")
    link = db.session.get(ContributionLink, link_id)
    if link is None:
        raise NotFound()
    return link


def confirm(actor, link: ContributionLink) -> ContributionLink:
    """A moderator confirms a suggested link; audited; commits."""
    permissions.require(actor, "aspiration_link.moderate", link.contribution)
    if link.status != "active" or link.source != "suggested":
        raise ValidationError(None, _already())
    link.source, link.decided_by_id, link.decided_at = "confirmed", actor.id, utcnow()
    record(actor, "aspiration_link.confirm", link.contribution, public_id=link.contribution.public_id,
           **_target_detail(link))
    db.session.commit()
    return link


def remove(actor, link: ContributionLink) -> ContributionLink:
    """A moderator removes a link (suggested, confirmed or the author's); kept as removed; audited; commits."""
    permissions.require(actor, "aspiration_link.moderate", link.contribution)
    if link.status != "active":
        raise ValidationError(None, _already())
    link.status, link.decided_by_id, link.decided_at = "removed", actor.id, utcnow()
    record(actor, "aspiration_link.remove", link.contribution, public_id=link.contribution.public_id,
           source=link.source, **_target_detail(link))
    db.session.commit()
    return link


def _target_detail(link: ContributionLink) -> dict:
    if link.position_id is not None:
        return {"position_id": link.position_id, "position": link.position.name if link.position else ""}
    return {"opd_id": link.opd_id, "opd": link.opd.name if link.opd else ""}


def _already() -> str:
    return _("Another moderator has already dealt with this link.")
