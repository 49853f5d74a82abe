"""Alembic environment: runs against the connection handed over by stenograph.store.db.migrate,
or against STENOGRAPH_DATABASE_URL when invoked from the alembic command line."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from stenograph.config import get_settings
from stenograph.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    config.set_main_option("sqlalchemy.url", get_settings().resolved_database_url)
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_with(conn)
