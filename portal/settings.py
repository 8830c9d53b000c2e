"""Every setting of the portal, declared once with its default and help text.

The README's settings table is checked against this list by a test, so a setting cannot be
added without being documented.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default and what it is for."""

    name: str
    default: object
    help: str


SETTINGS = (
    Setting("CONTENT_DIR", str(PROJECT_ROOT / "content"), "Folder of the Markdown content files."),
    Setting(
        "SEARCH_INDEX_DIR",
        str(PROJECT_ROOT / "search_index"),
        "Folder of the generated search index.",
    ),
    Setting(
        "SEARCH_INDEX_WRITER",
        True,
        "Whether this node keeps the search index in step with the content as it changes. "
        "Set it to false on the nodes that search an index the writing node publishes to "
        "them (`portal publish-index`) or on a shared volume.",
    ),
    Setting(
        "THEMES_DIR",
        str(PROJECT_ROOT / "themes"),
        "Folder of the colour schemes, one TOML file each.",
    ),
    Setting(
        "BASE_URL",
        "http://127.0.0.1:8000",
        "Public address of the site; canonical links and QR codes are built from it, "
        "never from the request's Host header.",
    ),
    Setting(
        "SITE_NAME",
        "政府信息公开平台（演示站）",
        "Name of the site shown in every page header and title.",
    ),
    Setting(
        "SITE_NAME_EN",
        "Government Information Disclosure Platform (demo site)",
        "Name of the site on English pages.",
    ),
    Setting("PER_PAGE", 20, "Documents per page in catalogue listings."),
    Setting(
        "PAGE_MAX_AGE",
        60,
        "Seconds a browser or shared cache may keep a page before it asks again (pages carry "
        "an ETag); search answers are asked for again every time.",
    ),
    Setting(
        "ALLOWED_HOSTS",
        "",
        "Comma-separated host names the site answers to; other Host headers get 400. "
        "Empty: the host of BASE_URL, plus localhost and 127.0.0.1.",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "How many reverse proxies stand in front of the site; only then are their "
        "X-Forwarded-For/-Proto/-Host headers trusted, so each proxy must set them itself "
        "(nginx: proxy_set_header X-Forwarded-For $remote_addr, and so on). "
        "No other forwarding header is ever read.",
    ),
    Setting("MAX_REQUEST_BYTES", 65536, "Largest request body accepted; larger ones get 413."),
    Setting(
        "PAGE_CACHE_SIZE",
        2000,
        "Rendered pages kept in memory per worker (0 turns the page cache off).",
    ),
    Setting(
        "PAGE_CACHE_BYTES",
        64 * 1024 * 1024,
        "Most memory the page cache of one worker takes, in bytes (plain and gzipped "
        "pages with their headers); the least recently used pages go first, a page over "
        "an eighth of it is not kept (0 turns the page cache off).",
    ),
    Setting(
        "FRAGMENT_CACHE_SIZE",
        1000,
        "Rendered page parts (reading settings, header, document bodies) kept in memory "
        "per worker and shared by the pages that show them (0 turns it off).",
    ),
    Setting(
        "FRAGMENT_CACHE_BYTES",
        16 * 1024 * 1024,
        "Most memory the page parts of one worker take, in bytes; the least recently "
        "used go first, a part over an eighth of it is not kept (0 turns it off).",
    ),
    Setting(
        "ORGANISATION_CODE",
        "000000000",
        "Organisation code that starts every 索引号 `portal new` gives on a site without "
        "organisation files (9 or 18 characters); organisation files carry their own.",
    ),
    Setting(
        "DEFAULT_ORGANISATION",
        "lingwu-kjj",
        "Id of the body (its file under content/organisations/) that documents, reports and "
        "applications naming none belong to. A site with no organisation files is this one "
        "body, named SITE_NAME.",
    ),
    Setting("DEFAULT_DEPARTMENT", "办公室", "责任部门 that `portal new` fills in."),
    Setting(
        "LAST_GOOD_DIR",
        "",
        "Folder where the site keeps the last good version of each published document, "
        "served in its place while its file is broken. Empty: data/last-good/ beside the "
        "content folder.",
    ),
    Setting(
        "BUILD_INDEX_ON_START",
        True,
        "Build the search index when the site starts and the index is missing or older "
        "than the content (on the index's writing node only).",
    ),
    Setting(
        "APPLICATIONS_DB",
        str(PROJECT_ROOT / "data" / "applications.sqlite3"),
        "Deprecated, read only to warn: the SQLite file where applications were kept before "
        "they moved into DATABASE_URL. `portal serve` says so while the file exists; "
        "`portal applications import-sqlite FILE` brings its applications in.",
    ),
    Setting(
        "APPLICATION_RETENTION_DAYS",
        1095,
        "Days after the reply after which `portal applications purge` erases an "
        "application's personal fields; its statistics stay.",
    ),
    Setting(
        "APPLICATION_SUBMISSIONS_PER_HOUR",
        5,
        "Applications one client address may submit per hour; more get 429.",
    ),
    Setting(
        "TRACKING_FAILURES_PER_HOUR",
        10,
        "Wrong tracking-code lookups one client address may make per hour before lookups get 429.",
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis that keeps the application forms' rate limits, shared by every node, e.g. "
        "redis://127.0.0.1:6379/0 (install with `pip install -e '.[redis]'`). Empty: they are "
        "kept in DATABASE_URL, shared by every worker (and by every node on PostgreSQL).",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///" + str(PROJECT_ROOT / "data" / "portal.sqlite3"),
        "SQLAlchemy URL of the platform's database (staff accounts, roles, sessions, failed "
        "sign-ins; online applications and their rate limits), e.g. "
        "postgresql+psycopg://portal@db.example/portal; `portal db upgrade` creates or upgrades "
        "its tables.",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Key that signs the back office's session cookies and form tokens: a long random value, "
        "the same on every server. Empty: a random key per `portal serve`, so staff sign in "
        "again after a restart.",
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        30,
        "Minutes without a request after which a back-office session ends.",
    ),
    Setting(
        "SESSION_MAX_HOURS",
        12,
        "Hours after signing in after which a back-office session ends, however busy.",
    ),
    Setting(
        "SIGN_IN_FAILURES_PER_ACCOUNT",
        5,
        "Wrong passwords or codes for one account name within SIGN_IN_LOCKOUT_MINUTES that "
        "lock that name for SIGN_IN_LOCKOUT_MINUTES after the last.",
    ),
    Setting(
        "SIGN_IN_FAILURES_PER_ADDRESS",
        20,
        "Wrong passwords or codes from one client address (an IPv6 /64) within "
        "SIGN_IN_LOCKOUT_MINUTES that lock sign-in from it for SIGN_IN_LOCKOUT_MINUTES after "
        "the last.",
    ),
    Setting(
        "SIGN_IN_LOCKOUT_MINUTES",
        15,
        "How long failed sign-ins count, and how long a lock lasts.",
    ),
    Setting(
        "UPLOAD_MAX_BYTES",
        20 * 1024 * 1024,
        "Largest attachment staff may upload to a draft in the back office, in bytes; a larger "
        "one is refused with 413 (the form around it may add the size of a content file).",
    ),
    Setting(
        "SITE_SPONSOR",
        "",
        "主办单位 shown at the foot of every page (the body that runs the site). Empty: not shown.",
    ),
    Setting(
        "SITE_OPERATOR",
        "",
        "承办单位 shown at the foot of every page when it is another body than SITE_SPONSOR. "
        "Empty: not shown.",
    ),
    Setting(
        "SITE_CONTACT",
        "",
        "联系方式 of the site shown at the foot of every page (a telephone number or e-mail "
        "address). Empty: not shown.",
    ),
    Setting(
        "SITE_ID_CODE",
        "",
        "网站标识码 given by the national website register (ten letters or digits): shown at "
        "the foot of every page and as its SiteIDCode label. Empty: not shown.",
    ),
    Setting(
        "ICP_RECORD",
        "",
        "ICP备案号 (宁ICP备12345678号-1), shown at the foot of every page and linked to the "
        "MIIT filing system. Empty: not shown.",
    ),
    Setting(
        "PUBLIC_SECURITY_RECORD",
        "",
        "公安机关备案号 (宁公网安备 64010402000123号), shown at the foot of every page. "
        "Empty: not shown.",
    ),
    Setting(
        "GOVERNMENT_SITE_MARK_URL",
        "",
        "Address of the site's 党政机关网站标识 certificate page given by the 机构编制 "
        "authority; the footer links its mark to it. Empty: not shown.",
    ),
    Setting(
        "ERROR_REPORT_URL",
        "",
        "Address of the site's 我为政府网站找错 entry in the national error-report system; "
        "linked at the foot of every page. Empty: not shown.",
    ),
    Setting(
        "REPLY_ATTACHMENT_MAX_BYTES",
        20 * 1024 * 1024,
        "Largest file the applications desk accepts with a reply (up to 5 files per reply); "
        "larger ones are refused with a message naming the file.",
    ),
    Setting(
        "HOT_SEARCHES_DB",
        "",
        "SQLite file of the counts behind 热门搜索 (hot searches): which document keywords were "
        "searched in which ten-minute slot, nothing about who searched. Empty: "
        "hot-searches.sqlite3 in SEARCH_INDEX_DIR.",
    ),
    Setting(
        "HOT_SEARCHES_MIN_COUNT",
        3,
        "Ten-minute slots within HOT_SEARCHES_DAYS in which a keyword must have been searched "
        "before it is shown as a hot search (repeating a search within a slot counts once).",
    ),
    Setting("HOT_SEARCHES_DAYS", 30, "Days of searches that hot searches are counted over."),
    Setting(
        "HOT_SEARCHES_BLOCKED",
        "",
        "Comma-separated words: a hot search holding any of them is never shown.",
    ),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


class SettingError(ValueError):
    """A PORTAL_ environment variable whose value the setting cannot take; the message says so."""


def coerce(name: str, raw: str) -> object:
    """Turn an environment string into the type of the setting's default."""
    default = DEFAULTS[name]
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingError(f"PORTAL_{name}={raw!r}: expected a whole number") from None
    return raw


def load(
    overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] = os.environ
) -> dict[str, object]:
    """Every setting, read the one way the site and every command read them: its default, then
    its PORTAL_ environment variable (coerced to the default's type), then the overrides."""
    values = dict(DEFAULTS)
    values.update(
        {
            name: coerce(name, environ[f"PORTAL_{name}"])
            for name in DEFAULTS
            if f"PORTAL_{name}" in environ
        }
    )
    values.update(overrides or {})
    return values


def value(name: str) -> object:
    """One setting as the site would read it now (for commands run outside the app)."""
    return load()[name]
