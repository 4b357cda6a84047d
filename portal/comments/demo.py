"""Demo comments: about 25 Indonesian comments spread over the articles of the
three demo policies, from citizens and the verified NGO and academic accounts,
with replies, "I agree" endorsements, a few left waiting for moderation and two
hidden with a reason. Call after the demo accounts and policies exist
(portal.demo.seed); it adds three citizen accounts of its own.

Everything goes through the real services, except comments that must look as
if written earlier: on version 1 of the needs-analysis policy (before version
2 appeared, so they carry over marked "made on version 1") and on the closed
application policy (during its window). Those are admitted through
`moderation.services.admit` and then dated back, as the demo seed dates its
policies' timelines.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.accounts import services as account_services
from portal.accounts.models import User
from portal.comments import services
from portal.comments.models import Comment
from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services as moderation
from portal.proposals.models import Policy

DOMAIN = "demo.medan.go.id"
PASSWORD = "demo-portal-2026"  # nosec B105 # the demo accounts' password, development only (portal.demo.seed)
NEEDS = "Analisis Kebutuhan Jabatan"
TRAINING = "Pelatihan Kepemimpinan"
APP = "Penyelenggaraan Aplikasi Pelaporan Kinerja"
EXTRA_CITIZENS = (
    ("maria.sembiring", "Maria Sembiring"),
    ("rahmat.daulay", "Rahmat Daulay"),
    ("dewi.purba", "Dewi Purba"),
)


@dataclass(frozen=True)
class _Spec:
    who: str  # the part of the e-mail before @
    policy: str
    key: str | None
    stance: str | None
    body: str
    wording: str = ""
    reply_to: int | None = None  # index in SPECS of the comment answered
    on_version_1: bool = False  # written before version 2 of the needs-analysis policy


SPECS = (
    # 0-5: the needs-analysis policy, written on version 1 (before the revision).
    _Spec("warga", NEEDS, "pasal-5", "suggests_change",
          "Data pelayanan 12 bulan terlalu pendek. Di Kantor Camat Medan Deli antrean KTP-el bisa melonjak "
          "menjelang pemilu, jadi satu tahun data tidak mencerminkan beban kerja sebenarnya.",
          "Data pelayanan yang digunakan paling singkat 24 (dua puluh empat) bulan terakhir.", on_version_1=True),
    _Spec("lsm", NEEDS, "pasal-9", "objects",
          "Rasio satu pekerja sosial untuk setiap kecamatan tidak memadai bagi kecamatan berpenduduk di atas "
          "150.000 jiwa. LBH Medan mencatat waktu tunggu pendampingan di Medan Helvetia lebih dari dua minggu.",
          "paling sedikit 1 (satu) pekerja sosial untuk setiap 50.000 (lima puluh ribu) penduduk", on_version_1=True),
    _Spec("akademisi", NEEDS, "pasal-17", "supports",
          "Pengawasan oleh Inspektorat atas kebenaran data penting agar angka kebutuhan tidak digelembungkan. "
          "Sanksi tidak dapat mengusulkan formasi tambahan juga tepat.", on_version_1=True),
    _Spec("maria.sembiring", NEEDS, "pasal-11", "objects",
          "Masa konsultasi 21 hari terlalu singkat. Banyak warga di kelurahan tidak membuka portal; mohon "
          "hasil analisis juga ditempel di kantor lurah dan kantor camat.", on_version_1=True),
    _Spec("rahmat.daulay", NEEDS, "pasal-2", "supports",
          "Saya setuju tujuan rancangan ini. Selama ini penambahan pegawai tidak jelas dasarnya.", on_version_1=True),
    _Spec("akademisi", NEEDS, "pasal-5", None,
          "Data kami dari enam Puskesmas juga menunjukkan variasi musiman yang besar; 24 bulan lebih aman.",
          reply_to=0, on_version_1=True),
    # 6-13: the needs-analysis policy, on the current version.
    _Spec("lsm", NEEDS, "pasal-10a", "supports",
          "Bobot bagi lansia, penyandang disabilitas, dan balita adalah kemajuan. Mohon bobot ditinjau berkala "
          "berdasarkan survei waktu layanan, bukan ditetapkan sekali untuk selamanya."),
    _Spec("dewi.purba", NEEDS, "pasal-10a", "suggests_change",
          "Ibu hamil juga membutuhkan waktu layanan lebih lama di Puskesmas. Sebaiknya dimasukkan dalam kelompok "
          "yang diberi bobot.", "penduduk lanjut usia, penyandang disabilitas, ibu hamil, dan balita"),
    _Spec("warga", NEEDS, "pasal-9", "supports",
          "Kenaikan rasio petugas layanan terpadu kecamatan sangat kami tunggu. Antrean di Medan Helvetia "
          "sering sampai siang."),
    _Spec("maria.sembiring", NEEDS, None, "supports",
          "Secara keseluruhan rancangan ini bagus karena menghitung pegawai dari kebutuhan warga, bukan dari "
          "usulan OPD saja. Semoga hasilnya benar-benar diumumkan."),
    _Spec("akademisi", NEEDS, "pasal-16", "suggests_change",
          "Evaluasi tahunan sebaiknya melibatkan perguruan tinggi sebagai pihak independen dan hasilnya "
          "dipublikasikan dalam format data terbuka.",
          "BKPSDM melakukan evaluasi bersama perguruan tinggi dan mempublikasikan hasilnya dalam format terbuka."),
    _Spec("rahmat.daulay", NEEDS, "pasal-9", None,
          "Betul, apalagi saat musim pendaftaran sekolah. Loket sering tutup sebelum semua warga dilayani.",
          reply_to=8),
    _Spec("lsm.baru", NEEDS, "pasal-12", "objects",
          "Masukan dari komunitas kami sering tidak dijawab. Mohon diatur batas waktu jawaban dari Perangkat "
          "Daerah atas setiap masukan."),
    _Spec("lsm.baru", NEEDS, "pasal-6", "suggests_change",
          "Data agregat tingkat kelurahan sudah tepat, tetapi perlu dijelaskan siapa yang boleh mengakses data "
          "mentahnya."),
    # 14-20: the leadership-training policy.
    _Spec("akademisi", TRAINING, "pasal-9", "suggests_change",
          "Indikator keberhasilan aksi perubahan perlu ditetapkan bersama unit layanan sebelum pelatihan dimulai, "
          "lalu dilaporkan kembali enam bulan kemudian.",
          "Indikator keberhasilan Aksi Perubahan ditetapkan bersama unit layanan sebelum pelatihan dimulai."),
    _Spec("lsm", TRAINING, "pasal-12", "supports",
          "Jaminan kesempatan setara sangat penting. Mohon BKPSDM mempublikasikan jumlah peserta menurut jenis "
          "kelamin dan disabilitas setiap tahun."),
    _Spec("warga", TRAINING, "pasal-5", "supports",
          "Camat dan lurah memang harus segera ikut pelatihan. Pelayanan di kantor lurah sangat bergantung pada "
          "pimpinannya."),
    _Spec("dewi.purba", TRAINING, "pasal-14", "objects",
          "Larangan memindahkan pejabat satu tahun setelah pelatihan bisa menghambat rotasi yang dibutuhkan. "
          "Sebaiknya ada pengecualian untuk kebutuhan organisasi yang mendesak."),
    _Spec("maria.sembiring", TRAINING, "pasal-8", "suggests_change",
          "Materi muatan lokal sebaiknya mencakup pelayanan bagi warga lanjut usia dan penyandang disabilitas.",
          "materi pelayanan publik yang inklusif bagi lanjut usia dan penyandang disabilitas"),
    _Spec("rahmat.daulay", TRAINING, None, "supports",
          "Semoga pelatihan ini tidak hanya formalitas. Hasil aksi perubahan harus bisa dilihat warga."),
    _Spec("lsm", TRAINING, "pasal-9", None,
          "Kami sepakat; LBH Medan bersedia membantu menyusun indikator untuk layanan bantuan hukum.",
          reply_to=14),
    # 21-24: the closed application policy (written during its window).
    _Spec("lsm", APP, "pasal-11", "suggests_change",
          "Pegawai perlu dapat melihat siapa saja yang mengakses data kinerjanya, sebagaimana diatur dalam "
          "prinsip pelindungan data pribadi.",
          "Setiap Pegawai ASN berhak melihat catatan akses atas data kinerjanya."),
    _Spec("warga", APP, "pasal-8", "supports",
          "Penghapusan laporan aktivitas harian sangat baik. Waktu pegawai lebih baik dipakai melayani warga."),
    _Spec("akademisi", APP, "pasal-9", "objects",
          "Batas waktu umpan balik 10 hari kerja tanpa akibat bila dilanggar tidak akan efektif."),
    _Spec("maria.sembiring", APP, None, "supports",
          "Aplikasi yang bisa dibuka dari telepon genggam akan memudahkan pegawai di kelurahan."),
    # 25-26: hidden by the moderator below.
    _Spec("rahmat.daulay", NEEDS, "pasal-9", "objects",
          "Hubungi 0812-xxxx-xxxx untuk jasa pengurusan formasi CPNS cepat, dijamin lulus!"),
    _Spec("dewi.purba", TRAINING, "pasal-11", "objects",
          "Pak Kepala Bidang di BKPSDM yang bernama lengkap dan beralamat di Jalan ... itu tidak becus bekerja."),
)
# Which comments stay waiting for a moderator (the new accounts' first ones) and which get hidden.
LEFT_PENDING = (12, 13)
HIDDEN = {25: ("spam", "Iklan jasa pengurusan formasi."),
          26: ("personal_data", "Menyebut identitas dan alamat seorang pegawai; silakan kirim ulang tanpa data pribadi.")}
# "I agree": comment index -> who agrees.
ENDORSEMENTS = {
    0: ("lsm", "maria.sembiring", "rahmat.daulay"),
    1: ("akademisi", "warga", "dewi.purba", "maria.sembiring"),
    6: ("akademisi", "dewi.purba"),
    8: ("maria.sembiring", "rahmat.daulay"),
    14: ("lsm", "warga"),
    15: ("akademisi", "dewi.purba", "maria.sembiring"),
    17: ("rahmat.daulay",),
}


def seed_comments_demo() -> list[Comment]:
    """Create the demo comments (and three citizen accounts); returns them, none if already seeded."""
    moderator = _user("moderator")
    if moderator is None or _user("lsm") is None:
        raise RuntimeError("seed the demo accounts first (flask seed-demo)")
    if db.session.scalar(select(Comment.id).limit(1)) is not None:
        return []
    for local, name in EXTRA_CITIZENS:
        if _user(local) is None:
            account_services.create_user(f"{local}@{DOMAIN}", name, PASSWORD, "citizen")
    policies = {title: _policy(title) for title in (NEEDS, TRAINING, APP)}
    # The citizens' first contributions wait for review; the moderator approves them as they come in,
    # except the two of the new NGO account that stay in the queue.
    created: list[Comment] = []
    for index, spec in enumerate(SPECS):
        author = _user(spec.who)
        parent = created[spec.reply_to] if spec.reply_to is not None else None
        policy = policies[spec.policy]
        if spec.on_version_1 or not policy.accepts_input():
            comment = _written_earlier(author, policy, spec, parent)
        else:
            comment = services.post_comment(
                author, policy, body=spec.body, stance=spec.stance, article_key=spec.key,
                suggested_wording=spec.wording, parent=parent,
            )
        if comment.status == "pending" and index not in LEFT_PENDING:
            moderation.approve(moderator, comment, "Sesuai pedoman komentar.")
        created.append(comment)
    for index, (reason, note) in HIDDEN.items():
        moderation.hide(moderator, created[index], reason, note)
    for index, people in ENDORSEMENTS.items():
        for who in people:
            if created[index].policy.accepts_input():
                services.endorse(_user(who), created[index])
    return created


def _written_earlier(author: User, policy: Policy, spec: _Spec, parent: Comment | None) -> Comment:
    """A comment on version 1 or during a window that has closed, admitted by the moderation rules and dated back."""
    version = policy.versions[0] if spec.on_version_1 else policy.current_version
    comment = Comment(
        policy_id=policy.id,
        version_id=version.id,
        article_key=parent.article_key if parent is not None else spec.key,
        stance=spec.stance,
        suggested_wording=spec.wording,
        parent_id=parent.id if parent is not None else None,
        body=spec.body,
    )
    with db.session.no_autoflush:
        contributions.admit(author, comment)
    when = _moment_before(policy, version, spec)
    comment.created_at = comment.updated_at = when
    if comment.published_at is not None:
        comment.published_at = when
    for event in comment.events:
        event.created_at = when
    db.session.commit()
    return comment


def _moment_before(policy: Policy, version, spec: _Spec) -> datetime:
    """A time inside the consultation window, before the next version (or the closing) appeared."""
    later = [v.created_at for v in policy.versions if v.number > version.number]
    end = min(later + [policy.closes_at or utcnow(), utcnow()])
    start = max(policy.opens_at or version.created_at, version.created_at)
    offset = (zlib.crc32(spec.body.encode()) % 1000) / 1000 * 0.8 + 0.1  # spread, but the same every run
    return start + (end - start) * offset if end > start else end - timedelta(hours=1)


def _user(local: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DOMAIN}"))


def _policy(title_start: str) -> Policy:
    policy = db.session.scalar(select(Policy).where(Policy.title.contains(title_start)))
    if policy is None:
        raise RuntimeError(f"demo policy {title_start!r} is missing; seed the demo policies first")
    return policy
