"""Template helpers for Kansrijk's NL Design System look.

Form widgets get the Utrecht component classes here, so every template renders a field
the same way (label, description, error message and the ``aria-describedby`` that ties
them to the input; Django 5.2 writes that attribute with the ids used in
``includes/form_field.html``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms, template

register = template.Library()

XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def _component(widget: forms.Widget) -> str:
    """The Utrecht form control component for a widget ("" for grouped inputs)."""
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.CheckboxInput):
        return "utrecht-checkbox"
    if isinstance(widget, forms.Select):
        return "utrecht-select"
    if isinstance(widget, forms.Textarea):
        return "utrecht-textarea"
    return "utrecht-textbox"


@register.simple_tag
def ui_widget(field: forms.BoundField, **attrs) -> str:
    """The field's widget with the Utrecht classes for its kind, plus ``attrs``
    (``autocomplete="username"``...); empty values in ``attrs`` are left out."""
    widget = field.field.widget
    component = _component(widget)
    classes = [widget.attrs.get("class", "")]
    if component:
        classes += [component, f"{component}--html-{_html_element(widget)}"]
        if field.errors:
            classes.append(f"{component}--invalid")
    widget_attrs = {"class": " ".join(c for c in classes if c)}
    widget_attrs.update({key: value for key, value in attrs.items() if value})
    return field.as_widget(attrs=widget_attrs)


def _html_element(widget: forms.Widget) -> str:
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.simple_tag
def main_menu_visible(user) -> bool:
    """Whether to show the main menu: logged in and, for roles that need it, past the
    two-factor check (the menu would only lead back to that check)."""
    if not getattr(user, "is_authenticated", False):  # no user on the 500 page
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified()) or not user.requires_two_factor()


@register.filter
def external_url(value: str) -> str:
    """A website as stored in reference data ("www.school.nl") as a link target."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith(("http://", "https://")):
        return value
    return "https://" + value


@register.filter
def display_url(value: str) -> str:
    """A website without its scheme and trailing slash, for the link text."""
    return re.sub(r"^https?://", "", (value or "").strip()).rstrip("/")


@register.filter
def minutes(value) -> int | None:
    """Whole minutes of a timedelta (the lockout cool-off), or None."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    return None


@register.filter
def groups_of(value: str, size: int) -> str:
    """A long key in groups ("ABCD EFGH ..."), easier to read and type over."""
    value = value or ""
    return " ".join(value[i : i + size] for i in range(0, len(value), size))


@register.filter
def inline_svg(markup: str) -> str:
    """SVG markup without its XML declaration, for use inside an HTML page."""
    return XML_DECLARATION_RE.sub("", markup or "")


@register.simple_tag
def page_links(page) -> list:
    """Page numbers around the current page, with ``Paginator.ELLIPSIS`` for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.tag("table_scroll")
def table_scroll(parser, token):
    """Wraps a table in the shared scroll region (``includes/table_scroll.html``)::

        {% table_scroll "caption-id" %}<table>…</table>{% endtable_scroll %}
        {% table_scroll "goal-" goal.pk "-caption" extra_class="kansrijk-timeline-container" %}

    The positional arguments, joined, are the id of the element that names the region
    (the caption). Every wide table uses this one tag, so they all scroll, and show that
    they do, the same way.
    """
    bits = token.split_contents()[1:]
    extra_class = None
    if bits and bits[-1].startswith("extra_class="):
        extra_class = parser.compile_filter(bits.pop().split("=", 1)[1])
    if not bits:
        raise template.TemplateSyntaxError("table_scroll needs the id of the region's label")
    label_parts = [parser.compile_filter(bit) for bit in bits]
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(label_parts, extra_class, nodelist)


class TableScrollNode(template.Node):
    def __init__(self, label_parts, extra_class, nodelist):
        self.label_parts = label_parts
        self.extra_class = extra_class
        self.nodelist = nodelist

    def render(self, context):
        wrapper = context.template.engine.get_template("includes/table_scroll.html")
        with context.push(
            labelled_by="".join(str(part.resolve(context)) for part in self.label_parts),
            extra_class=self.extra_class.resolve(context) if self.extra_class else "",
            table=self.nodelist.render(context),
        ):
            return wrapper.render(context)
