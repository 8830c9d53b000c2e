"""The applications desk at /admin/applications: the 申请办理 staff of a body list the
applications made to it, open a case (the applicant's request and personal data, the deadline
in working days), ask for a correction (补正), consult a third party (第三十二条), extend the
deadline once (第三十三条) and record the reply with its files: the record `portal report-stats`
counts. Every opening of a case, let in or refused, is recorded and shown on the case to the
body's staff; anyone else signed in gets a logged 403 (portal.admin.access)."""

import datetime
import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from portal import accounts, applications, wiring
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.text import N_
from portal.web import accepts_body, error_response, files, refusal, visible_text
from portal.workflow import CHINA

ROLE = "申请办理"
blueprint = Blueprint("applications_desk", __name__, url_prefix=PREFIX + "/applications")
log = logging.getLogger(__name__)

# The longest texts staff write: a correction notice and a reply.
NOTE_LENGTH = 2000
REPLY_LENGTH = 20000
# Besides the files, a reply's fields and multipart framing fit in this.
FORM_BYTES = 256 * 1024


def reply_request_bytes(config) -> int:
    """The largest reply the desk takes: its files at their limit and the form around them."""
    return applications.MAX_FILES * config["REPLY_ATTACHMENT_MAX_BYTES"] + FORM_BYTES


def _form_bytes(_config) -> int:
    return FORM_BYTES


@blueprint.errorhandler(applications.StoreUnavailable)
def unavailable(error):
    """503: the database cannot be used now; nothing was changed."""
    log.error("applications database unavailable: %s", error)
    return error_response(
        refusal(
            503,
            _("申请数据库暂时无法使用，刚才的操作没有保存。请稍后再试。"),
            {"Retry-After": "60"},
        )
    )


def _store() -> applications.ApplicationStore:
    return wiring.applications.store()


def _today() -> datetime.date:
    """Today in China, where the deadlines run, by the app's clock."""
    return wiring.db.now().astimezone(CHINA).date()


def _organisations() -> list[str]:
    """The bodies whose applications the signed-in member handles; a logged 403 for none."""
    found = access.organisations_for(ROLE)
    if not found:
        access.require(ROLE, accounts.PLATFORM)
    return found


def _case(code: str) -> applications.Application:
    """The application, when the signed-in member handles its body's applications; the
    opening is recorded either way, and a member of another body gets a logged 403."""
    store = _store()
    found = store.get(code)
    if found is None:
        raise refusal(404, _("没有查询码为 %(code)s 的申请。", code=code[:20]))
    member = access.member()
    allowed = member.holds(ROLE, found.organisation)
    store.record_view(found.code, member.id, wiring.db.now(), allowed)
    if not allowed:
        access.require(ROLE, found.organisation)
    return found


def _date(text: str, errors: dict, name: str, *, latest: datetime.date) -> datetime.date | None:
    """A date typed into a form (2024-09-27), not after `latest`; else a message in errors."""
    value = visible_text(text or "")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        errors[name] = _("请按 2024-09-27 的格式填写日期。")
        return None
    if day > latest:
        errors[name] = _("日期不能晚于今天。")
        return None
    return day


def _text(name: str, limit: int) -> str:
    return (request.form.get(name) or "").replace("\r\n", "\n").strip()[:limit]


# --- The list -----------------------------------------------------------------------------


def _query(errors: dict) -> applications.DeskQuery:
    """The list's filters from the address, parsed once; problems go into errors."""
    args = request.args
    status = args.get("status", "")
    if status and status not in applications.STATUSES:
        errors["status"] = _("请选择列表中的办理状态。")
        status = ""
    start = end = None
    if args.get("from"):
        start = _date(args["from"], errors, "from", latest=datetime.date.max)
    if args.get("to"):
        end = _date(args["to"], errors, "to", latest=datetime.date.max)
    if start and end and start > end:
        errors["to"] = _("截止日期不能早于起始日期。")
    return applications.DeskQuery(
        status=status,
        received_from=start,
        received_to=end,
        text=visible_text(args.get("q", ""))[:100],
    )


@blueprint.route("/")
def index():
    """The applications made to the member's bodies: the overdue and soonest due first."""
    organisations = _organisations()
    errors: dict[str, str] = {}
    query = _query(errors)
    found = []
    if not errors:
        found = applications.listing(
            _store().received_between(organisations, query.received_from, query.received_to),
            query,
        )
    today = _today()
    rows = [(app, applications.working_days_left(app, today)) for app in found]
    values = {name: request.args.get(name, "")[:100] for name in ("status", "from", "to", "q")}
    return render_template(
        "admin/applications/list.html",
        rows=rows,
        values=values,
        errors=errors,
        statuses=applications.STATUSES,
        several=len(organisations) > 1,
        format_code=applications.format_code,
    ), (400 if errors else 200)


# --- A case ------------------------------------------------------------------------------


def _case_page(app: applications.Application, errors: dict | None = None, status: int = 200):
    store = _store()
    return render_template(
        "admin/applications/case.html",
        application=app,
        code=applications.format_code(app.code),
        left=applications.working_days_left(app, _today()),
        today=_today().isoformat(),
        errors=errors or {},
        values=request.form if errors else {},
        labels=_labels(),
        attachments=store.attachments(app.code),
        replied_by=store.account_name(app.replied_by),
        views=store.views(app.code),
        available_steps=applications.available_steps,
        china_time=_china_time,
    ), status


def _china_time(moment: datetime.datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _labels() -> dict:
    return {
        "kinds": applications.APPLICANT_KINDS,
        "id_types": applications.ID_TYPES,
        "forms": applications.FORMS,
        "deliveries": applications.DELIVERIES,
        "statuses": applications.STATUSES,
        "outcomes": applications.OUTCOMES,
    }


@blueprint.route("/<code>")
def case(code: str):
    """One application: the request, the applicant, the deadline, what was done, who looked."""
    return _case_page(_case(code))


def _action(step: str, errors: dict, today: datetime.date) -> applications.Action | None:
    """The staff action a form of the case page asks for; None, with errors, when it is wrong."""
    if step == "correction":
        day = _date(request.form.get("correction_date"), errors, "correction_date", latest=today)
        note = _text("correction_note", NOTE_LENGTH)
        if not note:
            errors["correction_note"] = _("请写明需要申请人补正的事项。")
        return applications.Action(correction_requested=day, correction_note=note)
    if step == "corrected":
        day = _date(request.form.get("corrected_date"), errors, "corrected_date", latest=today)
        return applications.Action(corrected=day)
    if step == "consultation":
        day = _date(
            request.form.get("consultation_date"), errors, "consultation_date", latest=today
        )
        return applications.Action(consultation_started=day)
    if step == "consulted":
        day = _date(request.form.get("consulted_date"), errors, "consulted_date", latest=today)
        return applications.Action(consultation_ended=day)
    if step == "extend":
        return applications.Action(extend=True)
    raise refusal(400, _("无法识别的操作。请回到申请页面重新操作。"))


# Why a step the case offers was refused: its date is earlier than the one it follows.
REFUSED = {
    "correction": N_("告知补正的日期不能早于收到申请的日期。"),
    "corrected": N_("收到补正的日期不能早于告知补正的日期。"),
    "consultation": N_("征求第三方意见的日期不能早于收到申请的日期。"),
    "consulted": N_("收到第三方意见的日期不能早于征求意见的日期。"),
    "extend": N_("答复期限已经延长过一次，不能再延长。"),
}
# What the member is told once a step of the case is recorded.
DONE = {
    "correction": N_("已记录：已告知申请人补正，答复期限暂停计算。"),
    "corrected": N_("已记录：已收到补正，答复期限重新计算。"),
    "consultation": N_("已记录：正在征求第三方意见，答复期限暂停计算。"),
    "consulted": N_("已记录：已收到第三方意见，答复期限已顺延。"),
    "extend": N_("已记录：答复期限已延长 20 个工作日。"),
}


@blueprint.route("/<code>/handle", methods=["POST"])
def handle(code: str):
    """A step of the case: a 补正 request or its arrival, a third party consulted or its
    opinion received, the extension."""
    app = _case(code)
    errors: dict[str, str] = {}
    step = request.form.get("step", "")
    action = _action(step, errors, _today())
    field = "extend" if step == "extend" else f"{step}_date"
    if step not in applications.available_steps(app):
        errors = {field: _("这一步现在不能办理：申请的状态已经改变。请查看申请的最新状态。")}
    if not errors:
        try:
            _store().act(app.code, action)
        except applications.ApplicationError as error:
            log.info("desk step %s refused on %s: %s", step, app.code, error)
            errors[field] = _(REFUSED[step])
    if errors:
        return _case_page(app, errors, 400)
    log.info("desk step %s on %s by %r", step, app.code, access.member().username)
    flash(_(DONE[step]))
    return redirect(url_for(".case", code=app.code))


# --- The reply ---------------------------------------------------------------------------


def _uploads(errors: dict) -> list[applications.Upload]:
    """The files chosen for the reply, read and checked; problems go into errors."""
    limit = current_app.config["REPLY_ATTACHMENT_MAX_BYTES"]
    chosen = [item for item in request.files.getlist("attachments") if item.filename]
    if len(chosen) > applications.MAX_FILES:
        errors["attachments"] = _("一次答复最多附 %(count)d 个文件。", count=applications.MAX_FILES)
        return []
    uploads = []
    for item in chosen:
        content = item.stream.read(limit + 1)
        problem = applications.upload_problem(item.filename, content, limit)
        if problem is not None:
            message, values = problem
            errors["attachments"] = _(message, **values)
            return []
        uploads.append(applications.Upload(item.filename, content))
    return uploads


@blueprint.route("/<code>/reply", methods=["GET", "POST"])
@accepts_body(reply_request_bytes, _form_bytes)
def reply(code: str):
    """The reply: its outcome (a result row of table 3), date, text and files."""
    app = _case(code)
    if app.outcome:
        return redirect(url_for(".case", code=app.code))
    errors: dict[str, str] = {}
    values = {"replied": _today().isoformat()}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in ("outcome", "replied", "text")}
        outcome = request.form.get("outcome", "")
        if outcome not in applications.OUTCOMES:
            errors["outcome"] = _("请选择办理结果。")
        day = _date(request.form.get("replied"), errors, "replied", latest=_today())
        text = _text("text", REPLY_LENGTH)
        if not text:
            errors["text"] = _("请填写答复内容。")
        uploads = _uploads(errors)
        if not errors:
            try:
                _store().act(
                    app.code,
                    applications.Action(
                        outcome=outcome,
                        replied=day,
                        reply_text=text,
                        replied_by=access.member().id,
                    ),
                    uploads,
                )
            except applications.ApplicationError as error:
                log.info("desk reply refused on %s: %s", app.code, error)
                errors["replied"] = _("答复日期不能早于收到申请的日期。")
        if not errors:
            log.info("desk reply %s on %s by %r", outcome, app.code, access.member().username)
            flash(_("答复已记录，将计入年度报告的表三。"))
            return redirect(url_for(".case", code=app.code))
    return render_template(
        "admin/applications/reply.html",
        application=app,
        code=applications.format_code(app.code),
        errors=errors,
        values=values,
        groups=applications.outcome_groups(),
        max_files=applications.MAX_FILES,
        limit_mb=f"{current_app.config['REPLY_ATTACHMENT_MAX_BYTES'] / 1024 / 1024:g}",
    ), (400 if errors else 200)


@blueprint.route("/<code>/attachments/<int:number>")
def attachment(code: str, number: int):
    """A file sent with the reply, to the body's staff only, under the site's file policy."""
    app = _case(code)
    found = _store().attachment(app.code, number)
    if found is None:
        raise refusal(404, _("这份答复没有这个附件。"))
    return files.send_data(request.environ, found.content, found.name, 0)
