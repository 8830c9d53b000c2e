"""The `portal` command: check content, build the search index, serve the site.

Each command is thin: the work lives in the modules it calls.
"""

import os
import shutil
import sys
from pathlib import Path

import click

from portal import settings
from portal.cli_options import content_option


@click.group()
def main():
    """portal: an accessible public portal for government information disclosure."""


def _last_good(content_dir: Path) -> Path:
    """The folder of last good versions that the site keeps for content_dir."""
    from portal.catalogue import snapshot_folder

    configured = Path(settings.value("CONTENT_DIR"))
    same = content_dir.resolve() == configured.resolve()
    return snapshot_folder(settings.value("LAST_GOOD_DIR") if same else "", content_dir)


@main.command()
@content_option("Folder of content files to check.")
def check(content_dir: Path):
    """Validate every content file; print one line per problem as path:line: message."""
    from portal.catalogue import load_catalogue

    if not content_dir.is_dir():
        raise click.UsageError(f"no content folder at {content_dir}")
    catalogue = load_catalogue(content_dir, _last_good(content_dir))
    errors = [p for p in catalogue.problems if p.severity == "error"]
    for problem in sorted(catalogue.problems, key=lambda p: (str(p.path), p.line)):
        prefix = "" if problem.severity == "error" else "warning: "
        click.echo(f"{problem.path}:{problem.line}: {prefix}{problem.message}")
    unreadable = list(_unreadable_attachments(catalogue))
    for line in unreadable:
        click.echo(line)
    summary = (
        f"{len(catalogue.documents)} documents published, {len(errors)} errors, "
        f"{len(catalogue.problems) - len(errors) + len(unreadable)} warnings"
    )
    click.echo(summary, err=True)
    sys.exit(1 if errors else 0)


def _unreadable_attachments(catalogue):
    """A warning for each published attachment a screen reader cannot read: a PDF without a
    text layer (a scanned image), or a file whose text cannot be extracted. Extraction runs
    once per file content, kept beside the search index, which then indexes the text."""
    from portal.extraction import TEXT_FOLDER, TextStore

    store = TextStore(Path(settings.value("SEARCH_INDEX_DIR")) / TEXT_FOLDER)
    for document in catalogue.documents:
        for attachment in document.attachments:
            kept = store.ensure(attachment.path)
            if kept is None:
                continue
            where = f"{document.path}:{_line_naming(document.path, attachment.name)}"
            if kept.error:
                yield (
                    f"{where}: warning: the text of attachment {attachment.name} cannot be read: "
                    f"{kept.error}"
                )
            elif not kept.has_text and kept.kind == "pdf":
                yield (
                    f"{where}: warning: attachment {attachment.name} is a PDF without a text layer "
                    "(a scanned image?): screen readers cannot read it; publish its text too"
                )


def _line_naming(path: Path, name: str) -> int:
    """The line of a content file that names ``name`` (1 when none does)."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((number for number, line in enumerate(lines, 1) if name in line), 1)


@main.command("new")
@click.argument("category")
@click.argument("title")
@click.option(
    "--organisation",
    default="",
    help="Id of the body that publishes it (default: DEFAULT_ORGANISATION).",
)
def new_document(category: str, title: str, organisation: str):
    """Scaffold a draft in CATEGORY (name or address) with the next free 索引号 of its
    organisation; print its path."""
    from portal.catalogue import scaffold_draft

    try:
        path = scaffold_draft(
            Path(settings.value("CONTENT_DIR")),
            category,
            title,
            settings.value("ORGANISATION_CODE"),
            settings.value("DEFAULT_DEPARTMENT"),
            organisation=organisation,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(os.path.relpath(path))


@main.command()
@click.option(
    "--within",
    default=5,
    show_default=True,
    type=click.IntRange(0, 365),
    help="Also list drafts due within this many working days.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(within: int, as_json: bool):
    """Drafts waiting at each review stage, overdue or due documents, report deadlines, the
    bodies whose annual report covering last year is due or overdue, and each body's column
    against the inspection's 单项否决 thresholds."""
    import json

    from portal import workflow
    from portal.approvals.cli import returned_documents
    from portal.catalogue import load_catalogue, status_report
    from portal.terminal import printable

    returned, unknown = returned_documents()
    report = status_report(
        load_catalogue(Path(settings.value("CONTENT_DIR"))),
        workflow.china_today(),
        within,
        {slug: sent.digest for slug, sent in returned.items()},
    )
    for item in report["returned"]:
        sent = returned[item["slug"]]
        item["return"] = {
            "stage": sent.stage,
            "by": sent.username,
            "at": sent.at.isoformat(timespec="seconds"),
            "comment": sent.comment,
        }
    if unknown:
        report["notes"].append(unknown)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for stage, items in report["waiting"].items():
        click.echo(f"待{stage}: {len(items)}")
        for item in items:
            click.echo(f"  {item['path']}  {item['title']}  (due {item['due']})")
            if item["voided"]:
                click.echo(f"    approvals voided: {item['voided']}")
    for key, label in (("overdue", "逾期未发布"), ("due_soon", f"{within} 个工作日内到期")):
        click.echo(f"{label}: {len(report[key])}")
        for item in report[key]:
            click.echo(f"  {item['path']}  {item['title']}  (due {item['due']})")
    click.echo(f"退回修改: {len(report['returned'])}")
    for item in report["returned"]:
        sent = item["return"]
        click.echo(f"  {item['path']}  {item['title']}  (due {item['due']})")
        click.echo(
            f"    returned at {sent['stage']} by {sent['by']} on {sent['at']}: "
            f"{printable(sent['comment'])}"
        )
    for deadline in report["report_deadlines"]:
        click.echo(
            f"{deadline['what']}: {deadline['deadline']} "
            f"({deadline['days_left']} days left, covering {deadline['report_year']})"
        )
    annual = report["annual_reports"]
    for key, days, label in (("due", "days_left", "left"), ("overdue", "days_overdue", "overdue")):
        click.echo(f"annual reports covering {annual['year']} {key}: {len(annual[key])}")
        for item in annual[key]:
            plural = "" if item[days] == 1 else "s"
            click.echo(
                f"  {item['organisation']}  {item['name']}  "
                f"(deadline {item['deadline']}, {item[days]} day{plural} {label})"
            )
            if item["draft"]:
                click.echo(f"    draft waiting for review: {item['draft']}")
    for standing in report["inspection"]:
        click.echo(
            f"inspection {standing['organisation']}  {standing['name']}: "
            + (f"单项否决 {', '.join(standing['vetoes'])}" if standing["vetoes"] else "no 单项否决")
        )
        if standing["home_stale"]:
            click.echo(
                f"  no new document for over 14 days (latest {standing['latest'] or 'never'})"
            )
        for column in standing["stale_columns"]:
            click.echo(
                f"  column {column['column']} not updated within its period "
                f"(latest {column['latest'] or 'never'})"
            )
        if standing["blank_columns"]:
            click.echo(
                f"  {len(standing['blank_columns'])} blank columns (5 or more is 单项否决; "
                f"say why in no_information:): {'、'.join(standing['blank_columns'])}"
            )
    for note in report["notes"]:
        click.echo(f"note: {note}")


@main.command("import-report")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="Address of the report, e.g. lingwu-kjj-2024.")
@click.option(
    "--into",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: str(Path(settings.value("CONTENT_DIR")) / "annual-reports"),
    show_default="content/annual-reports",
    help="Folder to write the files to.",
)
@click.option(
    "--kind",
    type=click.Choice(["text", "html", "markdown", "docx", "pdf"]),
    default=None,
    help="Format of SOURCE; guessed from its bytes when not given.",
)
def import_report_command(source: Path, slug: str, folder: Path, kind: str | None):
    """Turn a published annual report (Word, PDF, HTML, Markdown or scraped text) into a
    content file and its data.

    A value is never guessed. Cells that cannot be told for certain are left empty (null) and
    listed ("left empty"), the file is written as a draft waiting for review, and the command
    exits 3; a report whose tables cannot be read at all is refused, nothing written (exit 1).
    Exit 0: every cell imported and the tables consistent; exit 1 after writing: some rule
    (R1-R5, R7) is broken, as the source published it.
    """
    from portal.catalogue import SLUG
    from portal.reports.importer import WriteRefused, import_report, write_import

    if not SLUG.match(slug):
        raise click.BadParameter(
            "use lower-case ASCII letters, digits and hyphens", param_hint="--slug"
        )
    raw = source.read_bytes()
    result = import_report(raw, kind=kind, slug=slug)
    for line in result.unplaced:
        click.echo(f"{source}: {'refused' if result.structural else 'not placed'}: {line}")
    for line in result.left_empty:
        click.echo(f"{source}: left empty: {line}")
    for line in result.unused:
        click.echo(f"{source}: not used: {line}")
    for line in result.inferred:
        click.echo(f"{source}: inferred: {line}")
    for line in result.read_as:
        click.echo(f"{source}: read as: {line}")
    for key, value in result.metadata.items():
        click.echo(f"{source}: metadata: {key}: {value}")
    for problem in result.problems:
        click.echo(problem.format(source))
    for note in result.notes:
        click.echo(f"{source}: note: {note}")
    incomplete = result.report is None or result.gaps
    if incomplete and not result.structural and (kind or _guessed_kind(raw)) in _FLATTENED:
        click.echo(
            f"{source}: hint: if the report's web page (HTML) or its Word original (DOCX) is "
            "at hand, import that instead: its tables keep every cell apart"
        )
    if result.report is None:
        raise click.ClickException(f"{result.refusal}; nothing was written")
    try:
        written = write_import(result, folder, slug)
    except WriteRefused as refused:
        raise click.ClickException(f"{refused}; nothing was written") from None
    for path in written:
        click.echo(f"wrote {path}")
    if result.gaps:
        count = len(result.empty_cells)
        click.echo(
            f"{source}: incomplete: imported with {count} cell{'s' if count != 1 else ''} left "
            "empty for staff to fill (listed above as 'left empty'; portal check names them); "
            "written as a draft waiting for review, which no stage approves until they are filled",
            err=True,
        )
        sys.exit(3)
    if any(problem.severity == "error" for problem in result.problems):
        sys.exit(1)


# Sources whose tables reach the importer flattened (an HTML or DOCX version keeps cells apart).
_FLATTENED = ("text", "markdown", "pdf")


def _guessed_kind(raw: bytes) -> str:
    from portal.reports.importer import SourceError, guess_kind

    try:
        return guess_kind(raw)
    except SourceError:
        return "unreadable"


@main.command()
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating changes.")
def index(full: bool):
    """Build or update the search index from the content files."""
    from portal import search
    from portal.search import index_content

    content_dir = Path(settings.value("CONTENT_DIR"))
    try:
        done = index_content(
            content_dir,
            Path(settings.value("SEARCH_INDEX_DIR")),
            full=full,
            last_good=_last_good(content_dir),
        )
    except search.IndexLocked as error:
        raise click.ClickException(str(error)) from error
    click.echo(done)


@main.command("publish-index")
@click.argument("targets", nargs=-1, required=True, type=click.Path(path_type=Path))
def publish_index(targets: tuple[Path, ...]):
    """Copy the live search index into each TARGET index folder (other nodes' SEARCH_INDEX_DIR,
    or a shared volume) and make it live there at once, never half-copied."""
    from portal import search
    from portal.extraction import TEXT_FOLDER

    source = Path(settings.value("SEARCH_INDEX_DIR"))
    for target in targets:
        try:
            # The attachments' texts first: the generation that is about to go live finds them.
            texts = _copy_new_files(source / TEXT_FOLDER, Path(target) / TEXT_FOLDER)
            meta = search.copy_live(source, target)
        except (search.IndexUnavailable, search.IndexLocked, OSError) as error:
            raise click.ClickException(f"{target}: {error}") from None
        click.echo(f"{target}: live, {meta.get('documents')} documents, {texts} new texts")


def _copy_new_files(source: Path, target: Path) -> int:
    """Copy the files of source missing from target (each written whole, then renamed into
    place: kept texts never change, their names are their digests); returns how many."""
    copied = 0
    if not source.is_dir():
        return copied
    for path in sorted(source.rglob("*.json")):
        kept = target / path.relative_to(source)
        if kept.exists():
            continue
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, partial)
        os.replace(partial, kept)
        copied += 1
    return copied


@main.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def export(target: Path):
    """Write every public page, feed and download as static files under TARGET."""
    from portal import create_app
    from portal.export import export_site

    app = create_app({"PAGE_CACHE_SIZE": 0})
    count = export_site(app, target)
    click.echo(f"exported {count} files to {target} (see {target}/nginx.conf.example)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=lambda: os.cpu_count() or 1,
    type=click.IntRange(1, 64),
    show_default="number of cores",
    help="gunicorn worker processes.",
)
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests one worker serves at once (more only help with slow clients "
    "and no proxy in front; they cost rendering throughput).",
)
@click.option(
    "--access-log",
    metavar="FILE",
    help="Log every request to FILE ('-': standard output); off by default, as the "
    "nginx in front keeps one.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Use Flask's development server with reloading (never in production).",
)
def serve(host: str, port: int, workers: int, threads: int, access_log: str | None, debug: bool):
    """Serve the site: gunicorn in production, the development server with --debug."""
    from portal import create_app
    from portal.web import run_gunicorn

    app = create_app()
    # The first catalogue is read here, before the workers are forked: they start with it.
    catalogue = app.extensions["portal.catalogue"].current()
    if app.config["BUILD_INDEX_ON_START"] and app.config["SEARCH_INDEX_WRITER"]:
        from portal.search import index_catalogue

        click.echo(
            index_catalogue(
                catalogue,
                Path(app.config["SEARCH_INDEX_DIR"]),
                content_dir=Path(app.config["CONTENT_DIR"]),
            ),
            err=True,
        )
    _warn_old_applications(app.config["APPLICATIONS_DB"])
    _check_database(app.config["DATABASE_URL"])
    click.echo(f"Serving {app.config['CONTENT_DIR']} at http://{host}:{port}/", err=True)
    if debug:
        app.run(host=host, port=port, debug=True)
    else:
        run_gunicorn(app, host, port, workers, threads, access_log)


def _warn_old_applications(path: str) -> None:
    """Say once at start that an old applications file (APPLICATIONS_DB, deprecated) is no
    longer read, so that its applications do not seem to have vanished after an upgrade."""
    if path and Path(path).is_file():
        click.echo(
            f"APPLICATIONS_DB is no longer used: applications live in DATABASE_URL; run "
            f"`portal applications import-sqlite {path}` once, then remove the setting",
            err=True,
        )


def _check_database(url: str) -> None:
    """Say when the back office and the application form cannot work yet: the site never
    migrates its database itself (every worker would race to), `portal db upgrade` does
    (`make run` runs it first)."""
    from portal import db

    try:
        engine = db.make_engine(url, must_exist=True)
    except db.DatabaseUnavailable as error:
        click.echo(
            f"back office and applications unavailable, /admin/ answers 503: {error}", err=True
        )
        return
    try:  # disposed before gunicorn forks: no worker inherits a connection
        db.require_current(engine)
    except (db.SchemaBehind, db.DatabaseUnavailable) as error:
        click.echo(
            "back office and applications unavailable, /admin/ answers 503 until then "
            f"(and so does /apply/): {error}",
            err=True,
        )
    finally:
        engine.dispose()


from portal.accounts.cli import users  # noqa: E402
from portal.applications.cli import applications, report_stats  # noqa: E402
from portal.approvals.cli import review  # noqa: E402
from portal.db.cli import database  # noqa: E402
from portal.reports.drafting_cli import draft_report  # noqa: E402
from portal.website_report.cli import website_report  # noqa: E402

main.add_command(applications)
main.add_command(report_stats)
main.add_command(review)
main.add_command(database)
main.add_command(users)
main.add_command(draft_report)
main.add_command(website_report)

if __name__ == "__main__":
    main()
