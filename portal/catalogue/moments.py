"""Reading days with an optional time of day, as the 发布日期 and 更新日期 of a document are
written (2024-03-15, or 2024-03-15 09:30 where the content gives the time; China time, as
staff write it); document.moment_label writes them back as inspectors read them."""

import datetime
import re

import yaml

from portal.catalogue.document import moment_label
from portal.catalogue.frontmatter import Parse, is_empty, text_value

MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2}))?$")


def read_moment(
    parse: Parse, node: yaml.Node, key: str
) -> tuple[datetime.date | None, datetime.time | None]:
    """(day, time of day or None) of a value written YYYY-MM-DD or YYYY-MM-DD HH:MM; (None,
    None) with the problem reported when it is neither or does not exist."""
    if is_empty(node):
        return None, None
    value = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
    found = MOMENT.match(value)
    if found is None:
        parse.problem(node, f"{key}: '{value}' is not written as YYYY-MM-DD or YYYY-MM-DD HH:MM")
        return None, None
    try:
        day = datetime.date.fromisoformat(found[1])
    except ValueError:
        parse.problem(node, f"{key}: {found[1]} does not exist in the calendar")
        return None, None
    if found[2] is None:
        return day, None
    try:
        return day, datetime.time(int(found[2]), int(found[3]))
    except ValueError:
        parse.problem(node, f"{key}: {found[2]}:{found[3]} is not a time of day (00:00-23:59)")
        return None, None


def earlier(
    moment: tuple[datetime.date, datetime.time | None],
    than: tuple[datetime.date, datetime.time | None],
) -> bool:
    """Whether moment is before than (a day without a time of day is the whole day)."""
    if moment[0] != than[0]:
        return moment[0] < than[0]
    return moment[1] is not None and than[1] is not None and moment[1] < than[1]


MAX_CHANGE_NOTE = 200


def read_dates(parse: Parse, fields: dict[str, yaml.Node], dated: datetime.date | None) -> dict:
    """The 发布日期 and 更新日期 of a document with its change note, as Document's keyword
    arguments: published and updated may carry a time of day; an update says what changed
    (change_note) and comes after the document was made and published."""
    values: dict = {}
    if "published" in fields:
        values["published"], values["published_time"] = read_moment(
            parse, fields["published"], "published"
        )
    if "updated" in fields:
        values["updated"], values["updated_time"] = read_moment(parse, fields["updated"], "updated")
    note = (
        text_value(parse, "change_note", fields["change_note"]) if "change_note" in fields else ""
    )
    if len(note) > MAX_CHANGE_NOTE:
        parse.problem(
            fields["change_note"],
            f"change_note: {len(note)} characters; say in at most {MAX_CHANGE_NOTE} what changed",
        )
    values["change_note"] = note
    updated = values.get("updated")
    if updated is not None and not note:
        parse.problem(fields["updated"], "updated: say in a line what changed (change_note:)")
    if note and updated is None:
        parse.problem(fields["change_note"], "change_note: give the day of the change (updated:)")
    if updated is not None:
        moment = (updated, values.get("updated_time"))
        for key, earlier_moment in (
            ("published", (values.get("published"), values.get("published_time"))),
            ("date", (dated, None)),
        ):
            if earlier_moment[0] is not None and earlier(moment, earlier_moment):
                parse.problem(
                    fields["updated"],
                    f"updated: {moment_text(moment)} is before the document's {key} "
                    f"{moment_text(earlier_moment)}",
                )
                break
    return values


def moment_text(moment: tuple[datetime.date, datetime.time | None]) -> str:
    """A moment as a message writes it."""
    return moment_label(*moment)
