"""The test support layer: app, client, runner, database, and the factories every test builds with
(people, positions, policies, forum threads, contributions, signing in; see "the factory layer").

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


SEARCH_BACKENDS = ("whoosh", "postgres")
SEARCH_TESTS = ROOT / "tests" / "search"


def pytest_generate_tests(metafunc):
    """Tests under tests/search, and those marked `every_search_backend`, run once per search backend
    (the postgres run is skipped unless TEST_DATABASE_URL is PostgreSQL); `whoosh_only` and
    `postgres_only` ones on that backend alone."""
    if "search_backend" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("whoosh_only"):
        return
    if metafunc.definition.get_closest_marker("postgres_only"):
        metafunc.parametrize("search_backend", ["postgres"], indirect=True)
        return
    path = Path(str(metafunc.definition.path))
    if SEARCH_TESTS in path.parents or metafunc.definition.get_closest_marker("every_search_backend"):
        metafunc.parametrize("search_backend", SEARCH_BACKENDS, indirect=True)


@pytest.fixture
def search_backend(request, database_url) -> str:
    """The app's SEARCH_BACKEND: "whoosh", or each backend in turn for the search tests."""
    name = getattr(request, "param", "whoosh")
    if name == "postgres" and not database_url.startswith("postgres"):
        pytest.skip("the PostgreSQL search backend needs TEST_DATABASE_URL on PostgreSQL")
    return name


@pytest.fixture
def app(_schema, tmp_path, search_backend):
    """A fresh application on the shared test database, emptied after the test."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "instance"),
         "SEARCH_BACKEND": search_backend},
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


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_apps(_schema, tmp_path):
    """Two app servers on the test database sharing Redis (page cache, sessions; a fresh key
    prefix), skipped when no Redis answers at TEST_REDIS_URL."""
    import uuid

    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"the shared page cache is not tested: no Redis answers at {REDIS_URL} ({error})")
    prefix = f"portal-test-{uuid.uuid4().hex}:"
    apps = []
    for name in ("one", "two"):
        server = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / name),
                             "REDIS_URL": REDIS_URL, "SESSION_REDIS_PREFIX": prefix, "PAGE_CACHE_ENABLED": True},
                            env="testing")
        server.test_client_class = CsrfClient
        apps.append(server)
    yield apps
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    for server in apps:
        with server.app_context():
            db.engine.dispose()


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


# --- the factory layer ------------------------------------------------------------------
#
# Every test builds what it needs with these factories, so a change to how a
# thing is made is a change in one place. Rows are made through the portal's own
# services wherever one exists (so the tests walk the code paths users walk);
# where a factory writes rows by hand, its docstring says why.
#
#   people      make_user(role, organisation, verified, **fields); citizen, member, moderator,
#               official, admin (one of each per test, made on first use)
#   positions   make_opd(name, code, **fields); make_position(opd, parent, **fields)
#   policies    make_policy(status, *, by, title, body | articles, positions, opens_at, closes_at, ...);
#               policy (= make_policy())
#   forum       general, roundtable (categories); make_thread(author, category, title, body)
#   input       contribute(author, body, *, kind, on, published, status, ...)
#   signing in  sign_in(user, client=None, *, lang, password); client_for(user, lang="en");
#               login_as(user, password, target) (the bare login form); staff pass the code step:
#               enrol_staff(user), enrol_second_factor(user) -> recovery codes, totp_code(user),
#               pass_code_step(browser, user, response)
#   config      publish_at_once (no pre-moderation of new accounts' first contributions)
#   reading     text_of(page), executable_markup(page), audit_entries(action); mail: tests/mailbox.py
#   corpora     blns (fixture), xss_payloads(), naughty_texts(blns), corpus_texts(),
#               should_refuse(sent, previous, max_length)

_counter = itertools.count(1)

#: The articles of the policy make_policy() creates unless told otherwise: four
#: articles under one chapter (pasal-1 .. pasal-4), each with a heading title.
POLICY_BODY = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Dalam Peraturan Wali Kota ini yang dimaksud dengan Daerah adalah Kota Medan.

### Pasal 2 — Tujuan

Analisis kebutuhan jabatan bertujuan menjamin pelayanan publik yang merata.

### Pasal 3 — Sumber Data

(1) Penghitungan memakai data kependudukan per kecamatan.
(2) Data diperbarui setiap 12 bulan.

### Pasal 4 — Rasio Minimal

Setiap kecamatan memiliki paling sedikit satu pekerja sosial.
"""

# The transitions that take a new (draft) policy to each status.
_POLICY_PATHS = {
    "draft": [], "open": ["open"], "closed": ["open", "closed"],
    "adopted": ["open", "closed", "adopted"], "withdrawn": ["open", "closed", "withdrawn"],
}
_DEFAULT = object()  # "not given", where None is a meaningful value


def policy_body(articles) -> str:
    """A policy text with one chapter and `articles`: a count (generic texts) or a list of texts,
    numbered Pasal 1, Pasal 2, ... (article keys pasal-1, pasal-2, ...)."""
    if isinstance(articles, int):
        articles = [f"Ketentuan nomor {n} tentang kebutuhan pegawai." for n in range(1, articles + 1)]
    parts = ["Rancangan Peraturan Wali Kota Medan.", "## BAB I — Ketentuan Umum"]
    for number, text in enumerate(articles, 1):
        parts += [f"### Pasal {number}", text]
    return "\n\n".join(parts) + "\n"


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="citizen", organisation=None, verified=False, **fields) -> User.

    Every account has the password PASSWORD and the current privacy consent. `organisation` is a
    name (found or created); `verified` stamps the affiliation as checked. Other keyword fields go
    to the User row (email, display_name, locale, active, suspended_until, ...). Built by hand:
    the registration service works through a mailed link, which the account tests walk themselves.
    """
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
def moderator(make_user):
    """A moderator (an official), "Moderator BKPSDM": the one who reviews contributions."""
    return make_user(role="moderator", display_name="Moderator BKPSDM")


@pytest.fixture
def official(make_user):
    """An official (moderator role), "Pejabat BKPSDM": the one who writes and runs the policies
    make_policy() creates. A different person from `moderator`."""
    return make_user(role="moderator", display_name="Pejabat BKPSDM")


@pytest.fixture
def admin(make_user):
    """An admin account, "Admin Portal"."""
    return make_user(role="admin", display_name="Admin Portal")


@pytest.fixture
def citizen(make_user):
    """A citizen (warga), "Warga Medan Baru"."""
    return make_user(display_name="Warga Medan Baru")


@pytest.fixture
def member(make_user):
    """A verified NGO member of LBH Medan, "Sari (LBH)"."""
    return make_user(role="ngo", organisation="LBH Medan", verified=True, display_name="Sari (LBH)")


@pytest.fixture
def publish_at_once(app):
    """Contributions published at once: no pre-moderation of a new account's first ones."""
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0


@pytest.fixture
def make_opd(app):
    """Factory: make_opd(name="Dinas Contoh N", code="OPDN", **fields) -> Opd.

    Built by hand, as make_position is: see there."""
    from portal.positions.models import Opd

    def factory(name: str | None = None, code: str | None = None, **fields):
        n = next(_counter)
        opd = Opd(code=code or f"OPD{n}", name=name or f"Dinas Contoh {n}", **fields)
        db.session.add(opd)
        db.session.commit()
        return opd

    return factory


@pytest.fixture
def make_position(app, make_opd):
    """Factory: make_position(opd=None, parent=None, **fields) -> Position (a new OPD when none is
    given; defaults: code JAB-N, "Analis Kebijakan N", pelaksana, grade 7, 1 required, 1 filled).

    Built by hand, not through positions.services.create_position: tests need records that
    service refuses but imported data holds (a superior in another OPD, a field only the
    aspirations pipeline writes), and the service's audit entries and admin account would show
    up in the admin tests that count them."""
    from portal.positions.models import Position

    def factory(opd=None, parent=None, **fields):
        n = next(_counter)
        values = {"code": f"JAB-{n}", "name": f"Analis Kebijakan {n}", "position_type": "pelaksana",
                  "grade": 7, "required_count": 1, "incumbent_count": 1, **fields}
        position = Position(opd=opd or make_opd(), parent=parent, **values)
        db.session.add(position)
        db.session.commit()
        return position

    return factory


@pytest.fixture
def make_policy(app, request):
    """Factory: make_policy(status="open", *, by=official, title=..., body=POLICY_BODY, ...) -> Policy,
    created and moved to `status` through the proposal services.

    status     draft | open | closed | adopted | withdrawn (each reached by the real transitions)
    by         the official who creates it (default: the `official` fixture)
    body       the whole Markdown text; or `articles` = a count or a list of article texts
               (see policy_body()); default POLICY_BODY (Pasal 1-4)
    positions  positions to link (their field comments open with the consultation)
    title, kind, summary, opd_id: the policy's details (defaults "Rancangan Perwal Analisis
               Kebutuhan Jabatan", "Rancangan Peraturan Wali Kota", "Ringkasan.")
    opens_at, closes_at: default yesterday and 10 days 1 hour from now (whole days stay whole
               while the test runs); pass None for no date
    """
    from datetime import timedelta

    from portal.extensions import utcnow
    from portal.proposals import services

    def factory(status: str = "open", *, by=None, title: str = "Rancangan Perwal Analisis Kebutuhan Jabatan",
                body: str | None = None, articles=None, positions=(), kind: str = "Rancangan Peraturan Wali Kota",
                summary: str = "Ringkasan.", opens_at=_DEFAULT, closes_at=_DEFAULT, **details):
        assert body is None or articles is None, "give body or articles, not both"
        now = utcnow()
        by = by if by is not None else request.getfixturevalue("official")
        policy = services.create_policy(
            by, title=title, kind=kind, summary=summary,
            body=body if body is not None else policy_body(articles) if articles is not None else POLICY_BODY,
            opens_at=now - timedelta(days=1) if opens_at is _DEFAULT else opens_at,
            closes_at=now + timedelta(days=10, hours=1) if closes_at is _DEFAULT else closes_at,
            position_ids=[position.id for position in positions], **details,
        )
        for target in _POLICY_PATHS[status]:
            services.transition(by, policy, target)
        return policy

    return factory


@pytest.fixture
def policy(make_policy):
    """An open policy: make_policy()."""
    return make_policy()


@pytest.fixture
def general(moderator):
    """The general, open forum category "Umum", made by the moderator."""
    from portal.forums import services

    return services.create_category(moderator, "Umum", "Diskusi umum tentang manajemen jabatan ASN.")


@pytest.fixture
def roundtable(moderator):
    """A restricted forum category: readable by all, writable by verified organisation members."""
    from portal.forums import services

    return services.create_category(moderator, "Meja Bundar LSM & Akademisi", "Forum terbatas.", restricted=True)


@pytest.fixture
def make_thread(request):
    """Factory: make_thread(author=citizen, category=general, title=..., body=...) -> Thread, started
    through the forum service (its opening post is thread.posts[0]; it may wait for review)."""
    from portal.forums import services

    def factory(author=None, category=None, title: str = "Kebutuhan perawat di Puskesmas", body: str | None = None):
        body = body or f"Apakah ABK Puskesmas sudah dihitung ulang? ({title})"
        return services.start_thread(author or request.getfixturevalue("citizen"),
                                     category or request.getfixturevalue("general"), title, body)

    return factory


@pytest.fixture
def contribute(app, request):
    """Factory: contribute(author, body=None, *, kind="contribution", on=None, published=None,
    status=None, **options) -> the contribution, committed.

    kind         what is made, and through which service:
      "contribution"   a plain Contribution row admitted by contributions.admit (the moderation,
                       notification and search tests need no comment table); `on` = a policy
                       or None; options = more Contribution columns
      "comment"        comments.post_comment on `on` (default: the `policy` fixture); options:
                       stance ("supports"), article_key, suggested_wording, parent
      "field_comment"  comments.post_position_comment on the position `on`; options: field
                       ("main_tasks"), stance ("supports"), suggested_wording, parent
      "submission"     submissions.submit on `on` (default: `policy`); options: title,
                       article_keys, files
      "post"           forums.reply in the thread `on` (default: make_thread()); options:
                       parent, quote
    body         the text (a default per kind; the service kinds number theirs, as they refuse
                 a duplicate)
    published    None: whatever admission decides under the current settings; True / False:
                 made with pre-moderation of new accounts off / on, and checked to have come out
                 published / pending
    status       set on the row afterwards, by hand: for tests (search visibility) that need a
                 row in a state without the moderator's action, audit entry and notices around it
    """
    from contextlib import nullcontext

    from portal.comments import services as comments
    from portal.forums import services as forums
    from portal.contributions import services as contributions
    from portal.contributions.models import Contribution
    from portal.submissions import services as submissions

    def plain(author, body, on, **columns):
        item = Contribution(body=body, policy_id=on.id if on is not None else None, **columns)
        contributions.admit(author, item)
        db.session.commit()
        return item

    def comment(author, body, on, stance="supports", **options):
        return comments.post_comment(author, on or request.getfixturevalue("policy"), body=body, stance=stance,
                                     **options)

    def field_comment(author, body, on, field="main_tasks", stance="supports", **options):
        return comments.post_position_comment(author, on, field, body, stance, **options)

    def submission(author, body, on, title=None, **options):
        return submissions.submit(author, on or request.getfixturevalue("policy"),
                                  title or f"Masukan resmi {next(_counter)}", body, **options)

    def post(author, body, on, **options):
        return forums.reply(author, on or request.getfixturevalue("make_thread")(), body, **options)

    makers = {"contribution": plain, "comment": comment, "field_comment": field_comment,
              "submission": submission, "post": post}
    default_bodies = {
        "contribution": "Pasal ini perlu memperhatikan jumlah penduduk kecamatan.",
        "comment": "Pasal ini perlu memperhatikan jumlah penduduk kecamatan ({n}).",
        "field_comment": "Uraian tugas ini perlu memperhatikan beban kerja ({n}).",
        "submission": "Pasal 1 perlu memuat data kependudukan terbaru ({n}).",
        "post": "Setuju, perlu dihitung ulang ({n}).",
    }

    def factory(author, body: str | None = None, *, kind: str = "contribution", on=None,
                published: bool | None = None, status: str | None = None, **options):
        if kind not in makers:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(makers)}")
        body = body or default_bodies[kind].format(n=next(_counter))
        premoderation = nullcontext() if published is None else _config(
            app, MODERATION_PREMODERATE_FIRST_N=0 if published else 1_000_000)
        with premoderation:
            item = makers[kind](author, body, on, **options)
        if published is not None:
            assert item.status == ("published" if published else "pending"), item.status
        if status is not None:
            item.status = status
            db.session.commit()
        return item

    return factory


class _config:
    """Set app.config values for a block, putting the old ones back after it."""

    def __init__(self, app, **values):
        self.app, self.values, self.saved = app, values, {}

    def __enter__(self):
        self.saved = {key: self.app.config.get(key) for key in self.values}
        self.app.config.update(self.values)

    def __exit__(self, *exc):
        self.app.config.update(self.saved)


@pytest.fixture
def login_as(client):
    """login_as(user, password=PASSWORD, target=client): post the real login form (and, for an
    account with a second factor, the code); the test fails unless it signs in. Moderators and
    admins get a second factor first (enrol_staff). Use sign_in to switch accounts on a client."""

    def do_login(user, password: str = PASSWORD, target=None):
        target = target or client
        enrol_staff(user)  # staff must have a second factor: it is set up for them, as at their first sign-in
        response = target.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        response = pass_code_step(target, user, response)
        target._token = None  # the session changed; read a fresh token
        return response

    return do_login


@pytest.fixture
def sign_in(client, login_as):
    """sign_in(user, client=client, *, lang=None, password=PASSWORD) -> the login response.

    Signs whoever was signed in on that client out (the session keeps its language), sets the
    interface language to `lang` when given, and signs `user` in through the login form."""

    def do(user, target=None, *, lang: str | None = None, password: str = PASSWORD):
        target = target or client
        with target.session_transaction() as session:
            for key in ("_user_id", "_fresh", "_id"):
                session.pop(key, None)
            if lang is not None:
                session["lang"] = lang
        return login_as(user, password, target)

    return do


@pytest.fixture
def client_for(app, client, sign_in):
    """client_for(user, lang="en") -> a second browser (test client, own cookies) signed in as
    `user`, its interface in `lang` (None: the default language)."""

    def factory(user, lang: str | None = "en"):
        other = app.test_client()
        sign_in(user, other, lang=lang)
        return other

    return factory


# --- reading what the portal answered ------------------------------------------------------

# The session's CSRF token on a page (a signed token's first part; the rest is the time of signing).
SESSION_TOKEN = re.compile(r'name="csrf_token" value="([^".]+)\.')


@pytest.fixture
def page_cache_on(app):
    """The page and fragment caches are off in tests but with this (their hooks are bound at start-up)."""
    from portal import pagecache

    app.config["PAGE_CACHE_ENABLED"] = True
    app.test_client_class = CsrfClient  # a fresh `g` per request, as a server gives
    pagecache.init_app(app)


def page_text(client, path: str) -> str:
    """The HTML of a page that must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def comment_block(page: str, comment) -> str:
    """The HTML of `comment` as the page shows it."""
    match = re.search(rf'<article class="comment[^"]*" id="c-{comment.id}">.*?</article>', page, re.S)
    assert match, f"comment {comment.id} not on the page"
    return match.group(0)


def text_of(page) -> str:
    """The page (a str or a response) as a reader sees it: tags removed, entities decoded,
    white space folded."""
    import html

    if not isinstance(page, str):
        page = page.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


_EXECUTABLE_TAGS = {"script", "iframe", "object", "embed", "base", "frame", "frameset", "applet"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


def executable_markup(page: str) -> list[str]:
    """What in `page` a browser would run: executable elements, event-handler attributes and
    javascript:/vbscript:/data: URLs."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "script" and attrs == [("src", "/static/js/place.js"), ("defer", None)]:
                return  # the draft page's own same-origin script (keeps the reader's place)
            if tag in _EXECUTABLE_TAGS:
                found.append(f"<{tag}>")
            for name, value in attrs:
                if re.match(r"on\w+$", name):
                    found.append(f"{tag} {name}=")
                if name in _URL_ATTRIBUTES and value:
                    url = re.sub(r"[\x00-\x20]+", "", value).lower()
                    if url.startswith(("javascript:", "vbscript:", "data:")):
                        found.append(f"{tag} {name}={value!r}")

        handle_startendtag = handle_starttag

    parser = Collector(convert_charrefs=True)
    parser.feed(page)
    parser.close()
    return found


def audit_entries(action: str) -> list:
    """The audit log's entries for `action`, oldest first."""
    from sqlalchemy import select

    from portal.audit.models import AuditEntry

    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def xss_payloads() -> list[str]:
    """The XSS payload list of the shared corpora, one payload a line."""
    return (CORPORA / "xss" / "payloads.txt").read_text(encoding="utf-8").split("\n")


def naughty_texts(blns) -> list[str]:
    """The Big List of Naughty Strings followed by the XSS payloads."""
    return list(blns) + xss_payloads()


def should_refuse(sent: str, previous: str | None, max_length: int) -> bool:
    """Whether a body-text check refuses `sent`: blank, a NUL byte, over `max_length`, or the
    same text (ignoring outer white space) as the author's `previous` one."""
    return (
        not sent.strip()
        or "\x00" in sent
        or len(sent) > max_length
        or (previous is not None and previous.strip() == sent.strip())
    )


def corpus_texts() -> list[str]:
    """Every naughty string, XSS payload and sanitiser vector in the corpora, and Indonesian reviews."""
    import csv
    import json

    xss = CORPORA / "xss"
    texts = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    texts += (xss / "payloads.txt").read_text(encoding="utf-8").split("\n")
    texts += [
        path.read_text(encoding="utf-8").split("\n--\n")[0] for path in sorted((xss / "bleach_testdata").glob("*.test"))
    ]
    texts += [case["input"] for case in json.loads((xss / "html5lib_sanitizer" / "tests1.dat").read_text(encoding="utf-8"))]
    with (CORPORA / "indonesian" / "smsa" / "valid_preprocess.tsv").open(encoding="utf-8") as handle:
        texts += [row[0] for row in csv.reader(handle, delimiter="\t")][:300]
    return [text for text in texts if text]


@pytest.fixture(scope="session")
def blns() -> list[str]:
    """The Big List of Naughty Strings."""
    import json

    return json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))


# --- two-factor sign-in ----------------------------------------------------------------------

def enrol_second_factor(user) -> list[str]:
    """Set up two-factor sign-in for `user` through the services, as the enrolment page does;
    returns the ten recovery codes."""
    import pyotp

    from portal.twofactor import services as twofactor

    secret = twofactor.start_enrolment(user)
    return twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())


def enrol_staff(user) -> None:
    """Give a moderator or admin without a second factor one (enrol_second_factor), so signing
    them in in a test passes the code step the way they would."""
    from flask import current_app

    from portal.twofactor import services as twofactor

    if user.role in current_app.config["TWO_FACTOR_REQUIRED_ROLES"] and not twofactor.is_enrolled(user):
        enrol_second_factor(user)


def pass_code_step(browser, user, response):
    """After the password was posted: when the answer asks for the code, send it (totp_code);
    returns the answer that signs in (or `response` if no code was asked)."""
    if response.status_code == 302 and response.location.endswith("/login/code"):
        response = browser.post("/login/code", data={"code": totp_code(user)})
        assert response.status_code == 302, "the second factor failed"
    return response


def totp_code(user) -> str:
    """The code `user`'s authenticator app shows now. Tests sign the same account in many times
    within one 30-second step, and a code is accepted once per step: the account's last used
    step is forgotten first, as if the next half-minute had come."""
    import pyotp

    from portal.twofactor import services as twofactor

    credential = twofactor.credential_for(user)
    assert credential is not None, "the account has no second factor"
    credential.last_step = None
    db.session.commit()
    return pyotp.TOTP(twofactor._decrypt(credential.secret_encrypted)).now()
