"""Demo forum: general categories, an NGO and academic roundtable, and a thread
on each demo policy, in Indonesian, with some posts waiting for review and one
hidden with a reason, so the moderation queue has material."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Mapping

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.forums import services
from portal.forums.models import Category, Thread
from portal.moderation import services as moderation

# A real post from the IndoNLU EmoT corpus (Apache-2.0), quoted as a resident would.
EMOT_PUSKESMAS = (
    "Klo di puskesmas yg antri orang hamil sm lansia didahulukan. Disini yg daftar online yg diutamakan. "
    "Akumah ngga pernah dapet tempat."
)


@contextmanager
def _premoderate_first(n: int):
    """Run the block with MODERATION_PREMODERATE_FIRST_N = n, so the demo is the same on every run."""
    config = current_app.config
    before = config.get("MODERATION_PREMODERATE_FIRST_N")
    config["MODERATION_PREMODERATE_FIRST_N"] = n
    try:
        yield
    finally:
        config["MODERATION_PREMODERATE_FIRST_N"] = before


def _pick(users: Iterable, test) -> object | None:
    return next((user for user in users if test(user)), None)


def seed_forum_demo(admin, users: Mapping[str, object] | Iterable, policies: Iterable) -> dict[str, int]:
    """Create the demo forum; returns counts. Does nothing if the "Umum" category exists.

    `users` is the demo accounts (a dict by name or a list): the moderator, a
    citizen, verified NGO and academic members and an unverified member are
    picked from it by role, falling back to `admin`.
    """
    people = list(users.values()) if isinstance(users, Mapping) else list(users)
    if db.session.scalar(select(Category.id).where(Category.slug == "umum")) is not None:
        return {"categories": 0, "threads": 0, "posts": 0}
    moderator = _pick(people, lambda u: u.role == "moderator") or admin
    citizen = _pick(people, lambda u: u.role == "citizen") or admin
    ngo = _pick(people, lambda u: u.role == "ngo" and u.is_verified_member) or moderator
    academic = _pick(people, lambda u: u.role == "academic" and u.is_verified_member) or ngo
    newcomer = _pick(people, lambda u: u.role in ("ngo", "academic") and not u.is_verified_member) or citizen
    policies = [p for p in policies if p.status != "draft"]

    general = services.create_category(
        admin, "Umum",
        "Diskusi umum tentang manajemen jabatan ASN di Pemerintah Kota Medan: formasi, beban kerja, dan pelayanan.",
        position=1,
    )
    services.create_category(
        admin, "Pelayanan Publik",
        "Pengalaman warga dengan layanan kecamatan, Puskesmas, dan Disdukcapil yang berkaitan dengan jumlah pegawai.",
        position=2,
    )
    roundtable = services.create_category(
        admin, "Meja Bundar LSM & Akademisi",
        "Forum kajian bagi anggota LSM dan akademisi yang terverifikasi. Semua orang dapat membaca; "
        "hanya anggota organisasi terverifikasi dan pejabat yang dapat menulis.",
        restricted=True, position=3,
    )

    with _premoderate_first(0):  # these are published at once
        rules = services.start_thread(
            moderator, general, "Tata tertib forum dan cara memberi masukan yang efektif",
            "Selamat datang di forum Portal Partisipasi.\n\n"
            "* Sebutkan **pasal** atau **jabatan** yang Anda bahas agar masukan dapat ditindaklanjuti.\n"
            "* Kritik kebijakan, bukan orangnya.\n"
            "* Jangan menuliskan data pribadi seperti NIK atau nomor telepon.\n\n"
            "Setiap tulisan mendapat nomor (FRM-…) dan statusnya selalu dapat Anda lihat.",
        )
        services.set_pinned(moderator, rules, True, "Panduan forum")
        services.reply(
            citizen, rules,
            "Terima kasih. Apakah masukan di forum juga dihitung dalam rekap aspirasi, atau hanya komentar pada pasal?",
        )
        services.reply(
            moderator, rules,
            "Ya, tulisan forum yang terbit ikut dibaca saat menyusun ringkasan aspirasi per kebijakan dan per jabatan.",
        )

        queue = services.start_thread(
            citizen, general, "Antrean di Puskesmas dan kebutuhan perawat",
            "Saya pernah membaca keluhan warga seperti ini:\n\n"
            f"> {EMOT_PUSKESMAS}\n\n"
            "Menurut saya masalahnya bukan hanya sistem antrean, tetapi jumlah perawat dan petugas pendaftaran "
            "yang tidak sebanding dengan jumlah penduduk kecamatan. Apakah analisis beban kerja Puskesmas "
            "sudah memperhitungkan hal ini?",
        )
        answer = services.reply(
            academic, queue,
            "Dalam kajian kami, kebutuhan perawat dihitung dari jumlah kunjungan per hari dan waktu layanan "
            "per pasien. Data kunjungan 24 bulan terakhir perlu dibuka agar hasil ABK dapat diuji publik.",
        )
        rude = services.reply(
            citizen, queue,
            "Petugas pendaftarannya malas semua, pecat saja! Nama petugasnya Pak R, rumahnya di Jalan Melati.",
        )
    moderation.hide(
        moderator, rude, "personal_data",
        "Tulisan menyebut nama dan alamat seorang petugas. Silakan tulis ulang tanpa data pribadi.",
    )
    with _premoderate_first(10):  # newcomers' posts wait for a moderator
        services.reply(
            newcomer, queue,
            "Komunitas kami mencatat waktu tunggu rata-rata 2 jam di tiga Puskesmas di Medan Utara. "
            "Kami siap berbagi datanya.",
            parent=answer,
        )

    with _premoderate_first(0):
        study = services.start_thread(
            academic, roundtable, "Metodologi ABK: memakai data kependudukan per kecamatan",
            "Kami mengusulkan agar rasio pegawai layanan langsung dihitung per 10.000 penduduk kecamatan, "
            "dengan bobot untuk lansia, penyandang disabilitas, dan balita. Mohon masukan dari rekan LSM.",
        )
        services.reply(
            ngo, study,
            "Setuju. Bobot juga perlu untuk kelurahan dengan banyak warga tanpa dokumen kependudukan, "
            "karena layanan Disdukcapil mereka paling padat.",
            quote=study.posts[0],
        )

    for number, policy in enumerate(policies[:3]):
        category = services.policy_category(policy)
        if number == 0:
            with _premoderate_first(0):
                thread = services.start_thread(
                    ngo, category, "Rasio petugas layanan di kantor kecamatan",
                    "Rasio minimal petugas layanan terpadu kecamatan sebaiknya ditetapkan dalam pasal, "
                    "bukan diserahkan ke peraturan pelaksana, agar tidak berubah setiap tahun anggaran.",
                )
            with _premoderate_first(10):
                services.reply(
                    citizen, thread,
                    "Di kecamatan kami loket hanya dua, padahal penduduknya lebih dari 150 ribu jiwa.",
                )
        elif number == 1:
            with _premoderate_first(0):
                thread = services.start_thread(
                    citizen, category, "Pelatihan kepemimpinan untuk lurah dan kepala Puskesmas",
                    "Saya setuju lurah dan kepala Puskesmas didahulukan. Tolong hasil evaluasi pelatihannya "
                    "diumumkan supaya warga tahu apakah layanan membaik.",
                )
                services.reply(
                    moderator, thread,
                    "Terima kasih. Rancangan mengatur publikasi hasil evaluasi pascapelatihan; "
                    "masukan Anda kami catat untuk memperjelas jadwalnya.",
                )
        else:
            with _premoderate_first(0):
                thread = services.start_thread(
                    academic, category, "Catatan akhir konsultasi",
                    "Ringkasan masukan akademisi sudah kami kirim sebagai masukan resmi. "
                    "Utas ini untuk tanya jawab singkat.",
                )
            services.set_locked(moderator, thread, True, "Konsultasi telah ditutup; utas diarsipkan.")

    return {
        "categories": db.session.query(Category).count(),
        "threads": db.session.query(Thread).count(),
        "posts": db.session.query(services.Post).count(),
    }
