"""A body's statutory annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号) drafted
from the platform's records, as a draft in the review workflow (`portal draft-report`): table
2's 规章 and 行政规范性文件 rows counted from the body's catalogue documents and their 时效, table
3 from the records of the applications made to it (portal.applications' own counter), and
everything the records cannot tell (the rest of table 2, table 4, the prose under the statutory
headings) left unset for staff. Nothing is written over an existing report.

A door of its own, as the importer is: it reads the catalogue and the applications, which both
import portal.reports, so portal.reports itself never imports it.

What each counted cell means, at the end of the statistical year (31 December of YEAR):

- 本年制发件数: the documents of the kind whose date (生成日期) falls in YEAR;
- 本年废止件数: the documents 已废止 whose validity_date falls in YEAR;
- 现行有效件数: the documents dated on or before 31 December that had not by then been amended
  (已修改), repealed (已废止) or expired (已失效): 现行有效 now, or changed state after YEAR. An
  amended document is out of force in its old text (the amending document, itself counted when
  it is of the kind, carries the rule on), as the catalogue's 现行有效 filter shows it.

A document amended or expired in YEAR leaves the in-force count without counting as 废止; a
document whose file gives no validity makes 本年废止件数 and 现行有效件数 unknown (left unset), one
without a date the whole row. Drafts are not counted: they are not issued on the platform yet."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portal import applications, catalogue, reports
from portal.catalogue import Catalogue, Document, DraftFields, Organisation
from portal.text import atomic_create

# The statutory format of 国办公开办函〔2021〕30号 (26 September 2021) first covers this year;
# earlier years' reports followed the trial format of 国办公开办函〔2019〕60号.
FIRST_YEAR = 2021
# Table 2's rows counted from the catalogue: row key -> the catalogue column of that kind.
COUNTED_ROWS = {"rules": "regulations", "normative": "normative-documents"}
REPEALED = "已废止"
CATEGORY = "政府信息公开年报"
FOLDER = "annual-reports"
DATA_SUFFIX = ".report.yml"
# The prose of the statutory format: its six section headings (二-四 hold the tables) and what
# 一、总体情况 covers, as headings with nothing under them for staff to write.
OVERVIEW = ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理")
OVERVIEW += ("（四）政府信息公开平台建设", "（五）监督保障")
CLOSING = ("五、存在的主要问题及改进情况", "六、其他需要报告的事项")

# Why a draft is refused (DraftRefused.reason).
UNKNOWN_ORGANISATION = "unknown-organisation"
NOT_OVER = "not-over"
OUT_OF_RANGE = "out-of-range"
EXISTS = "exists"


class DraftRefused(Exception):
    """A report that cannot be drafted: reason (one of the constants above) and a message for
    staff; nothing was written."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class RowCount:
    """One row of table 2 counted from the catalogue: the documents behind each cell, and those
    the count could not place."""

    row: str
    column: str  # the catalogue column (node slug) of the documents counted
    held: bool  # whether the body has any such document, or says it has none (no_information)
    issued: tuple[Document, ...] = ()
    repealed: tuple[Document, ...] = ()
    in_force: tuple[Document, ...] = ()
    # Out of force during the year without being repealed (已修改, 已失效): not 废止.
    left_force: tuple[Document, ...] = ()
    # Dated by the year's end but giving no validity: 废止 and 现行有效 cannot be counted.
    unknown: tuple[Document, ...] = ()
    # Giving no date (生成日期): not even 制发 can be counted.
    undated: tuple[Document, ...] = ()

    def values(self) -> dict[str, int | None]:
        """The row's cells: counts, or None where the records cannot tell."""
        if not self.held:
            return {"issued": None, "repealed": None, "in_force": None}
        known = not (self.unknown or self.undated)
        return {
            "issued": None if self.undated else len(self.issued),
            "repealed": len(self.repealed) if known else None,
            "in_force": len(self.in_force) if known else None,
        }


def count_row(documents: Sequence[Document], body: Organisation, row: str, year: int) -> RowCount:
    """A row of table 2 for year from the body's published documents (every kind: those of
    the row's column are picked here)."""
    column = COUNTED_ROWS[row]
    kind = [d for d in documents if column in {node.slug for node in d.category.path()}]
    end = datetime.date(year, 12, 31)
    found: dict[str, list[Document]] = {
        name: [] for name in ("issued", "repealed", "in_force", "left_force", "unknown", "undated")
    }
    for document in kind:
        if document.date is None:
            found["undated"].append(document)
            continue
        if document.date > end:
            continue
        if document.date.year == year:
            found["issued"].append(document)
        validity = document.validity
        if validity is None or (not validity.in_force and validity.since is None):
            found["unknown"].append(document)
        elif validity.in_force or validity.since > end:
            found["in_force"].append(document)
        elif validity.since.year == year:
            found["repealed" if validity.state == REPEALED else "left_force"].append(document)
    held = bool(kind) or body.declares_empty(column)
    return RowCount(row, column, held, **{name: tuple(docs) for name, docs in found.items()})


@dataclass(frozen=True)
class Draft:
    """A report drafted and not yet written: its two files, the tables, and what was counted."""

    organisation: Organisation
    year: int
    report: reports.Report
    path: Path  # the content file
    data_path: Path  # its tables
    text: str
    rows: tuple[RowCount, ...]
    records: int  # application records of the body read for table 3

    @property
    def left_for_staff(self) -> list[str]:
        """The keys of the cells the records cannot tell, in statutory order."""
        return [cell.key for cell, value in self.report.cells() if value is None]


def body_to_draft(
    site: Catalogue, organisation: str, year: int, today: datetime.date
) -> Organisation:
    """The body whose report of year may be drafted today; DraftRefused saying why not (an
    unknown body, a year not over or before the format, a report that exists already)."""
    body = site.organisations.get(organisation or site.organisations.default)
    if body is None:
        known = ", ".join(o.id for o in site.organisations)
        raise DraftRefused(
            UNKNOWN_ORGANISATION, f"no organisation '{organisation}' (one of: {known})"
        )
    if year < FIRST_YEAR:
        raise DraftRefused(
            OUT_OF_RANGE,
            f"{year} is before {FIRST_YEAR}: the statutory format drafted here "
            f"(国办公开办函〔2021〕30号) first covers {FIRST_YEAR}; earlier reports followed the "
            "trial format of 国办公开办函〔2019〕60号",
        )
    if year >= today.year:
        when = "is in the future" if year > today.year else "has not ended"
        raise DraftRefused(
            NOT_OVER,
            f"{year} {when}: a report covers 1 January to 31 December, so {year}'s can be "
            f"drafted from 1 January {year + 1}",
        )
    for document in catalogue.report_documents(site, [body.id]):
        if catalogue.report_year(document) == year:
            state = "published" if site.get(document.slug) is document else "a draft in review"
            raise DraftRefused(
                EXISTS,
                f"{document.path} is {body.id}'s report for {year} already ({state}); a "
                "report is never drafted over: change that one",
            )
    return body


def draft_report(
    site: Catalogue,
    content_dir: Path,
    body: Organisation,
    year: int,
    records: Sequence[applications.Application],
    today: datetime.date,
    department: str,
    code: str = "",
) -> Draft:
    """The draft of body's report of year (as body_to_draft allowed it): table 2's counted rows
    from the catalogue, table 3 from records (the applications made to the body), the rest
    unset; a content file as `portal new` writes one (waiting for 初审), naming the data file.
    code: the 索引号 code of a body without one (ORGANISATION_CODE)."""
    documents = site.of_organisation(body.id)
    rows = tuple(count_row(documents, body, row, year) for row in COUNTED_ROWS)
    values: dict[str, reports.Value] = {cell.key: None for cell in reports.CELLS if cell.table != 3}
    values.update(applications.table3_values(list(records), year))
    for counted in rows:
        for column, value in counted.values().items():
            values[f"table2.{counted.row}.{column}"] = value
    report = reports.make_report(body.name, year, values, sample=body.sample)
    path = content_dir / FOLDER / f"{body.id}-{year}.md"
    data_path = path.with_name(path.stem + DATA_SUFFIX)
    for taken in (path, data_path):
        if taken.exists() or taken.is_symlink():
            raise DraftRefused(EXISTS, f"{taken} exists already: a report is never drafted over")
    fields = DraftFields(
        title=f"{body.name}{year}年政府信息公开工作年度报告",
        index_no=catalogue.next_index_no(site, body.code or code, today.year),
        date=today.isoformat(),
        department=department,
        category=CATEGORY,
        mode="主动公开",
        sample=body.sample,
        body=prose(),
    )
    text = catalogue.new_text(fields, body.id if body.path is not None else "")
    text = catalogue.name_report_file(text, data_path.name)
    return Draft(body, year, report, path, data_path, text, rows, len(records))


def prose() -> str:
    """The report's Markdown: the statutory headings, the tables where they stand, and nothing
    written under the headings staff fill in."""
    parts = ["## 一、总体情况", *(f"### {heading}" for heading in OVERVIEW)]
    for number in (2, 3, 4):
        parts += [f"## {reports.TABLE_CAPTIONS[number]}", f"[[table:{number}]]"]
    parts += [f"## {heading}" for heading in CLOSING]
    return "\n\n".join(parts) + "\n"


def write_draft(draft: Draft) -> None:
    """Write the data file, then the content file naming it, each only where nothing has its
    name (DraftRefused otherwise); a content file that cannot be written takes its data file
    away again, so a draft is there whole or not at all."""
    draft.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic_create(draft.data_path, reports.report_to_yaml(draft.report).encode())
    except FileExistsError:
        raise DraftRefused(EXISTS, f"{draft.data_path} exists already") from None
    try:
        atomic_create(draft.path, draft.text.encode())
    except BaseException as error:
        draft.data_path.unlink(missing_ok=True)
        if isinstance(error, FileExistsError):
            raise DraftRefused(EXISTS, f"{draft.path} exists already") from None
        raise


def summary(draft: Draft) -> list[str]:
    """What the draft holds and what it leaves to staff, for the command's output (English,
    naming the documents behind each count so that staff can check them)."""
    body = draft.organisation
    lines = [
        f"{body.id}'s report of {draft.year} ({body.name}) drafted, waiting for 初审: "
        f"{draft.path} and {draft.data_path.name}"
    ]
    labels = {cell.row.key: reports.row_name(2, cell.row) for cell in reports.CELLS}
    for counted in draft.rows:
        label = f"table 2 {labels[counted.row]}"
        if not counted.held:
            lines.append(
                f"{label}: left for staff: the catalogue holds no such document of {body.id}'s "
                f"and its organisation file does not say it has none (no_information: "
                f"{counted.column})"
            )
            continue
        cells = (f"{key} {'unset' if n is None else n}" for key, n in counted.values().items())
        lines.append(f"{label}: {', '.join(cells)}")
        if not any(counted.values().values()) and body.declares_empty(counted.column):
            lines.append(f"  none: {body.id} says it has none (no_information: {counted.column})")
        for what, found in (
            ("issued in the year", counted.issued),
            ("repealed in the year", counted.repealed),
            ("in force on 31 December", counted.in_force),
            ("amended or expired in the year, not counted as repealed", counted.left_force),
            ("giving no validity, so repealed and in force are left for staff", counted.unknown),
            ("giving no date, so the whole row is left for staff", counted.undated),
        ):
            if found:
                lines.append(f"  {what}: {', '.join(d.slug for d in found)}")
    lines.append(
        f"table 3: counted from {draft.records} application records of {body.id} "
        "(applications handled outside the platform are not among them)"
    )
    unset = dict.fromkeys(
        f"table {cell.table} {reports.row_name(cell.table, cell.row)}"
        for cell, value in draft.report.cells()
        if value is None
    )
    lines.append(
        f"left for staff: {len(draft.left_for_staff)} cells, written null (`portal check` "
        f"names each until it is filled): {', '.join(unset)}; and the text under each heading"
    )
    return lines
