"""Online disclosure applications: the form at /apply/, its confirmation, and tracking at
/apply/track. Pages that show personal data are POST answers marked no-store, so they never
reach a cache, a URL or a log."""

import logging
from pathlib import Path

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from portal import applications
from portal.errors import UserError
from portal.request_values import ascii_digits, visible_text
from portal.security import same_site

blueprint = Blueprint("applications", __name__, url_prefix="/apply")
log = logging.getLogger(__name__)

HONEYPOT = "website"


class RateLimited(TooManyRequests):
    """A client that made too many attempts within the hour."""

    def __init__(self, message: str):
        super().__init__()
        self.user_message = message


def store() -> applications.ApplicationStore:
    """The application store of the running app, opened on first use."""
    path = Path(current_app.config["APPLICATIONS_DB"])
    found = current_app.extensions.get("portal.applications")
    if found is None or found.path != path:
        found = current_app.extensions["portal.applications"] = \
            applications.ApplicationStore(path)
    return found


def _client() -> str:
    return request.remote_addr or "unknown"


def _require_same_site() -> None:
    if not same_site(request):
        raise UserError(_("只能通过本站页面提交。请回到本站的表单页面，再提交一次。"))


def _private(html: str, status: int = 200):
    """A page with personal data: no cache may keep it."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _choices() -> dict:
    return {"kinds": applications.APPLICANT_KINDS, "id_types": applications.ID_TYPES,
            "forms": applications.FORMS, "deliveries": applications.DELIVERIES}


@blueprint.route("/", methods=["GET", "POST"])
def form():
    """The application form; a valid POST stores the application and shows its code."""
    if request.method == "GET":
        return render_template("applications/form.html", values={}, errors={}, **_choices())
    _require_same_site()
    if request.form.get(HONEYPOT):
        raise UserError(_("无法受理：表单中一个隐藏的、应当留空的栏目被填写了。"
                          "如果您使用了自动填表工具，请关闭后再提交。"))
    limit = current_app.config["APPLICATION_SUBMISSIONS_PER_HOUR"]
    if store().count_attempts("submit", _client()) >= limit:
        raise RateLimited(_("同一网络地址一小时内最多提交 %(limit)d 份申请。请一小时后再试，"
                            "或通过信函、当面方式提交。", limit=limit))
    cleaned, errors = applications.validate(request.form)
    if errors:
        values = {name: request.form.get(name, "") for name in request.form
                  if name != HONEYPOT}
        html = render_template("applications/form.html", values=values,
                               errors={name: _(message) for name, message in errors.items()},
                               **_choices())
        return _private(html, 400)
    application = store().submit(cleaned, applications.today())
    store().record_attempt("submit", _client())
    log.info("application %s received", application.code)
    return _private(render_template(
        "applications/submitted.html", application=application,
        code=applications.format_code(application.code)))


@blueprint.route("/track", methods=["GET", "POST"])
def track():
    """Ask for the tracking code and the phone's last four digits; show the status."""
    if request.method == "GET":
        return render_template("applications/track.html", values={}, errors={})
    _require_same_site()
    limit = current_app.config["TRACKING_FAILURES_PER_HOUR"]
    if store().count_attempts("track", _client()) >= limit:
        raise RateLimited(_("查询失败次数过多：同一网络地址一小时内最多可输错 %(limit)d 次。"
                            "请一小时后再试。", limit=limit))
    code = visible_text(request.form.get("code", "")[:40])
    last4 = ascii_digits(request.form.get("phone_last4", "")[:10]) or ""
    errors = {}
    if not applications.normalise_code(code):
        errors["code"] = _("请填写查询码。")
    if len(last4) != 4:
        errors["phone_last4"] = _("请填写联系电话的最后4位数字。")
    found = None if errors else store().lookup(code, last4)
    if found is None:
        if not errors:
            store().record_attempt("track", _client())
            errors["code"] = _("查询码与手机号码后四位不匹配，请核对后重试。")
        html = render_template("applications/track.html", values={"code": code},
                               errors=errors)
        return _private(html, 400)
    return _private(render_template(
        "applications/status.html", application=found,
        code=applications.format_code(found.code), statuses=applications.STATUSES,
        outcomes=applications.OUTCOMES))
