"""Online disclosure applications: the form at /apply/, its confirmation, and tracking at
/apply/track. Pages that show personal data are POST answers marked no-store, so they never
reach a cache, a URL or a log."""

import logging

from flask import Blueprint, current_app, make_response, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from portal import applications, wiring
from portal.web import ascii_digits, i18n, visible_text
from portal.web.errors import error_response, refusal
from portal.web.security import same_site

blueprint = Blueprint("applications", __name__, url_prefix="/apply")
log = logging.getLogger(__name__)

HONEYPOT = "website"


@blueprint.errorhandler(applications.StoreUnavailable)
def unavailable(error: applications.StoreUnavailable):
    """503 in the site's design: nothing was stored, and applications can be sent on paper."""
    log.error("applications database unavailable: %s", error)
    guide = Markup('<a href="%s">%s</a>') % (
        url_for("catalogue.browse", slug="guide"),
        _("政府信息公开指南"),
    )
    message = Markup(
        _(
            "网上申请暂时无法使用，您刚才提交的内容没有保存。请稍后再试；您也可以通过信函、"
            "当面等方式向本机关提出政府信息公开申请，受理机构的地址、电话见%(guide)s。"
        )
    ) % {"guide": guide}
    return error_response(refusal(503, message, {"Cache-Control": "no-store", "Retry-After": "60"}))


def _require_same_site() -> None:
    if not same_site(request):
        raise refusal(400, _("只能通过本站页面提交。请回到本站的表单页面，再提交一次。"))


def _private(html: str, status: int = 200):
    """A page with personal data: no cache may keep it."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _choices(organisations) -> dict:
    return {
        "organisations": organisations,
        "locale": i18n.select_locale(),
        "fields": applications.FORM_FIELDS,
        "kinds": applications.APPLICANT_KINDS,
        "id_types": applications.ID_TYPES,
        "forms": applications.FORMS,
        "deliveries": applications.DELIVERIES,
    }


@blueprint.route("/", methods=["GET", "POST"])
def form():
    """The application form; a valid POST stores the application and shows its code.

    The form is made to one body (受理机关): ?organisation=ID (an organisation page's link)
    chooses it beforehand; an id that names no body is ignored and the applicant chooses."""
    organisations = wiring.catalogue.current().organisations
    if request.method == "GET":
        chosen = request.args.get("organisation", "")
        values = {"organisation": chosen} if organisations.get(chosen) else {}
        return render_template(
            "applications/form.html", values=values, errors={}, **_choices(organisations)
        )
    _require_same_site()
    if request.form.get(HONEYPOT):
        raise refusal(
            400,
            _(
                "无法受理：表单中一个隐藏的、应当留空的栏目被填写了。"
                "如果您使用了自动填表工具，请关闭后再提交。"
            ),
        )
    cleaned, errors = applications.validate(request.form, organisations.by_id)
    if errors:
        values = {name: request.form.get(name, "") for name in request.form if name != HONEYPOT}
        html = render_template(
            "applications/form.html",
            values=values,
            errors={name: _(message) for name, message in errors.items()},
            **_choices(organisations),
        )
        return _private(html, 400)
    limit = current_app.config["APPLICATION_SUBMISSIONS_PER_HOUR"]
    store = wiring.applications.store()
    if not wiring.limits.take("submit", limit):
        raise refusal(
            429,
            _(
                "同一网络地址一小时内最多提交 %(limit)d 份申请。请一小时后再试，"
                "或通过信函、当面方式提交。",
                limit=limit,
            ),
        )
    application = store.submit(cleaned, applications.today())
    log.info("application %s received", application.code)
    return _private(
        render_template(
            "applications/submitted.html",
            application=application,
            code=applications.format_code(application.code),
        )
    )


@blueprint.route("/track", methods=["GET", "POST"])
def track():
    """Ask for the tracking code and the phone's last four digits; show the status."""
    if request.method == "GET":
        return render_template("applications/track.html", values={}, errors={})
    _require_same_site()
    code = visible_text(request.form.get("code", "")[:40])
    last4 = ascii_digits(request.form.get("phone_last4", "")[:10]) or ""
    errors = {}
    if not applications.normalise_code(code):
        errors["code"] = _("请填写查询码。")
    if len(last4) != 4:
        errors["phone_last4"] = _("请填写联系电话的最后4位数字。")
    found = None
    if not errors:
        limit = current_app.config["TRACKING_FAILURES_PER_HOUR"]
        too_many = refusal(
            429,
            _(
                "查询失败次数过多：同一网络地址一小时内最多可输错 %(limit)d 次。请一小时后再试。",
                limit=limit,
            ),
        )
        store = wiring.applications.store()
        if not wiring.limits.has_room("track", limit):
            raise too_many
        found = store.lookup(code, last4)
        # Only a failure counts; one that finds the hour's failures used up (by guesses
        # made at the same moment) is refused like the guesses after it.
        if found is None and not wiring.limits.take("track", limit):
            raise too_many
        if found is None:
            errors["code"] = _("查询码与手机号码后四位不匹配，请核对后重试。")
    if found is None:
        html = render_template("applications/track.html", values={"code": code}, errors=errors)
        return _private(html, 400)
    return _private(
        render_template(
            "applications/status.html",
            application=found,
            code=applications.format_code(found.code),
            statuses=applications.STATUSES,
            outcomes=applications.OUTCOMES,
        )
    )
