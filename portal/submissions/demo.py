"""Demo formal submissions: realistic Indonesian input from the demo NGO and
academic accounts, with a small generated PDF, one co-signature, one
withdrawal and one letter recorded offline. Call after the demo accounts and
policies exist (portal.demo.seed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db, utcnow
from portal.i18n import local_zone
from portal.proposals.models import Policy
from portal.submissions import cosigning, services
from portal.submissions.attachments import Upload
from portal.submissions.models import Submission

NGO_EMAIL = "lsm@demo.medan.go.id"
ACADEMIC_EMAIL = "akademisi@demo.medan.go.id"
OFFICIAL_EMAIL = "moderator@demo.medan.go.id"
NEEDS_POLICY = "Analisis Kebutuhan Jabatan"
TRAINING_POLICY = "Pelatihan Kepemimpinan"
APP_POLICY = "Penyelenggaraan Aplikasi Pelaporan Kinerja"


def minimal_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing `lines` in Helvetica (Latin-1 text), written by hand."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content_lines = ["BT", "/F1 11 Tf", "14 TL", "56 786 Td"]
    for line in lines:
        content_lines.append(f"({escape(line)}) Tj T*")
    content_lines.append("ET")
    stream = "\n".join(content_lines).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


@dataclass(frozen=True)
class _Spec:
    email: str
    policy: str
    title: str
    body: str
    article_keys: tuple[str, ...]
    pdf_name: str | None = None
    pdf_lines: tuple[str, ...] = ()


SPECS = (
    _Spec(
        NGO_EMAIL,
        NEEDS_POLICY,
        "Masukan LBH Medan atas sumber data dan rasio minimal petugas layanan",
        "LBH Medan menyambut baik penggunaan data kependudukan dan data pelayanan publik dalam analisis "
        "kebutuhan jabatan. Kami menyampaikan tiga masukan:\n\n"
        "1. **Pasal 5 ayat (1) huruf e**: data pengaduan masyarakat perlu mencakup pengaduan yang masuk "
        "melalui kanal tidak resmi (media sosial, surat pembaca) yang telah diverifikasi, karena banyak warga "
        "di kecamatan pinggiran tidak menggunakan kanal resmi.\n"
        "2. **Pasal 9 ayat (1) huruf c**: satu pekerja sosial untuk setiap kecamatan tidak memadai bagi "
        "kecamatan berpenduduk di atas 150.000 jiwa seperti Medan Helvetia dan Medan Deli. Kami mengusulkan "
        "rasio satu pekerja sosial untuk setiap 50.000 penduduk.\n"
        "3. Hasil penghitungan sebaiknya diumumkan dalam format terbuka (CSV) agar dapat diperiksa ulang oleh "
        "masyarakat sipil.\n\n"
        "Rincian data pendukung kami lampirkan.",
        ("pasal-5", "pasal-9"),
        "lbh-medan-masukan-analisis-kebutuhan.pdf",
        (
            "LEMBAGA BANTUAN HUKUM MEDAN",
            "Masukan atas Rancangan Perwal Analisis Kebutuhan Jabatan",
            "",
            "Lampiran: data pengaduan layanan kecamatan 2024-2025",
            "Medan Helvetia: 412 pengaduan, waktu tunggu rata-rata 9 hari",
            "Medan Deli: 388 pengaduan, waktu tunggu rata-rata 11 hari",
            "Medan Tuntungan: 164 pengaduan, waktu tunggu rata-rata 6 hari",
            "",
            "Usulan: 1 pekerja sosial per 50.000 penduduk kecamatan.",
        ),
    ),
    _Spec(
        ACADEMIC_EMAIL,
        NEEDS_POLICY,
        "Kajian akademik: bobot kelompok rentan dalam penghitungan kebutuhan pegawai",
        "Tim peneliti Universitas Sumatera Utara mendukung Pasal 10A tentang bobot bagi penduduk lanjut usia, "
        "penyandang disabilitas, dan balita. Namun bobot tunggal 1,5 kali belum didasarkan pada data waktu "
        "layanan. Dari pengamatan kami di enam Puskesmas, waktu layanan bagi lansia rata-rata 1,8 kali dan bagi "
        "penyandang disabilitas 2,1 kali waktu layanan umum.\n\n"
        "Kami mengusulkan agar bobot ditetapkan per kelompok dan ditinjau setiap dua tahun berdasarkan survei "
        "waktu layanan, serta agar data agregat Dinas Sosial dipadankan dengan data Disdukcapil sebelum dipakai.",
        ("pasal-10a", "pasal-10"),
        "usu-kajian-bobot-kelompok-rentan.pdf",
        (
            "UNIVERSITAS SUMATERA UTARA",
            "Kajian Bobot Kelompok Rentan dalam Analisis Kebutuhan Jabatan",
            "",
            "Rata-rata waktu layanan relatif terhadap layanan umum (6 Puskesmas, 2025):",
            "Lansia: 1,8 kali   Penyandang disabilitas: 2,1 kali   Balita: 1,3 kali",
            "",
            "Rekomendasi: bobot per kelompok, ditinjau setiap 2 tahun.",
        ),
    ),
    _Spec(
        ACADEMIC_EMAIL,
        TRAINING_POLICY,
        "Aksi perubahan yang terukur dan evaluasi pascapelatihan yang terbuka",
        "Kami mendukung kewajiban pelatihan kepemimpinan paling lama satu tahun sejak pelantikan. Agar Pasal 9 "
        "tentang aksi perubahan berdampak nyata, indikator keberhasilan sebaiknya ditetapkan bersama unit "
        "layanan sebelum pelatihan dimulai dan dilaporkan kembali enam bulan setelah pelatihan.\n\n"
        "Kami juga menyarankan agar hasil evaluasi pascapelatihan dipublikasikan per Perangkat Daerah, bukan "
        "hanya secara agregat, sehingga warga dapat melihat perbaikan layanan di wilayahnya.",
        ("pasal-9",),
    ),
    _Spec(
        NGO_EMAIL,
        TRAINING_POLICY,
        "Kesetaraan kesempatan bagi pejabat perempuan dan penyandang disabilitas",
        "Pasal 12 menjamin kesempatan yang setara. Kami meminta agar BKPSDM mempublikasikan setiap tahun "
        "jumlah peserta menurut jenis kelamin dan disabilitas, serta menyediakan akomodasi yang layak "
        "(juru bahasa isyarat, materi dalam format yang dapat diakses) dalam setiap angkatan pelatihan.",
        ("pasal-12",),
    ),
)

OFFLINE = {
    "policy": APP_POLICY,
    "channel": "letter",
    "days_before_close": 5,
    "author_name": "Forum Komunikasi Pegawai Kecamatan se-Kota Medan",
    "organisation_name": "Forum Komunikasi Pegawai Kecamatan se-Kota Medan",
    "stakeholder_group": "citizen",
    "title": "Surat: keberatan atas batas waktu umpan balik dan akses data kinerja",
    "body": (
        "Surat yang diterima di loket BKPSDM, diketik ulang oleh petugas:\n\n"
        "Kami mendukung dihapuskannya kewajiban laporan aktivitas harian (Pasal 8). Namun batas waktu umpan "
        "balik 10 hari kerja pada Pasal 9 sering tidak dipatuhi atasan; mohon diatur akibatnya bila umpan balik "
        "terlambat. Kami juga meminta agar pegawai dapat melihat siapa saja yang mengakses data kinerjanya "
        "(Pasal 11)."
    ),
    "article_keys": ("pasal-8", "pasal-9", "pasal-11"),
}


def seed_submissions_demo() -> list[Submission]:
    """Create the demo submissions through the real services; returns them (none if already seeded)."""
    users = {
        email: db.session.scalar(select(User).where(User.email == email))
        for email in (NGO_EMAIL, ACADEMIC_EMAIL, OFFICIAL_EMAIL)
    }
    if any(user is None for user in users.values()):
        raise RuntimeError("seed the demo accounts first (flask seed-demo)")
    if db.session.scalar(select(Submission.id).where(Submission.author_id.in_([u.id for u in users.values()]))):
        return []
    created: list[Submission] = []
    for spec in SPECS:
        policy = _policy(spec.policy)
        files = [Upload(spec.pdf_name, minimal_pdf(list(spec.pdf_lines)))] if spec.pdf_name else []
        created.append(
            services.submit(users[spec.email], policy, spec.title, spec.body, list(spec.article_keys), files)
        )
    # The academic institution co-signs the NGO's first submission.
    ngo_first, academic = created[0], users[ACADEMIC_EMAIL]
    cosignature = cosigning.invite_cosigner(users[NGO_EMAIL], ngo_first, academic.organisation)
    cosigning.confirm_cosign(academic, cosignature)
    # The NGO withdraws its training submission (to resend it later with data).
    services.withdraw(users[NGO_EMAIL], created[3], "Akan kami kirim ulang dengan data peserta per OPD.")
    # A letter that reached BKPSDM during the closed consultation, recorded by the moderator.
    app_policy = _policy(OFFLINE["policy"])
    received = (app_policy.closes_at - timedelta(days=OFFLINE["days_before_close"])).astimezone(local_zone()).date()
    received = min(received, utcnow().astimezone(local_zone()).date())
    created.append(
        services.record_offline(
            users[OFFICIAL_EMAIL],
            app_policy,
            title=OFFLINE["title"],
            body=OFFLINE["body"],
            channel=OFFLINE["channel"],
            received_on=received,
            author_name=OFFLINE["author_name"],
            organisation_name=OFFLINE["organisation_name"],
            stakeholder_group=OFFLINE["stakeholder_group"],
            article_keys=list(OFFLINE["article_keys"]),
        )
    )
    return created


def _policy(title_start: str) -> Policy:
    policy = db.session.scalar(select(Policy).where(Policy.title.contains(title_start)))
    if policy is None:
        raise RuntimeError(f"demo policy {title_start!r} is missing; seed the demo policies first")
    return policy
