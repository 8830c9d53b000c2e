"""The one-shot import of an applications file of the old kind (APPLICATIONS_DB: its own SQLite
file, schema version 0 or 1 in PRAGMA user_version) into the platform's database. The file is
opened read-only and left as it was; an application already in the database (same tracking
code) is kept, so running the import again adds nothing. Rate-limit attempts are not carried
over: they only count for the hour they were made in."""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.applications.records import record_of
from portal.applications.rules import Application, ApplicationError
from portal.db import ApplicationRecord

# The schema versions of the old file this import reads: 0 (before applications named the body
# they are made to) and 1.
READABLE_VERSIONS = (0, 1)


class LegacyFileError(Exception):
    """The file cannot be read as an old applications database; the message says why. Nothing
    was imported."""


@dataclass(frozen=True)
class ImportReport:
    """What an import found in the file, added to the database and found there already."""

    found: int
    added: int
    already: int


def read_legacy(path: Path, default_organisation: str) -> list[Application]:
    """Every application in the old file, oldest first; those of version 0 are given
    default_organisation (the only body there was)."""
    if not path.is_file():
        raise LegacyFileError(f"{path}: no such file")
    try:
        with sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in READABLE_VERSIONS:
                raise LegacyFileError(
                    f"{path}: schema version {version}, this import reads versions "
                    f"{', '.join(map(str, READABLE_VERSIONS))}"
                )
            rows = [dict(row) for row in db.execute("SELECT * FROM applications")]
    except sqlite3.DatabaseError as error:
        raise LegacyFileError(f"{path}: {error}") from None
    found = []
    for row in rows:
        if not row.get("organisation"):
            if not default_organisation:
                raise LegacyFileError(f"{path}: set DEFAULT_ORGANISATION, the body of old ones")
            row["organisation"] = default_organisation
        try:
            found.append(Application(**row))
        except TypeError as error:
            raise LegacyFileError(f"{path}: an unexpected table: {error}") from None
    return sorted(found, key=lambda app: (app.received, app.code))


def import_legacy(path: Path, engine: Engine, default_organisation: str) -> ImportReport:
    """Copy every application of the old file that the database lacks, in one transaction."""
    found = read_legacy(path, default_organisation)
    try:
        records = [record_of(app) for app in found]
    except ApplicationError as error:
        raise LegacyFileError(f"{path}: {error}") from None
    try:
        added = add_absent(engine, records)
    except OperationalError as error:
        raise LegacyFileError(f"the database cannot be written: {error.orig or error}") from None
    return ImportReport(found=len(found), added=added, already=len(found) - added)


def add_absent(engine: Engine, records: list[ApplicationRecord]) -> int:
    """Add, in one transaction, the records whose code the database lacks; how many it added.
    An OperationalError (the database cannot be written) is the caller's to report."""
    with Session(engine) as session, session.begin():
        present = set(session.scalars(select(ApplicationRecord.code)))
        added = [record for record in records if record.code not in present]
        session.add_all(added)
    return len(added)
