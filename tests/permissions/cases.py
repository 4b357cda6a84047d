"""The refusal table: every mutating service, called as each role that must be
refused, and as one role that may do it.

A row names the service (the function object, so a renamed or moved service
breaks the table loudly), the roles that must get PermissionDenied, the role
that must get through, and how to call it on the test portal (`World` in
conftest.py). `test_discovery.py` fails when a mutating service the code has
is missing here; `test_refusals.py` runs the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from portal.accounts import services as accounts
from portal.aspirations.citations import services as citations
from portal.aspirations.links import services as links
from portal.aspirations.responses import services as responses
from portal.aspirations.summaries import services as summaries
from portal.aspirations.exports import jobs as export_jobs
from portal.aspirations.exports import services as exports
from portal.aspirations.summaries import jobs as summary_jobs
from portal.jobs import services as jobs
from portal.comments import services as comments
from portal.extensions import utcnow
from portal.forums import services as forums
from portal.contributions import services as contributions
from portal.moderation import services as moderation
from portal.contributions.models import Contribution
from portal.notifications import services as notifications
from portal.positions import importer
from portal.positions import services as positions
from portal.privacy import services as privacy
from portal.proposals import services as proposals
from portal.proposals import workflow
from portal.submissions import cosigning
from portal.submissions import services as submissions
from portal.twofactor import services as twofactor

from tests.conftest import PASSWORD, enrol_second_factor

from .conftest import POLICY_BODY


@dataclass(frozen=True)
class Case:
    """One row: `call(world, actor)` must refuse every role in `refused` and let `allowed` through."""

    service: Callable
    refused: tuple[str, ...]
    allowed: str | None
    call: Callable[[Any, Any], Any]
    label: str = ""

    @property
    def qualname(self) -> str:
        return f"{self.service.__module__}.{self.service.__name__}"

    @property
    def id(self) -> str:
        return self.qualname.removeprefix("portal.") + (f"[{self.label.replace(' ', '-')}]" if self.label else "")


def _until():
    return utcnow() + timedelta(days=7)


ADMIN_ONLY = ("anonymous", "citizen", "ngo", "moderator")
OFFICIALS_ONLY = ("anonymous", "citizen", "suspended", "ngo", "academic")
SIGNED_IN_CONTRIBUTORS = ("anonymous", "suspended", "deactivated")

def _enrolled(user):
    """`user` with a second factor, set up on first use (none for an account that cannot sign in)."""
    if getattr(user, "active", False) and not twofactor.is_enrolled(user):
        enrol_second_factor(user)
    return user


def _first_code(user) -> str:
    """The first code of `user`'s enrolment, begun here (a wrong code for an account that cannot sign in)."""
    import pyotp

    if not getattr(user, "active", False):
        return "000000"
    return pyotp.TOTP(twofactor.start_enrolment(user)).now()


CASES: list[Case] = [
    # --- accounts -------------------------------------------------------------------
    Case(accounts.set_locale, ("anonymous", "deactivated"), "citizen",
         lambda w, a: accounts.set_locale(a, "en")),
    Case(accounts.sign_out, ("anonymous", "deactivated"), "citizen",
         lambda w, a: accounts.sign_out(a)),
    Case(accounts.end_other_sessions, ("anonymous", "deactivated"), "citizen",
         lambda w, a: accounts.end_other_sessions(a)),
    Case(accounts.change_password, ("anonymous", "deactivated"), "citizen",
         lambda w, a: accounts.change_password(a, PASSWORD, "Sandi baru untuk Medan 2027")),
    # --- privacy (UU PDP data rights) ------------------------------------------------
    Case(privacy.export_json, ADMIN_ONLY, "admin", lambda w, a: list(privacy.export_json(a, w.other)),
         label="for another"),
    Case(privacy.update_profile, ("anonymous", "deactivated"), "citizen",
         lambda w, a: privacy.update_profile(a, a, display_name="Nama Diperbaiki")),
    Case(privacy.update_profile, ADMIN_ONLY, "admin",
         lambda w, a: privacy.update_profile(a, w.other, display_name="Nama Diperbaiki"), label="for another"),
    Case(privacy.confirm_email_change, ("anonymous", "deactivated"), "citizen",
         lambda w, a: privacy.confirm_email_change(a, privacy._serializer().dumps(
             {"u": getattr(a, "id", None), "old": getattr(a, "email", None), "new": "alamat.baru@example.org"}))),
    Case(privacy.erase_account, ("anonymous", "deactivated"), "citizen",
         lambda w, a: privacy.erase_account(a, a, keep_contributions=True, password=PASSWORD)),
    Case(privacy.erase_account, ADMIN_ONLY, "admin",
         lambda w, a: privacy.erase_account(a, w.other, keep_contributions=False, reason="Surat 1/2026"),
         label="for another"),
    Case(accounts.verify_affiliation, (*ADMIN_ONLY, "unverified"), "admin",
         lambda w, a: accounts.verify_affiliation(a, w.unverified)),
    Case(accounts.revoke_affiliation, (*ADMIN_ONLY, "academic"), "admin",
         lambda w, a: accounts.revoke_affiliation(a, w.ngo, "Bukan pengurus organisasi ini.")),
    Case(accounts.set_role, (*ADMIN_ONLY, "other"), "admin",
         lambda w, a: accounts.set_role(a, w.other, "moderator")),
    Case(accounts.set_active, (*ADMIN_ONLY, "moderator2"), "admin",
         lambda w, a: accounts.set_active(a, w.other, False, "Akun ganda.")),

    # --- two-factor sign-in --------------------------------------------------------------
    Case(twofactor.start_enrolment, ("anonymous", "deactivated"), "citizen",
         lambda w, a: twofactor.start_enrolment(a)),
    Case(twofactor.confirm_enrolment, ("anonymous", "deactivated"), "citizen",
         lambda w, a: twofactor.confirm_enrolment(a, _first_code(a))),
    Case(twofactor.regenerate_recovery_codes, ("anonymous", "deactivated"), "citizen",
         lambda w, a: twofactor.regenerate_recovery_codes(_enrolled(a))),
    Case(twofactor.disable, ("anonymous", "deactivated"), "citizen",
         lambda w, a: twofactor.disable(_enrolled(a))),
    Case(twofactor.reauthenticate, ("anonymous", "deactivated"), "citizen",
         lambda w, a: twofactor.reauthenticate(a, PASSWORD, None)),
    Case(twofactor.reset, ADMIN_ONLY, "admin",
         lambda w, a: twofactor.reset(a, _enrolled(w.other), "Ponsel hilang.")),
    # --- aspirations: exports ----------------------------------------------------------
    Case(exports.start_export, OFFICIALS_ONLY, "moderator",
         lambda w, a: exports.start_export(a, exports.ExportRequest(policy_id=w.policy.id))),
    Case(exports.start_export, (*OFFICIALS_ONLY, "moderator"), "admin",
         lambda w, a: exports.start_export(a, exports.ExportRequest(
             policy_id=w.policy.id, personal=True, reason="Verifikasi identitas pengirim masukan resmi.")),
         label="with personal data"),

    Case(export_jobs.start, OFFICIALS_ONLY, "moderator", lambda w, a: export_jobs.start(a, w.export)),
    Case(export_jobs.retry, OFFICIALS_ONLY, "moderator", lambda w, a: export_jobs.retry(a, w.failed_export_job)),
    # --- jobs (kept as failed: no queue runs in these tests) ---------------------------
    Case(jobs.start, OFFICIALS_ONLY, "moderator",
         lambda w, a: jobs.start(a, "aspiration.summarize", None, summary_jobs.KIND, {"position_id": w.position.id})),
    Case(jobs.retry, OFFICIALS_ONLY, "moderator",
         lambda w, a: jobs.retry(a, w.failed_summary_job, "aspiration.summarize")),
    Case(summary_jobs.start, OFFICIALS_ONLY, "moderator", lambda w, a: summary_jobs.start(a, position=w.position)),
    Case(summary_jobs.retry, OFFICIALS_ONLY, "moderator", lambda w, a: summary_jobs.retry(a, w.failed_summary_job)),

    # --- comments -------------------------------------------------------------------
    Case(comments.post_comment, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: comments.post_comment(a, w.policy, body="Pasal 2 perlu batas waktu.", stance="objects",
                                            article_key="pasal-2")),
    Case(comments.post_comment, SIGNED_IN_CONTRIBUTORS, None,  # the refusal comes before the closed window
         lambda w, a: comments.post_comment(a, w.closed_policy, body="Terlambat.", stance="objects"),
         label="closed consultation"),
    Case(comments.post_position_comment, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: comments.post_position_comment(a, w.consulted_position, "main_tasks",
                                                     "Tugas pokok kurang jelas.", "suggests_change")),
    Case(comments.post_position_comment, SIGNED_IN_CONTRIBUTORS, None,
         lambda w, a: comments.post_position_comment(a, w.position, "main_tasks", "Tanpa konsultasi.", "objects"),
         label="no open consultation"),
    Case(comments.endorse, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: comments.endorse(a, w.comment)),
    Case(comments.endorse, ("citizen", "ngo", "moderator"), None,
         lambda w, a: comments.endorse(a, w.pending_comment), label="comment waiting for review"),

    # --- forums ---------------------------------------------------------------------
    Case(forums.create_category, OFFICIALS_ONLY, "moderator",
         lambda w, a: forums.create_category(a, "Kategori Baru", "Tentang apa saja.")),
    Case(forums.start_thread, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: forums.start_thread(a, w.general, "Formasi guru", "Berapa kebutuhan guru SD?")),
    Case(forums.start_thread, ("anonymous", "citizen", "unverified", "suspended_ngo"), "ngo",
         lambda w, a: forums.start_thread(a, w.roundtable, "Kajian ABK", "Metodologi kajian beban kerja."),
         label="restricted category"),
    Case(forums.reply, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: forums.reply(a, w.thread, "Sudah, tahun lalu.")),
    Case(forums.set_locked, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: forums.set_locked(a, w.thread, True, "Selesai.")),
    Case(forums.set_pinned, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: forums.set_pinned(a, w.thread, True)),
    Case(contributions.flag, (*SIGNED_IN_CONTRIBUTORS, "author"), "citizen",
         lambda w, a: contributions.flag(a, w.post, "spam"), label="a forum post"),

    # --- moderation -------------------------------------------------------------------
    Case(contributions.admit, SIGNED_IN_CONTRIBUTORS, "citizen",
         lambda w, a: contributions.admit(a, Contribution(body="Masukan tentang jabatan pelaksana."))),
    Case(contributions.flag, (*SIGNED_IN_CONTRIBUTORS, "author"), "citizen",
         lambda w, a: contributions.flag(a, w.comment, "off_topic")),
    Case(moderation.approve, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: moderation.approve(a, w.pending_comment)),
    Case(moderation.hide, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: moderation.hide(a, w.comment, "spam")),
    Case(moderation.hide, ("moderator2",), "moderator",
         lambda w, a: moderation.hide(a, w.moderator2_comment, "spam"), label="own contribution"),
    Case(moderation.restore, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: moderation.restore(a, w.hidden_comment)),
    Case(moderation.suspend, (*OFFICIALS_ONLY, "other"), "moderator",
         lambda w, a: moderation.suspend(a, w.other, _until(), "Spam berulang.")),
    Case(moderation.suspend, ("moderator", "moderator2"), "admin",
         lambda w, a: moderation.suspend(a, w.moderator2, _until(), "Menyalahgunakan wewenang."), label="an official"),
    Case(moderation.lift_suspension, (*OFFICIALS_ONLY,), "moderator",
         lambda w, a: moderation.lift_suspension(a, w.suspended, "Banding diterima.")),
    Case(contributions.appeal, ("anonymous", "citizen", "moderator", "suspended"), "author",
         lambda w, a: contributions.appeal(a, w.hidden_comment, "Komentar saya relevan.")),
    Case(moderation.decide_appeal, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: moderation.decide_appeal(a, w.appeal, True)),
    Case(contributions.withdraw, ("anonymous", "citizen", "moderator", "admin"), "author",
         lambda w, a: contributions.withdraw(a, w.comment)),

    # --- notifications -------------------------------------------------------------------
    Case(notifications.mark_read, ("anonymous", "deactivated"), "citizen",
         lambda w, a: notifications.mark_read(a)),
    Case(notifications.follow, ("anonymous", "deactivated"), "citizen",
         lambda w, a: notifications.follow(a, "policy", w.policy.id)),
    Case(notifications.unfollow, ("anonymous", "deactivated"), "citizen",
         lambda w, a: notifications.unfollow(a, "policy", w.policy.id)),

    # --- positions -------------------------------------------------------------------
    Case(positions.create_opd, ADMIN_ONLY, "admin",
         lambda w, a: positions.create_opd(a, "DISDIK", "Dinas Pendidikan")),
    Case(positions.create_position, ADMIN_ONLY, "admin",
         lambda w, a: positions.create_position(a, w.position_data())),
    Case(positions.update_position, ADMIN_ONLY, "admin",
         lambda w, a: positions.update_position(a, w.position, {"name": "Perawat Mahir"})),
    Case(importer.import_csv, ADMIN_ONLY, "admin",
         lambda w, a: importer.import_csv(a, w.positions_csv())),

    # --- draft policies -------------------------------------------------------------------
    Case(proposals.create_policy, OFFICIALS_ONLY, "moderator",
         lambda w, a: proposals.create_policy(a, body=POLICY_BODY, **w.policy_details("Rancangan Baru"))),
    Case(proposals.add_version, OFFICIALS_ONLY, "moderator",
         lambda w, a: proposals.add_version(a, w.policy, POLICY_BODY + "\n### Pasal 3\nPenutup\n\nBerlaku.\n",
                                            "Menambah Pasal 3.")),
    Case(proposals.update_details, OFFICIALS_ONLY, "moderator",
         lambda w, a: proposals.update_details(a, w.policy, **w.policy_details("Judul Diperbarui"))),
    Case(workflow.transition, OFFICIALS_ONLY, "moderator",
         lambda w, a: workflow.transition(a, w.policy, "closed", "Selesai.")),

    # --- formal submissions -------------------------------------------------------------------
    Case(submissions.submit, ("anonymous", "citizen", "unverified", "suspended_ngo", "moderator"), "ngo",
         lambda w, a: submissions.submit(a, w.policy, "Masukan resmi", "Pasal 1 perlu definisi OPD.")),
    Case(submissions.record_offline, ("anonymous", "citizen", "ngo", "academic"), "moderator",
         lambda w, a: submissions.record_offline(
             a, w.policy, title="Surat warga", body="Isi surat.", channel="letter",
             received_on=utcnow().date(), author_name="Budi")),
    Case(submissions.withdraw, ("anonymous", "citizen", "academic", "moderator"), "ngo",
         lambda w, a: submissions.withdraw(a, w.submission)),
    Case(submissions.withdraw, ("anonymous", "citizen", "academic", "moderator"), None,
         lambda w, a: submissions.withdraw(a, w.closed_submission), label="closed consultation"),
    Case(cosigning.invite_cosigner, ("anonymous", "citizen", "academic", "moderator"), "ngo",
         lambda w, a: cosigning.invite_cosigner(a, w.submission, w.academic.organisation)),
    Case(cosigning.confirm_cosign, ("anonymous", "citizen", "ngo", "unverified", "moderator"), "academic",
         lambda w, a: cosigning.confirm_cosign(a, w.cosignature)),

    # --- aspiration summaries -------------------------------------------------------------------
    Case(summaries.summarize, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.summarize(a, position=w.position)),
    Case(summaries.edit_theme, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.edit_theme(a, w.summary, w.summary.themes[0].id, "Beban kerja", "")),
    Case(summaries.drop_theme, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.drop_theme(a, w.summary, w.summary.themes[1].id)),
    Case(summaries.merge_themes, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.merge_themes(a, w.summary, [t.id for t in w.summary.themes])),
    Case(summaries.choose_quotes, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.choose_quotes(a, w.summary, w.summary.themes[0].id, [w.comment.id])),
    Case(summaries.set_note, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.set_note(a, w.summary, "Catatan.")),
    Case(summaries.publish, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.publish(a, w.summary)),
    Case(summaries.discard, OFFICIALS_ONLY, "moderator",
         lambda w, a: summaries.discard(a, w.summary)),

    # --- aspirations: links to positions and OPDs -----------------------------------
    Case(links.tag_by_author, ("anonymous", "citizen", "moderator"), "author",
         lambda w, a: links.tag_by_author(a, w.comment, [f"position:{w.position.id}"])),
    Case(links.confirm, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: links.confirm(a, w.suggested_link)),
    Case(links.remove, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: links.remove(a, w.suggested_link)),

    # --- official responses (tanggapan) ---------------------------------------------------------
    Case(responses.respond, (*OFFICIALS_ONLY, "author"), "moderator",
         lambda w, a: responses.respond(a, w.comment, outcome="partly_accepted", explanation="Akan dikaji.")),
    Case(responses.respond, ("moderator2",), "moderator",
         lambda w, a: responses.respond(a, w.moderator2_comment, outcome="accepted", explanation="Ya."),
         label="own contribution"),
    Case(citations.cite, OFFICIALS_ONLY, "moderator",
         lambda w, a: citations.cite(a, w.second_version, {})),
    Case(responses.respond_to_theme, OFFICIALS_ONLY, "moderator",
         lambda w, a: responses.respond_to_theme(a, w.published_theme, outcome="accepted", explanation="Tema diterima.")),
]

