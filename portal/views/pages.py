"""Pages about the site itself: the accessibility statement and the keyboard shortcuts."""

import datetime

from flask import Blueprint, render_template

blueprint = Blueprint("pages", __name__)

# When the accessibility statement was last checked against the site; change it on review.
REVIEWED = datetime.date(2026, 11, 29)


@blueprint.get("/accessibility/")
def accessibility():
    """无障碍声明: the standards met, the features, the known limits, how to get help."""
    return render_template("pages/accessibility.html", reviewed=REVIEWED)


@blueprint.get("/accessibility/keyboard/")
def keyboard():
    """The keyboard shortcuts of the reading settings, and why these keys."""
    return render_template("pages/keyboard.html")
