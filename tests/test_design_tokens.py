"""The Utrecht components get every design token they need from our theme.

A component rule such as `background-image: var(--utrecht-select-background-image)` has
no fallback: when no theme defines the token, the declaration is dropped at computed-value
time and the select loses its arrow without any error. This test reads the component CSS
the pages load, keeps the rules whose classes our templates use, and checks that every
custom property such a rule needs without a fallback is defined by the theme files (the
NL Design System example theme and `kansrijk/tokens.css`), also through the tokens those
definitions point at. The few we leave to the component's own behaviour are listed below,
each with its reason.
"""

import re
from collections import defaultdict
from pathlib import Path

import tinycss2
from django.conf import settings

COMPONENT_CSS = settings.NODE_MODULES / "@utrecht/component-library-css/dist/index.css"
THEME_FILES = [
    settings.NODE_MODULES / "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css",
    Path(settings.PACKAGE_DIR) / "static/kansrijk/tokens.css",
]
OUR_STYLESHEETS = sorted((Path(settings.PACKAGE_DIR) / "static/kansrijk").glob("*.css"))

# Tokens deliberately left undefined: the declaration then falls back to the property's
# inherited or initial value, which is what we want.
LEFT_TO_THE_FALLBACK = {
    # `text-transform` and `font-style` become `unset`: inherited from the page, which
    # keeps the text as written.
    "--utrecht-button-text-transform": "the button keeps the text as written",
    "--utrecht-table-header-text-transform": "headers keep the text as written",
    "--utrecht-table-header-cell-text-transform": "headers keep the text as written",
    "--utrecht-form-control-placeholder-font-style": "placeholder in the normal style",
    "--utrecht-form-field-description-font-style": "descriptions in the normal style",
    "--utrecht-form-field-error-message-font-style": "errors in the normal style",
    "--utrecht-status-badge-font-style": "badges in the normal style",
    # `background-image` becomes `none`: a plain footer.
    "--utrecht-page-footer-background-image": "no picture behind the footer",
}


def parse(path):
    return tinycss2.parse_stylesheet(
        path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )


def style_rules(nodes):
    """(selector, declarations) of every rule, also those inside @media and @supports."""
    for node in nodes:
        if node.type == "qualified-rule":
            declarations = tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            )
            yield (
                tinycss2.serialize(node.prelude).strip(),
                [d for d in declarations if d.type == "declaration"],
            )
        elif node.type == "at-rule" and node.content is not None:
            yield from style_rules(
                tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            )


def unresolved(tokens, defined):
    """The custom properties a value needs and `defined` lacks.

    `var(--a, fallback)` needs `--a` only when the fallback itself cannot be resolved.
    """
    missing = set()
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            name = next(a.value for a in token.arguments if a.type == "ident")
            comma = next(
                (
                    i
                    for i, a in enumerate(token.arguments)
                    if a.type == "literal" and a.value == ","
                ),
                None,
            )
            if name in defined:
                continue
            if comma is None:
                missing.add(name)
            else:
                missing |= unresolved(token.arguments[comma + 1 :], defined)
        elif token.type == "function":
            missing |= unresolved(token.arguments, defined)
        elif isinstance(getattr(token, "content", None), list):
            missing |= unresolved(token.content, defined)
    return missing


def definitions(paths):
    """Every custom property the files set, with the values it is given."""
    found = defaultdict(list)
    for path in paths:
        for _selector, declarations in style_rules(parse(path)):
            for declaration in declarations:
                if declaration.name.startswith("--"):
                    found[declaration.name].append(declaration.value)
    return found


def resolvable(defined_values):
    """The names whose value resolves: a token pointing at a missing token is missing too."""
    resolved = set()
    changed = True
    while changed:
        changed = False
        for name, values in defined_values.items():
            if name not in resolved and any(not unresolved(v, resolved) for v in values):
                resolved.add(name)
                changed = True
    return resolved


def classes_in_our_markup():
    """Every `utrecht-…` class our templates and Python code (form widgets) write."""
    classes = set()
    for pattern in ("**/templates/**/*.html", "**/*.py"):
        for path in Path(settings.PACKAGE_DIR).glob(pattern):
            classes |= set(re.findall(r"utrecht-[a-z0-9_-]*[a-z0-9]", path.read_text("utf-8")))
    return classes


def applies_to_our_markup(selector, classes):
    """A rule applies when one of its selectors uses only classes that we write."""
    for part in selector.split(","):
        needed = re.findall(r"\.(utrecht-[a-z0-9_-]+)", part)
        if needed and all(name in classes for name in needed):
            return True
    return False


def test_every_token_the_components_need_is_defined_by_the_theme():
    component_rules = list(style_rules(parse(COMPONENT_CSS)))
    # A component's private `--_utrecht-…` properties are set by the component itself.
    defined = resolvable(definitions([*THEME_FILES, COMPONENT_CSS])) | set(LEFT_TO_THE_FALLBACK)
    classes = classes_in_our_markup()
    missing = defaultdict(set)
    for selector, declarations in component_rules:
        if not applies_to_our_markup(selector, classes):
            continue
        for declaration in declarations:
            for name in unresolved(declaration.value, defined):
                missing[name].add(f"{selector.split(',')[0]} {{ {declaration.name} }}")
    assert dict(missing) == {}


def test_the_rule_finder_sees_the_select_arrow():
    """Guards the test above against finding nothing: the select's arrow is a token."""
    needed = set()
    for selector, declarations in style_rules(parse(COMPONENT_CSS)):
        if applies_to_our_markup(selector, {"utrecht-select", "utrecht-select--html-select"}):
            for declaration in declarations:
                needed |= unresolved(declaration.value, set())
    assert "--utrecht-select-background-image" in needed


def test_the_allow_list_names_only_tokens_the_theme_does_not_set():
    defined = definitions(THEME_FILES)
    assert [name for name in LEFT_TO_THE_FALLBACK if name in defined] == []


def test_our_stylesheets_use_only_defined_tokens():
    """Our own CSS refers to tokens by name too; a typo would silently drop a rule."""
    defined = resolvable(definitions([*THEME_FILES, COMPONENT_CSS, *OUR_STYLESHEETS]))
    missing = defaultdict(set)
    for path in OUR_STYLESHEETS:
        for selector, declarations in style_rules(parse(path)):
            for declaration in declarations:
                for name in unresolved(declaration.value, defined):
                    missing[name].add(f"{path.name}: {selector}")
    assert dict(missing) == {}


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colour_of(name, values):
    """Follows `var()` links to a `#rrggbb` colour."""
    value = tinycss2.serialize(values[name][-1]).strip()
    link = re.fullmatch(r"var\((--[a-z0-9-]+)\)", value)
    return colour_of(link.group(1), values) if link else value


def test_the_select_arrow_stands_out_from_the_field():
    """WCAG 1.4.11: a graphical part of a control needs 3:1 against its background."""
    values = definitions(THEME_FILES)
    image = tinycss2.serialize(values["--utrecht-select-background-image"][-1])
    arrow = "#" + re.search(r"stroke='%23([0-9a-fA-F]{6})'", image).group(1)
    field = colour_of("--basis-form-control-background-color", values)
    assert contrast(arrow, field) >= 3
