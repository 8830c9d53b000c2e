"""Whether each body's column looks looked after, measured as the 政府网站与政务新媒体检查指标
(国办秘函〔2019〕19号) does its 单项否决 items, as provincial inspection reports quote them (the
primary text was not available: docs/inspection.md):

* 首页不更新: no new information for 2 weeks (on a platform, a body's column is its home page);
* 栏目不更新: 动态、要闻 columns not updated within 2 weeks, 通知公告、政策文件 columns within 6
  months, five or more such columns (the catalogue has no 动态要闻 or 通知公告 column: only
  政策文件 has a period here);
* 空白栏目: five or more columns with nothing in them. A column the body declares it has no
  information for (no_information: in its organisation file) is not blank: it says why.
"""

import datetime
from dataclasses import dataclass

from portal.catalogue import categories
from portal.catalogue.columns import Column, updated_on

HOME_PERIOD_DAYS = 14
# Columns that must be updated within a period, by catalogue node slug: days.
COLUMN_PERIODS = {"policy-documents": 183}
VETO_COUNT = 5  # 超过(含)5个


@dataclass(frozen=True)
class Freshness:
    """How one body's column stands against the 单项否决 thresholds on a day."""

    organisation: str
    name: str
    latest: datetime.date | None
    home_stale: bool
    stale_columns: tuple[tuple[str, datetime.date | None], ...]
    blank_columns: tuple[str, ...]

    @property
    def vetoes(self) -> tuple[str, ...]:
        """The 单项否决 items the column would fail, named as the indicators name them."""
        found = []
        if self.home_stale:
            found.append("首页不更新")
        if len(self.stale_columns) >= VETO_COUNT:
            found.append("栏目不更新")
        if len(self.blank_columns) >= VETO_COUNT:
            found.append("空白栏目")
        return tuple(found)

    def as_dict(self) -> dict:
        """The standing as JSON-ready data, for `portal status --json`."""
        return {
            "organisation": self.organisation,
            "name": self.name,
            "latest": self.latest.isoformat() if self.latest else None,
            "home_stale": self.home_stale,
            "stale_columns": [
                {"column": name, "latest": day.isoformat() if day else None}
                for name, day in self.stale_columns
            ],
            "blank_columns": list(self.blank_columns),
            "vetoes": list(self.vetoes),
        }


def leaf_columns() -> list[categories.Category]:
    """The columns of every body's catalogue: the nodes of the tree without children."""
    return [node for node in categories.ALL if not node.children]


def freshness(column: Column, today: datetime.date) -> Freshness:
    """How a body's column stands on a day."""
    organisation = column.organisation
    latest_in: dict[str, datetime.date] = {}
    for document in column.documents:
        day = updated_on(document)
        for node in document.category.path():
            latest_in.setdefault(node.slug, datetime.date.min)
            if day and day > latest_in[node.slug]:
                latest_in[node.slug] = day
    latest = max((d for d in latest_in.values() if d != datetime.date.min), default=None)
    stale = []
    for slug, days in COLUMN_PERIODS.items():
        if organisation.declares_empty(slug):
            continue
        day = latest_in.get(slug)
        if day is None or day == datetime.date.min or (today - day).days > days:
            known = day if day and day != datetime.date.min else None
            stale.append((categories.BY_SLUG[slug].name, known))
    blank = tuple(
        node.name
        for node in leaf_columns()
        if node.slug not in latest_in and not organisation.declares_empty(node.slug)
    )
    return Freshness(
        organisation=organisation.id,
        name=organisation.name,
        latest=latest,
        home_stale=latest is None or (today - latest).days > HOME_PERIOD_DAYS,
        stale_columns=tuple(stale),
        blank_columns=blank,
    )
