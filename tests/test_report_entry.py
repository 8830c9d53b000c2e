"""Report tables as staff type them (portal.reports.entry, equations): one syntax and one bound
for every value, hostile text read without a crash, the consistency rules as data that a script
can check (the very equations rules.py checks), messages in either language, problems in the
order of the page, many blank cells as one message."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from portal import reports
from portal.reports import (
    CELLS,
    EQUATIONS,
    MAX_VALUE,
    check_entry,
    entry_equations,
    load_report,
    make_report,
    parse_report,
    parse_value,
    read_entry,
    script_rules,
    validate_report,
)

VALID = Path(__file__).parent / "report_fixtures" / "sample-2023.report.yml"
ENGLISH = {
    "{where}：{left}，但{right}": "{where}: {left}, but {right}",
    "{table}“{row}”行": "{table}, row “{row}”",
    "表三": "Table 3",
    "一、本年新收政府信息公开申请数量": "1. New requests",
    "总计": "Total",
    "自然人": "Persons",
}


def english(text: str) -> str:
    return ENGLISH.get(text, text)


def test_a_number_of_thousands_of_digits_is_text_for_r7_not_a_crash():
    assert parse_value("9" * 5000) == "9" * 5000
    text = VALID.read_text("utf-8").replace("{person: 20,", "{person: " + "9" * 5000 + ",", 1)
    problems = [p for p in validate_report(parse_report(text)) if p.rule == "R7"]
    assert [p.message for p in problems] == [
        "表三“一、本年新收政府信息公开申请数量”行“自然人”列：应为非负整数，实为“" + "9" * 30 + "…”"
    ]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("１２", 12),
        ("－3", -3),
        ("\u30007\u3000", 7),
        ("+5", 5),
        ("-0", 0),
        ("٣", "٣"),
        ("1e5", "1e5"),
    ],
)
def test_a_count_is_read_in_one_syntax_full_width_included(typed, read):
    assert parse_value(typed) == read


def test_r7_allows_numbers_up_to_the_bound_and_names_larger_ones():
    fine = make_report("x", 2024, {"table3.new.other": MAX_VALUE, "table3.new.total": MAX_VALUE})
    assert [p for p in validate_report(fine) if p.rule == "R7"] == []
    large = make_report(
        "x",
        2024,
        {"table3.new.other": 10**30, "table2.fees.amount": Decimal("999999999.5")},
    )
    assert [p.message for p in validate_report(large) if p.rule == "R7"] == [
        "表二“行政事业性收费”行“本年收费金额（单位：万元）”列：应为不超过 999999999 的数，"
        "实为“999999999.5”",
        "表三“一、本年新收政府信息公开申请数量”行“其他”列：应为不超过 999999999 的数，"
        "实为“100000000000000000000000000000…”",
    ]
    # A number R7 refuses is never added up: the equations of its row and column wait.
    assert {p.rule for p in validate_report(large)} == {"R7"}


def test_the_county_sums_leave_a_cell_empty_where_a_report_holds_too_large_a_number():
    one = make_report("a", 2024, {"table3.new.person": MAX_VALUE + 1})
    other = make_report("b", 2024, {"table3.new.person": 1})
    assert reports.sum_reports([one, other], "sum", 2024).value(3, "new", "person") is None
    assert reports.sum_reports([other, other], "sum", 2024).value(3, "new", "person") == 2


def test_the_equations_are_r1_to_r4_over_the_count_cells_of_tables_3_and_4():
    counts = {rule: sum(e.rule == rule for e in EQUATIONS) for rule in ("R1", "R2", "R3", "R4")}
    assert counts == {"R1": 7, "R2": 7, "R3": 25, "R4": 3}
    keys = {cell.key: cell for cell in CELLS}
    for equation in EQUATIONS:
        assert all(keys[key].table in (3, 4) and not keys[key].decimal for key in equation.cells)
    r2 = next(e for e in EQUATIONS if e.rule == "R2")
    assert len(r2.cells) == 1 + 2 + 8 + 3 + 5 + 3


def test_messages_are_said_in_the_language_asked_for():
    report = load_report(VALID)
    report.table3["new"]["person"] = 21
    chinese = [p.message for p in validate_report(report) if p.rule == "R3"]
    assert chinese == [
        "表三“一、本年新收政府信息公开申请数量”行：总计 = 26，"
        "但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他 = 21+3+1+0+0+2 = 27"
    ]
    translated = [p.message for p in validate_report(report, translate=english) if p.rule == "R3"]
    assert translated == [
        "Table 3, row “1. New requests”: Total = 26, "
        "but Persons+商业企业+科研机构+社会公益组织+法律服务机构+其他 = 21+3+1+0+0+2 = 27"
    ]


def test_the_rules_for_the_script_are_the_equations_checked_as_data():
    equations = entry_equations(2024, "2024年未收到政府信息公开申请。", load_report(VALID))
    data = json.loads(json.dumps(script_rules(equations, english)))
    assert [e["rule"] for e in data["equations"]] == [e.rule for e in equations]
    assert data["equations"][-8]["rule"] == "R5"  # the prose's one figure, then R6 x 7
    for exported, equation in zip(data["equations"], equations, strict=True):
        assert exported["cells"] == list(equation.cells)
        assert [t["cells"] for t in exported["left"]] == [list(t.cells) for t in equation.left]
    r3 = next(e for e in data["equations"] if e["rule"] == "R3")
    assert r3["message"] == "{where}: {left}, but {right}"
    assert r3["values"] == {"where": "Table 3, row “1. New requests”"}
    assert r3["total"] == "table3.new.total"
    assert data["order"] == [cell.key for cell in CELLS]
    assert data["max"] == MAX_VALUE and data["integer"] == "^[+-]?[0-9]+$"


def test_a_form_entry_keeps_what_was_typed_and_names_fields_that_are_no_cell():
    entry = read_entry(
        [
            ("csrf_token", "t"),
            ("table3.new.person", " １２ "),
            ("table3.new.person", "13"),
            ("table9.x.y", "1"),
            ("x" * 500, "1"),
            ("table2.fees.amount", "4068.208"),
        ],
        own={"csrf_token"},
    )
    assert entry.texts == {"table3.new.person": " １２ ", "table2.fees.amount": "4068.208"}
    assert entry.values == {"table3.new.person": 12, "table2.fees.amount": Decimal("4068.208")}
    assert entry.repeated == ("table3.new.person",)
    assert entry.unknown == ("table9.x.y", "x" * 100)
    report = entry.report("灵武市科学技术局", 2024)
    assert report.value(3, "new", "total") is None


def test_problems_come_in_page_order_and_many_blank_cells_are_one():
    values = {cell.key: 0 for cell in CELLS}
    values.update({"table4.review.upheld": 1, "table2.rules.issued": -1})
    for key in (
        "table3.new.person",
        "table3.new.total",
        "table3.total.other",
        "table4.review.other",
    ):
        values[key] = None
    entry = read_entry((key, "" if v is None else str(v)) for key, v in values.items())
    problems = check_entry(entry.report("x", 2024), EQUATIONS)
    assert [(p.rule, p.cells[0]) for p in problems] == [
        ("R7", "table2.rules.issued"),
        ("R7", "table3.new.person"),
    ]
    assert problems[1].message.startswith("还有 4 个单元格没有填写，第一个是表三“一、")
    assert problems[1].cells == (
        "table3.new.person",
        "table3.new.total",
        "table3.total.other",
        "table4.review.other",
    )
    values["table3.total.other"] = values["table4.review.other"] = 0
    entry = read_entry((key, "" if v is None else str(v)) for key, v in values.items())
    problems = check_entry(entry.report("x", 2024), EQUATIONS)
    assert [(p.rule, p.cells[0]) for p in problems] == [
        ("R7", "table2.rules.issued"),
        ("R7", "table3.new.person"),
        ("R7", "table3.new.total"),
        ("R4", "table4.review.upheld"),
    ]
