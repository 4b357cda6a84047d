"""User text is rendered when it is written and its HTML kept: pages print the
stored HTML, a new renderer version re-renders it (on view, written back, or
with `flask text rerender`), and every edit refreshes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal import rendered, text
from portal.comments.models import Comment
from portal.extensions import db
from portal.forums import services as forums
from portal.contributions.models import Contribution
from portal.positions.models import Position
from portal.proposals import services as proposals
from portal.proposals.models import Article, Policy

POLICY_BODY = """Rancangan Peraturan Wali Kota Medan tentang Manajemen Jabatan.

### Pasal 1

Kebutuhan pegawai:
(1) dihitung **setiap tahun**;
(2) diumumkan.
"""


@pytest.fixture
def world(publish_at_once, citizen, member, make_policy, contribute, make_thread, make_position, make_opd):
    """One of every kind of rendered text, written through the services (a position by hand:
    see make_position)."""
    policy = make_policy(title="Rancangan Perwal Jabatan", summary="Ringkasan **rancangan**.", body=POLICY_BODY)
    comment = contribute(citizen, "Komentar *warga* <b>mentah</b>.", kind="comment", on=policy,
                         stance="suggests_change", article_key="pasal-1", suggested_wording="Usul `kata` baru.")
    thread = make_thread(citizen, title="Kebutuhan perawat", body="Pembuka **utas**.")
    submission = contribute(member, "Isi masukan **resmi**.", kind="submission", on=policy, title="Masukan LBH",
                            article_keys=["pasal-1"])
    position = make_position(opd=make_opd(code="BKPSDM", name="Badan Kepegawaian dan Pengembangan SDM"),
                             code="JAB-1", name="Analis SDM", aspiration_summary="Warga meminta **pelayanan cepat**.")
    return {"policy": policy, "comment": comment, "post": thread.posts[0], "thread": thread,
            "submission": submission, "position": position}


def _pages(world) -> dict[str, str]:
    return {
        "policy": f"/policies/{world['policy'].slug}",
        "forum": f"/forum/t/{world['thread'].id}",
        "submissions": f"/policies/{world['policy'].slug}/submissions",
        "position": f"/positions/{world['position'].id}",
    }


# (what, model, id of the row in `world`, html column, page that shows it)
STORED = [
    ("policy summary", Policy, "policy", "summary_html", "policy"),
    ("article body", Article, None, "body_html", "policy"),
    ("comment body", Contribution, "comment", "body_html", "policy"),
    ("suggested wording", Comment, "comment", "suggested_wording_html", "policy"),
    ("forum post", Contribution, "post", "body_html", "forum"),
    ("submission body", Contribution, "submission", "body_html", "submissions"),
    ("aspiration summary", Position, "position", "aspiration_summary_html", "position"),
]


def view(client, path: str) -> str:
    """The page as a browser gets it; the response is closed as a server closes it."""
    with client.get(path) as response:
        assert response.status_code == 200, path
        return response.get_data(as_text=True)


def _ident(world, key):
    if key is None:  # Pasal 1 of the policy's only version
        return world["policy"].versions[0].articles[1].id
    return world[key].id


def test_every_text_is_rendered_when_written(world):
    article = world["policy"].versions[0].articles[1]
    assert article.body_html == text.render_html("Kebutuhan pegawai:\n\n(1) dihitung **setiap tahun**;\n\n(2) diumumkan.")
    assert "<p>(1) dihitung <strong>setiap tahun</strong>;</p>" in article.body_html
    comment = world["comment"]
    assert comment.body_html == "<p>Komentar <em>warga</em> &lt;b&gt;mentah&lt;/b&gt;.</p>\n"
    assert comment.suggested_wording_html == "<p>Usul <code>kata</code> baru.</p>\n"
    assert world["policy"].summary_html == "<p>Ringkasan <strong>rancangan</strong>.</p>\n"
    assert world["position"].aspiration_summary_html == "<p>Warga meminta <strong>pelayanan cepat</strong>.</p>\n"
    for row in (article, comment, world["policy"], world["position"], world["post"], world["submission"]):
        assert row.html_version == text.VERSION


@pytest.mark.parametrize("what, model, key, column, page", STORED, ids=[row[0] for row in STORED])
def test_pages_print_the_stored_html(client, world, what, model, key, column, page):
    marker = f"<p><strong>disimpan: {what}</strong></p>"
    db.session.execute(update(model).where(model.id == _ident(world, key)).values({column: marker}))
    db.session.commit()
    html = view(client, _pages(world)[page])
    assert marker in html, f"the {what} on the page is not the stored HTML"


def test_stored_html_is_sanitised_again_when_printed(client, world):
    db.session.execute(update(Contribution).where(Contribution.id == world["post"].id).values(
        body_html='<p onmouseover="alert(1)">disunting</p><script>alert(2)</script>'))
    db.session.commit()
    html = view(client, _pages(world)["forum"])
    assert "<p>disunting</p>" in html and "alert(" not in html


def _stale(world, version: str) -> None:
    """What an older renderer left: another version and other HTML in every row."""
    for _what, model, key, column, _page in STORED:
        values = {column: "<p>lama</p>"}
        if model is not Comment:
            values["html_version"] = version
        db.session.execute(update(model).where(model.id == _ident(world, key)).values(values))
    db.session.commit()


def _row(model, ident, *columns):
    db.session.expire_all()
    return db.session.execute(select(*(getattr(model, c) for c in columns)).where(model.id == ident)).one()


def test_a_new_renderer_version_re_renders_on_view_and_writes_the_result_back(client, world, monkeypatch):
    _stale(world, text.VERSION)
    updated_before = _row(Contribution, world["post"].id, "updated_at")[0]
    monkeypatch.setattr(text, "VERSION", "test-next")
    for page in _pages(world).values():
        html = view(client, page)
        assert "<p>lama</p>" not in html, page
    assert "<strong>pelayanan cepat</strong>" in view(client, _pages(world)["position"])
    for what, model, key, column, _page in STORED:
        html, = _row(model, _ident(world, key), column)
        assert html != "<p>lama</p>", f"the fresh {what} was not written back"
    version_of = [(Policy, "policy"), (Article, None), (Contribution, "comment"), (Contribution, "post"),
                  (Contribution, "submission"), (Position, "position")]
    assert {_row(model, _ident(world, key), "html_version")[0] for model, key in version_of} == {"test-next"}
    assert _row(Contribution, world["post"].id, "updated_at")[0] == updated_before, "re-rendering is not an edit"
    assert _row(Comment, world["comment"].id, "suggested_wording_html")[0] == "<p>Usul <code>kata</code> baru.</p>\n"

    # From then on the page prints what was written back.
    db.session.execute(update(Contribution).where(Contribution.id == world["post"].id).values(body_html="<p>baru</p>"))
    db.session.commit()
    assert "<p>baru</p>" in view(client, _pages(world)["forum"])


def test_a_write_back_never_overwrites_a_newer_edit(world, moderator, monkeypatch):
    policy = world["policy"]
    monkeypatch.setattr(text, "VERSION", "test-next")
    seen = rendered.Refresh(Policy, policy.id, {"summary": policy.summary}, rendered.render_fields(policy))
    proposals.update_details(moderator, policy, title=policy.title, kind=policy.kind, summary="Ringkasan *baru*.",
                             opens_at=policy.opens_at, closes_at=policy.closes_at)
    assert rendered.store(seen, db.session) is False
    db.session.commit()
    assert _row(Policy, policy.id, "summary_html")[0] == "<p>Ringkasan <em>baru</em>.</p>\n"


def test_the_rerender_command_renders_every_stale_row_once(runner, world, monkeypatch):
    _stale(world, "old")
    updated_before = _row(Position, world["position"].id, "updated_at")[0]
    result = runner.invoke(args=["text", "rerender"])
    assert result.exit_code == 0, result.output
    assert "Re-rendered 6 rows" in result.output
    for what, model, key, column, _page in STORED:
        assert _row(model, _ident(world, key), column)[0] != "<p>lama</p>", what
    assert _row(Position, world["position"].id, "updated_at")[0] == updated_before
    again = runner.invoke(args=["text", "rerender"])
    assert again.exit_code == 0 and "Stored HTML is current" in again.output


def test_rows_from_before_the_migration_render_on_view(client, world):
    db.session.execute(update(Contribution).where(Contribution.id == world["post"].id).values(
        body_html=None, html_version=None))
    db.session.commit()
    assert "Pembuka <strong>utas</strong>." in view(client, _pages(world)["forum"])
    assert _row(Contribution, world["post"].id, "html_version")[0] == text.VERSION


def test_edits_refresh_the_stored_html(client, world, moderator):
    policy = world["policy"]
    for n in range(20):
        proposals.update_details(moderator, policy, title=policy.title, kind=policy.kind,
                                 summary=f"Ringkasan **ke-{n}**.", opens_at=policy.opens_at, closes_at=policy.closes_at)
        assert f"<p>Ringkasan <strong>ke-{n}</strong>.</p>" in view(client, _pages(world)["policy"])
    version = proposals.add_version(moderator, policy, POLICY_BODY.replace("diumumkan", "diumumkan *terbuka*"), "Ubah.")
    assert "<p>(2) diumumkan <em>terbuka</em>.</p>" in version.articles[1].body_html
    # Any change through the models refreshes it too, whichever service makes it.
    post = world["post"]
    post.body = "Disunting **moderator**."
    position = world["position"]
    position.aspiration_summary = "Ringkasan *baru*."
    db.session.commit()
    assert _row(Contribution, post.id, "body_html")[0] == "<p>Disunting <strong>moderator</strong>.</p>\n"
    assert "Ringkasan <em>baru</em>." in view(client, _pages(world)["position"])
    assert "Disunting <strong>moderator</strong>." in view(client, _pages(world)["forum"])


def test_a_code_block_shows_its_html_as_written_on_the_page(client, world, citizen):
    forums.reply(citizen, world["thread"], "Contoh:\n\n```\n<h1>Judul</h1>\n```\n\n    <h1>Indentasi</h1>\n\n`<h1>`")
    html = view(client, _pages(world)["forum"])
    assert "<pre><code>&lt;h1&gt;Judul&lt;/h1&gt;\n</code></pre>" in html
    assert "<pre><code>&lt;h1&gt;Indentasi&lt;/h1&gt;\n</code></pre>" in html
    assert "<code>&lt;h1&gt;</code>" in html
    assert "&amp;lt;" not in html
