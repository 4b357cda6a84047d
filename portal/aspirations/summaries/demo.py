"""Demo: the loop closed on one position. People comment on the nurse position of the needs-analysis
draft, an official summarises and publishes their aspirations, and the admin raises the required
count of nurses citing the theme that asked for it. Everything goes through the real services."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.aspirations.summaries import services
from portal.aspirations.summaries.models import Summary
from portal.comments import services as comments
from portal.contributions.models import Contribution
from portal.extensions import db
from portal.moderation import services as moderation
from portal.positions import services as positions
from portal.positions.models import Position

DOMAIN = "demo.medan.go.id"
POSITION_CODE = "DINKES-008"
# (who, field, stance, text): what nurses, patients, NGOs and researchers in Medan would write.
COMMENTS = (
    ("warga", "main_tasks", "objects", "Di Puskesmas Medan Deli satu perawat melayani puluhan pasien setiap pagi, antrean sampai ke luar gedung. Jumlah perawat harus ditambah."),
    ("maria.sembiring", "main_tasks", "objects", "Ibu saya menunggu tiga jam di puskesmas karena perawatnya hanya dua orang. Beban kerja perawat jelas terlalu berat."),
    ("rahmat.daulay", "main_tasks", "suggests_change", "Perhitungan kebutuhan perawat sebaiknya memakai jumlah kunjungan pasien per hari, bukan hanya jumlah penduduk kecamatan."),
    ("lsm", "main_tasks", "objects", "Data pengaduan kami menunjukkan keluhan terbanyak soal lamanya pelayanan karena kekurangan perawat di puskesmas pinggiran kota."),
    ("akademisi", "main_tasks", "suggests_change", "Rasio perawat terhadap kunjungan pasien di puskesmas Medan jauh di bawah standar; kebutuhan formasi perawat perlu dihitung ulang dengan data kunjungan."),
    ("dewi.purba", "main_tasks", "objects", "Perawat di puskesmas kami juga mengurus administrasi BPJS sehingga waktu merawat pasien berkurang. Tambah tenaga atau kurangi tugas administrasinya."),
    ("lsm.baru", "main_tasks", "objects", "Puskesmas yang buka 24 jam hanya punya satu perawat jaga malam. Itu berbahaya bagi pasien gawat darurat."),
    ("warga", "required_count", "suggests_change", "Tolong jumlah perawat jaga malam di puskesmas rawat inap ditambah, jangan hanya satu orang per sif."),
    ("maria.sembiring", "required_count", "objects", "Kekurangan perawat membuat posyandu lansia di kelurahan kami sering batal karena perawatnya harus tetap di puskesmas."),
    ("rahmat.daulay", "main_tasks", "objects", "Jumlah pasien di puskesmas terus naik setiap tahun tetapi formasi perawat tidak pernah bertambah."),
    ("akademisi", "training_requirements", "suggests_change", "Perawat ahli pertama perlu pelatihan kegawatdaruratan dasar bersertifikat sebelum ditempatkan di puskesmas rawat inap."),
    ("lsm", "training_requirements", "suggests_change", "Syarat pelatihan sebaiknya mencakup pelayanan ramah disabilitas dan lansia, karena banyak pasien puskesmas adalah lansia."),
    ("dewi.purba", "training_requirements", "supports", "Saya mendukung kewajiban pelatihan berkelanjutan untuk perawat, tetapi biayanya harus ditanggung pemerintah kota, bukan perawat sendiri."),
    ("warga", "training_requirements", "suggests_change", "Pelatihan komunikasi dengan pasien juga penting, banyak warga merasa kurang dijelaskan soal obat dan perawatan di rumah."),
    ("lsm.baru", "training_requirements", "suggests_change", "Sertifikasi kompetensi perawat harus diperbarui berkala dan jadwal pelatihannya diumumkan terbuka agar semua perawat mendapat kesempatan yang sama."),
    ("rahmat.daulay", "training_requirements", "supports", "Pelatihan penanganan gizi buruk dan stunting untuk perawat puskesmas sangat dibutuhkan di kecamatan kami."),
    ("akademisi", "qualifications", "suggests_change", "Kualifikasi minimal D3 keperawatan sudah tepat, tetapi pengalaman klinik di rumah sakit sebaiknya dihitung sebagai nilai tambah dalam seleksi."),
    ("maria.sembiring", "training_requirements", "supports", "Perawat yang pernah ikut pelatihan kegawatdaruratan terlihat jauh lebih sigap; pelatihan seperti itu harus rutin setiap tahun."),
    ("lsm", "requirements", "suggests_change", "Hasil kerja perawat sebaiknya diukur juga dari kepuasan pasien dan waktu tunggu, bukan hanya jumlah tindakan yang dicatat."),
    ("dewi.purba", "main_tasks", "objects", "Sering kali perawat puskesmas diminta membantu kegiatan kelurahan sehingga pelayanan di puskesmas kosong. Jumlah perawat tidak cukup untuk semua tugas itu."),
)


def _user(local: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DOMAIN}"))


def seed_summaries_demo() -> Summary | None:
    """Comments on the nurse position, a published summary of them, and a record change citing it."""
    position = db.session.scalar(select(Position).where(Position.code == POSITION_CODE))
    moderator, admin = _user("moderator"), _user("admin")
    if position is None or moderator is None or admin is None:
        raise RuntimeError("seed the demo accounts, positions and policies first (flask seed-demo)")
    if db.session.scalar(select(Summary.id).limit(1)) is not None:
        return None
    for who, field, stance, text in COMMENTS:
        author = _user(who)
        if author is None:
            continue
        comment = comments.post_position_comment(author, position, field, text, stance)
        if comment.status == "pending":
            moderation.approve(moderator, comment, "Sesuai pedoman komentar.")
    summary = services.summarize(moderator, position=position, themes=3)
    themes = summary.kept_themes
    workload = max(themes, key=lambda theme: _mentions(theme, "perawat", "pasien", "jumlah")) if themes else None
    if workload is not None:
        services.edit_theme(moderator, summary, workload.id, "Kekurangan perawat di puskesmas",
                            "Warga, LSM dan akademisi menulis bahwa satu atau dua perawat melayani terlalu banyak pasien.")
    services.set_note(moderator, summary, "Ringkasan masukan publik atas jabatan Perawat Ahli Pertama selama "
                                          "minggu pertama konsultasi Rancangan Perwal Analisis Kebutuhan Jabatan.")
    services.publish(moderator, summary)
    if workload is not None:
        positions.update_position(
            admin, position, {"required_count": str(position.required_count + 6)},
            reason="Kebutuhan perawat dihitung ulang dengan data kunjungan pasien, menjawab aspirasi publik "
                   "tentang kekurangan perawat di puskesmas.",
            cites=(workload.id,),
        )
    return summary


def _mentions(theme, *words: str) -> int:
    ids = [member.contribution_id for member in theme.members]
    bodies = db.session.scalars(select(Contribution.body).where(Contribution.id.in_(ids))).all()
    return sum(body.lower().count(word) for body in bodies for word in words)
