"""No text a user or an import can fill reaches a page unescaped.

Django escapes every variable in a template unless the code says otherwise: ``|safe``,
``|safeseq``, ``{% autoescape off %}`` in a template, ``mark_safe``, ``SafeString`` or an
``__html__`` method in Python. Each of those is listed below with the reason it cannot
carry such text; a new one fails this test until it is reviewed and listed.
"""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from kansrijk.indicators.forms import MeasurementForm
from kansrijk.indicators.models import Indicator

PACKAGE = Path(settings.PACKAGE_DIR)
TEMPLATE_MARKERS = re.compile(r"\|\s*safe(seq)?\b|\{%\s*autoescape\s+off")
PYTHON_MARKERS = re.compile(r"\bmark_safe\b|\bSafeString\b|\bSafeText\b|def __html__")

REVIEWED = {
    # Charts are SVG built by indicators/charts.py, which escapes every title, label and
    # value it puts in (indicators/tests/test_charts.py::test_titles_and_labels_are_escaped).
    "indicators/templates/indicators/report.html": "item.chart_svg|safe",
    "indicators/templates/indicators/_chart.html": "chart.svg|safe",
    "indicators/templates/indicators/public_dashboard.html": "section.chart.svg|safe",
    "agenda/templates/agenda/curve/print.html": "page.chart.svg|safe",
    "indicators/charts.py": "def __html__",
    # The QR code is SVG made by the qrcode package from the TOTP provisioning URL: only
    # paths and our own issuer and user name, which qrcode turns into pixels, not text.
    "accounts/templates/accounts/two_factor_setup.html": "qr_svg|inline_svg|safe",
    # Plain-text e-mails (text/plain, no HTML part): escaping would print "&amp;" for "&",
    # and no browser renders them as markup.
    "accounts/templates/accounts/password_reset_email.txt": "{% autoescape off %}",
    "accounts/templates/accounts/password_reset_subject.txt": "{% autoescape off %}",
    "socialmap/templates/socialmap/reminder_email.txt": "{% autoescape off %}",
    "agenda/templates/agenda/reminder_email.txt": "{% autoescape off %}",
}


def unescaped_outputs():
    found = {}
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or not path.is_file():
            continue
        if "templates" in path.parts and path.suffix in {".html", ".txt", ".xml", ".svg"}:
            pattern = TEMPLATE_MARKERS
        elif path.suffix == ".py":
            pattern = PYTHON_MARKERS
        else:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.setdefault(relative, []).append((number, line.strip()))
    return found


def test_every_unescaped_output_is_reviewed():
    found = unescaped_outputs()
    unreviewed = {
        f"{path}:{number}: {line}"
        for path, lines in found.items()
        for number, line in lines
        if path not in REVIEWED or REVIEWED[path] not in line
    }
    assert unreviewed == set()


def test_no_reviewed_case_is_stale():
    found = unescaped_outputs()
    stale = [
        path
        for path, expected in REVIEWED.items()
        if not any(expected in line for _number, line in found.get(path, []))
    ]
    assert stale == []


@pytest.mark.django_db
def test_an_indicator_definition_is_help_text_as_text():
    indicator = Indicator(
        code="X",
        name="Thuiszitters per 1.000",
        numerator_definition='Aantal <b>thuiszitters</b> <script>alert("x")</script>',
        denominator_definition="Leerlingen op 1 oktober\n(DUO, po en vo)",
    )
    form = MeasurementForm(indicator=indicator, scopes=[])
    numerator = render_to_string("includes/form_field.html", {"field": form["numerator"]})
    denominator = render_to_string("includes/form_field.html", {"field": form["denominator"]})
    assert "<script>" not in numerator and "<b>" not in numerator
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in numerator
    assert "Leerlingen op 1 oktober<br>(DUO, po en vo)" in denominator


def test_markup_of_our_own_still_shows():
    from django.utils.html import format_html

    class Form(forms.Form):
        name = forms.CharField(
            max_length=10, help_text=format_html("Zie <a href='{}'>de uitleg</a>.", "/uitleg/")
        )

    html = render_to_string("includes/form_field.html", {"field": Form()["name"]})
    assert "<a href='/uitleg/'>de uitleg</a>" in html
