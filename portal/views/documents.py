"""A document page and its attachments."""

from flask import Blueprint, abort, render_template, request

from portal import wiring
from portal.web import files

blueprint = Blueprint("documents", __name__, url_prefix="/documents")

FILE_MAX_AGE = 3600


@blueprint.get("/<slug>/")
def detail(slug: str):
    """The document: metadata, body, attachments, neighbours in its category."""
    current = wiring.catalogue.current()
    document = current.get(slug) or abort(404)
    newer, older = current.neighbours(document)
    return render_template(
        "documents/detail.html",
        document=document,
        newer=newer,
        older=older,
        report_problems=current.report_problems(document),
        catalogue=current,
    )


def _send(document, name: str):
    """A file beside the document, under the file policy; 404 if it is not a real file there."""
    try:
        return files.send_file(
            request.environ, document.root, document.path.parent / name, name, FILE_MAX_AGE
        )
    except FileNotFoundError:
        abort(404)


@blueprint.get("/<slug>/attachments/<name>")
def attachment(slug: str, name: str):
    """An attachment, looked up among the document's declared ones; never a path from the URL."""
    document = wiring.catalogue.current().get(slug) or abort(404)
    found = next((a for a in document.attachments if a.name == name), None) or abort(404)
    return _send(document, found.name)


@blueprint.get("/<slug>/media/<name>")
def media(slug: str, name: str):
    """A video, its captions or its transcript, looked up among the document's declared ones."""
    document = wiring.catalogue.current().get(slug) or abort(404)
    if not any(name in video.files() for video in document.videos):
        abort(404)
    return _send(document, name)
