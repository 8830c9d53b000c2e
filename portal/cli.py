"""The `portal` command: check content, build the search index, serve the site.

Each command is thin: the work lives in the modules it calls.
"""

import os
import sys
from pathlib import Path

import click

from portal.settings import DEFAULTS


def _setting(name: str) -> str:
    """A setting's value as the running site would see it (environment, then default)."""
    return os.environ.get(f"PORTAL_{name}", str(DEFAULTS[name]))


@click.group()
def main():
    """portal: an accessible public portal for government information disclosure."""


@main.command()
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: _setting("CONTENT_DIR"), show_default="content/",
              help="Folder of content files to check.")
def check(content_dir: Path):
    """Validate every content file; print one line per problem as path:line: message."""
    from portal.catalogue import load_catalogue

    if not content_dir.is_dir():
        raise click.UsageError(f"no content folder at {content_dir}")
    catalogue = load_catalogue(content_dir)
    errors = [p for p in catalogue.problems if p.severity == "error"]
    for problem in sorted(catalogue.problems, key=lambda p: (str(p.path), p.line)):
        prefix = "" if problem.severity == "error" else "warning: "
        click.echo(f"{problem.path}:{problem.line}: {prefix}{problem.message}")
    summary = (f"{len(catalogue.documents)} documents published, {len(errors)} errors, "
               f"{len(catalogue.problems) - len(errors)} warnings")
    click.echo(summary, err=True)
    sys.exit(1 if errors else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--workers", default=lambda: os.cpu_count() or 1, type=click.IntRange(1, 64),
              show_default="number of cores", help="gunicorn worker processes.")
@click.option("--debug", is_flag=True,
              help="Use Flask's development server with reloading (never in production).")
def serve(host: str, port: int, workers: int, debug: bool):
    """Serve the site: gunicorn in production, the development server with --debug."""
    from portal import create_app
    from portal.server import run_gunicorn

    app = create_app()
    click.echo(f"Serving {app.config['CONTENT_DIR']} at http://{host}:{port}/", err=True)
    if debug:
        app.run(host=host, port=port, debug=True)
    else:
        run_gunicorn(app, host, port, workers)


if __name__ == "__main__":
    main()
