"""`portal draft-report YEAR --organisation ID`: a body's statutory annual report drafted from the
records as a draft waiting for 初审. On the demo's sample body (示例县交通运输局) the real command
over the real sample records reproduces the hand-written 2022 tables 2 and 3; what the records
cannot tell is left unset and `portal check` says so; table 2 counts by the definitions of
docs/report-data.md; and a body, a year or a report it should not draft is refused with nothing
written."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from county import BUREAU, add_bodies
from support import fresh_database

from portal.catalogue import load_catalogue, review_file
from portal.cli import main
from portal.reports import CELLS, load_report
from portal.reports.drafting import NOT_OVER, DraftRefused, body_to_draft
from portal.workflow import WorkflowError

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples" / "applications.yml"
HAND_WRITTEN = ROOT / "content" / "annual-reports" / "shili-jtj-2022.report.yml"
HEADINGS = [
    "## 一、总体情况",
    "### （一）主动公开",
    "### （二）依申请公开",
    "### （三）政府信息管理",
    "### （四）政府信息公开平台建设",
    "### （五）监督保障",
    "## 二、主动公开政府信息情况",
    "[[table:2]]",
    "## 三、收到和处理政府信息公开申请情况",
    "[[table:3]]",
    "## 四、政府信息公开行政复议、行政诉讼情况",
    "[[table:4]]",
    "## 五、存在的主要问题及改进情况",
    "## 六、其他需要报告的事项",
]


@pytest.fixture
def database(tmp_path) -> str:
    """An empty database at the code's schema, as `portal db upgrade` leaves it; its URL."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}"
    fresh_database(url)
    return url


@pytest.fixture
def demo(tmp_path) -> Path:
    """A private copy of the shipped demo content."""
    target = tmp_path / "demo"
    shutil.copytree(ROOT / "content", target)
    return target


def portal(database: str, *arguments: str):
    """Run `portal ...` on a database."""
    return CliRunner().invoke(main, list(arguments), env={"PORTAL_DATABASE_URL": database})


def listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_demo_body_s_2022_tables_2_and_3_come_out_of_its_records(demo, database):
    hand = load_report(HAND_WRITTEN)
    loaded = portal(database, "applications", "load-samples", str(SAMPLES), "--content", str(demo))
    assert loaded.exit_code == 0, loaded.output
    # A report that exists is never drafted over: the hand-written one first.
    reports = demo / "annual-reports"
    before = listing(reports)
    refused = portal(
        database, "draft-report", "2022", "--organisation", "shili-jtj", "--content", str(demo)
    )
    assert refused.exit_code == 1
    assert "shili-jtj-2022.md is shili-jtj's report for 2022 already (published)" in refused.output
    assert listing(reports) == before
    for name in ("shili-jtj-2022.md", "shili-jtj-2022.report.yml"):
        (reports / name).unlink()
    result = portal(
        database, "draft-report", "2022", "--organisation", "shili-jtj", "--content", str(demo)
    )
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()).resolve() == (reports / "shili-jtj-2022.md").resolve()
    drafted = load_report(reports / "shili-jtj-2022.report.yml")
    assert (drafted.organisation, drafted.year, drafted.sample) == ("示例县交通运输局", 2022, True)
    # Tables 2 (规章, 行政规范性文件) and 3, cell by cell, as the hand-written report has them.
    for cell in CELLS:
        if cell.table == 3 or cell.row.key in ("rules", "normative"):
            assert drafted.value(cell.table, cell.row.key, cell.column.key) == hand.value(
                cell.table, cell.row.key, cell.column.key
            ), cell.key
        else:  # what the records cannot tell is left for staff, never a zero
            assert drafted.value(cell.table, cell.row.key, cell.column.key) is None, cell.key
    assert "table 3: counted from 17 application records of shili-jtj" in result.stderr
    assert "issued in the year: shili-jtj-2022-rural-passenger-line-measures" in result.stderr
    assert "shili-jtj-2019-taxi-service-measures" in result.stderr  # repealed only in 2023
    assert "none: shili-jtj says it has none (no_information: regulations)" in result.stderr


def test_the_draft_waits_for_review_holds_only_the_headings_and_fails_the_check_until_filled(
    demo, database
):
    portal(database, "applications", "load-samples", str(SAMPLES), "--content", str(demo))
    for name in ("shili-jtj-2022.md", "shili-jtj-2022.report.yml"):
        (demo / "annual-reports" / name).unlink()
    assert (
        portal(
            database, "draft-report", "2022", "--organisation", "shili-jtj", "--content", str(demo)
        ).exit_code
        == 0
    )
    path = demo / "annual-reports" / "shili-jtj-2022.md"
    site = load_catalogue(demo)
    [draft] = [d for d in site.drafts if d.path == path]
    assert site.get(draft.slug) is None and draft.waiting_for == "初审"
    assert (draft.title, draft.organisation, draft.category.name, draft.sample) == (
        "示例县交通运输局2022年政府信息公开工作年度报告",
        "shili-jtj",
        "政府信息公开年报",
        True,
    )
    assert draft.index_no.startswith("000000120/")
    # The statutory headings and the tables' places, and nothing invented under them.
    assert [line for line in draft.body.splitlines() if line] == HEADINGS
    # portal check names every cell left for staff and fails; nothing else is wrong with it.
    check = portal(database, "check", "--content", str(demo))
    assert check.exit_code == 1
    # (The demo's website form warns about its unfilled identity rows: a warning, not an error.)
    problems = [line for line in check.stdout.splitlines() if line and ": warning:" not in line]
    assert len(problems) == 19
    assert all(
        line.startswith("annual-reports/shili-jtj-2022.report.yml:") and "缺少数值" in line
        for line in problems
    ), problems
    assert any("表四“行政复议”行“结果维持”列：缺少数值" in line for line in problems)
    assert any("表二“行政许可”行“本年处理决定数量”列：缺少数值" in line for line in problems)
    # No stage approves it while cells are empty, so it can never be published with them.
    with pytest.raises(WorkflowError, match="19 cells of its statutory tables are not filled in"):
        review_file(path, "初审", "甲")
    assert "review: []" in path.read_text(encoding="utf-8")
    data = path.with_name("shili-jtj-2022.report.yml")
    data.write_text(data.read_text(encoding="utf-8").replace("null", "0"), encoding="utf-8")
    assert portal(database, "check", "--content", str(demo)).exit_code == 0
    approvals, published = review_file(path, "初审", "甲")
    assert [(a.stage, a.by) for a in approvals] == [("初审", "甲")] and not published


NORMATIVE = """\
---
title: {title}
organisation: transport
index_no: "000000002/{serial}"
doc_no:
date: {date}
department: 办公室
time_limit: 长期公开
category: {category}
five_openness: 决策公开
mode: 主动公开
{validity}keywords: []
attachments:
sample: true
{review}---
示例。
"""


def write(content: Path, slug: str, date: str, validity: str = "", **fields) -> None:
    """A document of the transport bureau: 行政规范性文件 unless category is given."""
    folder = content / "normative-documents"
    folder.mkdir(exist_ok=True)
    (folder / f"{slug}.md").write_text(
        NORMATIVE.format(
            title=f"示例文件{slug}",
            serial=f"{(date or '2023')[:4]}-{ord(slug[-1]):05d}",
            date=date,
            category=fields.get("category", "行政规范性文件"),
            validity=validity,
            review="review: []\n" if fields.get("draft") else "",
        ),
        encoding="utf-8",
    )


def repealed(state: str, day: str, by: str = "") -> str:
    return f"validity: {state}\nvalidity_date: {day}\n" + (f"replaced_by: {by}\n" if by else "")


IN_FORCE = "validity: 现行有效\n"


def test_table_2_counts_issued_repealed_and_in_force_as_the_docs_define_them(site, database):
    add_bodies(site, BUREAU, "transport")
    write(site, "transport-a", "2021-03-01", IN_FORCE)  # in force
    write(site, "transport-b", "2023-02-01", IN_FORCE)  # issued in 2023, in force
    write(site, "transport-c", "2020-05-01", repealed("已废止", "2023-06-30"))  # repealed in 2023
    write(site, "transport-d", "2019-01-01", repealed("已废止", "2024-03-01"))  # in force then
    write(site, "transport-e", "2022-01-01", repealed("已修改", "2023-09-01", "transport-b"))
    write(site, "transport-f", "2021-07-01", repealed("已失效", "2023-12-31"))  # expired
    write(site, "transport-g", "2024-01-05", IN_FORCE)  # after the year
    write(site, "transport-h", "2022-06-01", repealed("已废止", "2022-12-01"))  # the year before
    write(site, "transport-i", "2023-05-05", IN_FORCE, draft=True)  # not issued here yet
    assert portal(database, "check", "--content", str(site)).exit_code == 0
    result = portal(
        database, "draft-report", "2023", "--organisation", "transport", "--content", str(site)
    )
    assert result.exit_code == 0, result.output
    drafted = load_report(site / "annual-reports" / "transport-2023.report.yml")
    assert drafted.table2["normative"] == {"issued": 1, "repealed": 1, "in_force": 3}
    said = result.stderr
    assert "issued in the year: transport-b\n" in said
    assert "repealed in the year: transport-c\n" in said
    assert "in force on 31 December: transport-b, transport-a, transport-d\n" in said
    assert "not counted as repealed: transport-e, transport-f\n" in said
    # No 规章 in the catalogue and no word that the body has none: left for staff.
    assert drafted.table2["rules"] == {"issued": None, "repealed": None, "in_force": None}
    assert "table 2 规章: left for staff" in said


def test_a_document_without_validity_or_date_leaves_its_cells_to_staff(site, database):
    add_bodies(site, BUREAU, "transport")
    write(site, "transport-a", "2021-03-01", IN_FORCE)
    write(site, "transport-b", "2023-02-01")  # says nothing of its 时效
    result = portal(
        database, "draft-report", "2023", "--organisation", "transport", "--content", str(site)
    )
    assert result.exit_code == 0, result.output
    drafted = load_report(site / "annual-reports" / "transport-2023.report.yml")
    assert drafted.table2["normative"] == {"issued": 1, "repealed": None, "in_force": None}
    assert "giving no validity, so repealed and in force are left for staff: transport-b" in (
        result.stderr
    )
    # A document without its date (never invented for a real one): not even 制发 is known.
    for name in ("transport-2023.md", "transport-2023.report.yml"):
        (site / "annual-reports" / name).unlink()
    write(site, "transport-c", "", IN_FORCE)
    result = portal(
        database, "draft-report", "2023", "--organisation", "transport", "--content", str(site)
    )
    assert result.exit_code == 0, result.output
    drafted = load_report(site / "annual-reports" / "transport-2023.report.yml")
    assert drafted.table2["normative"] == {"issued": None, "repealed": None, "in_force": None}
    assert "giving no date, so the whole row is left for staff: transport-c" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["2022", "--organisation", "nope"], "no organisation 'nope' (one of: shili-xzf, "),
        (["2020", "--organisation", "shili-jtj"], "国办公开办函〔2019〕60号"),
        (["3000", "--organisation", "shili-jtj"], "3000 is in the future"),
    ],
)
def test_a_body_or_year_it_cannot_draft_is_refused_with_nothing_written(
    demo, database, arguments, said
):
    before = listing(demo / "annual-reports")
    result = portal(database, "draft-report", *arguments, "--content", str(demo))
    assert result.exit_code == 2
    assert said in result.output and "nothing drafted" in result.output
    assert "Traceback" not in result.output
    assert listing(demo / "annual-reports") == before


def test_a_year_not_over_is_refused_until_the_first_of_january():
    site = load_catalogue(ROOT / "content")
    with pytest.raises(DraftRefused) as refused:
        body_to_draft(site, "shili-jtj", 2026, datetime.date(2026, 12, 31))
    assert refused.value.reason == NOT_OVER
    assert str(refused.value) == (
        "2026 has not ended: a report covers 1 January to 31 December, so 2026's can be "
        "drafted from 1 January 2027"
    )
    assert body_to_draft(site, "shili-qsz", 2025, datetime.date(2026, 1, 1)).id == "shili-qsz"


def test_the_website_s_yearly_form_in_the_same_column_is_not_that_year_s_report(demo):
    # 示例县人民政府 has published its 政府网站工作年度报表 for 2025 (…（2025年度）in its title):
    # without its 2025 annual report it must still be able to draft one.
    for path in (demo / "annual-reports").glob("shili-xzf-2025.*"):
        path.unlink()
    site = load_catalogue(demo)
    assert any(d.website_report_path for d in site.documents if d.organisation == "shili-xzf")
    assert body_to_draft(site, "shili-xzf", 2025, datetime.date(2026, 3, 1)).id == "shili-xzf"


def test_records_that_cannot_be_read_draft_nothing(demo, tmp_path):
    before = listing(demo / "annual-reports")
    missing = f"sqlite:///{tmp_path / 'none' / 'db.sqlite3'}"
    result = portal(
        missing, "draft-report", "2025", "--organisation", "shili-qsz", "--content", str(demo)
    )
    assert result.exit_code == 1
    assert "nothing drafted: table 3 is counted from the application records" in result.output
    assert listing(demo / "annual-reports") == before


GOOD = """\
- code: SHJT22SAMPAA
  organisation: shili-jtj
  received: 2022-03-08
  applicant_kind: person
  name: 示例申请人（虚构）
  description: 示例：申请公开某文件。
  form: paper
  delivery: collect
  outcome: granted
  replied: 2022-03-20
"""


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("shili-jtj", "lingwu-kjj"), "organisation 'lingwu-kjj' is not a sample body"),
        (("示例申请人", "张三"), "a sample's name holds 示例"),
        (("  replied: 2022-03-20\n", ""), "a reply gives both its outcome and the day"),
        (("replied: 2022-03-20", "replied: 2022-03-01"), "the reply cannot predate receipt"),
        (("form: paper", "form: paper\n  id_number: 110101199003071234"), "unknown keys"),
        (("SHJT22SAMPAA", "SHJT22SAMPA0"), "code 'SHJT22SAMPA0': 12 characters of"),
        (("SHJT22SAMPAA", "SHJT22SAMPAB"), "code SHJT22SAMPAB is used twice"),
    ],
)
def test_sample_applications_are_marked_samples_to_sample_bodies_or_none_is_loaded(
    demo, database, tmp_path, change, said
):
    """A file of sample applications loads whole or not at all, and only marked samples made
    to bodies whose organisation file says sample: true."""
    good = GOOD.replace("SHJT22SAMPAA", "SHJT22SAMPAB")
    samples = tmp_path / "samples.yml"
    samples.write_text(good + GOOD.replace(*change), encoding="utf-8")
    result = portal(database, "applications", "load-samples", str(samples), "--content", str(demo))
    assert result.exit_code == 1
    assert f"{samples}:11: " in result.output and said in result.output, result.output
    listed = portal(database, "applications", "list")
    assert listed.exit_code == 0 and listed.stdout == ""
    samples.write_text(good, encoding="utf-8")
    loaded = portal(database, "applications", "load-samples", str(samples), "--content", str(demo))
    assert loaded.exit_code == 0 and "1 added" in loaded.output
    assert "SHJT-22SA-MPAB" in portal(database, "applications", "list").stdout
