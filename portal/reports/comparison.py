"""Year-over-year key figures of one organisation's annual reports, and the geometry of the
bar chart that shows them (the template draws it as inline SVG; every value is in the table)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portal.reports.layout import group_keys
from portal.reports.model import Report
from portal.text import N_


def _total(row: str) -> Callable[[Report], int]:
    return lambda report: report.value(3, row, "total") or 0


def _group_total(group: str) -> Callable[[Report], int]:
    rows = group_keys(group)
    return lambda report: sum(report.value(3, row, "total") or 0 for row in rows)


def _proceedings(*rows: str) -> Callable[[Report], int]:
    return lambda report: sum(report.value(4, row, "total") or 0 for row in rows)


@dataclass(frozen=True)
class Figure:
    """One key figure of a report: its label and how to read it from the tables."""

    key: str
    label: str
    read: Callable[[Report], int]


KEY_FIGURES = (
    Figure("new", N_("本年新收申请"), _total("new")),
    Figure("carried_over", N_("上年结转申请"), _total("carried_over")),
    Figure("granted", N_("予以公开"), _total("granted")),
    Figure("partly_granted", N_("部分公开"), _total("partly_granted")),
    Figure("withheld", N_("不予公开"), _group_total("withheld")),
    Figure("unavailable", N_("无法提供"), _group_total("unavailable")),
    Figure("unprocessed", N_("不予处理"), _group_total("unprocessed")),
    Figure("other", N_("其他处理"), _group_total("other")),
    Figure("total", N_("办理结果总计"), _total("total")),
    Figure("carried_forward", N_("结转下年度继续办理"), _total("carried_forward")),
    Figure("review", N_("行政复议"), _proceedings("review")),
    Figure("suit", N_("行政诉讼"), _proceedings("suit_direct", "suit_after_review")),
)
CHART_FIGURES = ("new", "total", "review", "suit")


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: which figure and year, its value, and where to draw it."""

    figure: Figure
    year: int
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart: one group of bars per year."""

    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    years: tuple[tuple[int, float], ...]
    series: tuple[Figure, ...]
    maximum: int


def comparison_chart(documents: Sequence, width: int = 640, height: int = 260) -> Chart:
    """Lay out bars for the chart figures of each report (documents sorted by year)."""
    series = tuple(f for f in KEY_FIGURES if f.key in CHART_FIGURES)
    values = [[figure.read(d.report) for figure in series] for d in documents]
    maximum = max([1, *(v for row in values for v in row)])
    top, bottom, left = 24.0, 40.0, 8.0
    plot_height = height - top - bottom
    group_width = (width - left) / max(1, len(documents))
    bar_width = min(36.0, group_width * 0.8 / len(series))
    bars, years = [], []
    for index, (document, row) in enumerate(zip(documents, values, strict=True)):
        start = left + index * group_width + (group_width - bar_width * len(series)) / 2
        years.append((document.report.year, start + bar_width * len(series) / 2))
        for position, (figure, value) in enumerate(zip(series, row, strict=True)):
            bar_height = plot_height * value / maximum
            bars.append(
                Bar(
                    figure,
                    document.report.year,
                    value,
                    round(start + position * bar_width, 1),
                    round(top + plot_height - bar_height, 1),
                    round(bar_width - 4, 1),
                    round(bar_height, 1),
                )
            )
    return Chart(width, height, top + plot_height, tuple(bars), tuple(years), series, maximum)
