"""The back office at /admin: staff sign in as themselves and act in the roles their account
holds. One guard (guard.check) stands before every back-office request; the session cookie is
the back office's alone (cookies.py); Flask-Login knows who is signed in (users.py); forms are
Flask-WTF's (forms.py); the pages are in views.py. The rules (passwords, throttle, sessions)
are portal.accounts', the tables portal.db's."""

import secrets

from flask import Flask

from portal.admin import (
    applications,
    drafting,
    guard,
    navigation,
    organisations,
    people,
    report_tables,
    review,
    users,
    views,
)
from portal.admin.cookies import PREFIX, BackOfficeSessions, in_back_office
from portal.admin.guard import PUBLIC, private
from portal.web import error_response, refusal, use_error_template

__all__ = ["PREFIX", "PUBLIC", "in_back_office", "init_app", "largest_request", "private"]


def largest_request(config) -> int:
    """The largest request body the back office takes (a draft with its attachment, a reply
    with its files), in bytes: what a proxy in front of the app must let through."""
    return max(drafting.draft_request_bytes(config), applications.reply_request_bytes(config))


def init_app(app: Flask) -> None:
    """Install the back office: its key, cookie session, CSRF protection, Flask-Login, the
    guard and its pages."""
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError

    from portal import db

    if not app.config.get("SECRET_KEY"):
        # Made before gunicorn forks, so every worker of one `portal serve` shares it.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    # The guard calls csrf.protect() for every back-office POST; the public forms keep their
    # own Origin check (portal.web.same_site).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.session_interface = BackOfficeSessions()
    guard.csrf.init_app(app)
    users.init_app(app)
    navigation.init_app(app)
    app.before_request(guard.check)
    # Staff who meet an error stay in the back office: its header, no public share links.
    use_error_template(app, "admin/error.html", in_back_office)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(drafting.blueprint)
    app.register_blueprint(people.blueprint)
    app.register_blueprint(organisations.blueprint)
    app.register_blueprint(applications.blueprint)
    app.register_blueprint(review.blueprint)
    app.register_blueprint(report_tables.blueprint)

    @app.errorhandler(CSRFError)
    def stale_form(_error):
        return error_response(
            refusal(
                400,
                _(
                    "表单已过期，或不是从本站的页面提交的，因此没有处理。"
                    "请返回上一页，刷新后再提交一次。"
                ),
            )
        )

    @app.errorhandler(db.SchemaBehind)
    @app.errorhandler(db.DatabaseUnavailable)
    def unavailable(error):
        app.logger.error("back office unavailable: %s", error)
        return error_response(
            refusal(
                503,
                _(
                    "管理后台暂时无法使用：数据库尚未准备好。请联系网站管理员"
                    "（需要在服务器上运行 portal db upgrade）。公开网站不受影响。"
                ),
                {"Retry-After": "60"},
            )
        )
