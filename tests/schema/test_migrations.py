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
