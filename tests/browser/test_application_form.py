"""The application form with errors shown, used with the keyboard alone and checked by axe."""

from __future__ import annotations

from .checks import assert_focus_visible, axe_violations, describe_violations, tab_to
from .test_keyboard import press_and_wait, start


def test_the_application_form_with_errors_works_by_keyboard_and_passes_axe(
    fresh_context, live_server, axe_script
):
    fresh_context.add_init_script(path=str(axe_script))
    page = start(fresh_context, live_server, "/apply/")
    # Send the empty form: every required field is then reported.
    tab_to(page, "main form button[type=submit]", limit=120)
    press_and_wait(page, "Enter")
    assert page.locator(".error-summary li").count() >= 5
    assert page.evaluate("document.activeElement.matches('.error-summary')"), (
        "focus is not on the error summary after the form came back with errors"
    )

    violations = axe_violations(page)
    assert not violations, describe_violations(violations, page.url, "form with errors")

    # The first link of the summary takes focus to the field it names.
    state = tab_to(page, ".error-summary a", limit=3)
    target = page.evaluate("document.activeElement.getAttribute('href').slice(1)")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target, state["description"]
    assert_focus_visible(page, "the field named by the first error")
    # The error is tied to the control, or for a group of radio buttons to their fieldset.
    described = page.evaluate("""() => {
      const field = document.activeElement;
      const group = field.closest('fieldset');
      return (field.getAttribute('aria-describedby') || '') + ' '
        + ((group && group.getAttribute('aria-describedby')) || '');
    }""")
    assert f"{target}-error" in described, described
