"""Drafting in the back office (/admin/drafts): the drafts of the bodies where the signed-in
member holds 起草, and a form with every catalogue field to start or edit one, its body
previewed as the public page renders it, attachments uploaded and removed. The rules are the
catalogue's (portal.catalogue.editing): the form becomes the file text `portal new` would
write, checked as `portal check` checks it. This module reads the request once, asks for the
role, and says what happened."""

import logging
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from portal import catalogue, filetypes, wiring, workflow
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.text import N_
from portal.web import accepts_body, error_response, i18n, refusal, visible_text

ROLE = "起草"
blueprint = Blueprint("drafts", __name__, url_prefix=PREFIX + "/drafts")
# Who saved which draft, and every refused upload, with the account name.
log = logging.getLogger(__name__)


def _form_bytes(config) -> int:
    """A form's text: at most a content file's worth, and the small fields around it."""
    return catalogue.MAX_FILE_BYTES + config["MAX_REQUEST_BYTES"]


def draft_request_bytes(config) -> int:
    """A draft form: its text and one attachment."""
    return config["UPLOAD_MAX_BYTES"] + _form_bytes(config)


takes_a_draft = accepts_body(draft_request_bytes, _form_bytes)

# Every field of the form, in its order (the error summary lists problems so), and its label.
LABELS = {
    "file": N_("文件"),
    "organisation": N_("发布机构"),
    "title": N_("标题"),
    "category": N_("所属分类"),
    "index_no": N_("索引号"),
    "doc_no": N_("文号"),
    "date": N_("生成日期"),
    "department": N_("责任部门"),
    "time_limit": N_("公开时限"),
    "five_openness": N_("所属“五公开”"),
    "mode": N_("公开方式"),
    "keywords": N_("关键词"),
    "interprets": N_("解读的政策文件"),
    "sample": N_("示例"),
    "attachments": N_("附件"),
    "upload": N_("上传附件"),
    "body": N_("正文"),
}
_SINGLE_LINE = ("title", "index_no", "doc_no", "date", "department", "time_limit", "category")
_SINGLE_LINE += ("five_openness", "mode", "interprets")
# Keywords are typed in one line, separated as people separate them in Chinese or English.
_KEYWORD_SEPARATORS = re.compile(r"[,，、;；\n]")
# How an upload refusal answers, and what it tells staff.
_UPLOAD_STATUS = {
    catalogue.uploads.SIZE: 413,
    catalogue.uploads.TYPE: 415,
    catalogue.uploads.CONTENT: 415,
    catalogue.uploads.TAKEN: 409,
}


def _catalogue() -> catalogue.Catalogue:
    """The catalogue as the files are now: staff see the draft they just saved, whichever
    worker answers."""
    return wiring.catalogue.store().refresh()


def _root():
    return wiring.catalogue.store().content_dir


def _drafting_bodies() -> list[str]:
    """The bodies in which the signed-in member drafts; a logged 403 when there is none."""
    held = access.organisations_for(ROLE)
    if not held:
        log.warning(
            "refused %s %s to %r: not 起草 anywhere",
            request.method,
            request.path,
            access.member().username,
        )
        raise refusal(403, _("您的账号没有“起草”角色，不能起草文件。"))
    return held


def _today():
    return wiring.db.now().astimezone(workflow.CHINA).date()


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A form over its limit, refused before it is read: say what the limits are."""
    config = current_app.config
    message = _(
        "提交的内容太大，没有保存：一个附件不能超过 %(upload)s，整个表单不能超过 %(total)s。"
        "请压缩文件或分成几个附件后再上传。表单中填写的内容也没有保存，请返回上一页。",
        upload=i18n.filesize(config["UPLOAD_MAX_BYTES"]),
        total=i18n.filesize(draft_request_bytes(config)),
    )
    return error_response(refusal(413, message))


@blueprint.get("/")
def index():
    """The drafts of the bodies where the member drafts, and a way to start one."""
    bodies = _drafting_bodies()
    drafts = [draft for draft in _catalogue().drafts if draft.organisation in bodies]
    drafts.sort(key=lambda draft: (draft.organisation, draft.date is None, draft.date, draft.slug))
    return render_template("admin/drafting/index.html", drafts=drafts)


@blueprint.route("/new", methods=["GET", "POST"])
@takes_a_draft
def new():
    """Start a draft: choose the body (when the member drafts for several), then the form."""
    bodies = _drafting_bodies()
    current = _catalogue()
    held = [body for body in current.organisations if body.id in bodies]
    source = request.form if request.method == "POST" else request.args
    chosen = source.get("organisation", "") or (held[0].id if len(held) == 1 else "")
    if not chosen:
        return render_template("admin/drafting/choose.html", bodies=held)
    access.require(ROLE, chosen)
    body = current.organisations.get(chosen) or abort(404)
    today = _today()
    if request.method == "GET":
        code = body.code or current_app.config["ORGANISATION_CODE"]
        fields = catalogue.DraftFields(
            index_no=catalogue.next_index_no(current, code, today.year),
            date=today.isoformat(),
            department=current_app.config["DEFAULT_DEPARTMENT"],
            mode="主动公开",
        )
        return _form_page(fields, body, several=len(held) > 1)
    fields = _fields_from(request.form)
    page = {"body": body, "several": len(held) > 1}
    if request.form.get("action") == "preview":
        return _form_page(fields, **page, preview=True)
    upload = _upload()
    try:
        outcome = catalogue.create_draft(
            current,
            _root(),
            body,
            fields,
            upload,
            current_app.config["UPLOAD_MAX_BYTES"],
            today,
        )
    except catalogue.UploadRefused as refused:
        return _refused_upload(refused, fields, page)
    except catalogue.EditRefused as error:
        return _form_page(fields, **page, errors={"file": _detail("file", str(error))}), 400
    if outcome.refused:
        return _form_page(fields, **page, problems=outcome.problems, upload=upload), 400
    return _saved(outcome, created=True)


@blueprint.route("/<slug>/", methods=["GET", "POST"])
@takes_a_draft
def edit(slug: str):
    """Edit a draft of a body where the member drafts; refuse to overwrite a change made since
    the form was opened."""
    current = _catalogue()
    draft = next((d for d in current.drafts if d.slug == slug), None) or abort(404)
    access.require(ROLE, draft.organisation)
    body = current.organisations.get(draft.organisation)
    try:
        opened, revision = catalogue.open_draft(draft.path)
    except (catalogue.EditRefused, OSError) as error:
        return render_template("admin/drafting/unreadable.html", draft=draft, reason=str(error))
    page = {"body": body, "draft": draft, "opened": opened}
    if request.method == "GET":
        return _form_page(opened, **page, revision=revision)
    fields = _fields_from(request.form)
    titles, removed = _attachment_changes(request.form)
    page |= {"revision": request.form.get("revision", ""), "titles": titles, "removed": removed}
    if request.form.get("action") == "preview":
        return _form_page(fields, **page, preview=True)
    upload = _upload()
    changes = catalogue.AttachmentChanges(titles, removed, upload)
    try:
        outcome = catalogue.update_draft(
            current,
            _root(),
            draft.path,
            page["revision"],
            fields,
            changes,
            current_app.config["UPLOAD_MAX_BYTES"],
        )
    except catalogue.DraftChanged:
        log.warning("%r's save of %s refused: changed since opened", _who(), draft.slug)
        return _form_page(fields, **page, conflict=True), 409
    except catalogue.UploadRefused as refused:
        return _refused_upload(refused, fields, page)
    except catalogue.EditRefused as error:
        return _form_page(fields, **page, errors={"file": _detail("file", str(error))}), 400
    if outcome.refused:
        return _form_page(fields, **page, problems=outcome.problems, upload=upload), 400
    if not outcome.written:
        flash(_("没有需要保存的修改。"))
        return redirect(url_for("drafts.edit", slug=slug))
    return _saved(outcome, created=False)


@blueprint.post("/preview")
@accepts_body(_form_bytes, _form_bytes)
def preview():
    """The body of the form rendered as the public page renders it (for the live preview)."""
    _drafting_bodies()
    document, problems = catalogue.preview_body(request.form.get("body", ""))
    return render_template("admin/drafting/_preview.html", document=document, problems=problems)


def _who() -> str:
    return access.member().username


def _saved(outcome: catalogue.Outcome, created: bool):
    """After a draft is written: the site reads it now, and staff go back to it (PRG)."""
    wiring.catalogue.store().refresh()
    slug = outcome.path.stem
    log.info("draft %s %s by %r", slug, "created" if created else "saved", _who())
    if outcome.uploaded:
        log.info("attachment %r uploaded to %s by %r", outcome.uploaded, slug, _who())
    flash(
        _("草稿已保存。它在四个审核环节都通过之前不会在网站上公开。")
        if created
        else _("修改已保存。")
    )
    return redirect(url_for("drafts.edit", slug=slug))


def _fields_from(form: MultiDict) -> catalogue.DraftFields:
    """The form's catalogue fields, read once: one-line values without invisible or control
    characters, keywords split, the body as typed."""
    values = {name: visible_text(form.get(name, "")) for name in _SINGLE_LINE}
    words = _KEYWORD_SEPARATORS.split(form.get("keywords", ""))
    return catalogue.DraftFields(
        **values,
        keywords=tuple(word for word in map(visible_text, words) if word),
        sample=form.get("sample") == "true",
        body=form.get("body", ""),
    )


def _attachment_changes(form: MultiDict) -> tuple[tuple[str, ...], frozenset[int]]:
    """Each listed attachment's title, by its place in the draft's list, and the places to
    remove (names never come from the form)."""
    titles, removed = [], set()
    while f"attachment-title-{len(titles)}" in form:
        number = len(titles)
        titles.append(visible_text(form[f"attachment-title-{number}"]))
        if form.get(f"attachment-remove-{number}") == "true":
            removed.add(number)
    return tuple(titles), frozenset(removed)


def _upload() -> catalogue.Upload | None:
    """The file chosen in the form, if any."""
    file = request.files.get("upload")
    if file is None or not file.filename:
        return None
    return catalogue.Upload(
        file.filename, file.stream, visible_text(request.form.get("upload_title", ""))
    )


def _refused_upload(refused: catalogue.UploadRefused, fields, page: dict):
    """The form again, saying why the file was not kept; nothing else was saved."""
    log.warning("upload %r refused (%s) for %r", refused.name, refused.reason, _who())
    name = visible_text(refused.name)
    types = ", ".join(filetypes.ATTACHMENT_TYPES)
    limit = i18n.filesize(current_app.config["UPLOAD_MAX_BYTES"])
    message = {
        catalogue.uploads.NAME: _(
            "不能使用文件名“%(name)s”：文件名不能含有文件夹路径（/ 或 \\）、不能以“.”开头，"
            "也不能含有不可见的字符。请将文件改名后重新上传。",
            name=name,
        ),
        catalogue.uploads.TYPE: _(
            "“%(name)s”不是网站发布的附件类型，没有上传。可以上传的类型：%(types)s。",
            name=name,
            types=types,
        ),
        catalogue.uploads.CONTENT: _(
            "“%(name)s”的内容与文件类型不符（例如改过扩展名的文件），没有上传。"
            "请上传该类型的原始文件。",
            name=name,
        ),
        catalogue.uploads.EMPTY: _("“%(name)s”是空文件，没有上传。", name=name),
        catalogue.uploads.SIZE: _(
            "“%(name)s”超过了附件大小上限 %(limit)s，没有上传。请压缩文件或分成几个附件。",
            name=name,
            limit=limit,
        ),
        catalogue.uploads.TAKEN: _(
            "草稿所在的文件夹中已有名为“%(name)s”的文件（可能属于其他文件），为免覆盖，"
            "没有上传。请将文件改名后重新上传。",
            name=name,
        ),
        catalogue.uploads.LONG: _("文件名“%(name)s”太长，请改短后重新上传。", name=name),
    }[refused.reason]
    status = _UPLOAD_STATUS.get(refused.reason, 400)
    return _form_page(fields, **page, errors={"upload": message}), status


def _detail(field: str, message: str) -> Markup:
    """A problem `portal check` found, under the label of its field (its text is English, as
    the checker's is, and marked so)."""
    # portal check names the key first ("date: ..."); under the field's label it need not.
    problem = Markup('<span lang="en">{}</span>').format(message.removeprefix(f"{field}: "))
    return Markup(_("%(field)s：%(problem)s", field=escape(_(LABELS[field])), problem=problem))


def _form_page(
    fields: catalogue.DraftFields,
    body,
    draft=None,
    opened=None,
    revision: str = "",
    titles=(),
    removed=frozenset(),
    several: bool = False,
    preview: bool = False,
    problems=(),
    upload=None,
    errors=None,
    conflict: bool = False,
):
    """The drafting form with the values given, its problems by field, and the preview."""
    errors = dict(errors or {})
    for problem in problems:
        if problem.blocking:
            found = _detail(problem.field, problem.message)
            errors[problem.field] = (
                errors[problem.field] + Markup(" ") + found if problem.field in errors else found
            )
    if upload is not None and errors and "upload" not in errors:
        errors["upload"] = _(
            "文件“%(name)s”没有上传：请先改正其他问题，再重新选择这个文件。",
            name=visible_text(upload.filename),
        )
    if conflict:
        errors["file"] = _(
            "此草稿在您打开之后已被修改（他人在后台保存，或有人直接修改了文件），"
            "为免覆盖别人的修改，这次没有保存。请先复制您的修改，再重新打开草稿。"
        )
    values = {
        **{name: getattr(fields, name) for name in _SINGLE_LINE},
        "keywords": "，".join(fields.keywords),
        "sample": fields.sample,
        "body": fields.body,
    }
    rows = []
    for number, (file, title) in enumerate(opened.attachments if opened else ()):
        values[f"attachment-title-{number}"] = titles[number] if number < len(titles) else title
        path = draft.path.parent / file
        size = path.stat().st_size if path.is_file() else None
        rows.append({"number": number, "file": file, "size": size, "removed": number in removed})
    shown = catalogue.preview_body(fields.body) if preview else None
    return render_template(
        "admin/drafting/form.html",
        values=values,
        errors=errors,
        order=tuple(LABELS),
        warnings=[_detail(p.field, p.message) for p in problems if not p.blocking],
        body=body,
        draft=draft,
        revision=revision,
        several=several,
        attachments=rows,
        preview=shown,
        conflict=conflict,
        categories={
            node.name: " / ".join(_(part.name) for part in node.path()) for node in catalogue.ALL
        },
        time_limits={value: value for value in catalogue.TIME_LIMITS},
        five_openness={value: value for value in catalogue.FIVE_OPENNESS},
        modes={value: pgettext("公开方式", value) for value in catalogue.MODES},
        accept=",".join(f".{kind}" for kind in filetypes.ATTACHMENT_TYPES),
        upload_limit=i18n.filesize(current_app.config["UPLOAD_MAX_BYTES"]),
    )
