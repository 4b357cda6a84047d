"""A small portal for the refusal table: one account per role and one of each
thing a mutating service acts on, each made the first time a case asks for it,
with the shared factories of tests/conftest.py or the services."""

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

    def __init__(self, app, request):
        self.app = app
        self.fixture = request.getfixturevalue  # the shared factories, made on first use
        self.make_user = self.fixture("make_user")
        self.anonymous = AnonymousUserMixin()

    # --- accounts ---------------------------------------------------------------

    @cached_property
    def citizen(self):
        return self.fixture("citizen")

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
        return self.fixture("member")

    @cached_property
    def suspended_ngo(self):
        return self.make_user(role="ngo", organisation="LSM Pantau ASN", verified=True,
                              suspended_until=utcnow() + timedelta(days=3))

    @cached_property
    def academic(self):
        return self.make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True)

    @cached_property
    def moderator(self):
        return self.fixture("moderator")

    @cached_property
    def moderator2(self):
        return self.make_user(role="moderator", display_name="Moderator Kedua")

    @cached_property
    def admin(self):
        return self.fixture("admin")

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
    def summary(self):
        """A draft aspiration summary of the position with two themes, each holding the comment."""
        from portal.aspirations.summaries.models import Summary, SummaryTheme, ThemeMember
        from portal.extensions import db

        summary = Summary(position_id=self.position.id, created_by_id=self.moderator.id, contribution_count=1)
        for ordinal in range(2):
            theme = SummaryTheme(ordinal=ordinal, label=f"tema {ordinal}", terms=[], size=1)
            theme.members = [ThemeMember(contribution_id=self.comment.id, rank=0)]
            summary.themes.append(theme)
        db.session.add(summary)
        db.session.commit()
        return summary

    @cached_property
    def published_theme(self):
        """A theme of a published summary, holding the comment."""
        from portal.extensions import db, utcnow

        self.summary.status, self.summary.published_at = "published", utcnow()
        db.session.commit()
        return self.summary.themes[0]

    @cached_property
    def export(self):
        """A permitted, validated export of the policy (as start_export returns it, without its audit entry)."""
        from portal.aspirations.exports import columns, services

        return services.Export(request=services.ExportRequest(policy_id=self.policy.id),
                               columns=columns.columns(personal=False), policy=self.policy)

    @cached_property
    def failed_export_job(self):
        """The moderator's export job; no queue runs in these tests, so it is kept as failed."""
        from portal.aspirations.exports import jobs

        return jobs.start(self.moderator, self.export)

    @cached_property
    def failed_summary_job(self):
        """The moderator's summary job of the position, kept as failed (no queue runs here)."""
        from portal.aspirations.summaries import jobs

        return jobs.start(self.moderator, position=self.position)

    @cached_property
    def policy(self):
        """An open consultation, linked to the position."""
        return self.fixture("make_policy")(by=self.moderator, body=POLICY_BODY, positions=[self.position])

    @cached_property
    def second_version(self):
        """Version 2 of the open consultation, adding an article (so it has something to cite for)."""
        from portal.proposals import services as proposals

        return proposals.add_version(self.moderator, self.policy, POLICY_BODY + "\n### Pasal 9\nPenutup\n\nBerlaku.\n",
                                     "Menambah Pasal 9.")

    @cached_property
    def closed_policy(self):
        """A consultation that has closed."""
        return self.fixture("make_policy")("closed", by=self.moderator, body=POLICY_BODY, title="Perwal Lama")

    # --- contributions ------------------------------------------------------------------

    def _comment(self, author, body: str, published: bool = True):
        return self.fixture("contribute")(author, body, kind="comment", on=self.policy, stance="supports",
                                          article_key="pasal-1", published=published)

    @cached_property
    def comment(self):
        """A published comment by the author."""
        return self._comment(self.author, "Pasal 1 perlu menyebut jumlah penduduk kecamatan.")

    @cached_property
    def pending_comment(self):
        """A comment by the author that waits for review."""
        return self._comment(self.author, "Mohon data ABK terbaru dilampirkan.", published=False)

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
        return self.fixture("general")

    @cached_property
    def roundtable(self):
        return self.fixture("roundtable")

    @cached_property
    def thread(self):
        """A thread by the author in the general category."""
        return self.fixture("make_thread")(self.author, self.general, "Perawat Puskesmas", "Apakah ABK dihitung ulang?")

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

        policy = self.fixture("make_policy")(by=self.moderator, body=POLICY_BODY, title="Perwal Ditutup")
        submission = services.submit(self.ngo, policy, "Masukan lama", "Pasal 1 perlu definisi.")
        proposals.transition(self.moderator, policy, "closed")
        return submission

    @cached_property
    def cosignature(self):
        """The academic's organisation invited to co-sign the submission."""
        from portal.submissions import cosigning

        return cosigning.invite_cosigner(self.ngo, self.submission, self.academic.organisation)

    @cached_property
    def suggested_link(self):
        """The portal's suggestion that the author's comment concerns the position."""
        from portal.aspirations.links.models import ContributionLink

        link = ContributionLink(contribution_id=self.comment.id, position_id=self.position.id, source="suggested",
                                status="active", reason="title", matched=self.position.name)
        db.session.add(link)
        db.session.commit()
        return link


@pytest.fixture
def world(app, request, publish_at_once):
    """The refusal table's portal."""
    world = World(app, request)
    yield world
    db.session.rollback()
