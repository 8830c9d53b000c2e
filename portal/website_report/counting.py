"""The rows of a year's form the site can fill from its own records (docs/website-report.md):
what it published, by the columns of its catalogue; the online applications it received; who
runs it, from the identity settings; the features the platform has. Everything else (visits,
security, new media, the people who sign) is left for staff: not filled, never 0.

Pure functions over what they are given: the published documents (catalogue Documents), the
applications received (applications.Application) and the site's settings."""

import datetime
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from portal.identity import SiteIdentity
from portal.text import LOCALES
from portal.website_report.datafile import Value
from portal.website_report.schema import ACCESSIBLE, MULTILINGUAL

# 概况类信息: what the bodies say about themselves: the 机构职能 column (a node slug of the
# catalogue tree, portal.catalogue.categories).
OVERVIEW = frozenset({"organisation"})
# 政务动态信息: news columns (要闻, 动态). The disclosure catalogue of 国办公开办函〔2019〕61号 has
# none, so a site of this platform publishes no 政务动态: the row counts 0.
NEWS: frozenset[str] = frozenset()
# 解读信息: the 政策解读 column; a 解读产品 (图解, 音视频) is one published with a video.
INTERPRETATION = "interpretation"
# The applicant kind of applications.APPLICANT_KINDS that is a natural person (公民（自然人）);
# every other kind is a 法人或其他组织.
INDIVIDUAL = "person"


@dataclass(frozen=True)
class Site:
    """What the settings say about the website: its name, address and identity, and the body
    that fills in the form."""

    name: str
    base_url: str
    identity: SiteIdentity
    reporting_body: str


def published_in(document, year: int) -> bool:
    """Whether a document was made public in the year (its 发布日期, else its date)."""
    day = document.publication_date
    return day is not None and day.year == year


def _slugs(document) -> set[str]:
    return {node.slug for node in document.category.path()}


def publishing_counts(documents: Iterable, year: int) -> dict[str, Value]:
    """信息发布 and 解读信息发布 from the documents published in the year: every document is
    counted once, under 概况类 (机构职能), 政务动态 (none here) or 信息公开目录 (every other
    column of the catalogue)."""
    counts = dict.fromkeys(
        (
            "published_total",
            "published_overview",
            "published_news",
            "published_catalogue",
            "interpretations_total",
            "interpretation_texts",
            "interpretation_products",
        ),
        0,
    )
    for document in documents:
        if not published_in(document, year):
            continue
        slugs = _slugs(document)
        counts["published_total"] += 1
        if slugs & OVERVIEW:
            counts["published_overview"] += 1
        elif slugs & NEWS:
            counts["published_news"] += 1
        else:
            counts["published_catalogue"] += 1
        if INTERPRETATION in slugs:
            counts["interpretations_total"] += 1
            kind = "interpretation_products" if document.videos else "interpretation_texts"
            counts[kind] += 1
    return counts


def case_counts(applications: Iterable, year: int) -> dict[str, Value]:
    """办件量: the online disclosure applications (依申请公开) received in the year, by whether a
    natural person or a legal person or other organisation made them."""
    received = [a for a in applications if a.received.startswith(f"{year}-")]
    individuals = sum(1 for a in received if a.applicant_kind == INDIVIDUAL)
    return {
        "cases_total": len(received),
        "cases_individuals": individuals,
        "cases_organisations": len(received) - individuals,
    }


def public_address(base_url: str) -> str:
    """The site's home page address, or '' while BASE_URL is this machine's own (a site not yet
    published has no 首页网址)."""
    host = urlsplit(base_url).hostname or ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in ("localhost", "") or host.endswith(".localhost")
    return "" if local else base_url


def site_values(site: Site) -> dict[str, Value]:
    """The identity rows the settings give (each only when set) and the platform's features."""
    identity = site.identity
    found = {
        "site_name": site.name,
        "home_url": public_address(site.base_url),
        "sponsor": identity.sponsor,
        "site_id_code": identity.id_code,
        "icp_record": identity.icp_record,
        "public_security_record": identity.public_security_record,
        "reporting_body": site.reporting_body,
    }
    # Every page is offered in English as well, and the reading settings and the care mode
    # (关怀版) are the 无障碍浏览 of the platform. 搜索即服务 and 千人千网 it does not have.
    features = (MULTILINGUAL,) if len(LOCALES) > 1 else ()
    found["innovations"] = (*features, ACCESSIBLE)
    return {key: value for key, value in found.items() if value}


def counted_values(
    documents: Iterable, applications: Iterable | None, year: int, site: Site
) -> dict[str, Value]:
    """Every row the site can count for the year; applications None (the database cannot be
    read) leaves 办件量 for staff."""
    values = {**site_values(site), **publishing_counts(documents, year)}
    if applications is not None:
        values.update(case_counts(applications, year))
    return values


def due_date(year: int) -> datetime.date:
    """The day by which the form covering year must be on the site: 31 January after it
    (国办函〔2018〕12号)."""
    return datetime.date(year + 1, 1, 31)
