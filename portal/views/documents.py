"""A document page and its attachments."""

from flask import Blueprint, abort, render_template, send_file

from portal import catalogue

blueprint = Blueprint("documents", __name__, url_prefix="/documents")


@blueprint.get("/<slug>/")
def detail(slug: str):
    """The document: metadata, body, attachments, neighbours in its category."""
    current = catalogue.current()
    document = current.get(slug) or abort(404)
    newer, older = current.neighbours(document)
    return render_template("documents/detail.html", document=document, newer=newer, older=older,
                           report_problems=current.report_problems(document), catalogue=current)


@blueprint.get("/<slug>/attachments/<name>")
def attachment(slug: str, name: str):
    """An attachment, looked up among the document's declared ones; never a path from the URL."""
    document = catalogue.current().get(slug) or abort(404)
    found = next((a for a in document.attachments if a.name == name), None) or abort(404)
    return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                     download_name=found.name, conditional=True, max_age=3600)


@blueprint.get("/<slug>/media/<name>")
def media(slug: str, name: str):
    """A video, its captions or its transcript, looked up among the document's declared ones."""
    document = catalogue.current().get(slug) or abort(404)
    if not any(name in video.files() for video in document.videos):
        abort(404)
    path = document.path.parent / name
    mimetype = "text/vtt" if name.endswith(".vtt") else None
    return send_file(path, mimetype=mimetype, conditional=True, max_age=3600)
