"""The public dashboard shows every value that its indicator page shows to the public, on
the full demo: for each onderwerp of the dashboard and each area, the figure of that period on
the indicator's page for that area (as an anonymous visitor sees it) is the same text."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_dashboard_and_the_indicator_pages_agree(client, demo):
    start = client.get(reverse("indicators:public"))
    assert start.status_code == 200
    sections = []
    for topic in start.context["topics"]:
        sections += client.get(reverse("indicators:public"), {"onderwerp": topic.code}).context[
            "sections"
        ]
    compared = 0
    for section in sections:
        indicator = section["indicator"]
        for row in section["rows"]:
            m = row.measurement
            page = client.get(
                reverse("indicators:detail", args=[indicator.code]), {"regio": m.region.code}
            )
            assert page.status_code == 200, (indicator.code, m.region.code)
            same = [f for f in page.context["figures"] if f.measurement.pk == m.pk]
            assert len(same) == 1, (indicator.code, m.region.code)
            shown = same[0]
            for part in ("value", "numerator", "denominator"):
                assert getattr(shown, part).text == getattr(row, part).text, (
                    indicator.code,
                    m.region.code,
                    part,
                )
            compared += 1
    assert compared > 40, compared
