"""The review desk of the back office (/admin/review): each reviewer's queue, the dashboard of
what `portal status` reports, and a document's review page (what it is, where it stands, what
changed since its last approval), where the account approves the stage it holds or returns the
document to its drafter with a comment. The rules and the audit trail are portal.approvals';
this module reads the request once and shows the outcome."""

import logging
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal import approvals, wiring
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.admin.forms import problems
from portal.text import N_
from portal.web import refusal, visible_text, whole_number
from portal.workflow import CHINA, STAGES

blueprint = Blueprint("review", __name__, url_prefix=PREFIX + "/review")
log = logging.getLogger(__name__)

TOO_LONG = N_("意见不能超过 2000 个字。")
# What the back office says when portal.approvals refuses an action (its messages are for the
# command line).
REFUSALS = {
    approvals.DISABLED: N_("该账号已停用。"),
    approvals.NO_ROLE: N_("您的账号在该单位没有这一审核环节的角色。"),
    approvals.SECOND_FACTOR: N_("终审和保密审查必须启用两步验证后才能审核。"),
    approvals.RETURNED: N_("该文件已退回起草人修改，修改之前不能审核。"),
    approvals.NOT_WAITING: N_("该文件已不在这一环节等待审核（可能已有他人处理），请查看最新状态。"),
    approvals.SAME_ACCOUNT: N_(
        "您已审核过该文件本版本的另一个环节，同一账号不能审核同一文件的两个环节。"
    ),
    approvals.NO_COMMENT: N_("请填写退回理由，起草人会看到它。"),
    approvals.FILE: N_(
        "该文件目前无法审核：内容文件有错误或无法写入。请让起草人运行 portal check 修正后再试。"
    ),
}
VOIDED = {
    approvals.CHANGED: N_(
        "审核通过后，文件或随文件发布的附件有改动，此前的审核意见已失效，需从初审重新审核。"
    ),
    approvals.OUT_OF_ORDER: N_("审核记录的顺序有误，此前的审核意见已失效，需重新审核。"),
    approvals.OLD_FORMAT: N_("此前的审核意见按旧格式记录，不涵盖附件，已失效，需从初审重新审核。"),
}

# The labels and notes of `portal status`'s report (domain text) as the dashboard says them.
DEADLINE_LABELS = {
    "部门年度报告（1月31日前）": N_("部门及其他机关的年度报告（1月31日前）"),
    "政府年度报告（3月31日前）": N_("人民政府的年度报告（3月31日前）"),
}
NOTE_MESSAGES = {
    "holiday calendar unknown for a year involved: Monday to Friday counted as working days": N_(
        "所涉年份的法定节假日安排尚未公布，该年按周一至周五计算工作日。"
    ),
}


def _comment(text: str | None) -> str:
    """A comment as typed, its lines kept, each line's invisible characters dropped."""
    lines = [visible_text(line) for line in (text or "").splitlines()]
    return "\n".join(lines).strip()


class ApproveForm(FlaskForm):
    """Approving the stage the page showed, with an optional note for the audit log."""

    stage = HiddenField()
    comment = TextAreaField(
        filters=[_comment],
        validators=[Length(max=approvals.COMMENT_LENGTH, message=TOO_LONG)],
    )


class ReturnForm(FlaskForm):
    """Returning the document to its drafter: why is required."""

    reason = TextAreaField(
        filters=[_comment],
        validators=[
            DataRequired(REFUSALS[approvals.NO_COMMENT]),
            Length(max=approvals.COMMENT_LENGTH, message=TOO_LONG),
        ],
    )


def _desk() -> approvals.Desk:
    config = current_app.config
    return approvals.Desk(Path(config["CONTENT_DIR"]), config["DEFAULT_ORGANISATION"])


def _today():
    return wiring.db.now().astimezone(CHINA).date()


def _in_china(moment):
    """A stored moment (UTC) in China time, as staff read it."""
    return moment.astimezone(CHINA) if moment is not None else None


def _member_bodies(member) -> set[str]:
    """The bodies in which the member takes part in review."""
    return {o for o, role in member.roles if role in approvals.WORKFLOW_ROLES}


def _catalogue():
    """The catalogue as the files are now: a reviewer sees the approval just made on another
    worker, and the public page the document just published (not the background refresh's
    previous reading)."""
    return wiring.catalogue.store().refresh()


@blueprint.route("/")
def queue():
    """The documents waiting at the stages the account holds, overdue first; for drafters, the
    documents returned to them."""
    member = access.member()
    catalogue = _catalogue()
    db = wiring.db.session()
    returned = approvals.returned(db)
    status = approvals.report(catalogue, returned, _today())
    drafts = approvals.drafts_by_slug(catalogue)
    accounts = approvals.names_of(db, approvals.approvers(drafts.values()))
    return render_template(
        "admin/review/queue.html",
        waiting=approvals.queue(status, drafts, member, accounts),
        sent_back=approvals.returned_to(status, member, returned),
        stages_held=[(o, r) for o, r in member.roles if r in STAGES],
        drafts_in=member.organisations_for(approvals.DRAFTER),
        in_china=_in_china,
    )


@blueprint.route("/dashboard")
def dashboard():
    """What `portal status` reports, for the bodies the account reviews in (all, for a
    platform administrator)."""
    member = access.member()
    bodies = None if member.is_administrator else _member_bodies(member)
    catalogue = _catalogue()
    returned = approvals.returned(wiring.db.session())
    status = approvals.report(catalogue, returned, _today())
    return render_template(
        "admin/review/dashboard.html",
        board=approvals.dashboard(status, bodies),
        stages=STAGES,
        everywhere=bodies is None,
        deadline_labels=DEADLINE_LABELS,
        note_messages=NOTE_MESSAGES,
    )


def _document(slug: str):
    """The document in review at this address, if the account takes part in review in its
    body (a logged 403 if not; 404 if there is none)."""
    found = approvals.find(_catalogue(), slug)
    if found is None:
        raise refusal(404, _("没有这个待审核的文件。"))
    member = access.member()
    if found.organisation not in _member_bodies(member):
        access.require(found.waiting_for or STAGES[0], found.organisation)  # the logged 403
    return found


def _version_argument() -> int | None:
    """The ?against= version to compare with, if given; a clear 400 when it is no number."""
    text = request.args.get("against")
    if text is None:
        return None
    number = whole_number(text, 12)
    if number is None:
        raise refusal(400, _("要比较的版本编号应为正整数。"))
    return number


def _page(found, status: int = 200, errors=None, refused: str | None = None, forms=None):
    """The review page of a document, read afresh from its file."""
    try:
        document, text = _desk().read(found.path)
    except approvals.Refused:
        raise refusal(409, _(REFUSALS[approvals.FILE])) from None
    against = _version_argument()
    db = wiring.db.session()
    standing = approvals.standing(db, document, text, against)
    if against is not None and (standing.base is None or standing.base.version_id != against):
        raise refusal(404, _("该文件没有这个版本。"))
    member = access.member()
    accounts = approvals.names_of(db, approvals.approvers([document]))
    waiting = document.waiting_for
    forms = forms or {}
    return render_template(
        "admin/review/document.html",
        document=document,
        standing=standing,
        waiting=waiting,
        stages=STAGES,
        may_act=waiting is not None
        and standing.returned is None
        and member.holds(waiting, document.organisation),
        approved_by_you=approvals.approved_by(member, document, accounts),
        due=approvals.due_date(document),
        today=_today(),
        approve_form=forms.get("approve") or ApproveForm(stage=waiting),
        return_form=forms.get("return") or ReturnForm(),
        errors=errors or {},
        refused=refused,
        voided_message=VOIDED.get(standing.voided),
        in_china=_in_china,
        path=_desk().shown(document.path),
    ), status


@blueprint.route("/documents/<slug>")
def document(slug: str):
    """A document's review page."""
    return _page(_document(slug))


@blueprint.route("/documents/<slug>/approve", methods=["POST"])
def approve(slug: str):
    """Approve the stage the page showed, as the signed-in account."""
    found = _document(slug)
    form = ApproveForm()
    errors = problems(form, _)
    stage = form.stage.data
    if stage not in STAGES:
        raise refusal(400, _("审核环节无效，请返回上一页，刷新后再提交。"))
    member = access.require(stage, found.organisation)
    if errors:
        return _page(found, 400, errors, forms={"approve": form})
    try:
        recorded = approvals.approve(
            wiring.db.session(),
            _desk(),
            member,
            found.path,
            stage,
            wiring.db.now(),
            form.comment.data,
        )
    except approvals.Refused as refused:
        log.warning("approval of %s at %s by %r refused: %s", slug, stage, member.username, refused)
        return _page(found, 409, refused=_(REFUSALS[refused.reason]), forms={"approve": form})
    log.info(
        "%s approved %s of %s (%s)", member.username, stage, slug, recorded.change.document.digest
    )
    if recorded.published:
        flash(_("已审核通过（%(stage)s）。全部环节已审核通过，文件已发布。", stage=_(stage)))
    else:
        flash(_("已审核通过（%(stage)s）。", stage=_(stage)))
    return redirect(url_for(".document", slug=slug))


@blueprint.route("/documents/<slug>/return", methods=["POST"])
def send_back(slug: str):
    """Return the document to its drafter with the reason, at the stage it waits for."""
    found = _document(slug)
    form = ReturnForm()
    errors = problems(form, _)
    member = access.require(found.waiting_for or STAGES[-1], found.organisation)
    if errors:
        return _page(found, 400, errors, forms={"return": form})
    try:
        approvals.send_back(
            wiring.db.session(), _desk(), member, found.path, form.reason.data, wiring.db.now()
        )
    except approvals.Refused as refused:
        log.warning("return of %s by %r refused: %s", slug, member.username, refused)
        return _page(found, 409, refused=_(REFUSALS[refused.reason]), forms={"return": form})
    log.info("%s returned %s to its drafter", member.username, slug)
    flash(_("已退回起草人。文件修改之前不会出现在任何审核队列中。"))
    return redirect(url_for(".document", slug=slug))
