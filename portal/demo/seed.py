"""Believable Medan demo content for a development database.

Everything goes through the same services the web pages use (accounts,
the position importer, draft policies), so the demo shows what the portal
really does. Only the timeline is adjusted afterwards: the services rightly
refuse to open a consultation whose window has already passed, and the demo
needs one that ran in the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.accounts import services as account_services
from portal.accounts.models import User
from portal.aspirations.summaries.demo import seed_summaries_demo
from portal.comments.demo import seed_comments_demo
from portal.demo.needs_analysis import answer_summary_themes, seed_needs_analysis
from portal.extensions import db, utcnow
from portal.forums.demo import seed_forum_demo
from portal.i18n import local_zone
from portal.positions import importer
from portal.positions.models import Opd, Position
from portal.proposals import services as policy_services
from portal.proposals.models import Policy
from portal.submissions.demo import seed_submissions_demo

HERE = Path(__file__).resolve().parent
POSITIONS_CSV = HERE / "positions.csv"
POLICIES_DIR = HERE / "policies"

# Development only: every demo account shares this password (see README / report).
DEMO_PASSWORD = "demo-portal-2026"  # nosec B105 # development data only, printed by `flask seed-demo`
DEMO_DOMAIN = "demo.medan.go.id"


class AlreadySeeded(Exception):
    """The database already holds demo accounts; seeding again would duplicate content."""

    def __init__(self, emails: list[str]):
        super().__init__(", ".join(emails))
        self.emails = emails


@dataclass(frozen=True)
class DemoAccount:
    """One demo account: its role and, for members, the organisation and whether it is verified."""

    email: str
    display_name: str
    role: str
    organisation: str | None = None
    verified: bool = False


ACCOUNTS = (
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Admin Portal BKPSDM", "admin"),
    DemoAccount(f"moderator@{DEMO_DOMAIN}", "Rina Siregar (Bagian Organisasi)", "moderator"),
    DemoAccount(f"warga@{DEMO_DOMAIN}", "Budi Harahap", "citizen"),
    DemoAccount(f"lsm@{DEMO_DOMAIN}", "Sari Nasution", "ngo", "Lembaga Bantuan Hukum Medan", verified=True),
    DemoAccount(f"akademisi@{DEMO_DOMAIN}", "Dr. Andi Lubis", "academic", "Universitas Sumatera Utara", verified=True),
    DemoAccount(f"lsm.baru@{DEMO_DOMAIN}", "Yusuf Tarigan", "ngo", "Komunitas Peduli Pelayanan Publik Medan"),
)


@dataclass(frozen=True)
class DemoPolicy:
    """One draft policy: its texts (version 1 first), agency, linked positions and timeline in days from today."""

    title: str
    summary: str
    files: tuple[str, ...]
    change_notes: tuple[str, ...]
    opd_code: str
    position_codes: tuple[str, ...]
    opens_in_days: int
    closes_in_days: int
    status: str  # "open" or "closed"
    close_note: str = ""


POLICIES = (
    DemoPolicy(
        title="Analisis Kebutuhan Jabatan Berbasis Data Kependudukan dan Pelayanan Publik",
        summary=(
            "Rancangan ini mengatur cara Pemerintah Kota Medan menghitung berapa pegawai yang dibutuhkan pada setiap "
            "jabatan dengan memadukan analisis beban kerja, data kependudukan per kecamatan, dan data pelayanan publik "
            "seperti jumlah permohonan dan waktu tunggu. Rancangan menetapkan rasio minimal untuk jabatan yang melayani "
            "warga secara langsung (loket layanan kecamatan, perawat Puskesmas, pekerja sosial), mewajibkan hasil "
            "penghitungan dipublikasikan untuk konsultasi publik sebelum ditetapkan, dan mendahulukan redistribusi "
            "pegawai sebelum penambahan formasi. Versi 2 memuat perubahan setelah masukan minggu pertama."
        ),
        files=("analisis-kebutuhan.md", "analisis-kebutuhan-v2.md"),
        change_notes=(
            "",
            "Perubahan setelah masukan minggu pertama konsultasi: Pasal 5 menambahkan data pengaduan masyarakat dan "
            "memperpanjang periode data layanan menjadi 24 bulan; Pasal 9 menaikkan rasio minimal petugas layanan "
            "terpadu kecamatan dan pekerja sosial; Pasal 10A (baru) memberi bobot bagi penduduk lanjut usia, "
            "penyandang disabilitas, dan balita; Pasal 11 memperpanjang masa konsultasi menjadi 30 hari dan "
            "mewajibkan pengumuman di kantor kecamatan; Pasal 17 dihapus dan substansinya dipindahkan ke Pasal 16. "
            "Nomor pasal lain sengaja tidak diubah selama masa konsultasi agar masukan yang sudah masuk tetap "
            "merujuk pasal yang sama.",
        ),
        opd_code="BKPSDM",
        position_codes=(
            "BKPSDM-007", "SETDA-004", "SETDA-005", "KEC-MEDAN-DELI-005",
            "KEC-MEDAN-HELVETIA-005", "DINKES-008", "DINSOS-005", "DISDUKCAPIL-006",
        ),
        opens_in_days=-6,
        closes_in_days=24,
        status="open",
    ),
    DemoPolicy(
        title="Pelatihan Kepemimpinan bagi Pejabat di Lingkungan Pemerintah Kota Medan",
        summary=(
            "Rancangan ini mewajibkan setiap pejabat administrator dan pengawas mengikuti pelatihan kepemimpinan "
            "sesuai jenjangnya paling lama satu tahun sejak dilantik, memprioritaskan pejabat yang melayani warga "
            "secara langsung seperti camat, lurah, dan kepala Puskesmas, serta mengaitkan aksi perubahan peserta "
            "dengan perbaikan layanan yang dapat diukur. Rancangan juga mengatur materi muatan lokal, kesetaraan "
            "kesempatan, dan evaluasi pascapelatihan yang hasilnya dipublikasikan."
        ),
        files=("pelatihan-kepemimpinan.md",),
        change_notes=("",),
        opd_code="BKPSDM",
        position_codes=(
            "BKPSDM-005", "BKPSDM-008", "KEC-MEDAN-DELI-001", "KEC-MEDAN-TUNTUNGAN-004",
            "DINKES-007", "RSUD-PIRNGADI-004",
        ),
        opens_in_days=-21,
        closes_in_days=9,
        status="open",
    ),
    DemoPolicy(
        title="Penyelenggaraan Aplikasi Pelaporan Kinerja Pegawai Aparatur Sipil Negara",
        summary=(
            "Rancangan ini mengatur aplikasi pelaporan kinerja pegawai yang baru: pembagian tanggung jawab antara "
            "BKPSDM dan Diskominfo, penghapusan kewajiban laporan aktivitas harian, batas waktu umpan balik dan "
            "penilaian oleh atasan, prosedur keberatan atas predikat kinerja, serta pelindungan data pribadi pegawai. "
            "Konsultasi publik telah ditutup; masukan sedang dirangkum untuk laporan hasil konsultasi."
        ),
        files=("aplikasi-kinerja.md",),
        change_notes=("",),
        opd_code="DISKOMINFO",
        position_codes=("BKPSDM-006", "BKPSDM-009", "BKPSDM-011", "DISKOMINFO-002", "DISKOMINFO-004"),
        opens_in_days=-75,
        closes_in_days=-45,
        status="closed",
        close_note="Masa konsultasi publik berakhir sesuai jadwal. Masukan sedang dirangkum oleh BKPSDM dan Diskominfo.",
    ),
)


@dataclass
class SeedSummary:
    """What seed_demo created, for the command's report."""

    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, role)
    positions_created: int = 0
    opds_created: int = 0
    policies: list[tuple[str, str, int, int]] = field(default_factory=list)  # (title, status, versions, articles)
    submissions: int = 0
    comments: int = 0
    forum_threads: int = 0
    needs_analysis: int = 0  # the consultation at full size (portal.demo.needs_analysis)
    campaign: int = 0


def existing_demo_accounts() -> list[str]:
    """Emails of demo accounts already in the database."""
    emails = [account.email for account in ACCOUNTS]
    return list(db.session.scalars(select(User.email).where(User.email.in_(emails)).order_by(User.email)))


def seed_demo() -> SeedSummary:
    """Create demo accounts, positions and policies; refuse (AlreadySeeded) if demo accounts exist."""
    present = existing_demo_accounts()
    if present:
        raise AlreadySeeded(present)
    summary = SeedSummary()
    users = _create_accounts(summary)
    _import_positions(users["admin"], summary)
    policies = [_create_policy(users["moderator"], spec, summary) for spec in POLICIES]
    _seed_participation(users, policies, summary)
    return summary


def _seed_participation(users: dict[str, User], policies: list[Policy], summary: SeedSummary) -> None:
    """Comments, formal submissions and forum threads, through each package's own services."""
    summary.submissions = len(seed_submissions_demo())
    summary.comments = len(seed_comments_demo())
    forum = seed_forum_demo(users["admin"], users, policies)
    summary.forum_threads = forum.get("threads", 0)
    needs = seed_needs_analysis(policies[0], DEMO_DOMAIN, DEMO_PASSWORD)
    summary.needs_analysis = len(needs.contributions) + len(needs.campaign)
    summary.campaign = len(needs.campaign)
    answer_summary_themes(seed_summaries_demo(), DEMO_DOMAIN)


def _create_accounts(summary: SeedSummary) -> dict[str, User]:
    """One account per role, made with the same service as `flask create-user`."""
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        user = account_services.create_user(account.email, account.display_name, DEMO_PASSWORD, account.role)
        users[account.email.split("@")[0]] = user
        summary.accounts.append((account.email, account.role))
    admin = users["admin"]
    for account in ACCOUNTS:
        if account.organisation is None:
            continue
        user = users[account.email.split("@")[0]]
        # No service attaches an organisation to an existing account (register() does it at sign-up),
        # so the model is set directly, as a member who named the organisation when registering;
        # the verified ones then go through the admin's real verification service (with its audit entry).
        user.organisation = account_services.find_or_create_organisation(account.organisation, account.role)
        db.session.commit()
        if account.verified:
            account_services.verify_affiliation(admin, user)
    return users


def _import_positions(admin: User, summary: SeedSummary) -> None:
    """Import positions.csv through the real importer (all rows or none)."""
    with POSITIONS_CSV.open("rb") as stream:
        result = importer.import_csv(admin, stream)
    summary.positions_created = result.created
    summary.opds_created = result.opds_created


def _local_day(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at hh:mm in the portal's time zone (WIB), as an aware datetime."""
    zone = local_zone()
    today = datetime.now(zone).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=zone)


def _create_policy(official: User, spec: DemoPolicy, summary: SeedSummary) -> Policy:
    """Create, open, version and (for past consultations) close one policy, then lay out its timeline."""
    bodies = [(POLICIES_DIR / name).read_text(encoding="utf-8") for name in spec.files]
    opd_id = db.session.scalar(select(Opd.id).where(Opd.code == spec.opd_code))
    codes = list(spec.position_codes)
    position_ids = list(db.session.scalars(select(Position.id).where(Position.code.in_(codes))))
    if len(position_ids) != len(codes):
        raise RuntimeError(f"demo policy links unknown positions: {codes}")
    opens_at = _local_day(spec.opens_in_days, 8)
    closes_at = _local_day(spec.closes_in_days, 23, 59)
    past_window = closes_at <= utcnow()
    policy = policy_services.create_policy(
        official,
        title=spec.title,
        kind=policy_services.DEFAULT_KIND,
        summary=spec.summary,
        body=bodies[0],
        opd_id=opd_id,
        opens_at=opens_at,
        # The service refuses to open a consultation that has already closed, so a past
        # consultation is opened with a closing time in the future and its real window
        # is written into the record below, before the final commit.
        closes_at=utcnow() + timedelta(hours=1) if past_window else closes_at,
        position_ids=position_ids,
    )
    policy_services.transition(official, policy, "open", note="Konsultasi publik dibuka.")
    for body, note in zip(bodies[1:], spec.change_notes[1:], strict=True):
        policy_services.add_version(official, policy, body, note)
    if spec.status == "closed":
        policy_services.transition(official, policy, "closed", note=spec.close_note)
    _lay_out_timeline(policy, opens_at, closes_at)
    articles = sum(1 for article in policy.current_version.articles if article.key.startswith("pasal-"))
    summary.policies.append((policy.title, policy.status, len(policy.versions), articles))
    return policy


def _lay_out_timeline(policy: Policy, opens_at: datetime, closes_at: datetime) -> None:
    """Date the record as if it had been drafted, opened, revised and closed over the window.

    Demo data only: the services stamp everything "now", which would show a
    consultation that closed weeks ago as opened and closed today.
    """
    drafted = opens_at - timedelta(days=2)
    policy.opens_at, policy.closes_at = opens_at, closes_at
    policy.created_at = drafted
    now = utcnow()
    for version in policy.versions:
        # Version 1 is the draft; later versions appear halfway through the time open so far.
        version.created_at = drafted if version.number == 1 else opens_at + (min(now, closes_at) - opens_at) / 2
    for entry in policy.transitions:
        entry.created_at = {"draft": drafted, "open": opens_at, "closed": closes_at}.get(entry.to_status, now)
    db.session.commit()
