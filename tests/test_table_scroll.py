"""Every table on a web page sits in the shared scroll region (the table_scroll tag)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

# Documents rendered to PDF by WeasyPrint on a fixed A4 page, never shown in a browser.
PRINT_DOCUMENTS = {
    "agenda/templates/agenda/document.html",
    "agenda/templates/agenda/curve/print.html",
    "cases/templates/cases/report_print.html",
    "indicators/templates/indicators/report.html",
}
BLOCK = re.compile(r"\{%\s*table_scroll\b.*?%\}.*?\{%\s*endtable_scroll\s*%\}", re.DOTALL)


def render(source, **context):
    return Template("{% load kansrijk_ui %}" + source).render(Context(context))


def test_the_tag_makes_a_labelled_region_that_keyboard_users_can_scroll():
    html = render(
        '{% table_scroll "goal-" goal "-caption" %}<table><caption id="goal-7-caption">'
        "Doelen</caption></table>{% endtable_scroll %}",
        goal=7,
    )
    region = re.search(r'<div class="[^"]*kansrijk-table-scroll__region"[^>]*>', html).group(0)
    assert 'role="region"' in region
    assert 'aria-labelledby="goal-7-caption"' in region
    assert 'tabindex="0"' in region
    assert "<table><caption" in html, "the table is rendered as written, not escaped"


def test_the_hint_waits_for_the_script_to_find_the_table_too_wide():
    html = render('{% table_scroll "t" %}<table></table>{% endtable_scroll %}')
    hint = re.search(r"<p [^>]*kansrijk-table-scroll__hint[^>]*>([^<]*)</p>", html)
    assert " hidden" in hint.group(0)
    assert hint.group(1) == "Scroll horizontaal voor meer kolommen"


def test_the_tag_takes_an_extra_class_for_the_wrapper():
    html = render(
        '{% table_scroll "t" extra_class="kansrijk-x" %}<table></table>{% endtable_scroll %}'
    )
    assert 'class="kansrijk-table-scroll kansrijk-x"' in html


def test_the_tag_needs_the_label_id():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load kansrijk_ui %}{% table_scroll %}<table></table>{% endtable_scroll %}")


def test_every_table_of_a_web_page_is_in_a_scroll_region():
    package = Path(settings.PACKAGE_DIR)
    outside = []
    for path in package.rglob("templates/**/*.html"):
        name = str(path.relative_to(package))
        if name in PRINT_DOCUMENTS or path.name == "table_scroll.html":
            continue
        text = BLOCK.sub("", path.read_text(encoding="utf-8"))
        if "<table" in text:
            outside.append(name)
    assert outside == []


def test_the_print_documents_are_still_there():
    """The exemption list must not outlive the files it names."""
    package = Path(settings.PACKAGE_DIR)
    assert [name for name in PRINT_DOCUMENTS if not (package / name).exists()] == []
