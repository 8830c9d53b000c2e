"""The rows of the 政府网站工作年度报表, the yearly form every government website publishes about
itself by 31 January (国办函〔2018〕12号), as data: each row's key in the data file, its label
and unit as the form prints them, what kind of value it takes, and whether `portal website-report`
counts it from the site's records or staff enter it. Sections and sub-headings follow the form's
order (docs/website-report.md says what the layout was checked against). Pages translate the
labels, units and options (the form's 名称 of an account is 账号名称 here: a label of its own)."""

from dataclasses import dataclass

from portal.text import N_

# Kinds of value a row takes.
COUNT = "count"  # a whole number, 0 or more
DAYS = "days"  # a number of days, 0 or more, with up to two decimals
YES_NO = "yes_no"  # 是 or 否
TEXT = "text"  # one line of text
CHOICE = "choice"  # one of the row's options
OPTIONS = "options"  # any of the row's options, as a list (the form's check boxes)
DATE = "date"  # YYYY-MM-DD
NUMBERS = (COUNT, DAYS)

# Where a row's value comes from when the draft is made.
RECORDS = "records"  # counted from the site's records by `portal website-report`
STAFF = "staff"  # entered by staff before the form is reviewed
# As the data file's comments name them, for staff.
SOURCES = {RECORDS: "本站记录", STAFF: "人工填报"}

YES, NO = N_("是"), N_("否")
SITE_TYPES = (N_("政府门户网站"), N_("部门网站"))
# 创新发展: the form's check boxes (its 其他 is a row of its own, innovations_other).
INNOVATIONS = (N_("搜索即服务"), N_("多语言版本"), N_("无障碍浏览"), N_("千人千网"))
MULTILINGUAL, ACCESSIBLE = INNOVATIONS[1], INNOVATIONS[2]


@dataclass(frozen=True)
class Row:
    """One line of the form that takes a value."""

    key: str
    label: str
    kind: str
    source: str
    unit: str = ""
    options: tuple[str, ...] = ()
    level: int = 0  # how deep under sub-headings it sits
    group: str = ""  # key of the sub-heading it sits under, if any
    # A row the form leaves to those who have something to say (其他): without a value it
    # means none, not "not filled yet".
    optional: bool = False

    heading = False


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (解读信息发布, 办件量, 留言办理...): rows below it name it
    as their group."""

    key: str
    label: str
    level: int = 0
    group: str = ""

    heading = True


@dataclass(frozen=True)
class Section:
    """A block of the form: 信息发布, 专栏专题, 解读回应... in the form's order."""

    key: str
    label: str
    entries: tuple[Row | Heading, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows that take values, without the sub-headings."""
        return tuple(entry for entry in self.entries if not entry.heading)


def _count(key, label, source, unit, group="", level=0) -> Row:
    return Row(key, label, COUNT, source, unit, level=level, group=group)


def _yes_no(key, label, source=STAFF, group="", level=0) -> Row:
    return Row(key, label, YES_NO, source, options=(YES, NO), level=level, group=group)


# Units as the form prints them: 独立用户访问总量（单位：个）.
GE, CI, TIAO, XIANG, JIAN, TIAN, QI = (
    N_("个"),
    N_("次"),
    N_("条"),
    N_("项"),
    N_("件"),
    N_("天"),
    N_("期"),
)

SECTIONS = (
    Section(
        "site",
        N_("网站基本信息"),
        (
            Row("site_name", N_("网站名称"), TEXT, RECORDS),
            Row("home_url", N_("首页网址"), TEXT, RECORDS),
            Row("sponsor", N_("主办单位"), TEXT, RECORDS),
            Row("site_type", N_("网站类型"), CHOICE, STAFF, options=SITE_TYPES),
            Row("site_id_code", N_("政府网站标识码"), TEXT, RECORDS),
            Row("icp_record", N_("ICP备案号"), TEXT, RECORDS),
            Row("public_security_record", N_("公安机关备案号"), TEXT, RECORDS),
            _count("unique_visitors", N_("独立用户访问总量"), STAFF, GE),
            _count("total_visits", N_("网站总访问量"), STAFF, CI),
        ),
    ),
    Section(
        "publishing",
        N_("信息发布"),
        (
            _count("published_total", N_("总数"), RECORDS, TIAO),
            _count("published_overview", N_("概况类信息更新量"), RECORDS, TIAO),
            _count("published_news", N_("政务动态信息更新量"), RECORDS, TIAO),
            _count("published_catalogue", N_("信息公开目录信息更新量"), RECORDS, TIAO),
        ),
    ),
    Section(
        "topics",
        N_("专栏专题"),
        (
            _count("topics_maintained", N_("维护数量"), STAFF, GE),
            _count("topics_opened", N_("新开设数量"), STAFF, GE),
        ),
    ),
    Section(
        "interpretation",
        N_("解读回应"),
        (
            Heading("interpretations", N_("解读信息发布")),
            _count("interpretations_total", N_("总数"), RECORDS, TIAO, "interpretations", 1),
            _count("interpretation_texts", N_("解读材料数量"), RECORDS, TIAO, "interpretations", 1),
            _count(
                "interpretation_products", N_("解读产品数量"), RECORDS, TIAO, "interpretations", 1
            ),
            _count("media_commentaries", N_("媒体评论文章数量"), STAFF, TIAO, "interpretations", 1),
            _count("responses", N_("回应公众关注热点或重大舆情数量"), STAFF, CI),
        ),
    ),
    Section(
        "services",
        N_("办事服务"),
        (
            _yes_no("service_catalogue", N_("是否发布服务事项目录")),
            _count("registered_users", N_("注册用户数"), STAFF, GE),
            _count("service_items", N_("政务服务事项数量"), STAFF, XIANG),
            _count("online_service_items", N_("可全程在线办理政务服务事项数量"), STAFF, XIANG),
            Heading("cases", N_("办件量")),
            _count("cases_total", N_("总数"), RECORDS, JIAN, "cases", 1),
            _count("cases_individuals", N_("自然人办件量"), RECORDS, JIAN, "cases", 1),
            _count("cases_organisations", N_("法人办件量"), RECORDS, JIAN, "cases", 1),
        ),
    ),
    Section(
        "interaction",
        N_("互动交流"),
        (
            _yes_no("unified_platform", N_("是否使用统一平台")),
            Heading("messages", N_("留言办理")),
            _count("messages_received", N_("收到留言数量"), STAFF, TIAO, "messages", 1),
            _count("messages_closed", N_("办结留言数量"), STAFF, TIAO, "messages", 1),
            Row("message_days", N_("平均办理时间"), DAYS, STAFF, TIAN, level=1, group="messages"),
            _count("messages_answered", N_("公开答复数量"), STAFF, TIAO, "messages", 1),
            Heading("surveys", N_("征集调查")),
            _count("surveys", N_("征集调查期数"), STAFF, QI, "surveys", 1),
            _count("survey_opinions", N_("收到意见数量"), STAFF, TIAO, "surveys", 1),
            _count("survey_results", N_("公布调查结果期数"), STAFF, QI, "surveys", 1),
            Heading("interviews", N_("在线访谈")),
            _count("interviews", N_("访谈期数"), STAFF, QI, "interviews", 1),
            _count("interview_messages", N_("网民留言数量"), STAFF, TIAO, "interviews", 1),
            _count("interview_answers", N_("答复网民提问数量"), STAFF, TIAO, "interviews", 1),
            _yes_no("smart_answers", N_("是否提供智能问答")),
        ),
    ),
    Section(
        "security",
        N_("安全防护"),
        (
            _count("security_assessments", N_("安全检测评估次数"), STAFF, CI),
            _count("security_problems", N_("发现问题数量"), STAFF, GE),
            _count("security_fixed", N_("问题整改数量"), STAFF, GE),
            _yes_no("security_monitoring", N_("是否建立安全监测预警机制")),
            _yes_no("security_drills", N_("是否开展应急演练")),
            _yes_no("security_officer", N_("是否明确网站安全责任人")),
        ),
    ),
    Section(
        "new_media",
        N_("移动新媒体"),
        (
            _yes_no("new_media", N_("是否有移动新媒体")),
            Heading("weibo", N_("微博")),
            Row("weibo_name", N_("账号名称"), TEXT, STAFF, level=1, group="weibo"),
            _count("weibo_posts", N_("信息发布量"), STAFF, TIAO, "weibo", 1),
            _count("weibo_followers", N_("关注量"), STAFF, GE, "weibo", 1),
            Heading("wechat", N_("微信")),
            Row("wechat_name", N_("账号名称"), TEXT, STAFF, level=1, group="wechat"),
            _count("wechat_posts", N_("信息发布量"), STAFF, TIAO, "wechat", 1),
            _count("wechat_subscribers", N_("订阅数"), STAFF, GE, "wechat", 1),
            Row("new_media_other", N_("其他"), TEXT, STAFF, optional=True),
        ),
    ),
    Section(
        "innovation",
        N_("创新发展"),
        (
            Row("innovations", N_("创新功能"), OPTIONS, RECORDS, options=INNOVATIONS),
            Row("innovations_other", N_("其他"), TEXT, STAFF, optional=True),
        ),
    ),
)

# The lines under the form: who filled it in, checked it and answers for it.
SIGNATURE = Section(
    "signature",
    N_("填报信息"),
    (
        Row("reporting_body", N_("填报单位"), TEXT, RECORDS),
        Row("head", N_("单位负责人"), TEXT, STAFF),
        Row("reviewer", N_("审核人"), TEXT, STAFF),
        Row("filled_by", N_("填报人"), TEXT, STAFF),
        Row("telephone", N_("联系电话"), TEXT, STAFF),
        Row("filled_on", N_("填报日期"), DATE, STAFF),
    ),
)

ROWS = tuple(row for section in (*SECTIONS, SIGNATURE) for row in section.rows)
ROWS_BY_KEY = {row.key: row for row in ROWS}
HEADINGS_BY_KEY = {
    entry.key: entry for section in SECTIONS for entry in section.entries if entry.heading
}

# A total and the rows that make it up: the parts may add up to less (the form's 总数 may count
# kinds of information it does not break down), never to more.
PARTS = {
    "published_total": ("published_overview", "published_news", "published_catalogue"),
    "interpretations_total": (
        "interpretation_texts",
        "interpretation_products",
        "media_commentaries",
    ),
    "cases_total": ("cases_individuals", "cases_organisations"),
}
