"""A report document's data file as the back office reads and writes it (catalogue.report_tables):
read with a stamp of its bytes, written whole only over the version read, named in the front
matter of a report that had none, and that front matter changed by that one line or not at all."""

import copy
import hashlib
import shutil
from pathlib import Path

import pytest

from portal import catalogue, reports

SITE = Path(__file__).parent / "site" / "content"
FRONT = "---\ntitle: 示例\ncategory: 政府信息公开年报\n{line}date: 2025-01-02\n---\n正文\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    """The fixture site's reports, copied."""
    target = tmp_path / "content"
    shutil.copytree(SITE, target)
    return target / "reports"


def document(path: Path) -> catalogue.Document:
    found, problems = catalogue.parse_file(path, path.parent.parent, "lingwu-kjj")
    assert found is not None, problems
    return found


def test_tables_are_read_with_the_stamp_of_the_bytes_they_came_from(folder):
    found = catalogue.read_tables(document(folder / "lingwu-kjj-2024.md"))
    assert found.named and found.path == folder / "lingwu-kjj-2024.report.yml"
    assert found.report == reports.load_report(found.path)
    assert found.stamp == hashlib.sha256(found.path.read_bytes()).hexdigest()
    undated = catalogue.read_tables(document(folder / "undated-real-report.md"))
    assert (undated.named, undated.stamp, undated.report) == (False, "", None)
    assert undated.path == folder / "undated-real-report.report.yml"


def test_tables_are_written_only_over_the_version_read(folder):
    report_document = document(folder / "lingwu-kjj-2024.md")
    found = catalogue.read_tables(report_document)
    changed = copy.deepcopy(found.report)
    changed.table2["licensing"]["decisions"] = 3
    assert catalogue.save_tables(report_document, found.report, found.stamp) is False
    found.path.write_text(found.path.read_text("utf-8") + "# a comment\n", "utf-8")
    with pytest.raises(catalogue.TablesChanged):
        catalogue.save_tables(report_document, changed, found.stamp)
    assert reports.load_report(found.path).value(2, "licensing", "decisions") == 0
    again = catalogue.read_tables(report_document)
    assert catalogue.save_tables(report_document, changed, again.stamp) is True
    assert found.path.read_text("utf-8") == reports.report_to_yaml(changed)
    assert not list(folder.glob(".*.tmp"))


def test_tables_for_a_report_without_them_are_named_in_its_front_matter(folder):
    path = folder / "undated-real-report.md"
    before = path.read_text("utf-8")
    report = reports.make_report("某某局", 2024)
    assert catalogue.save_tables(document(path), report, "") is True
    assert path.read_text("utf-8") == before.replace(
        "attachments:\n", "attachments:\nreport: undated-real-report.report.yml\n"
    )
    assert document(path).report == report
    with pytest.raises(catalogue.TablesChanged):  # a second "new" form is too late
        catalogue.save_tables(document(path), report, "")


@pytest.mark.parametrize("line", ["", "report:\n", "report: \n", "report: old.report.yml\n"])
def test_the_front_matter_is_made_to_name_the_data_file_and_nothing_else_changes(line):
    text = FRONT.format(line=line)
    updated = catalogue.name_report_file(text, "x-2025.report.yml")
    assert "report: x-2025.report.yml\n" in updated
    assert updated.replace("report: x-2025.report.yml\n", "") == FRONT.format(line="")
    assert updated.endswith("---\n正文\n")


def test_a_front_matter_written_across_lines_is_left_alone():
    text = FRONT.format(line="report: >\n  x.report.yml\n")
    with pytest.raises(catalogue.FrontMatterUnsafe):
        catalogue.name_report_file(text, "x.report.yml")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("table3: " + "[" * 20_000 + "]" * 20_000, "values nested more than 16 levels deep"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases (& and *) are not allowed"),
    ],
)
def test_a_data_file_beyond_reason_is_refused_with_its_line(text, said):
    # 20,000 brackets once raised RecursionError, which no YAML error handler catches.
    with pytest.raises(reports.ReportError) as refused:
        reports.parse_report(text)
    assert said in str(refused.value)
