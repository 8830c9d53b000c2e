"""The county fixture: a copy of tests/site (which itself stays a site of one body, so that no
other test changes) with the organisation files and documents of several bodies added. Every
test of a platform of several bodies builds its site here, taking only what it needs:

    content = copy_site(tmp_path / "content")    # or conftest's `site`, already a copy
    add_bodies(content, BUREAU, "ningdong")        # organisation files, from BODIES
    add_township(content)                          # the bureau and a township's documents
    add_organisations(content)                     # a county office with documents and a report
    add_report(content, "transport", 2024, "2025-01-20")
    report_county(tmp_path / "content")            # the county of the report status pages
"""

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

SITE = Path(__file__).parent / "site" / "content"
# The county office's documents, written by hand (their report fails validation on purpose).
DOCUMENTS = Path(__file__).parent / "county_documents"
# Valid tables (R1-R7 pass); their year and organisation are rewritten for each report.
TABLES = SITE / "reports" / "lingwu-kjj-2023.report.yml"


@dataclass(frozen=True)
class Body:
    """What an organisation file of the fixture says; details are its optional fields."""

    name: str
    name_en: str
    kind: str
    code: str
    order: int
    sample: bool = True
    details: dict = field(default_factory=dict)

    def file(self) -> str:
        """The organisation file's text (JSON scalars are YAML: codes stay strings)."""
        fields = {
            "name": self.name,
            "name_en": self.name_en,
            "kind": self.kind,
            "code": self.code,
            "order": self.order,
        }
        fields |= {"sample": True} if self.sample else {}
        fields |= self.details
        return "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items())


# The bureau tests/site's documents belong to: they name no organisation (DEFAULT_ORGANISATION),
# their 索引号 start with its code and their reports name it.
BUREAU = "lingwu-kjj"
TOWN = "example-town"
BODIES = {
    BUREAU: Body(
        "灵武市科学技术局", "Lingwu Science and Technology Bureau", "部门", "000000000", 20, False
    ),
    # The township of the search tests (add_township).
    TOWN: Body("示例镇人民政府", "Example Township Government", "乡镇街道", "111111111", 10),
    # The county of the report status pages (report_county).
    "county": Body(
        "示例县人民政府", "Sample County People's Government", "人民政府", "000000001", 10
    ),
    "transport": Body(
        "示例县交通运输局", "Sample County Transport Bureau", "部门", "000000002", 30
    ),
    "health": Body("示例县卫生健康局", "Sample County Health Bureau", "部门", "000000004", 35),
    "qingshan": Body(
        "示例县青山镇人民政府", "Qingshan Township (sample)", "乡镇街道", "000000003", 40
    ),
    # The bodies of the organisation pages (add_organisations): one with documents and every
    # contact field, one that has published nothing with part of them.
    "county-office": Body(
        "示例县人民政府办公室",
        "Sample County Government Office",
        "人民政府",
        "MB1234567",
        10,
        details={
            "description": "示例县人民政府的办事机构，负责县政府的政府信息公开工作。",
            "address": "示例县人民路1号",
            "office_hours": "工作日 8:30-12:00，14:30-18:00",
            "phone": "0951-1234567",
            "fax": "0951-1234568",
            "email": "xxgk@county.example.gov.cn",
            "postcode": "750400",
        },
    ),
    "east-town": Body(
        "示例县东塔镇人民政府",
        "Dongta Town Government",
        "乡镇街道",
        "MB7654321",
        30,
        details={"address": "示例县东塔镇政府路8号", "phone": "0951-7654321"},
    ),
    # The bodies of the application form (APPLICATION_BODIES).
    "ningdong": Body("宁东镇人民政府", "Ningdong Town Government", "乡镇街道", "640181101", 10),
    "lingwu-gov": Body(
        "灵武市人民政府办公室",
        "General Office of the Lingwu Municipal Government",
        "人民政府",
        "640181001",
        10,
    ),
}


def copy_site(target: Path) -> Path:
    """A copy of tests/site/content at target (a folder not there yet); returns target."""
    shutil.copytree(SITE, target)
    return target


def add_bodies(content: Path, *organisations: str) -> Path:
    """Write the organisation files of these BODIES into a content folder; returns it."""
    folder = content / "organisations"
    folder.mkdir(exist_ok=True)
    for organisation in organisations:
        (folder / f"{organisation}.yml").write_text(BODIES[organisation].file(), encoding="utf-8")
    return content


# --- Search: the bureau and a township with three documents -----------------------------------

TOWN_DOCUMENTS = {
    "2024-town-tech-service.md": ("关于开展科技特派员进村服务的通知", "2024-00001", "2024-04-02"),
    "2024-town-science-fair.md": ("示例镇2024年科技集市活动安排", "2024-00002", "2024-06-18"),
    "2023-town-tech-summary.md": ("示例镇2023年科技工作总结", "2023-00001", "2023-12-20"),
}


def town_document(title: str, serial: str, day: str) -> str:
    """A township document's file: front matter and a line of text."""
    return f"""\
---
title: {title}
organisation: {TOWN}
index_no: "{BODIES[TOWN].code}/{serial}"
doc_no:
date: {day}
department: 党政办公室
time_limit: 及时公开
category: 规划计划
five_openness: 执行公开
mode: 主动公开
keywords: [乡村科技服务]
attachments:
sample: true
---
示例镇科技服务正文。
"""


def add_township(content: Path) -> Path:
    """Turn a copy of tests/site/content into a platform of the bureau and a township that
    publishes TOWN_DOCUMENTS; returns the folder."""
    add_bodies(content, BUREAU, TOWN)
    (content / "town").mkdir()
    for name, fields in TOWN_DOCUMENTS.items():
        (content / "town" / name).write_text(town_document(*fields), encoding="utf-8")
    return content


# --- Organisation pages: a county office with documents, the bureau, an empty township ------


def add_organisations(content: Path) -> Path:
    """Lay the organisation pages' bodies over a copy of tests/site/content: a county
    government office with four documents and a report failing validation, the bureau, and a
    township that has published nothing. Returns the folder."""
    add_bodies(content, "county-office", BUREAU, "east-town")
    shutil.copytree(DOCUMENTS, content / "county")
    return content


# --- Applications: three bodies of three kinds, listed out of order ---------------------------

APPLICATION_BODIES = (BUREAU, "ningdong", "lingwu-gov")


# --- Annual reports: the county of the report status pages ------------------------------------

REPORT = """---
title: {name}{year}年政府信息公开工作年度报告（示例）{organisation}
index_no: "{code}/{issued}-{serial}"
doc_no:
date: {date}{published}
department: 办公室
time_limit: 长期公开
category: 政府信息公开年报
five_openness: 结果公开
mode: 主动公开
keywords: [年度报告]
attachments:
sample: true
report: {slug}.report.yml
---
示例报告：文字和数字均为虚构。
"""

REPORT_BODIES = (BUREAU, "county", "transport", "health", "qingshan")
# What report_county publishes, by year: (body, date, published, tables broken by rule R3).
# 2024: the county government on time by its own deadline (31 March), though after 31 January;
# transport on time; qingshan 10 days late going by `published`, though its `date` is in time,
# and its tables fail; the bureau's real report has no date; health published nothing.
COUNTY_REPORTS = {
    2024: (
        ("county", "2025-03-20", None, False),
        ("transport", "2025-01-20", None, False),
        ("qingshan", "2025-01-15", "2025-02-10", True),
    ),
    2023: (("transport", "2024-01-30", None, False),),
}


def add_report(
    content: Path,
    organisation: str,
    year: int,
    date: str = "",
    published: str | None = None,
    *,
    breaks_r3: bool = False,
    slug: str = "",
    serial: str = "",
) -> str:
    """Write a sample report of a body covering year (with valid tables unless breaks_r3),
    at slug and with the serial of its 索引号 when given; return its address."""
    body = BODIES[organisation]
    slug = slug or f"{organisation}-report-{year}"
    folder = content / "reports"
    (folder / f"{slug}.md").write_text(
        REPORT.format(
            name=body.name,
            year=year,
            issued=year + 1,
            code=body.code,
            serial=serial or f"0{year}",
            date=date,
            published=f"\npublished: {published}" if published else "",
            organisation="" if organisation == BUREAU else f"\norganisation: {organisation}",
            slug=slug,
        ),
        encoding="utf-8",
    )
    tables = TABLES.read_text(encoding="utf-8")
    tables = tables.replace("organisation: 灵武市科学技术局", f"organisation: {body.name}")
    tables = tables.replace("year: 2023", f"year: {year}")
    if breaks_r3:
        # 自然人 of 一、本年新收 goes from 5 to 8: the row's 总计 (7) no longer adds up.
        tables = tables.replace(
            "new:                      {person: 5", "new:                      {person: 8"
        )
    (folder / f"{slug}.report.yml").write_text(tables, encoding="utf-8")
    return slug


def report_county(target: Path) -> Path:
    """A copy of tests/site as a county of REPORT_BODIES publishing COUNTY_REPORTS; returns
    target."""
    add_bodies(copy_site(target), *REPORT_BODIES)
    for year, published in COUNTY_REPORTS.items():
        for organisation, date, on, breaks in published:
            add_report(target, organisation, year, date, on, breaks_r3=breaks)
    return target


def edit_tables(content: Path, slug: str, old: str, new: str) -> None:
    """Change the data file of a report: old text (which must be there) becomes new."""
    path = content / "reports" / f"{slug}.report.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
