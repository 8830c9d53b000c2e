"""Reading preferences without JavaScript: each choice is a button of a POST form; the answer
stores the allow-listed values in a cookie and sends the visitor back to the page they were on.
site.js posts the same form in the background and gets the new state as JSON."""

from flask import Blueprint, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from portal import preferences
from portal.web.errors import refusal
from portal.web.security import safe_local_path, same_site
from portal.wiring import preferences as reading

blueprint = Blueprint("preferences", __name__)

MAX_NEXT = 2000


@blueprint.post("/preferences")
def update():
    """Apply the chosen preferences and go back (303) to the page the form was on."""
    if not same_site(request):
        raise refusal(403, _("只能在本站页面上更改阅读设置。请回到本站页面，再试一次。"))
    registry = reading.registry()
    chosen = preferences.update(reading.current(), request.form, registry.allowed, registry.schemes)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify(
            {"state": chosen, "classes": preferences.html_classes(chosen, registry.allowed)}
        )
        response.headers["Cache-Control"] = "no-store"
        reading.store(response, chosen)
        return response
    target = request.form.get("next", "")
    target = safe_local_path(
        target if len(target) <= MAX_NEXT else "", fallback=url_for("home.index")
    )
    if "#" not in target:
        target += f"#{preferences.PANEL_ID}"
    response = redirect(target, code=303)
    reading.store(response, chosen, reopen=True)
    return response
