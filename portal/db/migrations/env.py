"""Alembic's environment: migrations run on the connection portal.db.migrate hands over, never
from an alembic.ini, so they work from the installed package."""

from alembic import context

from portal.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `portal db upgrade`, which opens DATABASE_URL")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it: later migrations write op.batch_alter_table.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
