"""One visibility boundary: the Maassluis agenda is a concept, so for everyone outside
Maassluis none of its text appears anywhere — no goal, activity or intervention, no
indicator that measures only its goals, no status, chart, export or API row.

Every page reachable by links, every download and every API list and detail is read for
an anonymous visitor and for the beleidsmedewerker of Beverwijk, on the full demo."""

from __future__ import annotations

import pytest

from kansrijk.agenda.models import Activity, Agenda, Goal, Intervention, Spearhead
from kansrijk.indicators.models import Indicator
from kansrijk.testing.surfaces import crawl

pytestmark = pytest.mark.django_db

SLUG = "maassluis-onderwijskansen-2019-2022"
START = [
    "/",
    "/monitor/",
    "/monitor/openbaar/",
    "/agenda/",
    "/sociale-kaart/",
    "/sociale-kaart/aanbod/",
    "/sociale-kaart/vraag-en-aanbod/",
    "/thuiszitters/",
    "/organisaties/",
    "/api/v1/",
    "/monitor/regio/GM0556/",
]


def concept_texts(agenda: Agenda) -> set[str]:
    """Texts of the concept agenda that no other agenda and no other indicator has: its
    title, its goals, activities, interventions and spearheads, and the names of the
    indicators that measure only its goals."""
    own = {agenda.title, agenda.subtitle, agenda.vision, agenda.introduction}
    own |= set(Goal.objects.filter(agenda=agenda).values_list("text", flat=True))
    own |= set(Spearhead.objects.filter(agenda=agenda).values_list("title", flat=True))
    own |= set(Activity.objects.filter(agenda=agenda).values_list("title", flat=True))
    own |= set(Intervention.objects.filter(agenda=agenda).values_list("name", flat=True))
    only_here = Indicator.objects.filter(goals__agenda=agenda).exclude(
        goals__agenda__in=Agenda.objects.exclude(pk=agenda.pk)
    )
    own |= set(only_here.values_list("name", flat=True))
    elsewhere = set()
    for other in Agenda.objects.exclude(pk=agenda.pk):
        elsewhere |= set(Goal.objects.filter(agenda=other).values_list("text", flat=True))
        elsewhere |= set(Activity.objects.filter(agenda=other).values_list("title", flat=True))
    elsewhere |= set(Indicator.objects.exclude(pk__in=only_here).values_list("name", flat=True))
    public_offer = offer_texts()
    # Long enough to be its own (not "Evaluatie"), not shared with another agenda, and not
    # the sociale kaart's own public text (an entry named like an action of the nota, or
    # its provenance, which quotes the published document).
    return {
        text
        for text in (" ".join(t.split()) for t in own if t and len(t) >= 25)
        if text not in elsewhere and text not in public_offer
    }


def offer_texts() -> str:
    """Every text field of the published entries of the sociale kaart, their providers
    and attributes, as one text."""
    from django.db import models

    from kansrijk.socialmap.models import Provider, Service

    texts = []
    for model, rows in (
        (Service, Service.objects.filter(status="published")),
        (Provider, Provider.objects.all()),
    ):
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in rows.values(*fields):
            texts.extend(str(value) for value in row.values() if value)
    return " ".join(" ".join(text.split()) for text in texts)


def leaks(surfaces, texts: set[str]) -> list[str]:
    found = []
    for url, surface in surfaces.items():
        body = " ".join(surface.text.split())
        for text in texts:
            if text in body:
                found.append(f"{url}: {text[:80]}")
    return found


def test_no_text_of_the_maassluis_concept_agenda_outside_maassluis(
    client, demo, demo_user, settings
):
    # The crawl asks, from one address, for every public document a visitor can have:
    # more new builds than a person would (decision 0051).
    settings.KANSRIJK = {
        **settings.KANSRIJK,
        "THROTTLE": {**settings.KANSRIJK["THROTTLE"], "public_document_per_address": (10_000, 60)},
    }
    agenda = Agenda.objects.get(slug=SLUG)
    assert agenda.status == "concept" and not agenda.is_public
    texts = concept_texts(agenda)
    assert len(texts) > 20, texts

    # The check sees the texts where they may be seen: by Maassluis itself.
    client.force_login(demo_user("maassluis"))
    own = crawl(client, [f"/agenda/{SLUG}/", f"/monitor/agenda/{SLUG}/"], max_pages=5)
    assert leaks(own, texts)

    for user in (None, demo_user("beleid")):
        client.logout()
        if user is not None:
            client.force_login(user)
        surfaces = crawl(client, START, max_pages=1500, variants_per_path=2)
        assert len(surfaces) > 200, len(surfaces)
        kinds = {surface.kind for surface in surfaces.values()}
        assert {"text/html", "application/json", "text/csv", "application/pdf"} <= kinds
        found = leaks(surfaces, texts)
        assert found == [], "\n".join(found)
        # Its pages answer 404, as if they did not exist.
        for url in (
            f"/agenda/{SLUG}/",
            f"/monitor/agenda/{SLUG}/",
            "/monitor/maassluis-vve-bereik/",
        ):
            assert client.get(url).status_code == 404, url
