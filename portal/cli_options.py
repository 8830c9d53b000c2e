"""Options several staff commands share, spelt once."""

from pathlib import Path

import click

from portal import settings


def content_option(help: str):
    """The `--content DIR` option (default CONTENT_DIR) with what the command does with it."""
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: settings.value("CONTENT_DIR"),
        show_default="content/",
        help=help,
    )
