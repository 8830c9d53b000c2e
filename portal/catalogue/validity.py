"""Whether a document is still in force (时效): 现行有效, 已修改, 已废止 or 已失效, since when, and
the document that amended, repealed or replaced it. Read from the front matter once (the rules
one file can break, with their lines) and checked against the whole catalogue (the replacement
must be a published document)."""

import datetime
import re
from dataclasses import dataclass

import yaml

from portal.catalogue.frontmatter import Parse, text_value
from portal.text import N_

IN_FORCE = "现行有效"
# Each state and its address in filters (?validity=in-force), in the order pages list them.
STATES = {
    N_("现行有效"): "in-force",
    N_("已修改"): "amended",
    N_("已废止"): "repealed",
    N_("已失效"): "expired",
}
STATES_BY_SLUG = {slug: state for state, slug in STATES.items()}
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


@dataclass(frozen=True)
class Validity:
    """A document's 时效: its state, the day that state began and the document that caused it."""

    state: str
    since: datetime.date | None = None
    replaced_by: str = ""

    @property
    def slug(self) -> str:
        """The state's address in filters: in-force, amended, repealed, expired."""
        return STATES[self.state]

    @property
    def in_force(self) -> bool:
        """Whether the document is in force as it stands (现行有效)."""
        return self.state == IN_FORCE


def read_validity(
    parse: Parse,
    fields: dict[str, yaml.Node],
    since: datetime.date | None,
    dated: datetime.date | None,
    slug: str,
) -> Validity | None:
    """The validity the front matter gives (None when it gives none), its problems reported
    on their lines. since is validity_date as already read; dated the document's own date."""
    node = fields.get("validity")
    replaced_by = (
        text_value(parse, "replaced_by", fields["replaced_by"]) if "replaced_by" in fields else ""
    )
    state = text_value(parse, "validity", node) if node is not None else ""
    if not state:
        for key in ("validity_date", "replaced_by"):
            if key in fields and (key != "replaced_by" or replaced_by):
                parse.problem(
                    fields[key],
                    f"{key}: only with validity: {' / '.join(STATES)} (the document's 时效)",
                )
        return None
    if state not in STATES:
        parse.problem(node, f"validity: '{state}' is not one of {' / '.join(STATES)}")
        return None
    if replaced_by and not re.match(SLUG_PATTERN, replaced_by):
        parse.problem(
            fields["replaced_by"],
            f"replaced_by: '{replaced_by}' is not a document's address (its file name without "
            ".md, such as 2024-tech-commissioner-measures)",
        )
        replaced_by = ""
    if replaced_by == slug:
        parse.problem(fields["replaced_by"], "replaced_by: a document cannot replace itself")
        replaced_by = ""
    if state == IN_FORCE:
        for key in ("validity_date", "replaced_by"):
            if key in fields and (key != "replaced_by" or replaced_by):
                parse.problem(
                    fields[key],
                    f"{key}: a document 现行有效 has not been amended, repealed or replaced; "
                    "remove this line or change validity",
                )
        return Validity(state)
    if since is None:
        if "validity_date" not in fields:  # a malformed date is reported already
            parse.problem(
                node,
                f"validity: a document {state} names the day with validity_date: YYYY-MM-DD",
            )
    elif dated is not None and since < dated:
        parse.problem(
            fields["validity_date"],
            f"validity_date: {since.isoformat()} is before the document's date {dated.isoformat()}",
        )
    if state == "已修改" and not replaced_by:
        parse.problem(
            node, "validity: a document 已修改 names the document that amended it (replaced_by:)"
        )
    return Validity(state, since, replaced_by)
