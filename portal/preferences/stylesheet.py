"""The CSS of the colour schemes: tokens on <html> by class, the system's settings followed
until the visitor chooses, and the buttons that preview each choice."""

from collections.abc import Mapping

from portal.preferences.themes import DEFAULT_SCHEME, TEXT_COLOURS, TOKENS, Scheme

NOT_CHOSEN = ':root:not([class*="scheme-"])'


def _declarations(scheme: Scheme) -> str:
    """A scheme's custom properties, its text colours included (those it does not offer fall
    back to its own text colour and their buttons are not shown)."""
    parts = [f"--{token}: {scheme.colours[token]};" for token in TOKENS]
    for key in TEXT_COLOURS:
        offered = key in scheme.text_colours
        parts.append(f"--tc-{key}: {scheme.text_colours.get(key, scheme.colours['text'])};")
        parts.append(f"--tc-{key}-display: {'inline-block' if offered else 'none'};")
    parts.append(f"color-scheme: {'dark' if scheme.dark else 'light'};")
    return " ".join(parts)


def stylesheet(schemes: Mapping[str, Scheme]) -> str:
    """The CSS of the schemes: tokens on <html> by class, system settings followed until the
    visitor chooses, and the buttons that preview each choice."""
    lines = [
        "/* Colour schemes: generated at start-up from themes/*.toml by portal/preferences.py. */",
        f":root {{ {_declarations(schemes[DEFAULT_SCHEME])} }}",
    ]
    # Media rules come in order, so the last matching system setting wins (more contrast
    # beats dark when both are asked for).
    lines += [
        f"@media ({scheme.system}) {{ {NOT_CHOSEN} {{ {_declarations(scheme)} }} }}"
        for scheme in schemes.values()
        if scheme.system
    ]
    lines += [
        f":root.scheme-{scheme.id} {{ {_declarations(scheme)} }}" for scheme in schemes.values()
    ]
    lines += [f":root.text-{key} {{ --text: var(--tc-{key}); }}" for key in TEXT_COLOURS]
    lines += [
        f".text-choice-{key} {{ --choice-fg: var(--tc-{key}); display: var(--tc-{key}-display); }}"
        for key in TEXT_COLOURS
    ]
    lines += [
        f".scheme-choice-{scheme.id} {{ --preview-bg: {scheme.colours['bg']}; "
        f"--preview-fg: {scheme.colours['text']}; }}"
        for scheme in schemes.values()
    ]
    return "\n".join(lines) + "\n"
