"""The `portal` command: check content, build the search index, serve the site.

Each command is thin: the work lives in the modules it calls.
"""

import os
import sys
from pathlib import Path

import click

from portal import settings


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
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: settings.value("CONTENT_DIR"),
    show_default="content/",
    help="Folder of content files to check.",
)
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
    summary = (
        f"{len(catalogue.documents)} documents published, {len(errors)} errors, "
        f"{len(catalogue.problems) - len(errors)} warnings"
    )
    click.echo(summary, err=True)
    sys.exit(1 if errors else 0)


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
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--stage",
    required=True,
    type=click.Choice(["初审", "复审", "终审", "保密审查"]),
    help="The stage approved.",
)
@click.option("--by", "by", required=True, help="Who approves.")
def review(path: Path, stage: str, by: str):
    """Record an approval of a draft; the last stage publishes it."""
    from portal.catalogue import review_file
    from portal.workflow import WorkflowError

    content = Path(settings.value("CONTENT_DIR")).resolve()
    shown = (
        path.resolve().relative_to(content).as_posix()
        if path.resolve().is_relative_to(content)
        else path.name
    )
    try:
        approvals, published = review_file(
            path, stage, by, Path(settings.value("AUDIT_LOG")), shown=shown
        )
    except WorkflowError as error:
        raise click.ClickException(str(error)) from error
    done = "; ".join(f"{a.stage} {a.by}" for a in approvals)
    click.echo(f"{path}: {done}" + ("; published" if published else ""))


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
    """Drafts waiting at each review stage, overdue or due documents, report deadlines, and
    the bodies whose annual report covering last year is due or overdue."""
    import json

    from portal import workflow
    from portal.catalogue import load_catalogue, status_report

    report = status_report(
        load_catalogue(Path(settings.value("CONTENT_DIR"))), workflow.china_today(), within
    )
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
    type=click.Choice(["text", "html"]),
    default=None,
    help="Format of SOURCE; guessed when not given.",
)
def import_report_command(source: Path, slug: str, folder: Path, kind: str | None):
    """Turn a published annual report (scraped text or HTML) into a content file and its data.

    Every number is placed in its cell, or the cells that could not be placed are listed and
    nothing is written.
    """
    from portal.catalogue import SLUG
    from portal.reports.importer import import_report, write_import

    if not SLUG.match(slug):
        raise click.BadParameter(
            "use lower-case ASCII letters, digits and hyphens", param_hint="--slug"
        )
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older government sites still publish in GB 18030 (GBK).
        text = raw.decode("gb18030", errors="strict")
    result = import_report(text, kind=kind, slug=slug)
    for line in result.unplaced:
        click.echo(f"{source}: not placed: {line}")
    for problem in result.problems:
        click.echo(problem.format(source))
    for note in result.notes:
        click.echo(f"{source}: note: {note}")
    if result.report is None:
        raise click.ClickException(
            f"{len(result.unplaced)} cells could not be placed; nothing was written"
        )
    for path in write_import(result, folder, slug):
        click.echo(f"wrote {path}")
    if any(problem.severity == "error" for problem in result.problems):
        sys.exit(1)


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

    source = Path(settings.value("SEARCH_INDEX_DIR"))
    for target in targets:
        try:
            meta = search.copy_live(source, target)
        except (search.IndexUnavailable, search.IndexLocked, OSError) as error:
            raise click.ClickException(f"{target}: {error}") from None
        click.echo(f"{target}: live, {meta.get('documents')} documents")


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
    from portal.applications import ApplicationStore, StoreUnavailable

    try:  # the site itself never creates it: a deleted database stays missing until restored
        ApplicationStore(
            app.config["APPLICATIONS_DB"],
            default_organisation=app.config["DEFAULT_ORGANISATION"],
        ).create()
    except StoreUnavailable as error:
        click.echo(
            f"applications database unavailable, /apply/ answers 503 until it is back: {error}",
            err=True,
        )
    _check_database(app.config["DATABASE_URL"])
    click.echo(f"Serving {app.config['CONTENT_DIR']} at http://{host}:{port}/", err=True)
    if debug:
        app.run(host=host, port=port, debug=True)
    else:
        run_gunicorn(app, host, port, workers, threads, access_log)


def _check_database(url: str) -> None:
    """Say when the back office cannot work yet: the site never migrates its database itself
    (every worker would race to), `portal db upgrade` does (`make run` runs it first)."""
    from portal import db

    try:
        engine = db.make_engine(url)
    except db.DatabaseUnavailable as error:
        click.echo(f"back office unavailable, /admin/ answers 503: {error}", err=True)
        return
    try:  # disposed before gunicorn forks: no worker inherits a connection
        db.require_current(engine)
    except (db.SchemaBehind, db.DatabaseUnavailable) as error:
        click.echo(f"back office unavailable, /admin/ answers 503 until then: {error}", err=True)
    finally:
        engine.dispose()


from portal.accounts.cli import users  # noqa: E402
from portal.applications.cli import applications, report_stats  # noqa: E402
from portal.db.cli import database  # noqa: E402

main.add_command(applications)
main.add_command(report_stats)
main.add_command(database)
main.add_command(users)

if __name__ == "__main__":
    main()
