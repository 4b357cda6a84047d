"""Signed-in sessions kept on the server, so that they really end.

Flask's session cookie and Flask-Login's remember-me cookie carry "<user id>:<token>"
(`User.session_cookie_id`); the server keeps one record per session under the SHA-256 of the
token. The user loader asks for that record on every request, so a session ends everywhere
the moment its record goes, and a copied cookie is worth nothing after that: signing out ends
that session; a password change ends the account's other sessions; a password reset, a
suspension and a deactivation end all of them.

Records live in the database (`UserSession`) or, when REDIS_URL is set, in Redis, where they
also expire by themselves. A record holds the account, when the session began and when it
ends, and whether "keep me signed in" was ticked; nothing about the device (UU PDP).
Database operations join the caller's transaction (the caller commits); Redis ones take
effect at once, which for ending sessions errs on the safe side.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, func, select, update

from portal.accounts.models import User, UserSession
from portal.extensions import db, redis_options, utcnow

# A session without "keep me signed in" has its end moved forward at most this often,
# so an active user costs one write per interval, not one per request.
TOUCH_EVERY = timedelta(minutes=5)
EXTENSION = "portal.sessions"


@dataclass(frozen=True)
class Record:
    """What the server knows of one session."""

    token_hash: str
    user_id: int
    remember: bool
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _as_timedelta(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _end_for(created_at: datetime, remember: bool, now: datetime) -> datetime:
    """When a session begun at `created_at` ends if it is used at `now`."""
    config = current_app.config
    longest = created_at + _as_timedelta(config["REMEMBER_COOKIE_DURATION"])
    if remember:
        return longest
    return min(longest, now + _as_timedelta(config["SESSION_IDLE_TIMEOUT"]))


def _store():
    return current_app.extensions[EXTENSION]


# --- what the rest of the portal calls -------------------------------------------

def start(user: User, *, remember: bool) -> str:
    """Open a session for `user` and return its token (also set on `user.session_token`)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = Record(_digest(token), user.id, bool(remember), now, _end_for(now, remember, now))
    _store().add(record, now)
    user.session_token = token
    user.session_record = record
    return token


def load(cookie_id: str) -> User | None:
    """The active user whose open session `cookie_id` ("<user id>:<token>") names, or None."""
    user_id, _sep, token = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not token or len(token) > 128:
        return None
    found = _store().get_with_user(_digest(token))
    if found is None:
        return None
    record, user = found
    if record.user_id != int(user_id) or record.expires_at <= utcnow() or user is None or not user.active:
        return None
    user.session_token = token
    user.session_record = record
    return user


def keep_alive(user: User) -> bool:
    """Move the end of `user`'s current session forward if it is due; True if anything was written."""
    record: Record | None = getattr(user, "session_record", None)
    if record is None or record.remember:
        return False
    now = utcnow()
    new_end = _end_for(record.created_at, False, now)
    if new_end - record.expires_at < TOUCH_EVERY:
        return False
    _store().touch(record, new_end)
    user.session_record = Record(record.token_hash, record.user_id, False, record.created_at, new_end)
    return True


def end(token: str | None) -> None:
    """End the session with this token (sign-out)."""
    if token:
        _store().remove(_digest(token))


def end_all(user_id: int, *, keep_token: str | None = None) -> int:
    """End every session of the account, but the one with `keep_token`; returns how many ended."""
    return _store().remove_all(user_id, _digest(keep_token) if keep_token else None)


def count(user_id: int) -> int:
    """How many sessions of the account are open."""
    return _store().count(user_id, utcnow())


def init_app(app: Flask) -> None:
    """Choose the store: Redis when REDIS_URL is set, the database otherwise."""
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION] = (
        RedisStore(url, app.config.get("SESSION_REDIS_PREFIX", "portal:")) if url else DatabaseStore()
    )


# --- the stores -----------------------------------------------------------------------

class DatabaseStore:
    """Session records in the `user_sessions` table, inside the caller's transaction."""

    def add(self, record: Record, now: datetime) -> None:
        # Expired records go as new ones come, so the table holds only open sessions.
        db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
        db.session.add(UserSession(
            token_hash=record.token_hash, user_id=record.user_id, remember=record.remember,
            created_at=record.created_at, expires_at=record.expires_at,
        ))

    def get(self, token_hash: str) -> Record | None:
        row = db.session.execute(
            select(UserSession.user_id, UserSession.remember, UserSession.created_at, UserSession.expires_at)
            .where(UserSession.token_hash == token_hash)
        ).first()
        return None if row is None else Record(token_hash, *row)

    def get_with_user(self, token_hash: str) -> tuple[Record, User | None] | None:
        # One query for the record and its account: every signed-in request asks.
        row = db.session.execute(_WITH_USER, {"token_hash": token_hash}).first()
        return None if row is None else (Record(token_hash, *row[:4]), row[4])

    def touch(self, record: Record, expires_at: datetime) -> None:
        db.session.execute(
            update(UserSession).where(UserSession.token_hash == record.token_hash).values(expires_at=expires_at)
        )

    def remove(self, token_hash: str) -> None:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))

    def remove_all(self, user_id: int, keep_hash: str | None) -> int:
        statement = delete(UserSession).where(UserSession.user_id == user_id)
        if keep_hash:
            statement = statement.where(UserSession.token_hash != keep_hash)
        return db.session.execute(statement).rowcount or 0

    def count(self, user_id: int, now: datetime) -> int:
        return db.session.scalar(
            select(func.count()).select_from(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > now)
        ) or 0


# Built once: every signed-in request runs it, and building (and keying) the statement cost
# about as much as running it.
_WITH_USER = (
    select(UserSession.user_id, UserSession.remember, UserSession.created_at, UserSession.expires_at, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


# Each script runs atomically in Redis, so a sign-in and a "end them all" never interleave.
_ADD = """
redis.call('HSET', KEYS[1], 'user_id', ARGV[2], 'remember', ARGV[3], 'created_at', ARGV[4], 'expires_at', ARGV[5])
redis.call('EXPIREAT', KEYS[1], ARGV[6])
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[7] .. member) == 0 then redis.call('SREM', KEYS[2], member) end
end
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('EXPIRETIME', KEYS[2]) < tonumber(ARGV[6]) then redis.call('EXPIREAT', KEYS[2], ARGV[6]) end
return 1
"""
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'expires_at', ARGV[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
if redis.call('EXPIRETIME', KEYS[2]) < tonumber(ARGV[2]) then redis.call('EXPIREAT', KEYS[2], ARGV[2]) end
return 1
"""
_REMOVE_ALL = """
local ended = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if member ~= ARGV[2] then
    ended = ended + redis.call('DEL', ARGV[1] .. member)
    redis.call('SREM', KEYS[1], member)
  end
end
return ended
"""


def _epoch(value: datetime) -> str:
    return repr(value.timestamp())


def _expire_at(value: datetime) -> str:
    return str(int(value.timestamp()) + 1)


class RedisStore:
    """Session records in Redis: a hash per session, and a set of an account's sessions."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url, decode_responses=True, **redis_options())
        self.session_prefix = f"{prefix}session:"
        self.user_prefix = f"{prefix}user-sessions:"
        self._add = self.client.register_script(_ADD)
        self._touch = self.client.register_script(_TOUCH)
        self._remove_all = self.client.register_script(_REMOVE_ALL)

    def add(self, record: Record, now: datetime) -> None:
        self._add(
            keys=[self.session_prefix + record.token_hash, self.user_prefix + str(record.user_id)],
            args=[record.token_hash, record.user_id, int(record.remember), _epoch(record.created_at),
                  _epoch(record.expires_at), _expire_at(record.expires_at), self.session_prefix],
        )

    def get(self, token_hash: str) -> Record | None:
        fields = self.client.hgetall(self.session_prefix + token_hash)
        if not fields:
            return None
        return Record(
            token_hash,
            int(fields["user_id"]),
            fields["remember"] == "1",
            datetime.fromtimestamp(float(fields["created_at"]), timezone.utc),
            datetime.fromtimestamp(float(fields["expires_at"]), timezone.utc),
        )

    def get_with_user(self, token_hash: str) -> tuple[Record, User | None] | None:
        record = self.get(token_hash)
        return None if record is None else (record, db.session.get(User, record.user_id))

    def touch(self, record: Record, expires_at: datetime) -> None:
        self._touch(
            keys=[self.session_prefix + record.token_hash, self.user_prefix + str(record.user_id)],
            args=[_epoch(expires_at), _expire_at(expires_at)],
        )

    def remove(self, token_hash: str) -> None:
        fields = self.client.hget(self.session_prefix + token_hash, "user_id")
        with self.client.pipeline() as pipe:
            pipe.delete(self.session_prefix + token_hash)
            if fields:
                pipe.srem(self.user_prefix + fields, token_hash)
            pipe.execute()

    def remove_all(self, user_id: int, keep_hash: str | None) -> int:
        return int(self._remove_all(keys=[self.user_prefix + str(user_id)], args=[self.session_prefix, keep_hash or ""]))

    def count(self, user_id: int, now: datetime) -> int:
        members = self.client.smembers(self.user_prefix + str(user_id))
        if not members:
            return 0
        with self.client.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.hget(self.session_prefix + member, "expires_at")
            ends = pipe.execute()
        return sum(1 for end in ends if end is not None and float(end) > now.timestamp())
