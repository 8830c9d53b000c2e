"""A document page and its attachments."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from portal import wiring
from portal.extraction import Table, kind_of
from portal.web import files
from portal.web.errors import error_response, refusal

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


@blueprint.get("/<slug>/text/<name>/")
def attachment_text(slug: str, name: str):
    """The text of an attachment as an accessible page: headings, paragraphs, tables as tables.
    Read from what the indexer extracted; never extracted here."""
    document = wiring.catalogue.current().get(slug) or abort(404)
    found = next((a for a in document.attachments if a.name == name), None) or abort(404)
    if kind_of(found.name) is None:
        abort(404)
    kept = wiring.attachments.texts().get(found.path)
    if kept is None:
        message = _("这个附件的文字版正在生成，请稍后再来。附件本身可以直接下载。")
        return error_response(
            refusal(503, message, {"Cache-Control": "no-store", "Retry-After": "60"})
        )
    blocks = kept.document.blocks if kept.document is not None else []
    return render_template(
        "documents/attachment_text.html",
        document=document,
        attachment=found,
        kept=kept,
        blocks=blocks,
        is_table=lambda block: isinstance(block, Table),
    )
