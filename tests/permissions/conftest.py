"""A small portal for the refusal table: one account per role and one of each
thing a mutating service acts on, each made through the services the first
time a case asks for it."""

from __future__ import annotations

import io
from datetime import timedelta
from functools import cached_property

import pytest
from flask_login import AnonymousUserMixin

from portal.extensions import db, utcnow

POLICY_BODY = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1
Pengertian

Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab.

### Pasal 2
Sumber Data

Analisis kebutuhan menggunakan data kependudukan semester terakhir.
"""


class World:
    """Accounts by role and the things they act on; every attribute is built on first use."""

    def __init__(self, app, make_user):
        self.app = app
        self.make_user = make_user
        self.anonymous = AnonymousUserMixin()

    # --- accounts ---------------------------------------------------------------

    @cached_property
    def citizen(self):
        return self.make_user(display_name="Warga Medan Johor")

    @cached_property
    def author(self):
        """A citizen who wrote the comment, the thread and the post below."""
        return self.make_user(display_name="Warga Penulis")

    @cached_property
    def other(self):
        """A citizen who is the target of admins' and moderators' actions."""
        return self.make_user(display_name="Warga Lain")

    @cached_property
    def suspended(self):
        return self.make_user(display_name="Warga Ditangguhkan", suspended_until=utcnow() + timedelta(days=3))

    @cached_property
    def deactivated(self):
        return self.make_user(display_name="Akun Nonaktif", active=False)

    @cached_property
    def unverified(self):
        return self.make_user(role="ngo", organisation="LSM Belum Terverifikasi", display_name="Anggota Baru")

    @cached_property
    def ngo(self):
        return self.make_user(role="ngo", organisation="LBH Medan", verified=True, display_name="Sari (LBH)")

    @cached_property
    def suspended_ngo(self):
        return self.make_user(role="ngo", organisation="LSM Pantau ASN", verified=True,
                              suspended_until=utcnow() + timedelta(days=3))

    @cached_property
    def academic(self):
        return self.make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True)

    @cached_property
    def moderator(self):
        return self.make_user(role="moderator", display_name="Moderator BKPSDM")

    @cached_property
    def moderator2(self):
        return self.make_user(role="moderator", display_name="Moderator Kedua")

    @cached_property
    def admin(self):
        return self.make_user(role="admin", display_name="Admin Portal")

    # --- positions ----------------------------------------------------------------

    @cached_property
    def opd(self):
        from portal.positions import services

        return services.create_opd(self.admin, "DINKES", "Dinas Kesehatan")

    @cached_property
    def position(self):
        from portal.positions import services

        return services.create_position(self.admin, {
            "code": "DINKES-7", "name": "Perawat Terampil", "position_type": "fungsional",
            "grade": 7, "opd_id": self.opd.id,
        })

    @cached_property
    def consulted_position(self):
        """The position while the policy linked to it is open for consultation."""
        return self.policy.positions[0]

    def position_data(self) -> dict:
        return {"code": "DINKES-8", "name": "Bidan Terampil", "position_type": "fungsional",
                "grade": 7, "opd_id": self.opd.id}

    def positions_csv(self) -> io.BytesIO:
        header = "code,name,opd_code,opd_name,position_type,grade\n"
        return io.BytesIO((header + "DISDIK-1,Guru Ahli Pertama,DISDIK,Dinas Pendidikan,fungsional,9\n").encode())

    # --- policies -------------------------------------------------------------------

    def policy_details(self, title: str = "Rancangan Perwal Analisis Kebutuhan Jabatan") -> dict:
        now = utcnow()
        return {"title": title, "kind": "Rancangan Peraturan Wali Kota", "summary": "Ringkasan.",
                "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=10)}

    @cached_property
    def policy(self):
        """An open consultation, linked to the position."""
        from portal.proposals import services

        policy = services.create_policy(
            self.moderator, body=POLICY_BODY, position_ids=[self.position.id], **self.policy_details()
        )
        services.transition(self.moderator, policy, "open")
        return policy

    @cached_property
    def closed_policy(self):
        """A consultation that has closed."""
        from portal.proposals import services

        policy = services.create_policy(self.moderator, body=POLICY_BODY, **self.policy_details("Perwal Lama"))
        services.transition(self.moderator, policy, "open")
        services.transition(self.moderator, policy, "closed")
        return policy

    # --- contributions ------------------------------------------------------------------

    def _with_premoderation(self, n: int):
        previous = self.app.config.get("MODERATION_PREMODERATE_FIRST_N")
        self.app.config["MODERATION_PREMODERATE_FIRST_N"] = n
        return previous

    def _comment(self, author, body: str, premoderate: int = 0):
        from portal.comments import services

        previous = self._with_premoderation(premoderate)
        try:
            return services.post_comment(author, self.policy, body=body, stance="supports", article_key="pasal-1")
        finally:
            self.app.config["MODERATION_PREMODERATE_FIRST_N"] = previous

    @cached_property
    def comment(self):
        """A published comment by the author."""
        return self._comment(self.author, "Pasal 1 perlu menyebut jumlah penduduk kecamatan.")

    @cached_property
    def pending_comment(self):
        """A comment by the author that waits for review."""
        return self._comment(self.author, "Mohon data ABK terbaru dilampirkan.", premoderate=100)

    @cached_property
    def moderator2_comment(self):
        """A published comment by the second moderator."""
        return self._comment(self.moderator2, "Catatan moderator tentang Pasal 2.")

    @cached_property
    def hidden_comment(self):
        """The author's comment, hidden by a moderator."""
        from portal.moderation import services

        comment = self._comment(self.author, "Komentar yang kemudian disembunyikan.")
        services.hide(self.moderator2, comment, "off_topic")
        return comment

    @cached_property
    def appeal(self):
        from portal.contributions import services as contributions

        return contributions.appeal(self.author, self.hidden_comment, "Komentar saya relevan dengan Pasal 1.")

    # --- forum ------------------------------------------------------------------------

    @cached_property
    def general(self):
        from portal.forums import services

        return services.create_category(self.moderator, "Umum", "Diskusi umum.")

    @cached_property
    def roundtable(self):
        from portal.forums import services

        return services.create_category(self.moderator, "Meja Bundar", "Forum terbatas.", restricted=True)

    @cached_property
    def thread(self):
        """A thread by the author in the general category."""
        from portal.forums import services

        previous = self._with_premoderation(0)
        try:
            return services.start_thread(self.author, self.general, "Perawat Puskesmas", "Apakah ABK dihitung ulang?")
        finally:
            self.app.config["MODERATION_PREMODERATE_FIRST_N"] = previous

    @cached_property
    def post(self):
        """The opening post of the author's thread."""
        return self.thread.posts[0]

    # --- formal submissions -----------------------------------------------------------------

    @cached_property
    def submission(self):
        """A submission by the NGO member."""
        from portal.submissions import services

        return services.submit(self.ngo, self.policy, "Masukan LBH Medan", "Pasal 2 perlu data terpilah.")

    @cached_property
    def closed_submission(self):
        """A submission by the NGO member on a consultation that has closed since."""
        from portal.proposals import services as proposals
        from portal.submissions import services

        policy = proposals.create_policy(self.moderator, body=POLICY_BODY, **self.policy_details("Perwal Ditutup"))
        proposals.transition(self.moderator, policy, "open")
        submission = services.submit(self.ngo, policy, "Masukan lama", "Pasal 1 perlu definisi.")
        proposals.transition(self.moderator, policy, "closed")
        return submission

    @cached_property
    def cosignature(self):
        """The academic's organisation invited to co-sign the submission."""
        from portal.submissions import services

        return services.invite_cosigner(self.ngo, self.submission, self.academic.organisation)


@pytest.fixture
def world(app, make_user):
    """The refusal table's portal."""
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    world = World(app, make_user)
    yield world
    db.session.rollback()
