"""Every body's annual report of a year: on time, late or missing by the deadline of 条例
第五十条 (China's date), and the sums of all their tables checked by the same rules as one
report."""

import datetime
from decimal import Decimal

import pytest
from county import add_report, report_county

from portal import reports, workflow
from portal.catalogue import county_year, load_catalogue, report_years, reports_due

DEADLINE = datetime.date(2025, 1, 31)
day = datetime.date.fromisoformat


def publication(slug="r", published=None, report=None, **kwargs):
    """A published report of a body, with valid (all zero) tables unless given."""
    report = report or reports.make_report("机构", 2024)
    return reports.Publication(slug, "报告", published, report, **kwargs)


@pytest.fixture
def county(tmp_path):
    """The catalogue of the county fixture site."""
    content = report_county(tmp_path / "content")
    return content, load_catalogue(content)


def states(year):
    return {s.organisation: (s.state, s.days) for s in year.standings}


# --- deadlines ---------------------------------------------------------------------------------


def test_a_report_is_due_by_31_january_and_a_governments_by_31_march():
    assert workflow.report_deadline(2024) == DEADLINE
    assert workflow.report_deadline(2024, government=True) == datetime.date(2025, 3, 31)


def test_report_deadlines_of_portal_status_are_unchanged():
    found = workflow.report_deadlines(datetime.date(2025, 2, 1))
    assert [(d["deadline"], d["report_year"]) for d in found] == [
        ("2026-01-31", 2025),
        ("2025-03-31", 2024),
    ]


# --- one body's standing -----------------------------------------------------------------------


def test_a_report_published_on_the_deadline_is_on_time_and_the_next_day_late():
    on_time = reports.standing("a", DEADLINE, [publication(published=DEADLINE)], day("2026-06-01"))
    assert (on_time.state, on_time.days) == (reports.ON_TIME, None)
    late = reports.standing(
        "a", DEADLINE, [publication(published=day("2025-02-01"))], day("2026-06-01")
    )
    assert (late.state, late.days, late.label) == (reports.LATE, 1, "逾期发布")


def test_a_missing_report_is_not_due_until_the_deadline_has_passed():
    def missing(today):
        found = reports.standing("a", DEADLINE, [], day(today))
        return found.state, found.days

    assert missing("2025-01-01") == (reports.NOT_DUE, 30)
    assert missing("2025-01-31") == (reports.NOT_DUE, 0)
    assert missing("2025-02-01") == (reports.OVERDUE, 1)
    assert missing("2026-01-31") == (reports.OVERDUE, 365)


def test_a_report_without_a_publication_date_is_neither_on_time_nor_late():
    found = reports.standing("a", DEADLINE, [publication()], day("2026-06-01"))
    assert (found.state, found.days) == (reports.DATE_UNKNOWN, None)


def test_with_two_reports_one_in_time_is_enough_and_the_last_one_stands():
    late, in_time = publication("b", day("2025-03-01")), publication("a", day("2025-01-30"))
    found = reports.standing("a", DEADLINE, [late, in_time], day("2026-06-01"))
    assert found.state == reports.ON_TIME
    assert found.current is late  # the corrected report, published last
    # Late only if every report has a date: the undated one may have come first.
    undated = reports.standing("a", DEADLINE, [late, publication("c")], day("2026-06-01"))
    assert undated.state == reports.DATE_UNKNOWN
    both_late = reports.standing(
        "a", DEADLINE, [late, publication("d", day("2025-02-05"))], day("2026-06-01")
    )
    assert (both_late.state, both_late.days) == (reports.LATE, 5)


def test_a_body_fails_validation_by_the_report_that_stands_for_it():
    broken = reports.make_report("机构", 2024, {"table3.new.person": 3})
    problems = tuple(reports.validate_report(broken))
    found = reports.standing(
        "a", DEADLINE, [publication(published=DEADLINE, report=broken, problems=problems)], DEADLINE
    )
    assert found.failing
    assert not reports.standing("a", DEADLINE, [publication()], DEADLINE).failing


# --- the sums ----------------------------------------------------------------------------------


def test_sums_add_up_every_cell_and_pass_the_rules_when_each_report_does():
    first = reports.make_report(
        "甲", 2024, {"table3.new.person": 2, "table3.new.total": 2, "table3.granted.person": 2,
                     "table3.granted.total": 2, "table3.total.person": 2, "table3.total.total": 2,
                     "table2.fees.amount": Decimal("1.25")},
    )  # fmt: skip
    second = reports.make_report(
        "乙", 2024, {"table4.review.upheld": 1, "table4.review.total": 1,
                     "table2.fees.amount": Decimal("0.5")}, sample=True,
    )  # fmt: skip
    summed = reports.sum_reports([first, second], "合计", 2024)
    assert summed.value(3, "new", "total") == 2
    assert summed.value(4, "review", "total") == 1
    assert summed.value(2, "fees", "amount") == Decimal("1.75")
    assert summed.sample  # a sample report among those added up makes the sum sample data
    assert reports.validate_report(first) == reports.validate_report(second) == []
    assert reports.validate_report(summed) == []


def test_a_sum_over_a_report_that_breaks_a_rule_breaks_it_too_and_is_shown_failing():
    good = reports.make_report("甲", 2024)
    broken = reports.make_report("乙", 2024, {"table3.new.person": 3})
    standings = [
        reports.standing(name, DEADLINE, [publication(name, DEADLINE, report)], DEADLINE)
        for name, report in (("a", good), ("b", broken))
    ]
    summary = reports.summarise(2024, standings)
    assert summary.failing
    assert {p.rule for p in summary.problems} == {"R1", "R3"}
    assert summary.report.value(3, "new", "person") == 3


def test_a_cell_that_cannot_be_added_is_left_out_of_the_sum_and_named_by_r7():
    text = reports.make_report("甲", 2024, {"table3.granted.legal": "—"})
    negative = reports.make_report("乙", 2024, {"table4.suit_direct.other": -1})
    summed = reports.sum_reports([text, negative, reports.make_report("丙", 2024)], "合计", 2024)
    assert summed.value(3, "granted", "legal") is None
    assert summed.value(4, "suit_direct", "other") is None
    r7 = [p for p in reports.validate_report(summed) if p.rule == "R7"]
    assert [(p.table, p.column) for p in r7] == [(3, "法律服务机构"), (4, "其他结果")]
    assert all("缺少数值" in p.message for p in r7)


def test_the_sums_are_compared_with_last_years_only_when_they_add_up_the_same_bodies():
    def year_of(year, values, bodies=("a", "b")):
        made = {body: reports.make_report(body, year, values) for body in bodies}
        return [
            reports.standing(body, DEADLINE, [publication(body, DEADLINE, made[body])], DEADLINE)
            for body in bodies
        ]

    last = reports.summarise(2023, year_of(2023, {}))
    # Each body carried one application over that last year's reports do not carry forward.
    carried = {"table3.carried_over.person": 1, "table3.carried_over.total": 1,
               "table3.total.person": 1, "table3.total.total": 1,
               "table3.granted.person": 1, "table3.granted.total": 1}  # fmt: skip
    checked = reports.summarise(2024, year_of(2024, carried), last)
    assert checked.carry_over == reports.CARRY_OVER_CHECKED
    assert [(p.rule, p.severity) for p in checked.problems] == [("R6", "warning")] * 2
    assert not checked.failing
    other = reports.summarise(2024, year_of(2024, carried, ("a", "c")), last)
    assert other.carry_over == reports.CARRY_OVER_OTHER_BODIES and other.problems == ()
    first = reports.summarise(2024, year_of(2024, carried))
    assert first.carry_over == reports.CARRY_OVER_NO_PREVIOUS


def test_a_year_without_any_report_has_nothing_to_add_up():
    summary = reports.summarise(2024, [reports.standing("a", DEADLINE, [], DEADLINE)])
    assert summary.report is None and summary.missing == ("a",) and not summary.failing


# --- the county, from the catalogue ------------------------------------------------------------


def test_every_body_stands_in_listing_order_with_its_own_deadline(county):
    _content, catalogue = county
    year = county_year(catalogue, 2024, day("2026-12-08"))
    assert states(year) == {
        "county": (reports.ON_TIME, None),  # 2025-03-20: its deadline is 31 March
        "lingwu-kjj": (reports.DATE_UNKNOWN, None),  # the real report gives no date
        "transport": (reports.ON_TIME, None),
        "health": (reports.OVERDUE, 676),
        "qingshan": (reports.LATE, 10),  # `published` 2025-02-10, not its `date` 2025-01-15
    }
    assert [s.organisation for s in year.standings] == [o.id for o in catalogue.organisations]
    assert [s.organisation for s in year.standings if s.failing] == ["qingshan"]
    assert (year.count(reports.ON_TIME), year.failing) == (2, 1)
    deadlines = {s.organisation: s.deadline.isoformat() for s in year.standings}
    assert deadlines["county"] == "2025-03-31" and deadlines["qingshan"] == "2025-01-31"


def test_the_publication_date_is_published_when_given_else_date(county):
    _content, catalogue = county
    assert catalogue.get("qingshan-report-2024").publication_date == day("2025-02-10")
    assert catalogue.get("transport-report-2024").publication_date == day("2025-01-20")
    assert catalogue.get("lingwu-kjj-2024").publication_date is None


def test_around_the_deadline_missing_reports_turn_from_due_to_overdue(county):
    content, _catalogue = county
    catalogue = load_catalogue(content)
    on_the_day = states(county_year(catalogue, 2025, day("2026-01-31")))
    assert set(on_the_day.values()) == {(reports.NOT_DUE, 0), (reports.NOT_DUE, 59)}
    assert on_the_day["county"] == (reports.NOT_DUE, 59)
    after = states(county_year(catalogue, 2025, day("2026-02-01")))
    assert after["transport"] == (reports.OVERDUE, 1)
    assert after["county"] == (reports.NOT_DUE, 58)  # a government has until 31 March


def test_the_county_sums_name_the_bodies_they_include_and_those_missing(county):
    _content, catalogue = county
    summary = county_year(catalogue, 2024, day("2026-12-08")).summary
    assert summary.included == ("county", "lingwu-kjj", "transport", "qingshan")
    assert summary.missing == ("health",)
    # qingshan's tables break R3 (and so R1): the sums do too.
    assert summary.failing and {p.rule for p in summary.problems} == {"R1", "R3"}
    # Other bodies reported in 2023: R6 cannot compare the sums.
    assert summary.carry_over == reports.CARRY_OVER_OTHER_BODIES
    # Three sample reports with 7 new applications each, and the real one with none.
    assert summary.report.value(3, "new", "total") == 7 * 3
    assert summary.report.organisation == reports.SUMMARY_ORGANISATION


def test_the_years_are_those_with_a_report_and_the_year_now_due(county):
    _content, catalogue = county
    assert report_years(catalogue, day("2026-12-08")) == [2025, 2024, 2023]
    assert report_years(catalogue, day("2025-01-01")) == [2024, 2023]


def test_reports_due_lists_bodies_awaited_before_the_deadline_and_overdue_after(county):
    content, _catalogue = county
    add_report(content, "transport", 2025, "2026-01-20")
    catalogue = load_catalogue(content)
    before = reports_due(catalogue, day("2026-01-20"))
    assert before["year"] == 2025
    assert [(i["organisation"], i["deadline"], i["days_left"]) for i in before["due"]] == [
        ("county", "2026-03-31", 70),
        ("lingwu-kjj", "2026-01-31", 11),
        ("health", "2026-01-31", 11),
        ("qingshan", "2026-01-31", 11),
    ]
    assert before["overdue"] == []
    after = reports_due(catalogue, day("2026-02-05"))
    assert [(i["organisation"], i["days_overdue"]) for i in after["overdue"]] == [
        ("lingwu-kjj", 5),
        ("health", 5),
        ("qingshan", 5),
    ]
    assert [i["organisation"] for i in after["due"]] == ["county"]
    assert after["due"][0]["name"] == "示例县人民政府"


def test_reports_due_names_a_report_waiting_for_review(county):
    content, _catalogue = county
    slug = add_report(content, "health", 2025, "2026-01-10")
    path = content / "reports" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("sample: true", "sample: true\nreview: []"), encoding="utf-8")
    catalogue = load_catalogue(content)
    due = {i["organisation"]: i for i in reports_due(catalogue, day("2026-01-20"))["due"]}
    assert due["health"]["draft"] == str(path)
    assert due["county"]["draft"] is None
