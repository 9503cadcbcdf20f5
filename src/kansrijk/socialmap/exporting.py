"""The catalogue as open data: one CSV row per published entry, written by the project's
one exporter base (``kansrijk.reports.exporting.CsvExporter``: UTF-8 with BOM, every text
guarded against formula injection). Read in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch

from kansrijk.reports.exporting import CSV_CONTENT_TYPE, CsvExporter  # noqa: F401 - the views use exporting.CSV_CONTENT_TYPE

from .models import Language, Phone, ServiceArea, ServiceAtLocation

LIST_SEPARATOR = " | "

COLUMNS = [
    "id",
    "naam",
    "andere_naam",
    "aanbieder",
    "omschrijving",
    "let_op",
    "themas",
    "voor_wie",
    "leeftijd_vanaf",
    "leeftijd_tot_en_met",
    "groep_vanaf",
    "groep_tot_en_met",
    "voor_wie_precies",
    "op_indicatie",
    "inkomensgrens",
    "kosten",
    "gratis",
    "jeugdfonds_sport_cultuur",
    "aanmelden",
    "website",
    "email",
    "telefoon",
    "gemeenten_en_wijken",
    "locaties",
    "talen",
    "laatst_gecontroleerd",
    "laatst_gewijzigd",
]


def catalogue_rows(services) -> list[dict]:
    services = (
        services.select_related("provider")
        .prefetch_related(
            "themes",
            "audiences",
            Prefetch("areas", queryset=ServiceArea.objects.select_related("region")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location"),
            ),
            Prefetch("languages", queryset=Language.objects.order_by("name")),
            Prefetch("phones", queryset=Phone.objects.order_by("pk")),
        )
        .order_by("name", "pk")
    )
    rows = []
    for service in services:
        rows.append(
            {
                "id": str(service.uuid),
                "naam": service.name,
                "andere_naam": service.alternate_name,
                "aanbieder": service.provider.name if service.provider_id else "",
                "omschrijving": service.description,
                "let_op": service.alert,
                "themas": LIST_SEPARATOR.join(t.name for t in service.themes.all()),
                "voor_wie": LIST_SEPARATOR.join(a.name for a in service.audiences.all()),
                "leeftijd_vanaf": service.minimum_age,
                "leeftijd_tot_en_met": service.maximum_age,
                "groep_vanaf": service.minimum_group,
                "groep_tot_en_met": service.maximum_group,
                "voor_wie_precies": service.eligibility_description,
                "op_indicatie": service.requires_referral,
                "inkomensgrens": service.has_income_limit,
                "kosten": service.fees_description,
                "gratis": service.is_free,
                "jeugdfonds_sport_cultuur": service.accepts_jeugdfonds,
                "aanmelden": service.application_process,
                "website": service.url,
                "email": service.email,
                "telefoon": LIST_SEPARATOR.join(p.number for p in service.phones.all()),
                "gemeenten_en_wijken": LIST_SEPARATOR.join(
                    a.region.name for a in service.areas.all()
                ),
                "locaties": LIST_SEPARATOR.join(
                    ", ".join(p for p in (sal.location.name, sal.location.address_line) if p)
                    for sal in service.service_at_locations.all()
                ),
                "talen": LIST_SEPARATOR.join(lang.name for lang in service.languages.all()),
                "laatst_gecontroleerd": service.assured_date,
                "laatst_gewijzigd": service.last_modified.date() if service.last_modified else None,
            }
        )
    return rows


def catalogue_csv(services) -> bytes:
    return CsvExporter(catalogue_rows(services), COLUMNS).render()
