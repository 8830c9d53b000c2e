"""A county built in a temporary folder for the county report pages: a copy of tests/site (which
stays a single-body site) with organisation files and each body's annual reports, their tables
taken from a fixture report whose tables pass every rule.

    county_site(tmp_path / "content")   # the content folder, as listed in COUNTY_REPORTS
"""

import shutil
from pathlib import Path

SITE = Path(__file__).parent / "site" / "content"
# Valid tables (R1-R7 pass); its year and organisation are rewritten for each report.
TABLES = SITE / "reports" / "lingwu-kjj-2023.report.yml"

# id: (name, English name, kind, code, order, sample)
BODIES = {
    "lingwu-kjj": (
        "灵武市科学技术局",
        "Lingwu Science and Technology Bureau",
        "部门",
        "000000000",
        20,
    ),
    "county": ("示例县人民政府", "Sample County People's Government", "人民政府", "000000001", 10),
    "transport": ("示例县交通运输局", "Sample County Transport Bureau", "部门", "000000002", 30),
    "health": ("示例县卫生健康局", "Sample County Health Bureau", "部门", "000000004", 35),
    "qingshan": ("示例县青山镇人民政府", "Qingshan Township (sample)", "乡镇街道", "000000003", 40),
}

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

# What county_site publishes, by year: (body, date, published, tables broken by rule R3).
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


def add_body(content: Path, organisation: str, sample: bool = True) -> Path:
    """Write the organisation file of one of BODIES."""
    name, name_en, kind, code, order = BODIES[organisation]
    folder = content / "organisations"
    folder.mkdir(exist_ok=True)
    path = folder / f"{organisation}.yml"
    path.write_text(
        f'name: {name}\nname_en: "{name_en}"\nkind: {kind}\ncode: "{code}"\norder: {order}\n'
        + ("sample: true\n" if sample else ""),
        encoding="utf-8",
    )
    return path


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
    name, _name_en, _kind, code, _order = BODIES[organisation]
    slug = slug or f"{organisation}-report-{year}"
    folder = content / "reports"
    (folder / f"{slug}.md").write_text(
        REPORT.format(
            name=name,
            year=year,
            issued=year + 1,
            code=code,
            serial=serial or f"0{year}",
            date=date,
            published=f"\npublished: {published}" if published else "",
            organisation="" if organisation == "lingwu-kjj" else f"\norganisation: {organisation}",
            slug=slug,
        ),
        encoding="utf-8",
    )
    tables = TABLES.read_text(encoding="utf-8")
    tables = tables.replace("organisation: 灵武市科学技术局", f"organisation: {name}")
    tables = tables.replace("year: 2023", f"year: {year}")
    if breaks_r3:
        # 自然人 of 一、本年新收 goes from 5 to 8: the row's 总计 (7) no longer adds up.
        tables = tables.replace(
            "new:                      {person: 5", "new:                      {person: 8"
        )
    (folder / f"{slug}.report.yml").write_text(tables, encoding="utf-8")
    return slug


def county_site(target: Path) -> Path:
    """A copy of tests/site as a county of BODIES publishing COUNTY_REPORTS; returns target."""
    shutil.copytree(SITE, target)
    for organisation in BODIES:
        add_body(target, organisation, sample=organisation != "lingwu-kjj")
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
