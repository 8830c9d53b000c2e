"""Property-based: the digest an approval records follows what the site reads and publishes, not
how the front matter is written. Any value changed, in any YAML style, changes it; rewriting the
same values in another style, or changing only the review record and publication date, does not."""

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.catalogue import TIME_LIMITS, parse_file
from portal.workflow.digests import node_digest

HAN = "科技局示例县办公室通知规划统计报告年度奖励管理"
TEXT = st.builds(
    str.__add__, st.sampled_from(HAN), st.text(alphabet=HAN + "abcXYZ019 -", max_size=10)
).map(str.rstrip)
SCALAR_STYLES = ("plain", "single", "double")
BLOCK_SCALAR_STYLES = (*SCALAR_STYLES, "literal", "folded")
KEY_STYLES = ("plain", "single", "double", "spaced")
BLOCK_KEY_STYLES = (*KEY_STYLES, "explicit")


@dataclass(frozen=True)
class Values:
    """What the site reads from a document."""

    title: str
    department: str
    keywords: tuple[str, ...]
    time_limit: str
    sample: bool
    doc_no: str
    attachment_title: str
    attachment_bytes: bytes
    body: str


VALUES = st.builds(
    Values,
    title=TEXT,
    department=TEXT,
    keywords=st.lists(TEXT, max_size=3, unique=True).map(tuple),
    time_limit=st.sampled_from(TIME_LIMITS),
    sample=st.booleans(),
    doc_no=st.sampled_from(["", "示科发〔2024〕3号"]),
    attachment_title=TEXT,
    attachment_bytes=st.binary(min_size=1, max_size=64),
    body=TEXT,
)


def changed(values: Values, key: str) -> Values:
    """The same document with one thing a visitor would see changed."""
    if key == "keywords":
        return replace(values, keywords=values.keywords[1:] if values.keywords else ("新",))
    if key == "time_limit":
        return replace(values, time_limit=next(t for t in TIME_LIMITS if t != values.time_limit))
    if key == "sample":
        return replace(values, sample=not values.sample)
    if key == "doc_no":
        return replace(values, doc_no="" if values.doc_no else "示科发〔2024〕3号")
    if key == "attachment_bytes":
        return replace(values, attachment_bytes=values.attachment_bytes + b"\0")
    return replace(values, **{key: getattr(values, key) + "改"})


def scalar(value: str, style: str, column: int) -> str:
    """The value part of a 'key: value' pair (after the colon), in a YAML style."""
    if style == "plain":
        return f" {value}"
    if style == "single":
        return " '" + value.replace("'", "''") + "'"
    if style == "double":
        return " " + json.dumps(value, ensure_ascii=False)
    return f" {'|' if style == 'literal' else '>'}-\n{' ' * (column + 2)}{value}"


def key(name: str, style: str) -> str:
    return {"plain": name, "single": f"'{name}'", "double": f'"{name}"', "spaced": f"{name} "}[
        style
    ]


class Writer:
    """Writes one document's front matter in styles drawn by hypothesis."""

    def __init__(self, data, flow: bool):
        self.data, self.flow = data, flow
        self.indent = 0 if flow else data.draw(st.integers(0, 3), label="indent")

    def pair(self, name: str, value_part) -> str:
        column = self.indent
        key_style = self.data.draw(st.sampled_from(KEY_STYLES if self.flow else BLOCK_KEY_STYLES))
        value = value_part(column)
        if key_style == "explicit":
            return f"? {name}\n{' ' * column}:{value}"
        return f"{key(name, key_style)}:{value}"

    def text(self, value: str):
        styles = SCALAR_STYLES if self.flow else BLOCK_SCALAR_STYLES
        style = self.data.draw(st.sampled_from(styles))
        return lambda column: scalar(value, style, column)

    def empty(self):
        written = self.data.draw(st.sampled_from(["", " ~", " null"]))
        return lambda column: written

    def items(self, items: list[str]):
        if not items:
            return lambda column: " []"
        rendered = [
            scalar(item, self.data.draw(st.sampled_from(SCALAR_STYLES)), 0).lstrip()
            for item in items
        ]
        if self.flow or self.data.draw(st.booleans(), label="flow list"):
            return lambda column: " [" + ", ".join(rendered) + "]"
        return lambda column: "".join(f"\n{' ' * (column + 2)}- {item}" for item in rendered)

    def attachments(self, title: str):
        title_style = self.data.draw(st.sampled_from(SCALAR_STYLES))
        if self.flow or self.data.draw(st.booleans(), label="flow attachments"):
            return lambda column: f" [{{file: annex.pdf, title:{scalar(title, title_style, 0)}}}]"
        return lambda column: (
            f"\n{' ' * (column + 2)}- file: annex.pdf\n{' ' * (column + 4)}"
            f"title:{scalar(title, title_style, column + 4)}"
        )

    def review(self):
        digests = self.data.draw(
            st.lists(st.text(alphabet="0123456789abcdef:v", max_size=20), max_size=2),
            label="recorded digests",
        )
        entries = [
            f'{{stage: {stage}, by: "某某", at: "2024-03-20T09:00:00+08:00", digest: "{digest}"}}'
            for stage, digest in zip(("初审", "复审"), digests, strict=False)
        ]
        if not entries:
            return self.items([])
        return lambda column: " [" + ", ".join(entries) + "]"

    def front_matter(self, values: Values) -> str:
        pairs = [
            self.pair("title", self.text(values.title)),
            self.pair("index_no", lambda column: ' "000000000/2024-00950"'),
            self.pair("doc_no", self.text(values.doc_no) if values.doc_no else self.empty()),
            self.pair("date", lambda column: " 2024-03-18"),
            self.pair("department", self.text(values.department)),
            self.pair("time_limit", self.text(values.time_limit)),
            self.pair("category", lambda column: " 其他文件"),
            self.pair("five_openness", lambda column: " 决策公开"),
            self.pair("mode", lambda column: " 主动公开"),
            self.pair("keywords", self.items(list(values.keywords))),
            self.pair("attachments", self.attachments(values.attachment_title)),
            self.pair("sample", lambda column: f" {str(values.sample).lower()}"),
            self.pair("review", self.review()),
        ]
        if self.data.draw(st.booleans(), label="published"):
            day = self.data.draw(st.integers(19, 28), label="published on")
            pairs.append(self.pair("published", self.text(f"2024-03-{day}")))
        pairs = self.data.draw(st.permutations(pairs), label="key order")
        if self.flow:
            return "{" + ",\n  ".join(pairs) + "}\n"
        lines = []
        for pair in pairs:
            lines.append(" " * self.indent + pair)
            lines.extend(self.data.draw(st.lists(st.sampled_from(["", "# 注释"]), max_size=1)))
        return "\n".join(lines) + "\n"


def digest(folder: Path, values: Values, writer: Writer) -> str:
    (folder / "annex.pdf").write_bytes(values.attachment_bytes)
    path = folder / "2024-00950.md"
    path.write_text(f"---\n{writer.front_matter(values)}---\n{values.body}\n", encoding="utf-8")
    document, problems = parse_file(path)
    assert document is not None, (path.read_text(encoding="utf-8"), problems)
    assert document.waiting_for == "初审"
    return document.digest


@settings(max_examples=50, deadline=None)
@given(values=VALUES, data=st.data())
def test_the_digest_follows_what_is_published_not_how_it_is_written(values, data):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        first = digest(folder, values, Writer(data, flow=data.draw(st.booleans())))
        # The same values written another way, with another review record and date.
        assert digest(folder, values, Writer(data, flow=data.draw(st.booleans()))) == first
        for change in Values.__dataclass_fields__:
            other = digest(
                folder, changed(values, change), Writer(data, flow=data.draw(st.booleans()))
            )
            assert other != first, change


def test_aliases_that_nest_exponentially_or_loop_are_digested_once_per_node(tmp_path):
    # 60 levels of "twice the one before" would be 2**60 values if every alias were expanded.
    chain = "".join(f"  - &a{n} [*a{n - 1}, *a{n - 1}]\n" for n in range(1, 61))
    bomb = "keywords:\n  - &a0 [x]\n" + chain
    path = tmp_path / "2024-00950.md"
    path.write_text(
        "---\ntitle: 标题\ncategory: 其他文件\nreview: []\n" + bomb + "---\n", encoding="utf-8"
    )
    document, problems = parse_file(path)  # refused, never expanded
    assert document is None and "anchors and aliases" in str(problems)

    def digest(source: str) -> bytes:
        return node_digest(yaml.compose(source, Loader=yaml.SafeLoader))

    assert digest(bomb) != digest(bomb.replace("[x]", "[y]"))
    assert digest(bomb.replace("[x]", "[x, *a0]")) not in (digest(bomb), b"")
