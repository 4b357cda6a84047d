"""Configuration classes. Secrets come only from the environment; the
development secret key is generated once and kept in instance/."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


def _database_url(url: str) -> str:
    """Route PostgreSQL URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    # Where the SQLite file, search index, uploads, mail and dev key live.
    INSTANCE_PATH: str | None = None
    # Database; the embedded default is a SQLite file in instance/.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # Each pooled connection is checked before use and replaced after 30 minutes, so a database
    # restart or failover costs the requests in flight at that moment, not the pool's later ones.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800}
    # A read (GET) that meets the database or Redis unavailable is run again every half second, for
    # at most this many seconds, before the 503 page is shown (0: never; writes are never run again).
    UNAVAILABLE_RETRY_SECONDS = 4
    # Largest request body accepted (bytes); bigger ones answer 413.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # Largest accepted attachment of a formal submission (bytes); PDF, DOCX and ODT only.
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    # Most a DOCX or ODT attachment may unpack to (bytes, all its parts together); more is refused as a zip bomb.
    ATTACHMENT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
    # Languages: Indonesian first, English second.
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    # Time zone of consultation windows shown and entered by officials.
    PORTAL_TIMEZONE = "Asia/Jakarta"
    # Version of the privacy notice users consent to at registration.
    PRIVACY_NOTICE_VERSION = "2026-11"
    # The mailed link that moves an account to a new e-mail address stays valid this many seconds.
    EMAIL_CHANGE_MAX_AGE = 24 * 3600
    # `flask privacy purge` drops or truncates IP addresses and user agents older than this many days.
    PERSONAL_DATA_RETENTION_DAYS = 90
    # Log files (e.g. the access log) whose old lines `flask privacy purge` cleans of addresses and user agents.
    PRIVACY_LOG_FILES: tuple[str, ...] = ()
    # Rate limits (Flask-Limiter syntax); storage is Redis when REDIS_URL is set.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # When Redis does not answer (a restart), count in each process's memory until it is back, and
    # never fail a request because its limit could not be counted.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Sign-in per account, from any address: this many wrong passwords in a row cost nothing; each
    # further one pauses sign-in to the account, first for SIGN_IN_DELAY_SECONDS, doubled each time,
    # at most SIGN_IN_MAX_DELAY_SECONDS. The right password or a password reset ends the pause.
    SIGN_IN_FREE_FAILURES = 5
    SIGN_IN_DELAY_SECONDS = 30
    SIGN_IN_MAX_DELAY_SECONDS = 15 * 60
    # Wrong passwords are forgotten this many seconds after the last one.
    SIGN_IN_FAILURE_MEMORY = 24 * 3600
    REGISTER_RATE_LIMIT = "5 per minute;30 per hour"
    RESET_RATE_LIMIT = "5 per minute;20 per hour"
    # Formal submissions (sent or recorded offline), per account and per address.
    SUBMISSION_RATE_LIMIT = "5 per minute;30 per hour"
    # Forum posts (new threads and answers together), per account and per address.
    FORUM_POST_RATE_LIMIT = "6 per minute;60 per hour"
    # Comments and replies on policies and positions (and, separately, "I agree"), per account and per address.
    COMMENT_RATE_LIMIT = "6 per minute;60 per hour"
    # Reports (flags) on contributions of any kind (status page, forum thread), per account and per address.
    FLAG_RATE_LIMIT = "10 per minute;60 per hour"
    # Two-factor sign-in (TOTP): the roles that must set it up before any other page, the name
    # authenticator apps show, code attempts per account and per address, how long the code step
    # waits after the password (seconds), and how long a sign-in or confirmation allows changes to
    # the password or the second factor (seconds).
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ("moderator", "admin")
    TWO_FACTOR_ISSUER = "Portal Partisipasi"
    TWO_FACTOR_RATE_LIMIT = "5 per minute;20 per hour"
    TWO_FACTOR_PENDING_MAX_AGE = 300
    REAUTH_MAX_AGE = 600
    # Argon2id cost (OWASP: m >= 19 MiB, t >= 2); argon2-cffi's RFC 9106 profile by default.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Password-reset tokens stay valid this many seconds.
    PASSWORD_RESET_MAX_AGE = 3600
    # The mailed link that finishes a registration stays valid this many seconds.
    REGISTRATION_CONFIRM_MAX_AGE = 24 * 3600
    # "Keep me signed in" lasts this long from sign-in (the cookie and the session on the server); no session lasts longer.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # A session without "keep me signed in" ends after this long without a request.
    SESSION_IDLE_TIMEOUT = timedelta(hours=12)
    # Prefix of the session keys in Redis (sessions are kept there when REDIS_URL is set, else in the database).
    SESSION_REDIS_PREFIX = "portal:"
    # Mail: "file" writes .eml files under instance/mail (development), "smtp" sends.
    MAIL_BACKEND = "file"
    MAIL_SENDER = "Portal Partisipasi Kota Medan <noreply@localhost>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # Followers get at most one digest mail of new activity per this many minutes (`flask notifications send-digests`).
    NOTIFICATION_DIGEST_MINUTES = 60
    # Moderation: contributions of a new, unverified account wait for a moderator
    # until it has this many published ones.
    MODERATION_PREMODERATE_FIRST_N = 2
    # Extra words (besides the built-in list) that send a contribution to the queue.
    MODERATION_BLOCKED_WORDS: tuple[str, ...] = ()
    # Items per page of the moderation queue (what a moderator reads in one sitting).
    MODERATION_QUEUE_PAGE_SIZE = 20
    # Items per page in public listings.
    PAGE_SIZE = 20
    # Posts per page of a forum thread; None means PAGE_SIZE.
    FORUM_PAGE_SIZE: int | None = None
    # The portal's public address: every absolute link (mail, reset links) is built from it, never from the request.
    PORTAL_BASE_URL = "http://127.0.0.1:5000"
    # Host names the portal answers to; a request for any other Host gets 400. None: the host of
    # PORTAL_BASE_URL (plus localhost and 127.0.0.1 outside production). From the environment: comma-separated.
    TRUSTED_HOSTS: list[str] | None = None
    # How many reverse proxies (load balancers) sit in front of the app; their
    # X-Forwarded-For/-Proto headers are trusted so rate limits see real addresses.
    TRUSTED_PROXIES = 0
    # Optional Redis for rate limits and jobs.
    REDIS_URL: str | None = None
    # Keep whole public pages for anonymous readers (invalidated by every committed change; Redis when REDIS_URL is set).
    PAGE_CACHE_ENABLED = True
    # Longest a kept page lives (seconds): bounds what depends on the clock, such as a consultation window opening.
    PAGE_CACHE_TIMEOUT = 60
    # Most pages each process keeps in its memory when REDIS_URL is not set.
    PAGE_CACHE_ENTRIES = 500
    # Most rendered comments (pieces of signed-in pages) each process keeps in its memory without Redis.
    FRAGMENT_CACHE_ENTRIES = 5000
    # Jobs (with REDIS_URL): the RQ queue the worker reads (`flask jobs worker`).
    JOBS_QUEUE = "portal"
    # Times a failed job is tried again, and the seconds to wait before each retry.
    JOBS_RETRIES = 2
    JOBS_RETRY_INTERVALS = [10, 60]
    # Longest a job may run (seconds) before the worker stops it.
    JOBS_TIMEOUT = 1800
    # Seconds RQ keeps a finished job's record in Redis (the portal keeps its own row in `jobs`).
    JOBS_RESULT_TTL = 3600
    # Hours a kept export file stays downloadable; `flask jobs clean` (cron) deletes it after that.
    JOBS_KEEP_HOURS = 24
    # Seconds between the heartbeats a running job writes to its row (from the process running it).
    JOBS_HEARTBEAT_SECONDS = 15
    # A running job with no heartbeat for this many seconds is marked failed: its worker has stopped.
    JOBS_STALE_SECONDS = 120
    # Seconds between reloads of a job's progress page (without JavaScript, a meta refresh).
    JOBS_REFRESH_SECONDS = 2
    # Exports of more rows than this run as a job when REDIS_URL is set (smaller ones download at once).
    EXPORT_INLINE_MAX_ROWS = 5000
    # Search backend: "whoosh" (a file index under SEARCH_INDEX_PATH, the embedded default) or "postgres"
    # (PostgreSQL full-text search in the portal's own database, written with each change: for several app servers).
    SEARCH_BACKEND = "whoosh"
    # Search: directory of the Whoosh index; None means <instance>/search.
    SEARCH_INDEX_PATH: str | None = None
    # Apply the search outbox after each writing request; None: on unless REDIS_URL is set (then run `flask search worker`).
    SEARCH_INLINE_INDEXING: bool | None = None
    # Outbox rows applied per index commit.
    SEARCH_BATCH_SIZE = 200
    # Most batches one request applies after its response (the rest wait for the next drain).
    SEARCH_INLINE_MAX_BATCHES = 2
    # Seconds an after-request drain waits for another process's indexer to finish.
    SEARCH_INLINE_LOCK_WAIT = 2.0
    # Seconds between outbox polls of `flask search worker`.
    SEARCH_WORKER_INTERVAL = 1.0
    # Seconds a change may wait in the search outbox before `flask search check` reports the index stuck (exit 1).
    SEARCH_OUTBOX_MAX_AGE = 300
    # Processes `flask search rebuild` uses to write the index.
    SEARCH_REBUILD_PROCS = 2
    # Longest search query accepted (characters); longer ones are cut.
    SEARCH_MAX_QUERY_LENGTH = 200
    # Results per search page.
    SEARCH_PAGE_SIZE = 10
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: no lost drafts

    @classmethod
    def load(cls, instance_path: str) -> dict:
        """Resolve settings that depend on the environment and instance path."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings["INSTANCE_PATH"] = instance_path
        database_url = os.environ.get("DATABASE_URL")
        settings["SQLALCHEMY_DATABASE_URI"] = _database_url(
            database_url or "sqlite:///" + str(Path(instance_path) / "portal.db")
        )
        settings["REDIS_URL"] = os.environ.get("REDIS_URL") or None
        if os.environ.get("SEARCH_BACKEND"):
            settings["SEARCH_BACKEND"] = os.environ["SEARCH_BACKEND"].strip().lower()
        if os.environ.get("JOBS_QUEUE"):
            settings["JOBS_QUEUE"] = os.environ["JOBS_QUEUE"]
        if os.environ.get("PORTAL_BASE_URL"):
            settings["PORTAL_BASE_URL"] = os.environ["PORTAL_BASE_URL"]
        if os.environ.get("TRUSTED_HOSTS"):
            settings["TRUSTED_HOSTS"] = [h.strip() for h in os.environ["TRUSTED_HOSTS"].split(",") if h.strip()]
        if settings["REDIS_URL"]:
            settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
            from portal.extensions import redis_options

            settings["RATELIMIT_STORAGE_OPTIONS"] = redis_options()
        for key in ("MAIL_BACKEND", "MAIL_SENDER", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD"):
            if os.environ.get(key):
                settings[key] = os.environ[key]
        if os.environ.get("PRIVACY_LOG_FILES"):
            settings["PRIVACY_LOG_FILES"] = tuple(p.strip() for p in os.environ["PRIVACY_LOG_FILES"].split(",") if p.strip())
        if os.environ.get("TRUSTED_PROXIES"):
            settings["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
        if os.environ.get("MAIL_PORT"):
            settings["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
        if os.environ.get("MAIL_USE_TLS"):
            settings["MAIL_USE_TLS"] = os.environ["MAIL_USE_TLS"].lower() in ("1", "true", "yes")
        settings["SECRET_KEY"] = cls.secret_key(instance_path)
        return settings

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        """Read SECRET_KEY from the environment."""
        return os.environ.get("SECRET_KEY", "")

    # Hosts a developer's browser or a test client uses, served besides PORTAL_BASE_URL's.
    local_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")

    @classmethod
    def finish(cls, settings) -> None:
        """Settings derived from others, once every override is in: the trusted hosts."""
        if settings.get("TRUSTED_HOSTS") is None:
            base_host = urlsplit(str(settings["PORTAL_BASE_URL"])).hostname
            hosts = [base_host] if base_host else []
            settings["TRUSTED_HOSTS"] = hosts + [h for h in cls.local_hosts if h not in hosts]


class DevelopmentConfig(Config):
    """Embedded default: everything under instance/, a generated secret key."""

    ENV_NAME = "development"

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        """Use SECRET_KEY, or a key generated once and kept in instance/secret_key."""
        if os.environ.get("SECRET_KEY"):
            return os.environ["SECRET_KEY"]
        path = Path(instance_path) / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


class TestingConfig(DevelopmentConfig):
    """Tests: cheaper password hashing, no rate limits unless a test asks."""

    ENV_NAME = "testing"
    TESTING = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8192
    ARGON2_PARALLELISM = 1
    RATELIMIT_ENABLED = False
    PAGE_CACHE_ENABLED = False  # tests of the page cache switch it on
    UNAVAILABLE_RETRY_SECONDS = 0  # tests of the 503 page see it at once; one test switches it on
    # Tests that set REDIS_URL for sessions or the page cache never feed a deployment's queue; the
    # jobs tests give each run its own queue name.
    JOBS_QUEUE = "portal-tests"


class ProductionConfig(Config):
    """Production: secrets from the environment, secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = "smtp"
    PREFERRED_URL_SCHEME = "https"
    local_hosts = ()

    @classmethod
    def load(cls, instance_path: str) -> dict:
        """Refuse to start without the portal's public address: links in mail are built from it."""
        if not os.environ.get("PORTAL_BASE_URL"):
            raise RuntimeError(
                "PORTAL_BASE_URL must be set in production to the portal's public address, "
                "e.g. https://partisipasi.medan.go.id"
            )
        return super().load(instance_path)

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        """Refuse to start without a real secret key."""
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key.lower() in {"dev", "changeme", "secret"}:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        return key


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
