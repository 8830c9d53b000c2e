"""Report tables (/admin/reports): the annual report documents of the bodies in which the
signed-in member drafts (起草), whether each has its statutory tables and whether they pass
R1-R7, and a form in the statutory layout to enter or correct them.

The form is built from portal.reports' layout; what it sends is read once by reports.read_entry
and checked by the rules themselves (reports.check_entry), which the page also hands, as data,
to js/report-tables.js to check while staff type. Saving writes the data file a hand-written
one would be (catalogue.save_tables), only when no hard rule (R1-R4, R7) is broken, because a
report outside the review workflow is public the moment its file is written and the file has
no "unfinished" state; and only over the version the form was opened on."""

import logging
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import catalogue, reports, wiring, workflow
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.web import refusal

blueprint = Blueprint("report_tables", __name__, url_prefix=PREFIX + "/reports")
log = logging.getLogger(__name__)

DRAFTER = "起草"
# The form's own fields; every other name must be a cell of the tables.
OWN_FIELDS = frozenset({"csrf_token", "stamp", "action"})
FILL_ZEROS = "zeros"
STAMP = re.compile(r"(?:[0-9a-f]{64})?")


@blueprint.route("/")
def index():
    """The annual report documents of the member's bodies, and the bodies' reports not yet
    drafted for the year now due."""
    organisations = access.organisations_for(DRAFTER)
    if not organisations:
        access.require(DRAFTER, "")  # a logged 403
    current = wiring.catalogue.current()
    store = wiring.catalogue.store()
    documents = catalogue.report_documents(current, organisations)
    due = workflow.china_today().year - 1
    covered = {(d.organisation, catalogue.report_year(d)) for d in documents}
    return render_template(
        "admin/report_tables/index.html",
        rows=[_row(current, store.content_dir, document) for document in documents],
        undrafted=[o for o in organisations if (o, due) not in covered],
        due=due,
    )


def _row(current: catalogue.Catalogue, content_dir, document: catalogue.Document) -> dict:
    """What the list says of one report document."""
    problems = current.report_problems(document) if document.report is not None else []
    return {
        "document": document,
        "year": catalogue.report_year(document),
        "errors": sorted({p.rule for p in problems if p.severity == "error"}),
        "warnings": sorted({p.rule for p in problems if p.severity == "warning"}),
        "editable": document.root == content_dir and catalogue.report_year(document) is not None,
    }


@blueprint.route("/<slug>/", methods=["GET", "POST"])
def tables(slug: str):
    """The statutory tables of one report document: shown to correct, checked, saved."""
    document = _document(slug)
    year = catalogue.report_year(document)
    found = catalogue.read_tables(document)
    if found.error is not None:
        raise refusal(409, _unreadable(found.error))
    previous = _previous(document, year)
    if found.report is not None:
        report = found.report
        organisation, year, sample = report.organisation, report.year, report.sample
    else:
        organisation, sample = _organisation_name(document, previous), document.sample
    equations = reports.entry_equations(year, document.body, previous)
    context = {"document": document, "found": found, "equations": equations, "year": year}
    if request.method == "GET":
        report = found.report
        texts = reports.report_texts(report) if report is not None else {}
        problems = reports.check_entry(report, equations, _) if report is not None else []
        return _form(context, texts, report, problems, stamp=found.stamp)
    entry = reports.read_entry(request.form.items(multi=True), OWN_FIELDS)
    report = entry.report(organisation, year, sample)
    stamp = request.form.get("stamp", "")
    message, values = reports.unknown_message(entry)
    if message or not STAMP.fullmatch(stamp):
        notice = _(message).format(**values) if message else _("表单已损坏，请刷新页面后重新填写。")
        return _form(context, entry.texts, report, [], stamp=stamp, notice=notice), 400
    if request.form.get("action") == FILL_ZEROS:
        texts = {cell.key: entry.texts.get(cell.key, "").strip() or "0" for cell in reports.CELLS}
        filled = reports.read_entry(texts.items()).report(organisation, year, sample)
        problems = reports.check_entry(filled, equations, _)
        return _form(context, texts, filled, problems, stamp=stamp)
    problems = reports.check_entry(report, equations, _)
    if any(problem.severity == "error" for problem in problems):
        return _form(context, entry.texts, report, problems, stamp=stamp, submitted=True), 400
    try:
        written = catalogue.save_tables(document, report, stamp)
    except catalogue.TablesChanged:
        return _changed(context, entry, report, problems)
    except catalogue.FrontMatterUnsafe:
        notice = _front_matter_message(found.path.name)
        return _form(context, entry.texts, report, problems, stamp=stamp, notice=notice), 409
    log.info(
        "report tables of %s %s by %r",
        document.path.name,
        "saved" if written else "unchanged",
        access.member().username,
    )
    flash(_("表格已保存。") if written else _("表格没有改动，文件保持原样。"))
    return redirect(url_for("report_tables.tables", slug=document.slug))


def _document(slug: str) -> catalogue.Document:
    """The report document at slug, read from its content file now, once the member is known
    to draft for its body; 404 or a refusal saying why its tables cannot be edited here."""
    current = wiring.catalogue.current()
    store = wiring.catalogue.store()
    listed = None
    if catalogue.SLUG.match(slug):
        listed = current.get(slug) or next((d for d in current.drafts if d.slug == slug), None)
    # Not in the catalogue, yet a content file of that name: it does not read (a broken data
    # file, say) and was never published. Nothing of it is shown: whose it is is unknown.
    if (
        listed is None
        and catalogue.SLUG.match(slug)
        and any(path.stem == slug for path in catalogue.content_files(store.content_dir))
    ):
        raise refusal(409, _broken_message())
    if listed is None or listed.category.slug != "annual-reports":
        raise refusal(404, _("没有这份年度报告。"))
    access.require(DRAFTER, listed.organisation)
    if listed.root != store.content_dir:
        raise refusal(409, _broken_message())
    document, _problems = catalogue.parse_file(listed.path, store.content_dir, store.site.id)
    if document is None:
        raise refusal(409, _broken_message())
    access.require(DRAFTER, document.organisation)
    if catalogue.report_year(document) is None:
        raise refusal(
            409,
            _(
                "无法确定这份报告的年度：报告标题中应写明年度，"
                "如“……2024年政府信息公开工作年度报告”。请先修改标题。"
            ),
        )
    return document


def _previous(document: catalogue.Document, year: int) -> reports.Report | None:
    """Last year's published report of the same body, for rule R6."""
    return next(
        (
            d.report
            for d in wiring.catalogue.current().annual_reports
            if d.organisation == document.organisation and d.report.year == year - 1
        ),
        None,
    )


def _organisation_name(document: catalogue.Document, previous: reports.Report | None) -> str:
    """The name new tables give their body: its file's; a site of one body without a file
    keeps the name its reports already use (rule R6 pairs years by it), else the site's."""
    body = wiring.catalogue.current().organisations.get(document.organisation)
    if body.path is None and previous is not None:
        return previous.organisation
    return body.name


def _form(context, texts, report, problems, *, stamp, notice="", submitted=False, changes=()):
    """The form page, with what to show in each cell and the problems found."""
    equations = context["equations"]
    return render_template(
        "admin/report_tables/form.html",
        **context,
        texts=texts,
        problems=problems,
        described=_described(problems),
        invalid={key for p in problems if p.severity == "error" for key in p.cells},
        # A form without tables yet still has every total's sum, empty until typed.
        sums=reports.total_sums(report or reports.read_entry(()).report("", 0), equations),
        sum_labels=reports.SUM_LABELS,
        rules=reports.script_rules(equations, _),
        stamp=stamp,
        notice=notice,
        submitted=submitted,
        changes=changes,
        report_layout=reports.Report,
        rule_names=reports.RULES,
        in_review=context["document"].approvals is not None,
        published=context["document"].waiting_for is None,
    )


def _described(problems: list[reports.Problem]) -> dict[str, list[str]]:
    """The ids of the problems that name each cell, for its aria-describedby."""
    found: dict[str, list[str]] = {}
    for number, problem in enumerate(problems, start=1):
        for key in problem.cells:
            found.setdefault(key, []).append(f"problem-{number}")
    return found


def _changed(context, entry: reports.Entry, report, problems):
    """Someone saved the tables since the form was opened: nothing is written; the form comes
    back with what was typed, the cells that now differ on disk, and the new version's stamp,
    so that saving again replaces it knowingly."""
    now = catalogue.read_tables(context["document"])
    theirs = reports.report_texts(now.report) if now.report is not None else {}
    changes = [
        (cell, theirs.get(cell.key, ""))
        for cell in reports.CELLS
        if theirs.get(cell.key, "") != entry.texts.get(cell.key)
    ]
    log.warning(
        "report tables of %s changed on disk since %r opened the form; not saved",
        context["document"].path.name,
        access.member().username,
    )
    notice = _(
        "保存失败：您打开此页后，有人修改了这份报告的数据文件。您填写的内容仍在下面，没有保存。"
        "与文件中现在不同的单元格列在下面；确认后再次保存，将以您填写的内容替换文件中的内容。"
    )
    return _form(
        context, entry.texts, report, problems, stamp=now.stamp, notice=notice, changes=changes
    ), 409


def _unreadable(error: reports.ReportError) -> str:
    where = getattr(error.path, "name", "") + (f":{error.line}" if error.line else "")
    return _(
        "这份报告的数据文件无法读取（%(problem)s）。请先手工修正该文件，或删除它后在这里重新填写。",
        problem=f"{where}: {error.message}",
    )


def _broken_message() -> str:
    return _(
        "这份报告的内容文件有错误，网站正在显示它上一个正确的版本。"
        "请先修正内容文件（portal check 会列出问题），再填写表格。"
    )


def _front_matter_message(name: str) -> str:
    return _(
        "无法在这份报告的前置信息中安全地加上“report: %(name)s”一行，表格没有保存。"
        "请手工加上这一行（每个键一行），再保存一次。",
        name=name,
    )
