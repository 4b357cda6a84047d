"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.extensions import db


def _reset(engine) -> None:
    db.drop_all()
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_create_the_schema_the_models_describe(app):
    engine = db.engine
    _reset(engine)
    try:
        upgrade()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
    finally:
        _reset(engine)
        db.create_all()


def test_migrations_downgrade_to_an_empty_database(app):
    engine = db.engine
    _reset(engine)
    try:
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        _reset(engine)
        db.create_all()


def test_the_0006_data_step_gives_each_existing_policy_its_forum_category(app):
    # Policies from before 0006 got their category on the first visit of their forum (a GET that wrote).
    engine = db.engine
    _reset(engine)
    try:
        upgrade(revision="0001")
        now = "2026-01-05 03:00:00+00:00"
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at) "
                f"VALUES (1, 'pejabat@example.org', 'Pejabat', 'x', 'moderator', true, '{now}')"
            )
            for ident, slug, title in [(1, "perwal-abk", "Perwal ABK"), (2, "perwal-diklat", "Perwal Diklat")]:
                connection.exec_driver_sql(
                    "INSERT INTO policies (id, slug, title, kind, summary, status, created_by_id, created_at) "
                    f"VALUES ({ident}, '{slug}', '{title}', 'Perwal', '', 'open', 1, '{now}')"
                )
            # One policy's forum was visited already: its category stays the only one.
            connection.exec_driver_sql(
                "INSERT INTO forum_categories (slug, name, description, policy_id, restricted, position, created_at) "
                f"VALUES ('kebijakan-perwal-abk', 'Perwal ABK', '', 1, false, 1000, '{now}')"
            )
        upgrade()
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT policy_id, slug, name FROM forum_categories ORDER BY policy_id"
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "kebijakan-perwal-abk", "Perwal ABK"),
            (2, "kebijakan-perwal-diklat", "Perwal Diklat"),
        ]
    finally:
        _reset(engine)
        db.create_all()
