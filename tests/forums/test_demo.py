"""The demo forum: categories, threads in Indonesian, posts waiting and hidden."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.forums.demo import seed_forum_demo
from portal.forums.models import Category, Post, Thread


def test_the_demo_forum_has_threads_waiting_and_hidden_posts(app, make_user, make_policy, client):
    admin = make_user(role="admin")
    users = {
        "moderator": make_user(role="moderator"),
        "warga": make_user(),
        "lsm": make_user(role="ngo", organisation="Lembaga Bantuan Hukum Medan", verified=True),
        "akademisi": make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True),
        "lsm.baru": make_user(role="ngo", organisation="Komunitas Peduli Pelayanan Publik Medan"),
    }
    policies = [make_policy(title="Analisis Kebutuhan Jabatan"), make_policy(title="Pelatihan Kepemimpinan")]
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2

    counts = seed_forum_demo(admin, users, policies)

    assert 4 <= counts["threads"] <= 6
    assert db.session.scalar(select(Category).where(Category.restricted.is_(True))).name == "Meja Bundar LSM & Akademisi"
    statuses = [p.status for p in db.session.scalars(select(Post))]
    assert statuses.count("pending") >= 2
    hidden = db.session.scalars(select(Post).where(Post.status == "hidden")).all()
    assert len(hidden) == 1 and hidden[0].hidden_reason and hidden[0].hidden_note
    assert db.session.scalar(select(Thread).where(Thread.pinned.is_(True))) is not None
    assert app.config["MODERATION_PREMODERATE_FIRST_N"] == 2, "the setting is put back"
    assert client.get("/forum/").status_code == 200
    for thread in db.session.scalars(select(Thread)):
        assert client.get(f"/forum/t/{thread.id}").status_code == 200

    assert seed_forum_demo(admin, users, policies)["threads"] == 0, "a second run adds nothing"
