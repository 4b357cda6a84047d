"""Flask extensions, created once and bound to the app in create_app()."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager as BaseLoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type, so values are stored as naive UTC there and
    made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: let readers and a writer work at once (WAL) and wait for locks
    instead of failing, since several processes share the embedded database."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


class LoginManager(BaseLoginManager):
    """Flask-Login's manager, with session protection kept to signed-in sessions."""

    def _session_protection_failed(self) -> bool:
        # Flask-Login marks any non-empty session whose client fingerprint it has not recorded as
        # not fresh, so an anonymous session (a CSRF token, a language) is rewritten on its second
        # request. A request that left the browser before a language switch would then answer with
        # the old cookie and undo the switch. Only a signed-in session has anything to protect.
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()

    def _load_user_from_remember_cookie(self, cookie):
        # A remember-me cookie whose session has ended (or a forged one) signs nobody in;
        # the browser is told to drop it, so it is not tried again on every request.
        user = super()._load_user_from_remember_cookie(cookie)
        if user is None:
            session.pop("_user_id", None)
            session.pop("_fresh", None)
            session["_remember"] = "clear"
        return user


def redis_options() -> dict:
    """Connection settings of every Redis client of the portal (sessions, rate limits, page cache,
    jobs): short timeouts, idle connections checked before use, and each command tried again with
    backoff (0.1 s doubling, at most 1 s a wait, about 5 s in all), so a Redis restart is ridden out
    by the request that meets it instead of failing it. A fresh Retry per client."""
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry

    return {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "health_check_interval": 10,
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.1), 7),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
