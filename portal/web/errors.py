"""Error pages in the site's own design: never a stack trace, always a way on."""

import logging
from collections.abc import Callable, Mapping

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    default_exceptions,
)

log = logging.getLogger(__name__)


def refusal(code: int, message: str, headers: Mapping[str, str] | None = None) -> HTTPException:
    """The HTTP error `code` whose page tells the visitor `message` (translated by the caller),
    with extra headers: the one way a view says why it refuses a request."""
    error = default_exceptions[code]()
    error.user_message = message
    error.extra_headers = dict(headers or {})
    return error


ERROR_TEMPLATES = "portal.error_templates"


def use_error_template(app: Flask, template: str, covers: Callable[[str], bool]) -> None:
    """Render the errors of every path `covers` accepts with `template` instead of error.html."""
    app.extensions.setdefault(ERROR_TEMPLATES, []).append((covers, template))


def init_app(app: Flask) -> None:
    """Render every HTTP error with the site's error template."""

    app.register_error_handler(HTTPException, error_response)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        return respond(InternalServerError()), 500


def error_response(error: HTTPException):
    """The answer to an HTTP error: its page (or JSON), its status and its headers."""
    return (
        respond(error),
        error.code,
        {**_allow_header(error), **getattr(error, "extra_headers", {})},
    )


def respond(error: HTTPException):
    """The error as the site's page, or as JSON for the machine interface under /api/."""
    if isinstance(error, SecurityError):
        # A Host header the site does not serve: no URL of this site can be built for it.
        return current_app.response_class("400 Bad Request: unknown host\n", mimetype="text/plain")
    if request.path.startswith("/api/"):
        return jsonify({"error": _message(error), "status": error.code})
    return render_error(error)


def _allow_header(error: HTTPException) -> dict:
    """A 405 must say which methods the URL accepts."""
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if error.code == 405 and methods else {}


def render_error(error: HTTPException) -> str:
    """The error page for an HTTP error."""
    titles = {
        400: _("请求有误"),
        403: _("此操作不被允许"),
        404: _("找不到该页面"),
        405: _("不支持此请求方式"),
        413: _("请求内容过大"),
        429: _("请求过于频繁"),
        500: _("服务器出错了"),
        503: _("服务暂时不可用"),
    }
    code = error.code or 500
    return render_template(
        _template_for(request.path),
        code=code,
        title=titles.get(code, _("出错了")),
        description=_message(error),
    )


def _template_for(path: str) -> str:
    """The error template of the part of the site `path` belongs to."""
    for covers, template in current_app.extensions.get(ERROR_TEMPLATES, ()):
        if covers(path):
            return template
    return "error.html"


def _message(error: HTTPException) -> str:
    """What to tell the visitor: the specific reason when we have one, else the general one."""
    explanations = {
        400: _("您提交的地址或内容有误，请检查后重试。"),
        403: _("该请求不是从本站页面发出的，因此未被处理。请回到本站页面重新操作。"),
        404: _("您要找的页面不存在，可能已移动或地址有误。"),
        405: _("该地址不支持此请求方式。"),
        413: _("您提交的内容超过了允许的大小。"),
        429: _("您在短时间内提交的次数过多，请一小时后再试。"),
        500: _("服务器处理您的请求时出错，我们已记录此问题。请稍后重试。"),
        503: _("该服务暂时不可用，请稍后重试。其他页面仍可正常访问。"),
    }
    return getattr(error, "user_message", None) or explanations.get(error.code or 500, "")
