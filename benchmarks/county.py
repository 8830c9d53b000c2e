"""A synthetic county platform as content files: organisation files and documents, written once
into a work folder (never the repository) and reused by later runs.

    .venv/bin/python benchmarks/county.py /tmp/county-bench/content              # 50 x 2,000
    .venv/bin/python benchmarks/county.py DIR --organisations 3 --per-organisation 100

The bodies are one county government, departments, townships and one other body, each with an
organisation file (code, names, kind, order) under organisations/. Document i belongs to body
i % organisations and takes its title, text, keywords, 文号, date, department and 五公开 from
search_bench's corpus (the same words by frequency from jieba's dictionary, so its query set
finds the same kinds of matches), its category from the catalogue tree and its 索引号 from its
body's code. Deterministic: the same folder on every run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_bench import DEPARTMENTS, Corpus  # noqa: E402

from portal.catalogue import categories  # noqa: E402

ORGANISATIONS = 50
PER_ORGANISATION = 2_000
# The body documents naming none would belong to; every generated document names its own.
DEFAULT = "county-gov"
MARKER = ".county.json"
# Bumped when what is written changes, so an old folder is written again.
LAYOUT = 2
# A body publishes one 公开指南 and one annual report a year, as real bodies do: the corpus's
# other documents drawn into those categories become 其他文件.
_ONCE = {"guide", "annual-reports"}

_EXTRA_DEPARTMENTS = ("档案局", "气象局", "地震局", "粮食和物资储备局", "机关事务管理局")
_TOWNSHIP_TEXT = (
    "城关镇 新华镇 和平乡 东风镇 红旗乡 前进镇 光明乡 永安镇 太平镇 兴隆乡 "
    "长乐镇 丰收乡 团结镇 胜利乡 安宁镇 富民乡 振兴镇 常乐乡 平安镇 清河乡"
)
_TOWNSHIPS = _TOWNSHIP_TEXT.split()
# search_bench's category paths, as nodes of the catalogue tree.
_CATEGORY = {
    "functions": "organisation",
    "policy-interpretation": "interpretation",
    "planning": "plans",
    "admin-permits": "licensing",
    "fiscal-budgets": "budgets",
    "major-projects": "projects",
}


@dataclass(frozen=True)
class Body:
    """One generated organisation."""

    id: str
    name: str
    name_en: str
    kind: str
    code: str
    order: int

    def file(self) -> str:
        """Its organisation file."""
        return (
            f"name: {self.name}\nname_en: {self.name_en}\nkind: {self.kind}\n"
            f'code: "{self.code}"\norder: {self.order}\nsample: true\n'
            f"address: 示例县示例路{self.order}号\nphone: 0951-0000{self.order:04d}\n"
        )


def bodies(count: int = ORGANISATIONS) -> list[Body]:
    """The county government, departments, townships (about two sevenths) and one other
    body: count in all, each with a code of its own."""
    departments = [d for d in DEPARTMENTS if d != "办公室"] + list(_EXTRA_DEPARTMENTS)
    towns = (count - 2) * 2 // 7 if count > 3 else 0
    found = [(DEFAULT, "示例县人民政府", "Example County Government", "人民政府")]
    for k in range(max(0, count - 2 - towns)):
        name = departments[k % len(departments)] + (str(k) if k >= len(departments) else "")
        found.append((f"dept-{k + 1:02d}", f"示例县{name}", f"Example Department {k + 1}", "部门"))
    for k in range(towns):
        name = _TOWNSHIPS[k % len(_TOWNSHIPS)] + (str(k) if k >= len(_TOWNSHIPS) else "")
        found.append(
            (f"town-{k + 1:02d}", f"{name}人民政府", f"Example Township {k + 1}", "乡镇街道")
        )
    found.append(("media-centre", "示例县融媒体中心", "Example County Media Centre", "其他"))
    return [
        Body(id_, name, name_en, kind, f"{110000001 + order:09d}", order)
        for order, (id_, name, name_en, kind) in enumerate(found[:count])
    ]


def _scalar(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: no value is read as a number or a date.
    return json.dumps(text, ensure_ascii=False)


def document_file(corpus: Corpus, i: int, body: Body, serial: int, taken: set) -> str:
    """The content file of document i, belonging to body, with the body's serial-th 索引号;
    taken holds the (body, category, year) of the guides and annual reports written so far."""
    doc = corpus.document(i)
    node = categories.BY_SLUG[_CATEGORY.get(doc.category_path[-1], doc.category_path[-1])]
    if node.slug in _ONCE:
        once = (body.id, node.slug, doc.date.year if node.slug == "annual-reports" else 0)
        if once in taken:
            node = categories.BY_SLUG["other-documents"]
        taken.add(once)
    five = next((n for n, s in categories.FIVE_OPENNESS.items() if s == doc.five_openness), "")
    year = doc.date.year
    keywords = ", ".join(_scalar(k) for k in doc.keywords)
    return (
        "---\n"
        f"title: {_scalar(doc.title)}\n"
        f"organisation: {body.id}\n"
        f'index_no: "{body.code}/{year}-{serial:05d}"\n'
        f"doc_no: {_scalar(doc.doc_no) if doc.doc_no else ''}\n"
        f"date: {doc.date.isoformat()}\n"
        f"department: {_scalar(doc.department)}\n"
        "time_limit: 长期公开\n"
        f"category: {node.name}\n"
        f"five_openness: {five}\n"
        "mode: 主动公开\n"
        f"keywords: [{keywords}]\n"
        "attachments:\n"
        "sample: true\n"
        "---\n"
        f"{doc.body}\n"
    )


def write_county(
    content: Path,
    organisations: int = ORGANISATIONS,
    per_organisation: int = PER_ORGANISATION,
    corpus: Corpus | None = None,
) -> bool:
    """Write the county's content into content (a folder of its own); False when it already
    holds exactly this county, which is then left as it is."""
    wanted = {"layout": LAYOUT, "organisations": organisations, "per": per_organisation}
    marker = content / MARKER
    try:
        if json.loads(marker.read_text(encoding="utf-8")) == wanted:
            return False
    except (OSError, ValueError):
        pass
    if content.exists():
        shutil.rmtree(content)
    corpus = corpus or Corpus()
    found = bodies(organisations)
    (content / "organisations").mkdir(parents=True)
    for body in found:
        (content / "organisations" / f"{body.id}.yml").write_text(body.file(), encoding="utf-8")
        (content / body.id).mkdir()
    taken: set = set()
    for i in range(organisations * per_organisation):
        body = found[i % organisations]
        text = document_file(corpus, i, body, i // organisations + 1, taken)
        (content / body.id / f"doc-{i:06d}.md").write_text(text, encoding="utf-8")
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return True


def main() -> int:
    """Write a county's content into the folder given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path, help="folder to write (replaced if it differs)")
    parser.add_argument("--organisations", type=int, default=ORGANISATIONS)
    parser.add_argument("--per-organisation", type=int, default=PER_ORGANISATION)
    options = parser.parse_args()
    start = time.perf_counter()
    written = write_county(options.content, options.organisations, options.per_organisation)
    state = "written" if written else "already there"
    print(f"{options.content}: {state} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
