"""Shared fixtures: app, client, runner, database, user factory, sign-in.

Tests run on a SQLite file by default and on PostgreSQL when
TEST_DATABASE_URL is set. The schema is created once per run; after each
test every table is emptied.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import re
import sqlite3
import threading

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import delete, event
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
PASSWORD = "kata-sandi-rahasia-42"


@event.listens_for(Engine, "connect")
def _fast_test_sqlite(dbapi_connection, connection_record) -> None:
    # Test databases are throwaway: skip fsync on every commit.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def _compile_catalogs() -> None:
    """Compile .po catalogues so tests see the translated interface."""
    for po_path in (ROOT / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)


def pytest_configure(config):
    _compile_catalogs()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: TEST_DATABASE_URL, else a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run."""
    from portal.config import _database_url

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": _database_url(database_url),
         "INSTANCE_PATH": str(tmp_path_factory.mktemp("schema-instance"))},
        env="testing",
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        db.engine.dispose()
    return _database_url(database_url)


@pytest.fixture
def app(_schema, tmp_path):
    """A fresh application on the shared test database, emptied after the test."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "instance")},
        env="testing",
    )
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(delete(table))
        db.engine.dispose()


class CsrfClient(FlaskClient):
    """A test client that sends the session's CSRF token with every POST,
    as a browser does from a rendered form. Pass csrf=False to leave it out."""

    _token: str | None = None

    def csrf_token(self) -> str:
        """Read the token from a rendered page (every page has the language form)."""
        if self._token is None:
            page = self.get("/privacy").get_data(as_text=True)
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def open(self, *args, **kwargs):
        # The app fixture keeps one app context pushed and every request reuses
        # it, so `g` would carry one request's signed-in user, locale and CSRF
        # token into the next (and into another client's). A server starts each
        # request with an empty `g`; so do we. The database session stays shared.
        if has_app_context():
            vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client that posts forms with their CSRF token."""
    app.test_client_class = CsrfClient
    return app.test_client()


@pytest.fixture
def english(client):
    """The client's interface switched to English through the language form,
    so assertions read the English texts (the default is Indonesian)."""
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def live_server(app):
    """The test app served on 127.0.0.1 at a free port by werkzeug's threaded server (one thread
    per request, as in production), in a background thread. Built on the `app` fixture, so it
    shares the test database with `make_user`; every request gets its own app context."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def at_once(app):
    """at_once(write, count) -> [write(0), ..., write(count - 1)], each call in its own thread, app
    context and session, all started together; the test fails if any of them raised."""

    def run(write, count: int) -> list:
        db.session.remove()  # the threads open their own sessions
        start = threading.Barrier(count)
        results: list = [None] * count
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            try:
                with app.app_context():
                    # Wait before touching the database: the pool has fewer connections than threads.
                    start.wait(timeout=30)
                    results[n] = write(n)
                    db.session.remove()
            except BaseException as error:  # reported below, so a failing thread fails the test
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        return results

    return run


@pytest.fixture
def limited_client(app, _schema, tmp_path):
    """Factory: limited_client(**settings) -> a client of a second app on the same
    database with rate limits switched on (Flask-Limiter reads that at start-up)."""
    from contextlib import ExitStack

    stack = ExitStack()

    def factory(**settings):
        limited = create_app(
            {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "limited-instance"),
             "RATELIMIT_ENABLED": True, **settings},
            env="testing",
        )
        limited.test_client_class = CsrfClient
        stack.enter_context(limited.app_context())
        stack.callback(lambda: (db.session.remove(), db.engine.dispose()))
        return limited.test_client()

    yield factory
    stack.close()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="citizen", organisation=None, verified=False, **fields)."""
    from portal.accounts.auth import hash_password
    from portal.accounts.models import Consent, Organisation, User
    from portal.extensions import utcnow

    password_hash = hash_password(PASSWORD)

    def factory(role: str = "citizen", organisation: str | None = None, verified: bool = False, **fields):
        n = next(_counter)
        user = User(
            email=fields.pop("email", f"user{n}@example.org"),
            display_name=fields.pop("display_name", f"Pengguna {n}"),
            password_hash=password_hash,
            role=role,
            **fields,
        )
        if organisation:
            org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
            if org is None:
                org = Organisation(name=organisation, kind=role if role in ("ngo", "academic") else "ngo")
            user.organisation = org
            if verified:
                user.affiliation_verified_at = utcnow()
        user.consents.append(Consent(notice_version=app.config["PRIVACY_NOTICE_VERSION"]))
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def publish_at_once(app):
    """Contributions published at once: no pre-moderation of a new account's first ones."""
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0


@pytest.fixture
def moderator(make_user):
    """A moderator (an official)."""
    return make_user(role="moderator", display_name="Moderator BKPSDM")


@pytest.fixture
def citizen(make_user):
    """A citizen (warga)."""
    return make_user(display_name="Warga Medan Baru")


@pytest.fixture
def member(make_user):
    """A verified NGO member."""
    return make_user(role="ngo", organisation="LBH Medan", verified=True, display_name="Sari (LBH)")


@pytest.fixture
def login_as(client):
    """Sign `user` in on the test client through the real login form."""

    def do_login(user, password: str = PASSWORD, target=None):
        target = target or client
        response = target.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        target._token = None  # the session changed; read a fresh token
        return response

    return do_login


@pytest.fixture(scope="session")
def blns() -> list[str]:
    """The Big List of Naughty Strings."""
    import json

    return json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
