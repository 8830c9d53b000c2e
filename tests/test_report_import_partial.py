"""A partial import: cells whose values cannot be told for certain (digits run together that split
several ways, a row with a number too few) are left empty, null in the data file, each named with
its line and why; every other cell is imported exactly, `portal import-report` exits 3 and says
the import is incomplete, `portal check` names exactly those cells, and the review approves the
report only once staff have filled them. What makes the tables unreadable as a whole still
refuses, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.catalogue import review_file
from portal.cli import main
from portal.reports import load_report
from portal.reports.importer import WriteRefused, import_report, write_import
from portal.workflow import WorkflowError

FIXTURES = Path(__file__).parent / "report_fixtures"
SAMPLE = (FIXTURES / "sample-2023.txt").read_text("utf-8")
SAMPLE_REPORT = load_report(FIXTURES / "sample-2023.report.yml")
NORMATIVE = ["table2.normative.issued", "table2.normative.repealed", "table2.normative.in_force"]


def left(result) -> list[str]:
    """Why cells were left empty, each reason once (table 4's three rows share theirs)."""
    return list(dict.fromkeys(gap.message for gap in result.gaps))


def rows_left(result, expected=SAMPLE_REPORT) -> set[str]:
    """The rows of the cells a partial import left empty (checked by assert_partial)."""
    return {cell.split(".")[1] for cell in assert_partial(result, expected)}


def null_cells(report) -> list[str]:
    return [cell.key for cell, value in report.cells() if value is None]


def assert_partial(result, expected=SAMPLE_REPORT) -> list[str]:
    """A report was made; its null cells are exactly the ones the import names, and (given the
    report the source shows) every other cell is the source's. Returns the null cells."""
    assert result.unplaced == [] and result.report is not None
    empty = null_cells(result.report)
    assert empty and sorted(empty) == sorted(result.empty_cells)
    if expected is not None:
        for cell, value in result.report.cells():
            if cell.key not in empty:
                assert value == expected.value(cell.table, cell.row.key, cell.column.key), cell.key
    return empty


def sample_glued():
    from test_report_import_shapes import sample_glued as glued

    return glued()


def run(*arguments):
    return CliRunner().invoke(main, [str(argument) for argument in arguments])


def test_only_the_row_whose_digits_split_several_ways_is_left_empty_and_named():
    # 规范性文件 3 1 12 ran together: 3|1|12 or 3|11|2, and table 2 has no sum to tell.
    result = import_report(sample_glued())
    assert assert_partial(result) == NORMATIVE
    assert result.left_empty == [
        "表二“行政规范性文件”行（原文第 25 行）：数字连在一起（“3112”），可有多种拆法，表二没有"
        "可供核对的合计，无法确定各格数值，请按原表逐格填写或导入 HTML、DOCX 版本"
        "——已留空待填：表二“行政规范性文件”行的本年制发件数、本年废止件数、现行有效件数"
    ]
    # The 196 other cells, tables 3 and 4 among them, are the sample's own.
    assert result.report.table3 == SAMPLE_REPORT.table3
    assert result.report.table4 == SAMPLE_REPORT.table4
    # An empty cell is named once, with its reason, not again as R7's 缺少数值.
    assert not any(problem.rule == "R7" for problem in result.problems)
    assert "review: []" in result.markdown


def test_the_command_writes_a_draft_that_check_names_and_review_will_not_approve(tmp_path):
    source = tmp_path / "crawled.txt"
    source.write_text(sample_glued(), "utf-8")
    content = tmp_path / "content"
    folder = content / "annual-reports"
    imported = run("import-report", source, "--slug", "r", "--into", folder)
    assert imported.exit_code == 3
    assert f"{source}: left empty: 表二“行政规范性文件”行（原文第 25 行）" in imported.output
    assert (
        "incomplete: imported with 3 cells left empty for staff to fill (listed above as 'left "
        "empty'; portal check names them); written as a draft waiting for review"
    ) in imported.output
    data = folder / "r.report.yml"
    assert "normative: {issued: null, repealed: null, in_force: null}" in data.read_text("utf-8")
    document = folder / "r.md"
    assert "\nreview: []\n" in document.read_text("utf-8")
    # portal check names exactly those three cells, and nothing else is wrong.
    check = run("check", "--content", content)
    assert check.exit_code == 1
    problems = [line for line in check.output.splitlines() if line.startswith("annual-reports/")]
    assert problems == [
        f"annual-reports/r.report.yml:8: R7 表二“行政规范性文件”行“{column}”列：缺少数值"
        for column in ("本年制发件数", "本年废止件数", "现行有效件数")
    ]
    # No stage approves it while they are empty; once staff fill them in, 初审 does.
    with pytest.raises(WorkflowError, match="3 cells of its statutory tables are not filled in"):
        review_file(document, "初审", "甲")
    text = data.read_text("utf-8")
    data.write_text(
        text.replace(
            "normative: {issued: null, repealed: null, in_force: null}",
            "normative: {issued: 3, repealed: 1, in_force: 12}",
        ),
        "utf-8",
    )
    filled = load_report(data)
    assert (filled.table2, filled.table3, filled.table4) == (
        SAMPLE_REPORT.table2,
        SAMPLE_REPORT.table3,
        SAMPLE_REPORT.table4,
    )
    assert run("check", "--content", content).exit_code == 0
    approvals, published = review_file(document, "初审", "甲")
    assert [(a.stage, a.by) for a in approvals] == [("初审", "甲")] and not published


def test_a_partial_import_never_replaces_a_report_outside_the_review_workflow(tmp_path):
    published = import_report(SAMPLE)
    assert published.gaps == []
    write_import(published, tmp_path, "r")
    before = {path.name: path.read_text("utf-8") for path in tmp_path.iterdir()}
    with pytest.raises(WriteRefused, match="not in the review workflow"):
        write_import(import_report(sample_glued()), tmp_path, "r")
    assert {path.name: path.read_text("utf-8") for path in tmp_path.iterdir()} == before


def test_a_table_whose_header_is_not_the_statutory_one_is_still_refused(tmp_path):
    # A structural failure: no cell of table 3 can be placed, so nothing is imported.
    source = tmp_path / "report.txt"
    source.write_text(SAMPLE.replace("法律服务机构", "个体工商户", 1), "utf-8")
    result = run("import-report", source, "--slug", "r", "--into", tmp_path / "out")
    assert result.exit_code == 1
    assert "表三的表头中有无法识别的列标题“个体工商户”" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "out").exists()
