"""The bodies that publish on the platform (发布机构), as data: one YAML file each under
content/organisations/, read with the same bounds and line numbers as a document's front matter.

A county platform (集约化) carries the county government, its departments and its townships;
every document, report and application belongs to exactly one of them. A site without
organisation files is one body, described by the settings it always had (see `implicit`).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from portal.catalogue.document import Problem
from portal.catalogue.frontmatter import Parse, capped, read_front_matter, text_value
from portal.text import N_

FOLDER = "organisations"
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CODE = re.compile(r"^(?:[0-9A-Z]{9}|[0-9A-Z]{18})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The kinds of body a county platform carries, in the order /organisations/ groups them.
KINDS = {
    "人民政府": N_("人民政府"),
    "部门": N_("部门"),
    "乡镇街道": N_("乡镇街道"),
    "其他": N_("其他"),
}
KIND_SLUGS = {
    "人民政府": "government",
    "部门": "department",
    "乡镇街道": "township",
    "其他": "other",
}
# 公开指南 contact data (国办公开办函〔2019〕61号: 政府信息公开工作机构的名称、办公地址、办公时间、
# 联系电话、传真号码、电子邮箱、邮政编码), in the order a guide shows them.
CONTACT_FIELDS = {
    "address": N_("办公地址"),
    "office_hours": N_("办公时间"),
    "phone": N_("联系电话"),
    "fax": N_("传真号码"),
    "email": N_("电子邮箱"),
    "postcode": N_("邮政编码"),
}
REQUIRED_KEYS = ("name", "name_en", "kind", "code", "order")
MAX_FILE_BYTES = 64 * 1024
OPTIONAL_KEYS = ("sample", "description", "since", *CONTACT_FIELDS)


@dataclass(frozen=True)
class Organisation:
    """A body publishing on the platform: its address, names, kind, 索引号 code and contacts."""

    id: str
    name: str
    name_en: str = ""
    kind: str = "其他"
    code: str = ""
    order: int = 0
    sample: bool = False
    description: str = ""
    # The first year whose annual report the body publishes on this platform: the county's
    # report pages hold it to account from that year on, not for years before it joined.
    since: int | None = None
    address: str = ""
    office_hours: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    postcode: str = ""
    path: Path | None = None

    def reports_in(self, year: int) -> bool:
        """Whether the body owes this platform its annual report covering year."""
        return self.since is None or year >= self.since

    def name_in(self, locale: str) -> str:
        """The name a page in locale shows: the English one on English pages, when given."""
        return self.name_en if locale == "en" and self.name_en else self.name

    @property
    def kind_slug(self) -> str:
        """The kind as a URL-safe word: government, department, township, other."""
        return KIND_SLUGS[self.kind]

    def contacts(self) -> tuple[tuple[str, str], ...]:
        """The (label, value) pairs of the 公开指南 contact data that are filled in."""
        return tuple(
            (label, getattr(self, key))
            for key, label in CONTACT_FIELDS.items()
            if getattr(self, key)
        )

    def guide_contacts(self) -> tuple[tuple[str, str], ...]:
        """Every (label, value) pair of the 公开指南 contact data, in the guide's order, with ""
        for a field not given: a guide says what it does not give rather than leave it out."""
        return tuple((label, getattr(self, key)) for key, label in CONTACT_FIELDS.items())


def implicit(organisation_id: str, name: str, name_en: str, code: str) -> Organisation:
    """The one body of a site that has no organisation files: the site itself."""
    return Organisation(id=organisation_id, name=name, name_en=name_en, kind="其他", code=code)


def organisation_files(content_dir: Path) -> list[Path]:
    """The organisation files of a content folder, in a stable order."""
    folder = content_dir / FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in (".yml", ".yaml") and not path.name.startswith(".")
    )


def parse_organisation(path: Path, shown: Path) -> tuple[Organisation | None, list[Problem]]:
    """Read one organisation file; the organisation (None if unusable) and its problems."""
    if path.is_symlink():
        return None, [Problem(shown, 1, "a symbolic link: copy the file here")]
    with path.open("rb") as file:
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(shown, 1, f"over {MAX_FILE_BYTES:,} bytes: not an organisation")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem(shown, 1, "not UTF-8 text; save the file as UTF-8")]
    return parse_organisation_text(text, path, shown)


def parse_organisation_text(
    text: str, path: Path, shown: Path
) -> tuple[Organisation | None, list[Problem]]:
    """Read the text of an organisation file at path (whether or not it is written yet: the
    back office checks a file this way before it writes it); the organisation and problems."""
    parse = Parse(shown, offset=0)
    fields = read_front_matter(
        parse, text, closing_line=text.count("\n") + 1, keys=(REQUIRED_KEYS, OPTIONAL_KEYS)
    )
    if fields is None:
        return None, capped(parse.problems)
    values: dict = {}
    for key in ("name", "name_en", "description", *CONTACT_FIELDS):
        if key in fields:
            values[key] = text_value(parse, key, fields[key])
    for key in ("name", "name_en"):
        if key in fields and not values.get(key):
            parse.problem(fields[key], f"{key}: an organisation needs its name")
    if "kind" in fields:
        kind = text_value(parse, "kind", fields["kind"])
        if kind in KINDS:
            values["kind"] = kind
        else:
            parse.problem(fields["kind"], f"kind: '{kind}' is not one of {' / '.join(KINDS)}")
    if "code" in fields:
        code = text_value(parse, "code", fields["code"])
        if not code or CODE.match(code):  # empty: the body's code is not known
            values["code"] = code
        else:
            parse.problem(
                fields["code"],
                f"code: '{code}' is not an organisation code (9 characters, or the "
                "18-character 统一社会信用代码, digits and capital letters)",
            )
    # (key, the whole value it must match, how it is read, what to write instead)
    for key, pattern, read, hint in (
        ("order", r"\d{1,6}", int, "a whole number saying where the body is listed"),
        ("since", r"(19|20)\d\d", int, "the year (such as 2022) of its first report here"),
        ("sample", r"true|false", lambda value: value == "true", "write true or false"),
    ):
        node = fields.get(key)
        if node is None:
            continue
        if isinstance(node, yaml.ScalarNode) and re.fullmatch(pattern, node.value):
            values[key] = read(node.value)
        else:
            parse.problem(node, f"{key}: {hint}")
    if values.get("email") and not EMAIL.match(values["email"]):
        parse.problem(fields["email"], f"email: '{values.pop('email')}' is not an e-mail address")
    if values.get("postcode") and not re.fullmatch(r"\d{6}", values["postcode"]):
        values.pop("postcode")
        parse.problem(fields["postcode"], "postcode: a 邮政编码 has six digits")
    if not ID.match(path.stem):
        parse.problem(
            1,
            f"file name '{path.name}' must be lower-case ASCII letters, digits and hyphens: "
            "it is the organisation's web address",
        )
    if not ID.match(path.stem) or not values.get("name"):
        return None, capped(parse.problems)
    # A mistake in one field fails the check but never takes the body's documents down: the
    # body stands with that field left out (or at its default) until the file is fixed.
    return Organisation(id=path.stem, path=path, **values), capped(parse.problems)


@dataclass(frozen=True)
class Organisations:
    """Every body on the platform, in listing order, and the one unassigned content goes to."""

    all: tuple[Organisation, ...]
    default: str = ""

    def __post_init__(self):
        object.__setattr__(self, "by_id", {o.id: o for o in self.all})

    def get(self, organisation_id: str) -> Organisation | None:
        """The organisation with this id, or None."""
        return self.by_id.get(organisation_id)

    def names(self, locale: str) -> dict[str, str]:
        """Each body's name in a page's language, by id, in listing order."""
        return {o.id: o.name_in(locale) for o in self.all}

    def by_kind(self) -> list[tuple[str, list[Organisation]]]:
        """The organisations grouped by kind, in the order of KINDS; empty kinds left out."""
        groups = [(kind, [o for o in self.all if o.kind == kind]) for kind in KINDS]
        return [(kind, members) for kind, members in groups if members]

    def __len__(self) -> int:
        return len(self.all)

    def __iter__(self):
        return iter(self.all)


def read_organisations(
    content_dir: Path,
    default: str,
    fallback: Organisation,
    previous: Organisations | None = None,
) -> tuple[Organisations, list[Problem]]:
    """Every organisation file of content_dir, checked; with none, the fallback body alone.

    default is the id of the body that documents naming none belong to; a default that
    names no organisation is a problem of the first organisation file. A file that cannot be
    read as a body at all keeps the body as previous (the running site's last reading) had
    it, so one broken file never withdraws a body's documents.
    """
    files = organisation_files(content_dir)
    if not files:
        return Organisations((fallback,), fallback.id), []
    problems: list[Problem] = []
    found: list[Organisation] = []
    codes: dict[str, Organisation] = {}
    for path in files:
        shown = path.relative_to(content_dir)
        organisation, file_problems = parse_organisation(path, shown)
        problems += file_problems
        if organisation is None and previous is not None:
            organisation = previous.get(path.stem)
            if organisation is not None and organisation.path is not None:
                problems.append(
                    Problem(
                        shown,
                        1,
                        "the site keeps this body as it was until this file is fixed",
                        "warning",
                    )
                )
            else:
                organisation = None
        if organisation is None:
            continue
        other = codes.get(organisation.code)
        if other is not None and organisation.code:
            problems.append(
                Problem(
                    shown,
                    1,
                    f"code {organisation.code} is already the code of {other.path.name}: "
                    "each body starts its 索引号 with a code of its own",
                )
            )
            continue
        codes[organisation.code] = organisation
        found.append(organisation)
    found.sort(key=lambda o: (list(KINDS).index(o.kind), o.order, o.id))
    known = {o.id for o in found}
    if default and default not in known and found:
        problems.append(
            Problem(
                files[0].relative_to(content_dir),
                1,
                f"DEFAULT_ORGANISATION is '{default}', which is no organisation file here; "
                f"documents without 'organisation:' cannot be published (known: "
                f"{', '.join(sorted(known))})",
            )
        )
        default = ""
    return Organisations(tuple(found), default if default in known else ""), problems
