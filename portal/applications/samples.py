"""Made-up applications (示例) a demonstration site loads into its database, so that its desk has
cases and table 3 is counted from records there as anywhere else (`portal report-stats`,
`portal draft-report`): read from a YAML file (samples/applications.yml), each made to a sample
body, marked 示例 in the applicant's name and in the request, without ID number or phone, and
each staff step applied by the rules the desk applies (handling.changes). They are added in
one transaction; one already in the database (same tracking code) is kept, so loading again
adds nothing."""

import dataclasses
import datetime
from collections.abc import Collection
from pathlib import Path

import yaml
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from portal import bounded_yaml
from portal.applications.handling import Action, changes
from portal.applications.legacy import ImportReport, add_absent
from portal.applications.records import record_of
from portal.applications.rules import (
    APPLICANT_KINDS,
    CODE_ALPHABET,
    CODE_LENGTH,
    DELIVERIES,
    FORMS,
    LIMITS,
    Application,
    ApplicationError,
    normalise_code,
    reply_due,
)

MARK = "示例"
REQUIRED = ("code", "organisation", "received", "applicant_kind", "name", "description")
REQUIRED += ("form", "delivery")
TEXTS = ("email", "address", "title", "correction_note", "reply_text")
# The staff steps an entry may record (applied in this order, by the desk's own rules).
STEPS = ("correction_requested", "corrected", "consultation_started", "consultation_ended")
STEPS += ("extended", "outcome", "replied")
KEYS = (*REQUIRED, *TEXTS, *STEPS)
MAX_BYTES = 1_000_000


class SampleFileError(Exception):
    """The file of sample applications cannot be loaded; the message names the file and line.
    Nothing was loaded."""


def read_samples(path: Path, sample_bodies: Collection[str]) -> list[Application]:
    """Every application of the file as the desk would have left it; SampleFileError for the
    first one that is not a marked sample made to one of sample_bodies, or breaks a rule."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SampleFileError(f"{path}: larger than {MAX_BYTES} bytes")
        root = bounded_yaml.compose(path.read_text(encoding="utf-8"), plain_strings=True)
    except OSError as error:
        raise SampleFileError(f"{path}: {error.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise SampleFileError(f"{path}: not a YAML file in UTF-8: {error}") from None
    if not isinstance(root, yaml.SequenceNode):
        raise SampleFileError(f"{path}:1: a list of applications ('- code: ...')")
    found: list[Application] = []
    for node in root.value:
        where = f"{path}:{node.start_mark.line + 1}"
        try:
            found.append(_sample(node, sample_bodies))
        except (ApplicationError, ValueError) as error:
            raise SampleFileError(f"{where}: {error}") from None
        if found[-1].code in {app.code for app in found[:-1]}:
            raise SampleFileError(f"{where}: code {found[-1].code} is used twice")
    return found


def _sample(node: yaml.Node, sample_bodies: Collection[str]) -> Application:
    """One application of the file; ValueError or ApplicationError saying what is wrong."""
    if not isinstance(node, yaml.MappingNode) or not all(
        isinstance(value, yaml.ScalarNode) for _, value in node.value
    ):
        raise ValueError("an application is one 'key: value' per line")
    entry = {key.value: value.value.strip() for key, value in node.value}
    unknown = [key for key in entry if key not in KEYS]
    missing = [key for key in REQUIRED if not entry.get(key)]
    if unknown or missing:
        raise ValueError(f"unknown keys {unknown} or missing keys {missing} (keys: {KEYS})")
    code = normalise_code(entry["code"])
    if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
        raise ValueError(f"code {code!r}: {CODE_LENGTH} characters of {CODE_ALPHABET}")
    if entry["organisation"] not in sample_bodies:
        raise ValueError(
            f"organisation {entry['organisation']!r} is not a sample body (sample: true in its "
            f"organisation file; these are: {', '.join(sample_bodies) or 'none'})"
        )
    for key, allowed in (
        ("applicant_kind", APPLICANT_KINDS),
        ("form", FORMS),
        ("delivery", DELIVERIES),
    ):
        if entry[key] not in allowed:
            raise ValueError(f"{key} {entry[key]!r}: one of {', '.join(allowed)}")
    if MARK not in entry["name"] or not entry["description"].startswith(MARK):
        raise ValueError(f"a sample's name holds {MARK} and its description starts with it")
    for key in ("name", "description", *TEXTS):
        if len(entry.get(key, "")) > LIMITS.get(key, LIMITS["description"]):
            raise ValueError(f"{key} is longer than the form allows")
    received = _day(entry, "received")
    due, known = reply_due(received)
    app = Application(
        code=code,
        received=received.isoformat(),
        organisation=entry["organisation"],
        applicant_kind=entry["applicant_kind"],
        name=entry["name"],
        id_type=None,
        id_number=None,
        phone=None,
        email=entry.get("email") or None,
        address=entry.get("address") or None,
        description=entry["description"],
        title=entry.get("title") or None,
        doc_number=None,
        index_number=None,
        form=entry["form"],
        delivery=entry["delivery"],
        due=due.isoformat(),
        calendar_known=int(known),
    )
    if bool(entry.get("outcome")) != bool(entry.get("replied")):
        raise ValueError("a reply gives both its outcome and the day it was sent (replied)")
    for action in _actions(entry):
        app = dataclasses.replace(app, **changes(app, action))
    return app


def _actions(entry: dict[str, str]) -> list[Action]:
    """The staff steps an entry records, in the order the desk takes them."""
    found = []
    if requested := _day(entry, "correction_requested"):
        found.append(
            Action(correction_requested=requested, correction_note=entry.get("correction_note"))
        )
    for key in ("corrected", "consultation_started", "consultation_ended"):
        if day := _day(entry, key):
            found.append(Action(**{key: day}))
    if _flag(entry, "extended"):
        found.append(Action(extend=True))
    if replied := _day(entry, "replied"):
        found.append(
            Action(outcome=entry["outcome"], replied=replied, reply_text=entry.get("reply_text"))
        )
    return found


def _day(entry: dict[str, str], key: str) -> datetime.date | None:
    if not entry.get(key):
        return None
    try:
        return datetime.date.fromisoformat(entry[key])
    except ValueError:
        raise ValueError(f"{key} {entry[key]!r} is not a day like 2022-03-08") from None


def _flag(entry: dict[str, str], key: str) -> bool:
    value = entry.get(key, "false")
    if value not in ("true", "false"):
        raise ValueError(f"{key}: write true or false")
    return value == "true"


def load_samples(path: Path, engine: Engine, sample_bodies: Collection[str]) -> ImportReport:
    """Add every sample application of the file that the database lacks, in one transaction."""
    found = read_samples(path, sample_bodies)
    records = [record_of(app) for app in found]
    try:
        added = add_absent(engine, records)
    except OperationalError as error:
        raise SampleFileError(f"the database cannot be written: {error.orig or error}") from None
    return ImportReport(found=len(found), added=added, already=len(found) - added)
