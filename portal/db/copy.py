"""Moving an installation's database to another engine (SQLite to PostgreSQL): every row of
every table the models know, copied in one transaction on the target, then read back and
compared row by row with the source. The target must be at the code's revision and empty, so a
copy never merges into or duplicates records; when anything fails, the target is left as it
was (its transaction is rolled back)."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.db.engine import DatabaseUnavailable, shown
from portal.db.migrate import require_current
from portal.db.models import Base

BATCH = 1000


class CopyRefused(Exception):
    """The copy cannot start or did not complete; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    """What a copy moved: the number of rows of each table, in the order they were copied."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def _tables() -> list[Table]:
    """The tables in an order that inserts every referenced row before the rows that refer to
    it."""
    return list(Base.metadata.sorted_tables)


def _ordered(table: Table):
    return select(table).order_by(*table.primary_key.columns)


def _rows(connection: Connection, table: Table) -> Iterator[list[dict]]:
    """The table's rows in batches, in primary-key order, as column-name dictionaries."""
    result = connection.execution_options(yield_per=BATCH).execute(_ordered(table))
    for partition in result.mappings().partitions(BATCH):
        yield [dict(row) for row in partition]


def _count(connection: Connection, table: Table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _continue_sequences(connection: Connection, table: Table) -> None:
    """After rows were inserted with their own ids, PostgreSQL's id sequences must continue after
    the largest id, or the next new row would collide with a copied one."""
    if connection.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and column.type.python_type is int
        ):
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"table": table.name, "column": column.name},
            )


def _same_rows(source: Connection, target: Connection, table: Table) -> bool:
    """Whether both databases hold exactly the same rows of the table."""
    theirs = source.execute(_ordered(table)).all()
    ours = target.execute(_ordered(table)).all()
    return [tuple(row) for row in theirs] == [tuple(row) for row in ours]


def copy_database(source: Engine, target: Engine) -> Copied:
    """Copy every row from source to target (both at the code's revision, target empty), and
    prove they hold the same rows; CopyRefused saying why when it cannot."""
    where_from, where_to = shown(str(source.url)), shown(str(target.url))
    if (source.url.render_as_string(hide_password=False)) == (
        target.url.render_as_string(hide_password=False)
    ):
        raise CopyRefused("the source and the target are the same database")
    for engine in (source, target):
        require_current(engine)
    rows: dict[str, int] = {}
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in _tables():
                if _count(writing, table):
                    raise CopyRefused(
                        f"the target {where_to} already holds rows in {table.name}: a copy "
                        "goes into an empty database only (create a new one and run "
                        "`portal db upgrade` on it)"
                    )
            for table in _tables():
                rows[table.name] = 0
                for batch in _rows(reading, table):
                    writing.execute(table.insert(), batch)
                    rows[table.name] += len(batch)
                _continue_sequences(writing, table)
            for table in _tables():
                if not _same_rows(reading, writing, table):
                    raise CopyRefused(
                        f"the rows of {table.name} read back from {where_to} differ from "
                        f"{where_from}; nothing was copied"
                    )
    except SQLAlchemyError as error:
        raise DatabaseUnavailable(
            f"copying {where_from} to {where_to} failed and nothing was copied: "
            f"{getattr(error, 'orig', None) or error}"
        ) from None
    return Copied(rows)
