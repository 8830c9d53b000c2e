"""A body's disclosure column (信息公开栏目) on the platform: what it has published, when it last
did, its 公开指南 documents and its annual reports, as /organisations/ and its pages show them."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from portal.catalogue import categories
from portal.catalogue.document import Document
from portal.catalogue.organisations import KINDS, Organisation, Organisations
from portal.text import N_

GUIDE = categories.BY_SLUG["guide"]
ANNUAL_REPORTS = categories.BY_SLUG["annual-reports"]
# The five columns of a body's 公开目录, as Chinese disclosure catalogues list them, from the
# catalogue metadata (docs/content-format.md): 索引号 identifies the entry, 名称 and 文号 the
# document, 生成日期 dates it. The fifth of a platform-wide catalogue, 发布机构, is the page
# itself here, so the office inside the body that answers for the document, 责任部门, takes its
# place. Each names the Document attribute it shows.
CATALOGUE_COLUMNS = (
    ("index_no", N_("索引号")),
    ("title", N_("名称")),
    ("doc_no", N_("文号")),
    ("date", N_("生成日期")),
    ("department", N_("责任部门")),
)


def updated_on(document: Document) -> datetime.date | None:
    """The last day the document changed on the site: its 更新日期 when it was changed after
    publication, its 发布日期 when one is recorded (a document is published after it is
    written), else its 生成日期."""
    dates = [day for day in (document.date, document.published, document.updated) if day]
    return max(dates, default=None)


@dataclass(frozen=True)
class Column:
    """One body and the documents it publishes, newest first."""

    organisation: Organisation
    documents: tuple[Document, ...] = ()

    @property
    def count(self) -> int:
        """How many documents the body has published."""
        return len(self.documents)

    @cached_property  # a column lives as long as its catalogue version; /organisations/ asks
    def latest(self) -> datetime.date | None:
        """The day the body last published or updated something; None if nothing is dated."""
        return max(filter(None, map(updated_on, self.documents)), default=None)

    # Worked out once per catalogue version, like latest: a body's page must not walk its
    # thousands of documents on every request.
    @cached_property
    def guides(self) -> tuple[Document, ...]:
        """The body's documents in 政府信息公开指南, newest first."""
        return tuple(d for d in self.documents if d.category is GUIDE)

    @cached_property
    def annual_reports(self) -> tuple[Document, ...]:
        """The body's annual reports: those with tables by their year, the newest first, then
        those without (whose year only their title gives) newest first, undated last."""
        with_tables = sorted(
            (d for d in self.documents if d.report is not None),
            key=lambda d: (d.report.year, d.slug),
            reverse=True,
        )
        others = (d for d in self.documents if d.report is None and d.category is ANNUAL_REPORTS)
        return (*with_tables, *others)


def group_columns(organisations: Organisations, documents: Iterable[Document]) -> dict[str, Column]:
    """Every body's column by id, in listing order, each with its documents in the order given
    (a body that has published nothing has an empty one)."""
    by_id: dict[str, list[Document]] = {o.id: [] for o in organisations}
    for document in documents:
        by_id.setdefault(document.organisation, []).append(document)
    return {o.id: Column(o, tuple(by_id[o.id])) for o in organisations}


def columns_by_kind(columns: dict[str, Column]) -> list[tuple[str, list[Column]]]:
    """The columns grouped by the kind of body, in the order of KINDS; empty kinds left out."""
    groups = [
        (kind, [c for c in columns.values() if c.organisation.kind == kind]) for kind in KINDS
    ]
    return [(kind, members) for kind, members in groups if members]
