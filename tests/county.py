"""Fixture content of a small county platform: two organisation files and a township's
documents, added to a copy of tests/site (which itself stays a single-body site, so that no other
test changes). Shared by the search tests and the browser check of the search facet."""

from pathlib import Path

ORGANISATIONS = {
    # The fixture site's documents name no organisation: they belong to DEFAULT_ORGANISATION.
    "lingwu-kjj.yml": """\
name: 灵武市科学技术局
name_en: Lingwu Science and Technology Bureau
kind: 部门
code: "000000000"
order: 20
""",
    "example-town.yml": """\
name: 示例镇人民政府
name_en: Example Township Government
kind: 乡镇街道
code: "111111111"
order: 10
sample: true
""",
}
TOWN_DOCUMENTS = {
    "2024-town-tech-service.md": ("关于开展科技特派员进村服务的通知", "2024-00001", "2024-04-02"),
    "2024-town-science-fair.md": ("示例镇2024年科技集市活动安排", "2024-00002", "2024-06-18"),
    "2023-town-tech-summary.md": ("示例镇2023年科技工作总结", "2023-00001", "2023-12-20"),
}
TOWN = "example-town"
BUREAU = "lingwu-kjj"


def town_document(title: str, serial: str, day: str) -> str:
    """A township document's file: front matter and a line of text."""
    return f"""\
---
title: {title}
organisation: {TOWN}
index_no: "111111111/{serial}"
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


def add_township(content: Path) -> None:
    """Turn a copy of tests/site/content into a platform of the bureau and a township."""
    (content / "organisations").mkdir()
    for name, text in ORGANISATIONS.items():
        (content / "organisations" / name).write_text(text, encoding="utf-8")
    (content / "town").mkdir()
    for name, fields in TOWN_DOCUMENTS.items():
        (content / "town" / name).write_text(town_document(*fields), encoding="utf-8")
