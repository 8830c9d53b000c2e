"""Who runs the site, as the national website rules ask every page to say: the 主办单位 and
承办单位, the contact, the 网站标识码, the ICP and 公安机关 filing numbers, the 党政机关网站标识
and the 我为政府网站找错 entry (政府网站发展指引, 国办发〔2017〕47号), read once from the settings
and refused with a clear message when malformed; and the page labels (网页标签) every page
carries, as (name, content) pairs.

Nothing here is made up: a setting left empty is not shown, so a site shows only the
identifiers it was really given.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from portal.settings import SettingError

# The MIIT filing system an ICP number is checked at; pages link the number to it.
ICP_SYSTEM = "https://beian.miit.gov.cn/"
# 网站标识码: ten letters or digits (4403000001, bm04000001).
SITE_ID_CODE = re.compile(r"^[0-9A-Za-z]{10}$")
# 宁ICP备12345678号-1
ICP_RECORD = re.compile(r"^[\u4e00-\u9fff]{1,3}ICP备\d{4,12}号(?:-\d{1,4})?$")
# 宁公网安备 64010402000123号
PUBLIC_SECURITY_RECORD = re.compile(r"^[\u4e00-\u9fff]{1,3}公网安备 ?\d{6,20}号$")
MAX_NAME = 100
MAX_CONTACT = 200
MAX_URL = 500


@dataclass(frozen=True)
class SiteIdentity:
    """The identity settings of a site, each '' when not given."""

    sponsor: str = ""
    operator: str = ""
    contact: str = ""
    id_code: str = ""
    icp_record: str = ""
    public_security_record: str = ""
    mark_url: str = ""
    error_report_url: str = ""

    @property
    def shown_operator(self) -> str:
        """The 承办单位 when it is another body than the 主办单位 ('' otherwise)."""
        return self.operator if self.operator != self.sponsor else ""

    @property
    def icp_system(self) -> str:
        """Where an ICP number is looked up: the MIIT filing system."""
        return ICP_SYSTEM

    def __bool__(self) -> bool:
        return any(vars(self).values())


def _text(config: Mapping[str, object], name: str, limit: int) -> str:
    value = str(config.get(name) or "").strip()
    if len(value) > limit or any(not character.isprintable() for character in value):
        raise SettingError(f"{name}: at most {limit} printable characters on one line")
    return value


def _matching(config: Mapping[str, object], name: str, pattern: re.Pattern, example: str) -> str:
    value = _text(config, name, MAX_NAME)
    if value and not pattern.match(value):
        raise SettingError(f"{name}={value!r} is not of the form {example}")
    return value


def _address(config: Mapping[str, object], name: str) -> str:
    value = _text(config, name, MAX_URL)
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or re.search(r"[\s<>\"']", value)
    ):
        raise SettingError(f"{name}={value!r} is not a web address (https://…)")
    return value


def read_identity(config: Mapping[str, object]) -> SiteIdentity:
    """The site's identity from its settings; SettingError naming the setting when one is
    malformed."""
    return SiteIdentity(
        sponsor=_text(config, "SITE_SPONSOR", MAX_NAME),
        operator=_text(config, "SITE_OPERATOR", MAX_NAME),
        contact=_text(config, "SITE_CONTACT", MAX_CONTACT),
        id_code=_matching(
            config, "SITE_ID_CODE", SITE_ID_CODE, "4403000001 (ten letters or digits)"
        ),
        icp_record=_matching(config, "ICP_RECORD", ICP_RECORD, "宁ICP备12345678号-1"),
        public_security_record=_matching(
            config, "PUBLIC_SECURITY_RECORD", PUBLIC_SECURITY_RECORD, "宁公网安备 64010402000123号"
        ),
        mark_url=_address(config, "GOVERNMENT_SITE_MARK_URL"),
        error_report_url=_address(config, "ERROR_REPORT_URL"),
    )


@dataclass(frozen=True)
class Article:
    """What the page labels of one document page say about it."""

    title: str
    published: str = ""
    source: str = ""
    keywords: tuple[str, ...] = ()
    url: str = ""


def page_labels(
    identity: SiteIdentity,
    site_name: str,
    base_url: str,
    column: tuple[str, str] | None = None,
    article: Article | None = None,
) -> list[tuple[str, str]]:
    """The 网页标签 of a page, in the order the 网页设计规范 lists them, empty ones left out:
    the site's on every page, the column's (name, type) on a column's pages, the article's on a
    document's page. The description is the page's own <meta name="Description">."""
    labels = [
        ("SiteName", site_name),
        ("SiteDomain", urlsplit(base_url).netloc),
        ("SiteIDCode", identity.id_code),
    ]
    if column is not None:
        labels += [("ColumnName", column[0]), ("ColumnType", column[1])]
    if article is not None:
        labels += [
            ("ArticleTitle", article.title),
            ("PubDate", article.published),
            ("ContentSource", article.source),
            ("Keywords", ",".join(article.keywords)),
            ("Url", article.url),
        ]
    return [(name, value) for name, value in labels if value]
