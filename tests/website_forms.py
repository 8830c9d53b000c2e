"""The website's yearly forms (政府网站工作年度报表) of the tests, added to a content folder such as
conftest's `site` copy: a content file in 政府信息公开年报 and its data file, written as
`portal website-report` writes it (portal.website_report.form_text), published as it is unless
`review` says otherwise.

    add_form(site, 2024)                          # every row filled (FILLED), published
    add_form(site, 2023, {**FILLED, "unique_visitors": None})
"""

import datetime
from decimal import Decimal
from pathlib import Path

from portal.website_report import WebsiteReport, form_text

# Every row of a form, filled: numbers (0 among them), a decimal, 是 and 否, a choice, the
# innovations, a long address, a date and Chinese text.
FILLED = {
    "site_name": "示例县人民政府门户网站",
    "home_url": "https://www.shili-county-people-government-portal.example.gov.cn/index.html",
    "sponsor": "示例县人民政府办公室",
    "site_type": "政府门户网站",
    "site_id_code": "6400000001",
    "icp_record": "宁ICP备12345678号-1",
    "public_security_record": "宁公网安备 64010402000123号",
    "unique_visitors": 123456,
    "total_visits": 4567890,
    "published_total": 300,
    "published_overview": 12,
    "published_news": 0,
    "published_catalogue": 288,
    "topics_maintained": 4,
    "topics_opened": 1,
    "interpretations_total": 9,
    "interpretation_texts": 7,
    "interpretation_products": 2,
    "media_commentaries": 0,
    "responses": 3,
    "service_catalogue": "是",
    "registered_users": 2048,
    "service_items": 312,
    "online_service_items": 280,
    "cases_total": 63,
    "cases_individuals": 51,
    "cases_organisations": 12,
    "unified_platform": "是",
    "messages_received": 41,
    "messages_closed": 40,
    "message_days": Decimal("2.5"),
    "messages_answered": 38,
    "surveys": 2,
    "survey_opinions": 17,
    "survey_results": 2,
    "interviews": 1,
    "interview_messages": 25,
    "interview_answers": 20,
    "smart_answers": "否",
    "security_assessments": 4,
    "security_problems": 3,
    "security_fixed": 3,
    "security_monitoring": "是",
    "security_drills": "是",
    "security_officer": "是",
    "new_media": "是",
    "weibo_name": "示例县发布",
    "weibo_posts": 412,
    "weibo_followers": 5210,
    "wechat_name": "示例县政务",
    "wechat_posts": 386,
    "wechat_subscribers": 12044,
    "new_media_other": None,
    "innovations": ("多语言版本", "无障碍浏览"),
    "innovations_other": None,
    "reporting_body": "示例县人民政府",
    "head": "张三",
    "reviewer": "李四",
    "filled_by": "王五",
    "telephone": "0951-1234567",
    "filled_on": datetime.date(2025, 1, 16),
}

DOCUMENT = """---
title: 示例县人民政府门户网站政府网站工作年度报表（{year}年度）
index_no: "000000000/{next_year}-{serial:05d}"
doc_no:
date: {date}
department: 办公室
time_limit: 长期公开
category: 政府信息公开年报
five_openness: 结果公开
mode: 主动公开
keywords: [政府网站工作年度报表]
attachments:
{sample}website_report: {slug}.form.yml
{review}---
本表依据国办函〔2018〕12号编制。
"""


def add_form(
    content: Path,
    year: int,
    values: dict | None = None,
    *,
    date: str = "",
    sample: bool = False,
    review: str = "",
    slug: str = "",
    data: str | None = None,
    serial: int = 0,
) -> Path:
    """Write the form covering year (FILLED unless values are given) into content/
    website-reports/ and return its content file. review: front matter lines such as
    'review: []\\n' (a draft); data: the data file's text, to write a broken one; serial: added
    to the 索引号's serial, for a second form of a year."""
    slug = slug or f"website-report-{year}"
    folder = content / "website-reports"
    folder.mkdir(parents=True, exist_ok=True)
    form = WebsiteReport(year, dict(FILLED if values is None else values), sample=sample)
    (folder / f"{slug}.form.yml").write_text(
        form_text(form) if data is None else data, encoding="utf-8"
    )
    document = folder / f"{slug}.md"
    document.write_text(
        DOCUMENT.format(
            year=year,
            next_year=year + 1,
            serial=900 + year % 100 + serial,
            date=date or f"{year + 1}-01-20",
            sample="sample: true\n" if sample else "",
            slug=slug,
            review=review,
        ),
        encoding="utf-8",
    )
    return document
