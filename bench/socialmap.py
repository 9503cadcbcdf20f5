"""Benchmark of the sociale kaart's public search with 10,000 services. Run with
`.venv/bin/python bench/socialmap.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/socialmap_bench .venv/bin/python bench/socialmap.py`
(PostgreSQL; the script refuses a database whose name does not contain "bench").

What is measured, each against floors measured in the same run:
- **bare**: a view that returns the names of 20 published services without a template
  (framework and middleware cost only);
- **unfiltered**: the real result page (template, search form with every gemeente,
  20 result cards) without any filter.
Then the search form, result pages with each filter and their combinations, a deep page,
an entry, the gap page (2,000 needs) and the API search.
Target: every search page p95 ≤ 1.5× the unfiltered result page (filtering may not cost
more than half a page), and the parent's search of the acceptance test under 100 ms p95.
Results are recorded by hand in bench/RESULTS-socialmap.md from the printed table.
"""

import gc
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal

import benchenv

benchenv.configure("socialmap")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from kansrijk.organisations.models import Organisation, Region  # noqa: E402
from kansrijk.organisations.reference_data import load_reference_data  # noqa: E402
from kansrijk.socialmap import taxonomy  # noqa: E402
from kansrijk.socialmap.models import (  # noqa: E402
    Location,
    Need,
    Provider,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from kansrijk.socialmap.validators import fold  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))
SERVICES = int(os.environ.get("BENCH_SERVICES", "10000"))
NEEDS = 2000
WORDS = [
    ("Huiswerkbegeleiding", "huiswerk"),
    ("Sportclub na school", "sport"),
    ("Voorleesuur in de bibliotheek", "taal-en-lezen"),
    ("Muziekles", "cultuur"),
    ("Opvoedcursus voor ouders", "opvoeden"),
    ("Spreekuur jeugdverpleegkundige", "gezondheid"),
    ("Natuurles", "natuur-en-techniek"),
    ("Peuterspeelgroep", "voorschoolse-educatie"),
    ("Weekendschool", "school-en-werk"),
    ("Jongerenraad", "meedoen"),
]


def floor_view(request):
    names = Service.objects.published().order_by("name", "pk").values_list("name", flat=True)[:20]
    return HttpResponse("<ul>" + "".join(f"<li>{n}</li>" for n in names) + "</ul>")


urlpatterns = [path("floor/", floor_view), path("", include("kansrijk.urls"))]


def timed(fn, repeat=REPEAT):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = fn()
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response
    samples.sort()
    return {
        "p50": statistics.median(samples) * 1000,
        "p95": samples[int(0.95 * (len(samples) - 1))] * 1000,
    }


def build_catalogue(rng: random.Random) -> None:
    """10,000 published services over every gemeente of the reference data, with themes,
    audiences, an age or group range, an area and a location; 2,000 needs."""
    taxonomy.ensure_taxonomies()
    themes = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.THEME)}
    audiences = list(TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.AUDIENCE))
    gemeenten = list(Region.objects.municipalities().order_by("code"))
    organisations = {o.municipality_id: o for o in Organisation.objects.filter(kind="municipality")}
    with transaction.atomic():
        providers = Provider.objects.bulk_create(
            [
                Provider(organisation=organisations[g.pk], name=organisations[g.pk].name)
                for g in gemeenten
            ]
        )
        provider_of = {g.pk: p for g, p in zip(gemeenten, providers, strict=True)}
        rows, links = [], []
        for number in range(SERVICES):
            region = gemeenten[number % len(gemeenten)]
            word, theme_code = WORDS[rng.randrange(len(WORDS))]
            chosen_themes = {theme_code, rng.choice(list(themes))}
            chosen_audiences = rng.sample(audiences, rng.randint(1, 2))
            groups = rng.random() < 0.4
            low = rng.randint(1, 6) if groups else rng.randint(0, 14)
            high = low + rng.randint(0, 2 if groups else 6)
            name = f"{word} {region.name} {number}"
            description = f"{word} voor kinderen en ouders in {region.name}. Gratis of met korting."
            provider = provider_of[region.pk]
            text = " ".join(
                [
                    name,
                    provider.name,
                    *(themes[c].name for c in chosen_themes),
                    *(a.name for a in chosen_audiences),
                    region.name,
                    description,
                ]
            )
            rows.append(
                Service(
                    provider=provider,
                    name=name,
                    description=description,
                    status="published",
                    minimum_group=low if groups else None,
                    maximum_group=high if groups else None,
                    minimum_age=None if groups else Decimal(low),
                    maximum_age=None if groups else Decimal(high),
                    is_free=rng.random() < 0.5,
                    search_text=fold(text),
                )
            )
            links.append((region, chosen_themes, chosen_audiences))
        services = Service.objects.bulk_create(rows, batch_size=1000)
        ThemeLink = Service.themes.through
        AudienceLink = Service.audiences.through
        ThemeLink.objects.bulk_create(
            [
                ThemeLink(service=s, taxonomyterm=themes[c])
                for s, (_r, ts, _a) in zip(services, links, strict=True)
                for c in ts
            ],
            batch_size=2000,
        )
        AudienceLink.objects.bulk_create(
            [
                AudienceLink(service=s, taxonomyterm=a)
                for s, (_r, _t, aus) in zip(services, links, strict=True)
                for a in aus
            ],
            batch_size=2000,
        )
        ServiceArea.objects.bulk_create(
            [
                ServiceArea(service=s, region=r, municipality=r)
                for s, (r, _t, _a) in zip(services, links, strict=True)
            ],
            batch_size=2000,
        )
        locations = Location.objects.bulk_create(
            [
                Location(name=f"Locatie {s.name}", city=r.name, municipality=r)
                for s, (r, _t, _a) in zip(services, links, strict=True)
            ],
            batch_size=2000,
        )
        ServiceAtLocation.objects.bulk_create(
            [
                ServiceAtLocation(service=s, location=loc)
                for s, loc in zip(services, locations, strict=True)
            ],
            batch_size=2000,
        )
        Need.objects.bulk_create(
            [
                Need(
                    municipality=gemeenten[rng.randrange(len(gemeenten))],
                    theme=themes[rng.choice(list(themes))],
                    minimum_age=Decimal(age := rng.randint(0, 16)),
                    maximum_age=Decimal(age + rng.randint(0, 4)),
                    description="Behoefte uit de inventarisatie",
                )
                for _ in range(NEEDS)
            ],
            batch_size=2000,
        )


def main():
    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores"
    )
    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../socialmap_bench")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    start = time.perf_counter()
    build_catalogue(random.Random(2026))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"catalogue: {Service.objects.count()} services, {ServiceArea.objects.count()} areas, "
        f"{Need.objects.count()} needs, built in {time.perf_counter() - start:.1f}s"
    )
    maassluis = Service.objects.filter(name__startswith="Huiswerkbegeleiding Maassluis").first()
    # The set-up (reference data, 10,000 services) leaves hundreds of thousands of objects
    # in this process that a web worker would not hold; without freezing them, Python's
    # full garbage collections scan them all and show up as 200-800 ms spikes in p95.
    gc.collect()
    gc.freeze()
    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        floor = timed(lambda: client.get("/floor/"))
        unfiltered = timed(lambda: client.get("/sociale-kaart/aanbod/"))
        print(f"{'page':<66} {'p50 ms':>7} {'p95 ms':>7} {'÷ bare':>7} {'÷ unfiltered':>12}")

        def report(name, result):
            print(
                f"{name:<66} {result['p50']:>7.1f} {result['p95']:>7.1f} "
                f"{result['p95'] / floor['p95']:>6.1f}× {result['p95'] / unfiltered['p95']:>11.1f}×"
            )

        report("floor: bare view, 20 names, no template", floor)
        report("floor: result page, no filter (template, 20 cards)", unfiltered)
        pages = [
            "/sociale-kaart/",
            "/sociale-kaart/aanbod/?q=huiswerkbegeleiding&groep=7&gebied=GM0556",
            "/sociale-kaart/aanbod/?q=huiswerk",
            "/sociale-kaart/aanbod/?q=voorlees+bibliotheek+gratis",
            "/sociale-kaart/aanbod/?leeftijd=10",
            "/sociale-kaart/aanbod/?groep=7",
            "/sociale-kaart/aanbod/?thema=sport&voor=ouders",
            "/sociale-kaart/aanbod/?gebied=GM0363",
            "/sociale-kaart/aanbod/?leeftijd=4&thema=taal-en-lezen&gebied=GM0363",
            "/sociale-kaart/aanbod/?pagina=400",
            maassluis.get_absolute_url() if maassluis else "/sociale-kaart/",
            "/sociale-kaart/vraag-en-aanbod/",
            "/sociale-kaart/vraag-en-aanbod/?gemeente=GM0363",
            "/api/v1/socialmap/services?q=huiswerk&group=7&region=GM0556",
            "/api/v1/socialmap/services?age=10&theme=sport",
        ]
        for page in pages:
            label = page.replace("/sociale-kaart", "").replace(
                str(maassluis.uuid) if maassluis else "~", "<id>"
            )
            report(label or "/", timed(lambda page=page: client.get(page)))


if __name__ == "__main__":
    sys.exit(main())
