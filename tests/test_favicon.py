"""Every page names the site's icon: an SVG, with a PNG for browsers without SVG icons."""

from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_public_page_links_the_favicon(client):
    html = client.get(reverse("socialmap:search")).content.decode()
    head = html.split("</head>")[0]
    svg, png = static("kansrijk/favicon.svg"), static("kansrijk/favicon-32.png")
    assert f'<link rel="icon" href="{svg}" type="image/svg+xml">' in head
    assert f'<link rel="icon" href="{png}" type="image/png" sizes="32x32">' in head


def test_the_icons_are_there_and_are_what_they_say():
    svg = Path(finders.find("kansrijk/favicon.svg"))
    root = ElementTree.fromstring(svg.read_text(encoding="utf-8"))  # noqa: S314 - our own file
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Kansrijk"
    png = Path(finders.find("kansrijk/favicon-32.png")).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == int.from_bytes(png[20:24], "big") == 32
    assert Path(settings.PACKAGE_DIR) in svg.parents
