"""Open Referral HSDS 3: the sociale kaart out (tabular CSV files in a zip with a
``datapackage.json``, or JSON service objects) and back in.

``export_tables`` reads the catalogue once (a fixed number of queries) into the HSDS
tables; ``write_zip`` and ``write_json`` write them; ``read_zip`` and ``read_json`` turn
either file back into the same tables, and ``import_tables`` checks every row of every
table (all problems at once, naming table, row and column in Dutch) and then writes all
of it or nothing, matching every record on its HSDS ``id``. An export imported into an
empty sociale kaart gives the same catalogue; imported again it changes nothing.

What HSDS has no field for travels as an ``attribute`` with a term of one of Kansrijk's
taxonomies: themes, audiences, the features (op indicatie, inkomensgrens, gratis,
Jeugdfonds Sport & Cultuur, schoolgroep, bron), the gemeente and wijk of a location
(``kansrijk-gebied``: region codes) and the agenda goals and interventions a service
serves (``kansrijk-agenda``). The mapping is in ``docs/formats/hsds.md``.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.agenda.models import Goal, Intervention
from kansrijk.imports import (
    CellError,
    Column,
    ImportRejected,
    Limits,
    Progress,
    cell_text,
    check_row,
    check_zip,
    decimal_places,
    from_validation,
    no_progress,
    parse_date,
    parse_postcode,
    read_member_csv,
)
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.reports.exporting import guard_formula, unguard_formula

from . import taxonomy, validators
from .models import (
    LocationType,
    Provider,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
AREA_TAXONOMY = "kansrijk-gebied"
AGENDA_TAXONOMY = "kansrijk-agenda"
AREA_URN = "urn:kansrijk:regio:"
SCHOOL_IDENTIFIER = "BRIN6"
COUNTRY = "NL"
MAX_ZIP_BYTES = 50 * 1024 * 1024

# HSDS table → (file in the tabular package, columns). Only the columns Kansrijk fills.
TABLES: dict[str, tuple[str, list[str]]] = {
    "organization": (
        "organizations.csv",
        ["id", "name", "alternate_name", "description", "email", "website"],
    ),
    "organization_identifier": (
        "organization_identifiers.csv",
        ["id", "organization_id", "identifier_scheme", "identifier_type", "identifier"],
    ),
    "service": (
        "services.csv",
        [
            "id",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "alert",
            "application_process",
            "fees_description",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "last_modified",
        ],
    ),
    "location": (
        "locations.csv",
        [
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "description",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ],
    ),
    "address": (
        "addresses.csv",
        [
            "id",
            "location_id",
            "address_1",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    "service_at_location": (
        "service_at_locations.csv",
        ["id", "service_id", "location_id", "description"],
    ),
    "schedule": (
        "schedules.csv",
        [
            "id",
            "service_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
            "description",
        ],
    ),
    "phone": ("phones.csv", ["id", "service_id", "location_id", "number", "description"]),
    "contact": ("contacts.csv", ["id", "service_id", "title", "department", "email"]),
    "language": ("languages.csv", ["id", "service_id", "name", "code", "note"]),
    "cost_option": (
        "cost_options.csv",
        [
            "id",
            "service_id",
            "option",
            "currency",
            "amount",
            "amount_description",
            "valid_from",
            "valid_to",
        ],
    ),
    "service_area": (
        "service_areas.csv",
        ["id", "service_id", "name", "description", "extent_type", "uri"],
    ),
    "taxonomy": ("taxonomies.csv", ["id", "name", "description", "uri", "version"]),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language"],
    ),
    "attribute": (
        "attributes.csv",
        ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value", "label"],
    ),
}
NUMBER_COLUMNS = {"minimum_age", "maximum_age", "latitude", "longitude", "amount"}
STATUS_OUT = {
    ServiceStatus.PUBLISHED: "active",
    ServiceStatus.SUBMITTED: "inactive",
    ServiceStatus.CONCEPT: "inactive",
    ServiceStatus.ARCHIVED: "inactive",
}
STATUS_IN = {
    "active": ServiceStatus.PUBLISHED,
    "inactive": ServiceStatus.ARCHIVED,
    "defunct": ServiceStatus.ARCHIVED,
    "temporarily closed": ServiceStatus.ARCHIVED,
}
# Which attribute link_type each fixed taxonomy uses.
LINK_TYPES = {
    taxonomy.THEME: "theme",
    taxonomy.AUDIENCE: "audience",
    AREA_TAXONOMY: "area",
    AGENDA_TAXONOMY: "agenda",
}
FEATURE_LINK_TYPES = {
    "op-indicatie": "eligibility",
    "inkomensgrens": "eligibility",
    "schoolgroep": "eligibility",
    "gratis": "cost",
    "jeugdfonds-sport-cultuur": "cost",
    "bron": "source",
}


def _id(value) -> str:
    return str(value) if value else ""


def _derived_id(kind: str, *parts) -> str:
    return str(uuid.uuid5(taxonomy.NAMESPACE, ":".join([kind, *map(str, parts)])))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        )
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _number_text(value: Decimal | None) -> str:
    """A number without needless zeros: 10, 2.5, 51.931056."""
    if value is None:
        return ""
    normalised = value.normalize()
    return format(normalised, "f")


def _groups(service: Service) -> str:
    low, high = service.minimum_group, service.maximum_group
    if low is None and high is None:
        return ""
    if low == high or high is None:
        return str(low)
    if low is None:
        return f"-{high}"
    return f"{low}-{high}"


def _organisation_identifiers(provider: Provider) -> list[dict]:
    organisation = provider.organisation
    if organisation is None:
        return []
    identifier = organisation.code or organisation.name
    kind = f"kansrijk:{organisation.kind}" + ("" if organisation.code else ":naam")
    return [
        {
            "id": _derived_id("organization_identifier", provider.uuid, kind),
            "organization_id": str(provider.uuid),
            "identifier_scheme": "",
            "identifier_type": kind,
            "identifier": identifier,
        }
    ]


# ------------------------------------------------------------------ export


def export_tables(services, *, public_links_only: bool = True) -> dict[str, list[dict]]:
    """The HSDS tables of ``services`` (a queryset), as text values. Links to agenda goals
    and interventions are only written for agendas that are public (open data), unless
    ``public_links_only`` is off (a full copy by an administrator)."""
    services = list(
        services.select_related("provider__organisation")
        .prefetch_related(
            "themes__taxonomy",
            "audiences__taxonomy",
            Prefetch("areas", queryset=ServiceArea.objects.select_related("region")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location__provider",
                    "location__school",
                    "location__municipality",
                    "location__district",
                ).prefetch_related("schedules", "location__phones"),
            ),
            "schedules",
            "phones",
            "contacts",
            "languages",
            "cost_options",
            Prefetch("goals", queryset=Goal.objects.select_related("agenda")),
            Prefetch("interventions", queryset=Intervention.objects.select_related("agenda")),
        )
        .order_by("name", "pk")
    )
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    terms_used: dict[str, dict] = {}
    taxonomies_used: dict[str, dict] = {}
    fixed_terms = {
        (term.taxonomy.code, term.code): term
        for term in TaxonomyTerm.objects.select_related("taxonomy")
    }
    providers: dict[int, Provider] = {}
    locations: dict[int, object] = {}

    def use_taxonomy(code: str, name: str, description: str, taxonomy_id: str) -> None:
        taxonomies_used.setdefault(
            code,
            {
                "id": taxonomy_id,
                "name": name,
                "description": description,
                "uri": code,
                "version": "",
            },
        )

    def use_fixed_term(taxonomy_code: str, code: str) -> str:
        term = fixed_terms[(taxonomy_code, code)]
        use_taxonomy(
            taxonomy_code, term.taxonomy.name, term.taxonomy.description, str(term.taxonomy.uuid)
        )
        terms_used.setdefault(
            str(term.uuid),
            {
                "id": str(term.uuid),
                "code": term.code,
                "name": term.name,
                "description": term.description,
                "parent_id": "",
                "taxonomy": taxonomy_code,
                "taxonomy_id": str(term.taxonomy.uuid),
                "language": term.language,
            },
        )
        return str(term.uuid)

    def use_dynamic_term(taxonomy_code: str, code: str, name: str) -> str:
        taxonomy_id = _derived_id("taxonomy", taxonomy_code)
        if taxonomy_code == AREA_TAXONOMY:
            use_taxonomy(
                taxonomy_code,
                "Gemeenten en wijken",
                "CBS-gemeentecodes en de wijk- en kerncodes van Kansrijk.",
                taxonomy_id,
            )
        else:
            use_taxonomy(
                taxonomy_code,
                "Agenda's in Kansrijk",
                "Doelen (doel:agenda:id) en interventies (interventie:agenda:id) van een agenda.",
                taxonomy_id,
            )
        term_id = _derived_id("term", taxonomy_code, code)
        terms_used.setdefault(
            term_id,
            {
                "id": term_id,
                "code": code,
                "name": name[:255],
                "description": "",
                "parent_id": "",
                "taxonomy": taxonomy_code,
                "taxonomy_id": taxonomy_id,
                "language": "nl",
            },
        )
        return term_id

    def attribute(link_id, link_entity: str, link_type: str, term_id: str, value="", label=""):
        tables["attribute"].append(
            {
                "id": _derived_id("attribute", link_id, term_id),
                "link_id": str(link_id),
                "link_type": link_type,
                "link_entity": link_entity,
                "taxonomy_term_id": term_id,
                "value": value,
                "label": label,
            }
        )

    for service in services:
        provider = service.provider
        if provider is not None and provider.pk not in providers:
            providers[provider.pk] = provider
        tables["service"].append(
            {
                "id": str(service.uuid),
                "organization_id": _id(provider.uuid if provider else ""),
                "name": service.name,
                "alternate_name": service.alternate_name,
                "description": service.description,
                "url": service.url,
                "email": service.email,
                "status": STATUS_OUT[service.status],
                "alert": service.alert,
                "application_process": service.application_process,
                "fees_description": service.fees_description,
                "eligibility_description": service.eligibility_description,
                "minimum_age": _number_text(service.minimum_age),
                "maximum_age": _number_text(service.maximum_age),
                "assured_date": _text(service.assured_date),
                "last_modified": _text(service.last_modified),
            }
        )
        for term in service.themes.all():
            attribute(service.uuid, "service", "theme", use_fixed_term(taxonomy.THEME, term.code))
        for term in service.audiences.all():
            attribute(
                service.uuid, "service", "audience", use_fixed_term(taxonomy.AUDIENCE, term.code)
            )
        for field_name, code in taxonomy.FEATURE_FIELDS.items():
            if getattr(service, field_name):
                attribute(
                    service.uuid,
                    "service",
                    FEATURE_LINK_TYPES[code],
                    use_fixed_term(taxonomy.FEATURE, code),
                )
        if groups := _groups(service):
            attribute(
                service.uuid,
                "service",
                "eligibility",
                use_fixed_term(taxonomy.FEATURE, "schoolgroep"),
                value=groups,
            )
        if service.source_note:
            attribute(
                service.uuid,
                "service",
                "source",
                use_fixed_term(taxonomy.FEATURE, "bron"),
                value=service.source_note,
            )
        for goal in service.goals.all():
            if goal.agenda.is_public or not public_links_only:
                code = f"doel:{goal.agenda.slug}:{goal.external_id}"
                attribute(
                    service.uuid,
                    "service",
                    "agenda",
                    use_dynamic_term(AGENDA_TAXONOMY, code, str(goal)),
                )
        for intervention in service.interventions.all():
            if intervention.agenda.is_public or not public_links_only:
                code = f"interventie:{intervention.agenda.slug}:{intervention.external_id}"
                attribute(
                    service.uuid,
                    "service",
                    "agenda",
                    use_dynamic_term(AGENDA_TAXONOMY, code, intervention.name),
                )
        for area in service.areas.all():
            tables["service_area"].append(
                {
                    "id": str(area.uuid),
                    "service_id": str(service.uuid),
                    "name": area.region.name,
                    "description": area.description,
                    "extent_type": "",
                    "uri": AREA_URN + area.region.code,
                }
            )
        for at_location in service.service_at_locations.all():
            location = at_location.location
            locations.setdefault(location.pk, location)
            if location.provider_id and location.provider_id not in providers:
                providers[location.provider_id] = location.provider
            tables["service_at_location"].append(
                {
                    "id": str(at_location.uuid),
                    "service_id": str(service.uuid),
                    "location_id": str(location.uuid),
                    "description": at_location.description,
                }
            )
            for schedule in at_location.schedules.all():
                tables["schedule"].append(_schedule_row(schedule, "", str(at_location.uuid)))
        for schedule in service.schedules.all():
            tables["schedule"].append(_schedule_row(schedule, str(service.uuid), ""))
        for phone in service.phones.all():
            tables["phone"].append(
                {
                    "id": str(phone.uuid),
                    "service_id": str(service.uuid),
                    "location_id": "",
                    "number": phone.number,
                    "description": phone.description,
                }
            )
        for contact in service.contacts.all():
            tables["contact"].append(
                {
                    "id": str(contact.uuid),
                    "service_id": str(service.uuid),
                    "title": contact.title,
                    "department": contact.department,
                    "email": contact.email,
                }
            )
        for language in service.languages.all():
            tables["language"].append(
                {
                    "id": str(language.uuid),
                    "service_id": str(service.uuid),
                    "name": language.name,
                    "code": language.code,
                    "note": language.note,
                }
            )
        for cost in service.cost_options.all():
            tables["cost_option"].append(
                {
                    "id": str(cost.uuid),
                    "service_id": str(service.uuid),
                    "option": cost.option,
                    "currency": cost.currency,
                    "amount": _number_text(cost.amount),
                    "amount_description": cost.amount_description,
                    "valid_from": _text(cost.valid_from),
                    "valid_to": _text(cost.valid_to),
                }
            )
    for location in sorted(locations.values(), key=lambda loc: str(loc.uuid)):
        tables["location"].append(
            {
                "id": str(location.uuid),
                "location_type": location.location_type,
                "url": location.url,
                "organization_id": _id(location.provider.uuid if location.provider_id else ""),
                "name": location.name,
                "description": location.description,
                "latitude": _number_text(location.latitude),
                "longitude": _number_text(location.longitude),
                "external_identifier": location.school.code if location.school_id else "",
                "external_identifier_type": SCHOOL_IDENTIFIER if location.school_id else "",
            }
        )
        if location.address_1 or location.postal_code or location.city:
            tables["address"].append(
                {
                    "id": _derived_id("address", location.uuid),
                    "location_id": str(location.uuid),
                    "address_1": location.address_1,
                    "city": location.city,
                    "region": location.municipality.name if location.municipality_id else "",
                    "state_province": "",
                    "postal_code": location.postal_code,
                    "country": COUNTRY,
                    "address_type": "physical",
                }
            )
        for region in (location.municipality, location.district):
            if region is not None:
                term_id = use_dynamic_term(AREA_TAXONOMY, region.code, region.name)
                attribute(location.uuid, "location", "area", term_id, label=region.name)
        for phone in location.phones.all():
            tables["phone"].append(
                {
                    "id": str(phone.uuid),
                    "service_id": "",
                    "location_id": str(location.uuid),
                    "number": phone.number,
                    "description": phone.description,
                }
            )
    for provider in sorted(providers.values(), key=lambda p: str(p.uuid)):
        tables["organization"].append(
            {
                "id": str(provider.uuid),
                "name": provider.name,
                "alternate_name": provider.alternate_name,
                "description": provider.description,
                "email": provider.email,
                "website": provider.website,
            }
        )
        tables["organization_identifier"] += _organisation_identifiers(provider)
        if provider.source_note:
            attribute(
                provider.uuid,
                "organization",
                "source",
                use_fixed_term(taxonomy.FEATURE, "bron"),
                value=provider.source_note,
            )
    tables["taxonomy"] = sorted(taxonomies_used.values(), key=lambda row: row["id"])
    tables["taxonomy_term"] = sorted(terms_used.values(), key=lambda row: row["id"])
    for name in ("attribute", "schedule", "phone", "contact", "language", "cost_option"):
        tables[name].sort(key=lambda row: row["id"])
    return tables


def _schedule_row(schedule, service_id: str, at_location_id: str) -> dict:
    return {
        "id": str(schedule.uuid),
        "service_id": service_id,
        "service_at_location_id": at_location_id,
        "valid_from": _text(schedule.valid_from),
        "valid_to": _text(schedule.valid_to),
        "freq": schedule.freq,
        "byday": schedule.byday,
        "opens_at": _text(schedule.opens_at),
        "closes_at": _text(schedule.closes_at),
        "description": schedule.description,
    }


# ------------------------------------------------------------------ files


def write_zip(tables: dict[str, list[dict]]) -> bytes:
    """The HSDS tabular form: one CSV per table and a Frictionless ``datapackage.json``.
    Texts are guarded against formula injection like every CSV of Kansrijk."""
    stream = io.BytesIO()
    resources = []
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (path, columns) in TABLES.items():
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            for row in tables.get(name, []):
                writer.writerow([guard_formula(row.get(column, "")) for column in columns])
            archive.writestr(path, text.getvalue().encode("utf-8"))
            resources.append(
                {
                    "name": name,
                    "path": path,
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": {
                        "fields": [
                            {"name": c, "type": "number" if c in NUMBER_COLUMNS else "string"}
                            for c in columns
                        ],
                        "primaryKey": "id",
                    },
                }
            )
        package = {
            "profile": "tabular-data-package",
            "name": "kansrijk-sociale-kaart",
            "title": "Sociale kaart (Kansrijk)",
            "description": f"Open Referral Human Services Data Specification {HSDS_VERSION}",
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
    return stream.getvalue()


def _typed(row: dict) -> dict:
    """A row for JSON: numbers as numbers, empty values as null."""
    result = {}
    for column, value in row.items():
        if value == "":
            result[column] = None
        elif column in NUMBER_COLUMNS:
            result[column] = float(value) if "." in value else int(value)
        else:
            result[column] = value
    return result


def write_json(tables: dict[str, list[dict]]) -> bytes:
    """The HSDS 3 JSON form: a ``service_list`` page holding every service object with its
    organization, service_at_locations (with their location), phones, schedules,
    contacts, languages, cost_options, service_areas and attributes nested."""
    by: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for name, key in (
        ("service_area", "service_id"),
        ("service_at_location", "service_id"),
        ("phone", "service_id"),
        ("contact", "service_id"),
        ("language", "service_id"),
        ("cost_option", "service_id"),
        ("schedule", "service_id"),
        ("address", "location_id"),
        ("organization_identifier", "organization_id"),
        ("attribute", "link_id"),
    ):
        for row in tables.get(name, []):
            if row.get(key):
                by[name][row[key]].append(row)
    for row in tables.get("schedule", []):
        if row.get("service_at_location_id"):
            by["schedule_sal"][row["service_at_location_id"]].append(row)
    for row in tables.get("phone", []):
        if row.get("location_id"):
            by["phone_location"][row["location_id"]].append(row)
    terms = {row["id"]: row for row in tables.get("taxonomy_term", [])}
    taxonomies = {row["id"]: row for row in tables.get("taxonomy", [])}
    organizations = {row["id"]: row for row in tables.get("organization", [])}
    locations = {row["id"]: row for row in tables.get("location", [])}

    def attributes(link_id: str) -> list[dict]:
        result = []
        for row in by["attribute"].get(link_id, []):
            item = _typed(row)
            term = dict(terms[row["taxonomy_term_id"]])
            term_item = _typed(term)
            term_item["taxonomy_detail"] = _typed(taxonomies[term["taxonomy_id"]])
            item["taxonomy_term"] = term_item
            result.append(item)
        return result

    def organization(organization_id: str):
        if not organization_id:
            return None
        item = _typed(organizations[organization_id])
        item["organization_identifiers"] = [
            _typed(r) for r in by["organization_identifier"].get(organization_id, [])
        ]
        item["attributes"] = attributes(organization_id)
        return item

    contents = []
    for service in tables.get("service", []):
        service_id = service["id"]
        item = _typed(service)
        item["organization"] = organization(service["organization_id"])
        item["service_areas"] = [_typed(r) for r in by["service_area"].get(service_id, [])]
        item["phones"] = [_typed(r) for r in by["phone"].get(service_id, [])]
        item["contacts"] = [_typed(r) for r in by["contact"].get(service_id, [])]
        item["languages"] = [_typed(r) for r in by["language"].get(service_id, [])]
        item["cost_options"] = [_typed(r) for r in by["cost_option"].get(service_id, [])]
        item["schedules"] = [_typed(r) for r in by["schedule"].get(service_id, [])]
        item["attributes"] = attributes(service_id)
        item["service_at_locations"] = []
        for sal in by["service_at_location"].get(service_id, []):
            sal_item = _typed(sal)
            sal_item["schedules"] = [_typed(r) for r in by["schedule_sal"].get(sal["id"], [])]
            location = locations[sal["location_id"]]
            location_item = _typed(location)
            location_item["addresses"] = [_typed(r) for r in by["address"].get(location["id"], [])]
            location_item["phones"] = [
                _typed(r) for r in by["phone_location"].get(location["id"], [])
            ]
            location_item["attributes"] = attributes(location["id"])
            sal_item["location"] = location_item
            item["service_at_locations"].append(sal_item)
        contents.append(item)
    page = {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }
    return json.dumps(page, indent=2, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class HsdsProblem:
    table: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.table:
            where.append(_("Tabel '%(table)s'") % {"table": self.table})
        if self.row is not None:
            where.append(_("rij %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("kolom '%(column)s'") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class HsdsRejected(Exception):
    def __init__(self, problems: list[HsdsProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Tables:
    """Rows per table with the row number a person would see (a CSV counts its header as
    row 1; a JSON list counts from 1)."""

    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)


# The tabular package is read member by member, streamed, under these limits; the
# whole package must still fit in memory as rows, so its unpacked size is bounded.
ZIP_LIMITS = Limits(
    max_bytes=MAX_ZIP_BYTES,
    max_rows=50_000,
    max_columns=100,
    max_decompressed_bytes=50 * 1024 * 1024,
    max_members=len(TABLES) + 20,
)
MAX_JSON_BYTES = MAX_ZIP_BYTES
# The JSON form is parsed whole (its objects nest); every object or list costs memory
# whatever its size, so they are counted in the bytes before parsing. A catalogue of
# 10,000 services has about 300,000.
MAX_JSON_CONTAINERS = 500_000


def _rejected(error: ImportRejected, table: str | None = None) -> HsdsRejected:
    return HsdsRejected([HsdsProblem(table, p.row, p.column, p.message) for p in error.problems])


def read_zip(data, progress: Progress = no_progress) -> Tables:
    """The tables of a tabular package: each member streamed, its size and rows counted
    while reading (a zip bomb is refused from its directory, before anything is unpacked)."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    if stream.seek(0, io.SEEK_END) > MAX_ZIP_BYTES:
        raise HsdsRejected([HsdsProblem(None, None, None, _("Het bestand is groter dan 50 MB."))])
    stream.seek(0)
    try:
        archive = check_zip(stream, ZIP_LIMITS, what=_("zip-bestand"))
    except ImportRejected as error:
        if "gelezen als" in str(error):
            raise HsdsRejected(
                [HsdsProblem(None, None, None, _("Het bestand is geen zip-bestand."))]
            ) from None
        raise _rejected(error) from None
    names = set(archive.namelist())
    tables = Tables()
    for name, (path, _columns) in TABLES.items():
        tables.rows[name] = _member_rows(archive, name, path, progress) if path in names else []
    return tables


def _member_rows(archive, name: str, path: str, progress: Progress) -> list[tuple[int, dict]]:
    try:
        table = read_member_csv(archive, path, limits=ZIP_LIMITS, progress=progress)
        columns = table.columns
        return [
            (
                number,
                {
                    key: unguard_formula(cell.value or "")
                    for key, cell in zip(columns, cells, strict=False)
                    if key
                },
            )
            for number, cells in table.rows
            if cells
        ]
    except ImportRejected as error:
        raise _rejected(error, name) from None


def _flat(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def _json_services(data) -> list:
    data = data if isinstance(data, bytes | bytearray) else data.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise HsdsRejected([HsdsProblem(None, None, None, _("Het bestand is groter dan 50 MB."))])
    if data.count(b"{") + data.count(b"[") > MAX_JSON_CONTAINERS:
        raise HsdsRejected(
            [
                HsdsProblem(
                    None,
                    None,
                    None,
                    _("Het bestand heeft meer dan %(n)s objecten en lijsten; dat is de grens.")
                    % {"n": f"{MAX_JSON_CONTAINERS:,}".replace(",", ".")},
                )
            ]
        )
    if b"\\u0000" in data:
        # A NUL cannot be stored (PostgreSQL refuses it) and has no place in a catalogue.
        raise HsdsRejected(
            [HsdsProblem(None, None, None, _("Het bestand bevat een NUL-teken (\\u0000)."))]
        )
    try:
        page = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise HsdsRejected(
            [HsdsProblem(None, None, None, _("Het bestand is geen JSON."))]
        ) from None
    services = page.get("contents") if isinstance(page, dict) else page
    if not isinstance(services, list):
        raise HsdsRejected(
            [HsdsProblem(None, None, None, _("Verwacht een lijst met aanbod (contents)."))]
        )
    return services


class _JsonTables:
    """Rows collected from nested JSON objects, per table, first of each id kept."""

    def __init__(self):
        self.collected: dict[str, dict[str, dict]] = {name: {} for name in TABLES}

    def add(self, name: str, item, **extra) -> None:
        if not isinstance(item, dict):
            return
        rows = self.collected[name]
        row = {column: _flat(item.get(column)) for column in TABLES[name][1]}
        row.update({key: value for key, value in extra.items() if value})
        rows.setdefault(row.get("id") or f"#{len(rows)}", row)

    def add_list(self, name: str, items, **extra) -> None:
        for item in items if isinstance(items, list) else []:
            self.add(name, item, **extra)

    def add_attributes(self, items, link_id: str, link_entity: str) -> None:
        for attribute in items if isinstance(items, list) else []:
            term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
            if isinstance(term, dict):
                detail = term.get("taxonomy_detail")
                if isinstance(detail, dict):
                    self.add("taxonomy", detail)
                self.add("taxonomy_term", term)
            self.add("attribute", attribute, link_id=link_id, link_entity=link_entity)

    def tables(self) -> Tables:
        tables = Tables()
        for name, rows in self.collected.items():
            tables.rows[name] = list(enumerate(rows.values(), start=1))
        return tables


def read_json(data) -> Tables:
    """The JSON form back into tables: nested objects become rows of their own table."""
    found = _JsonTables()
    for service in _json_services(data):
        if isinstance(service, dict):
            _add_json_service(found, service)
    return found.tables()


def _add_json_service(found: _JsonTables, service: dict) -> None:
    organization = service.get("organization")
    if isinstance(organization, dict):
        found.add("organization", organization)
        found.add_list(
            "organization_identifier",
            organization.get("organization_identifiers"),
            organization_id=organization.get("id"),
        )
        found.add_attributes(organization.get("attributes"), organization.get("id"), "organization")
    found.add("service", service)
    service_id = service.get("id")
    for name, key in (
        ("service_area", "service_areas"),
        ("phone", "phones"),
        ("contact", "contacts"),
        ("language", "languages"),
        ("cost_option", "cost_options"),
        ("schedule", "schedules"),
    ):
        found.add_list(name, service.get(key), service_id=service_id)
    found.add_attributes(service.get("attributes"), service_id, "service")
    at_locations = service.get("service_at_locations")
    for sal in at_locations if isinstance(at_locations, list) else []:
        if isinstance(sal, dict):
            _add_json_at_location(found, sal, service_id)


def _add_json_at_location(found: _JsonTables, sal: dict, service_id) -> None:
    location = sal.get("location")
    location_id = location.get("id") if isinstance(location, dict) else ""
    found.add("service_at_location", sal, service_id=service_id, location_id=location_id)
    found.add_list("schedule", sal.get("schedules"), service_at_location_id=sal.get("id"))
    if isinstance(location, dict):
        found.add("location", location)
        found.add_list("address", location.get("addresses"), location_id=location_id)
        found.add_list("phone", location.get("phones"), location_id=location_id)
        found.add_attributes(location.get("attributes"), location_id, "location")


def read_file(data, filename: str, progress: Progress = no_progress) -> Tables:
    """``data`` is bytes or a seekable binary file."""
    if filename.lower().endswith(".json"):
        return read_json(data)
    if filename.lower().endswith(".zip"):
        return read_zip(data, progress)
    raise HsdsRejected([HsdsProblem(None, None, None, _("Kies een .zip- of .json-bestand."))])


# ------------------------------------------------------------------ import: checking


@dataclass
class HsdsReport:
    providers: int = 0
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.providers or self.services_created or self.services_updated)

    def summary_lines(self) -> list[str]:
        lines = [
            _("Aanbod: %(created)s nieuw, %(updated)s bijgewerkt, %(same)s ongewijzigd")
            % {
                "created": self.services_created,
                "updated": self.services_updated,
                "same": self.services_unchanged,
            }
        ]
        return lines + self.warnings


class _Checker:
    def __init__(self):
        self.problems: list[HsdsProblem] = []

    def problem(self, table, row, column, message) -> None:
        self.problems.append(HsdsProblem(table, row, column, message))

    def parse(self, table, number, column, function, value):
        try:
            return function(value)
        except (ValidationError, ValueError, InvalidOperation) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            for message in messages:
                self.problem(table, number, column, message)
            return None


TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?(Z|[+-]\d{2}:?\d{2})?")
REQUIRED = gettext_lazy("dit veld is verplicht.")


def _uuid(value) -> str:
    text = cell_text(value).strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise CellError(_("'%(value)s' is geen geldig id (uuid).") % {"value": text[:80]}) from None


def _time(value) -> datetime.time:
    text = cell_text(value).strip()
    match = TIME_RE.fullmatch(text)
    if not match:
        raise CellError(_("'%(value)s' is geen tijd; schrijf UU:MM.") % {"value": text[:80]})
    return datetime.time(int(match[1]), int(match[2]))


def _datetime(value) -> datetime.datetime:
    text = cell_text(value).strip()
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CellError(_("'%(value)s' is geen datum en tijd (ISO 8601).") % {"value": text[:80]})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _one_of(options, message, normalise=str.strip) -> Callable:
    """A parser that accepts only ``options`` (a mapping gives the value to keep)."""

    def parse(value):
        text = normalise(cell_text(value))
        if text not in options:
            raise CellError(str(message) % {"value": text[:80], "options": ", ".join(options)})
        return options[text] if isinstance(options, dict) else text

    return parse


def _checked_by(validator, normalise=str.strip) -> Callable:
    """The normalised text, if ``validator`` (raising ValidationError) accepts it."""

    def check(value):
        text = normalise(cell_text(value))
        validator(text)
        return text

    return from_validation(check)


def _upper_stripped(text: str) -> str:
    return text.strip().upper()


def _lower_stripped(text: str) -> str:
    return text.strip().lower()


def _uuid_rule(name: str, *, filled: bool = True) -> Column:
    return Column(name, filled=filled, parse=_uuid, messages={"filled": REQUIRED})


def _filled(name: str, **rule) -> Column:
    return Column(name, filled=True, messages={"filled": REQUIRED}, **rule)


def _dates(*names: str) -> list[Column]:
    return [Column(name, parse=parse_date) for name in names]


# What each cell of each table may hold. What needs several cells, other tables or the
# database (references, a school, a term, an end after a start) is code below.
RULES: dict[str, list[Column]] = {
    "taxonomy_term": [_uuid_rule("id")],
    "organization": [_uuid_rule("id"), _filled("name")],
    "organization_identifier": [_uuid_rule("organization_id")],
    "service": [
        _uuid_rule("id"),
        _uuid_rule("organization_id", filled=False),
        _filled("name"),
        _filled(
            "status",
            parse=_one_of(
                STATUS_IN, gettext_lazy("'%(value)s' is geen HSDS-status; kies uit %(options)s.")
            ),
        ),
        _filled("description"),
        Column("minimum_age", parse=from_validation(validators.parse_age)),
        Column("maximum_age", parse=from_validation(validators.parse_age)),
        *_dates("assured_date"),
        Column("last_modified", parse=_datetime),
    ],
    "service_area": [_uuid_rule("service_id"), _uuid_rule("id")],
    "location": [
        _uuid_rule("id"),
        Column(
            "location_type",
            parse=_one_of(
                LocationType.values,
                gettext_lazy("'%(value)s' is geen soort locatie; kies physical of virtual."),
            ),
        ),
        _filled("name"),
        _uuid_rule("organization_id", filled=False),
        Column("latitude", parse=decimal_places(6)),
        Column("longitude", parse=decimal_places(6)),
    ],
    "address": [
        _uuid_rule("location_id"),
        Column("postal_code", parse=parse_postcode),
        Column(
            "country",
            parse=_one_of(
                (COUNTRY,), gettext_lazy("alleen adressen in Nederland (NL)."), _upper_stripped
            ),
        ),
    ],
    "service_at_location": [_uuid_rule("service_id"), _uuid_rule("location_id"), _uuid_rule("id")],
    "schedule": [
        _uuid_rule("id"),
        _uuid_rule("service_id", filled=False),
        _uuid_rule("service_at_location_id", filled=False),
        Column(
            "freq",
            parse=_one_of(
                ("WEEKLY", "MONTHLY"),
                gettext_lazy("'%(value)s' is geen frequentie; kies WEEKLY of MONTHLY."),
            ),
        ),
        Column("byday", parse=_checked_by(validators.validate_byday)),
        Column("opens_at", parse=_time),
        Column("closes_at", parse=_time),
        *_dates("valid_from", "valid_to"),
    ],
    "phone": [
        _uuid_rule("id"),
        _filled("number", parse=_checked_by(validators.validate_phone)),
        _uuid_rule("location_id", filled=False),
        _uuid_rule("service_id", filled=False),
    ],
    "contact": [_uuid_rule("service_id"), _uuid_rule("id")],
    "language": [
        _uuid_rule("service_id"),
        _uuid_rule("id"),
        _filled("code", parse=_checked_by(validators.validate_language_code, _lower_stripped)),
    ],
    "cost_option": [
        _uuid_rule("service_id"),
        _uuid_rule("id"),
        Column(
            "currency",
            parse=_one_of(
                ("EUR",), gettext_lazy("alleen bedragen in euro (EUR)."), _upper_stripped
            ),
        ),
        Column("amount", parse=decimal_places(2)),
        *_dates("valid_from", "valid_to"),
    ],
    "attribute": [_uuid_rule("taxonomy_term_id"), _uuid_rule("link_id")],
}


def _groups_in(value: str) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\s*([1-8])?\s*(?:-\s*([1-8]))?\s*", value or "")
    if not match or not (match[1] or match[2]):
        raise ValidationError(
            _("'%(value)s' zijn geen schoolgroepen; schrijf bijvoorbeeld 7 of 6-8.")
            % {"value": value}
        )
    low = int(match[1]) if match[1] else None
    high = int(match[2]) if match[2] else low
    if low is not None and high is not None and high < low:
        raise ValidationError(_("De groep 'tot en met' ligt onder de groep 'vanaf'."))
    return low, high


@dataclass
class _Context:
    """What checking the tables of one file shares: the reference data, the terms and
    the catalogue found so far, and every problem."""

    check: _Checker
    rows: dict
    regions: dict
    fixed: dict
    fixed_by_code: dict
    schools: dict
    term_of: dict = field(default_factory=dict)
    catalogue: dict = field(
        default_factory=lambda: {
            "providers": {},
            "services": {},
            "locations": {},
            "identifiers": {},
        }
    )
    warnings: list = field(default_factory=list)

    def table(self, name: str) -> list[tuple[int, dict]]:
        return self.rows.get(name, [])

    def checked(self, name: str):
        """The table's rows as ``(number, row, values)``: ``values`` holds what the
        declared rules parsed (a refused cell is left out and its problem recorded). A
        column missing from the file counts as blank, so a required one is named."""
        rules = RULES[name]
        for number, row in self.table(name):
            cells = {rule.name: row.get(rule.name) for rule in rules}
            values, problems = check_row(rules, number, cells)
            for found in problems:
                self.check.problem(name, found.row, found.column, found.message)
            yield number, row, values

    def service_of(self, table, number, values, column="service_id"):
        """The service a row belongs to; the id was checked by the rules, but may be
        blank where the table allows another owner."""
        services = self.catalogue["services"]
        service_id = values.get(column)
        if service_id is None:
            if column in values:
                self.check.problem(table, number, column, str(REQUIRED))
            return None
        if service_id not in services:
            self.check.problem(table, number, column, _("dit aanbod staat niet in het bestand."))
            return None
        return services[service_id]


def _context(tables: Tables) -> _Context:
    rows = tables.rows
    regions = {
        r.code: r
        for r in Region.objects.filter(kind__in=[RegionKind.MUNICIPALITY, RegionKind.DISTRICT])
    }
    fixed = {str(term.uuid): term for term in TaxonomyTerm.objects.select_related("taxonomy")}
    school_codes = {
        row.get("external_identifier", "").strip().upper()
        for _n, row in rows.get("location", [])
        if row.get("external_identifier_type") == SCHOOL_IDENTIFIER
    }
    schools = (
        {s.code: s for s in Organisation.objects.schools().filter(code__in=school_codes)}
        if school_codes
        else {}
    )
    return _Context(
        check=_Checker(),
        rows=rows,
        regions=regions,
        fixed=fixed,
        fixed_by_code={(t.taxonomy.code, t.code): t for t in fixed.values()},
        schools=schools,
    )


def check_tables(tables: Tables) -> tuple[dict, list[HsdsProblem]]:
    """Every row checked, table by table in the order their references need; returns
    the parsed catalogue and every problem."""
    context = _context(tables)
    for check_table in (
        _check_taxonomy_terms,
        _check_organizations,
        _check_services,
        _check_service_areas,
        _check_locations,
        _check_addresses,
        _check_service_at_locations,
        _check_schedules,
        _check_phones,
        _check_contacts,
        _check_languages,
        _check_cost_options,
        _check_attributes,
    ):
        check_table(context)
    context.catalogue["warnings"] = context.warnings
    return context.catalogue, context.check.problems


def _check_taxonomy_terms(c: _Context) -> None:
    """Known fixed terms by id or by (taxonomy, code); dynamic terms of the area and
    agenda taxonomies by their code."""
    for number, row, values in c.checked("taxonomy_term"):
        term_id = values.get("id") or ""
        taxonomy_code = (row.get("taxonomy") or "").strip()
        code = (row.get("code") or "").strip()
        if term_id in c.fixed:
            term = c.fixed[term_id]
            c.term_of[term_id] = (term.taxonomy.code, term.code)
        elif (taxonomy_code, code) in c.fixed_by_code:
            c.term_of[term_id] = (taxonomy_code, code)
        elif taxonomy_code == AREA_TAXONOMY:
            if code not in c.regions:
                c.check.problem(
                    "taxonomy_term",
                    number,
                    "code",
                    _("'%(value)s' is geen bekende gemeente- of wijkcode.") % {"value": code},
                )
            c.term_of[term_id] = (AREA_TAXONOMY, code)
        elif taxonomy_code == AGENDA_TAXONOMY:
            c.term_of[term_id] = (AGENDA_TAXONOMY, code)
        elif term_id:
            c.check.problem(
                "taxonomy_term",
                number,
                "code",
                _(
                    "'%(code)s' uit taxonomie '%(taxonomy)s' is geen bekende term van de sociale kaart."
                )
                % {"code": code, "taxonomy": taxonomy_code},
            )


def _check_organizations(c: _Context) -> None:
    check, providers = c.check, c.catalogue["providers"]
    for _number, row, values in c.checked("organization"):
        providers[values.get("id") or ""] = {
            "name": (values.get("name") or "")[:200],
            "alternate_name": (row.get("alternate_name") or "")[:200],
            "description": row.get("description") or "",
            "email": (row.get("email") or "").strip(),
            "website": validators.normalise_url(row.get("website") or ""),
            "source_note": "",
        }
    for number, row, values in c.checked("organization_identifier"):
        provider_id = values.get("organization_id") or ""
        if provider_id and provider_id not in providers:
            check.problem(
                "organization_identifier",
                number,
                "organization_id",
                _("deze organisatie staat niet in het bestand."),
            )
        kind = (row.get("identifier_type") or "").strip()
        if kind.startswith("kansrijk:"):
            c.catalogue["identifiers"][provider_id] = (kind, (row.get("identifier") or "").strip())


def _check_services(c: _Context) -> None:
    known_providers = set(c.catalogue["providers"]) | {
        str(u) for u in Provider.objects.values_list("uuid", flat=True)
    }
    for number, row, values in c.checked("service"):
        provider_id = values.get("organization_id") or ""
        if provider_id and provider_id not in known_providers:
            c.check.problem(
                "service",
                number,
                "organization_id",
                _("deze organisatie staat niet in het bestand."),
            )
        c.catalogue["services"][values.get("id") or ""] = {
            "row": number,
            "provider": provider_id,
            "fields": _service_fields(c.check, number, row, values),
            **{
                key: []
                for key in (
                    "themes",
                    "audiences",
                    "goals",
                    "interventions",
                    "areas",
                    "locations",
                    "schedules",
                    "phones",
                    "contacts",
                    "languages",
                    "cost_options",
                )
            },
        }


def _service_fields(check: _Checker, number: int, row: dict, values: dict) -> dict:
    low, high = values.get("minimum_age"), values.get("maximum_age")
    if low is not None and high is not None and high < low:
        check.problem(
            "service",
            number,
            "maximum_age",
            _("de leeftijd 'tot en met' ligt onder de leeftijd 'vanaf'."),
        )
    return {
        "name": (values.get("name") or "")[:255],
        "alternate_name": (row.get("alternate_name") or "")[:255],
        "description": row.get("description") or "",
        "url": validators.normalise_url(row.get("url") or ""),
        "email": (row.get("email") or "").strip(),
        "status": values.get("status") or ServiceStatus.ARCHIVED,
        "alert": row.get("alert") or "",
        "application_process": row.get("application_process") or "",
        "fees_description": row.get("fees_description") or "",
        "eligibility_description": row.get("eligibility_description") or "",
        "minimum_age": low,
        "maximum_age": high,
        "minimum_group": None,
        "maximum_group": None,
        "requires_referral": False,
        "has_income_limit": False,
        "is_free": False,
        "accepts_jeugdfonds": False,
        "source_note": "",
        "assured_date": values.get("assured_date"),
        "last_modified": values.get("last_modified"),
    }


def _check_service_areas(c: _Context) -> None:
    for number, row, values in c.checked("service_area"):
        service = c.service_of("service_area", number, values)
        uri = (row.get("uri") or "").strip()
        code = uri[len(AREA_URN) :] if uri.startswith(AREA_URN) else ""
        region = c.regions.get(code)
        if region is None:
            c.check.problem(
                "service_area",
                number,
                "uri",
                _("'%(value)s' noemt geen bekende gemeente of wijk (verwacht %(prefix)sGM0556).")
                % {"value": uri, "prefix": AREA_URN},
            )
        elif service is not None:
            service["areas"].append(
                {
                    "uuid": values.get("id") or "",
                    "region": region,
                    "description": (row.get("description") or "")[:255],
                }
            )


def _check_locations(c: _Context) -> None:
    for number, row, values in c.checked("location"):
        c.catalogue["locations"][values.get("id") or ""] = {
            "provider": values.get("organization_id") or "",
            "fields": {
                "location_type": values.get("location_type") or LocationType.PHYSICAL,
                "url": validators.normalise_url(row.get("url") or ""),
                "name": (values.get("name") or "")[:200],
                "description": row.get("description") or "",
                "school": _location_school(c, number, row),
                "latitude": values.get("latitude"),
                "longitude": values.get("longitude"),
                "address_1": "",
                "postal_code": "",
                "city": "",
                "municipality": None,
                "district": None,
            },
            "phones": [],
        }


def _location_school(c: _Context, number: int, row: dict):
    if row.get("external_identifier_type") != SCHOOL_IDENTIFIER:
        return None
    code = (row.get("external_identifier") or "").strip().upper()
    school = c.schools.get(code)
    if school is None:
        c.check.problem(
            "location",
            number,
            "external_identifier",
            _("er is geen school %(value)s in de referentiedata.") % {"value": code},
        )
    return school


def _check_addresses(c: _Context) -> None:
    for number, row, values in c.checked("address"):
        location = c.catalogue["locations"].get(values.get("location_id"))
        if location is None:
            if values.get("location_id"):
                c.check.problem(
                    "address", number, "location_id", _("deze locatie staat niet in het bestand.")
                )
            continue
        location["fields"].update(
            address_1=(row.get("address_1") or "")[:200],
            postal_code=values.get("postal_code") or "",
            city=(row.get("city") or "")[:100],
        )


def _check_service_at_locations(c: _Context) -> None:
    for number, row, values in c.checked("service_at_location"):
        service = c.service_of("service_at_location", number, values)
        location_id = values.get("location_id")
        if location_id and location_id not in c.catalogue["locations"]:
            c.check.problem(
                "service_at_location",
                number,
                "location_id",
                _("deze locatie staat niet in het bestand."),
            )
        elif service is not None and location_id:
            service["locations"].append(
                {
                    "uuid": values.get("id") or "",
                    "location": location_id,
                    "description": row.get("description") or "",
                    "schedules": [],
                }
            )


def _check_schedules(c: _Context) -> None:
    services = c.catalogue["services"].values()
    at_locations = {sal["uuid"]: sal for s in services for sal in s["locations"]}
    for number, row, values in c.checked("schedule"):
        schedule = _schedule(c.check, number, row, values)
        if (row.get("service_at_location_id") or "").strip():
            sal = at_locations.get(values.get("service_at_location_id"))
            if sal is not None:
                sal["schedules"].append(schedule)
            elif values.get("service_at_location_id"):
                c.check.problem(
                    "schedule",
                    number,
                    "service_at_location_id",
                    _("deze locatie van het aanbod staat niet in het bestand."),
                )
        else:
            service = c.service_of("schedule", number, values)
            if service is not None:
                service["schedules"].append(schedule)


def _schedule(check: _Checker, number: int, row: dict, values: dict) -> dict:
    schedule = {
        "uuid": values.get("id") or "",
        "freq": values.get("freq") or "",
        "byday": values.get("byday") or "",
        "opens_at": values.get("opens_at"),
        "closes_at": values.get("closes_at"),
        "valid_from": values.get("valid_from"),
        "valid_to": values.get("valid_to"),
        "description": row.get("description") or "",
    }
    if (
        schedule["valid_from"]
        and schedule["valid_to"]
        and schedule["valid_to"] < schedule["valid_from"]
    ):
        check.problem("schedule", number, "valid_to", _("de einddatum ligt voor de begindatum."))
    if (
        schedule["opens_at"]
        and schedule["closes_at"]
        and schedule["closes_at"] <= schedule["opens_at"]
    ):
        check.problem("schedule", number, "closes_at", _("de eindtijd ligt niet na de begintijd."))
    return schedule


def _check_phones(c: _Context) -> None:
    for number, row, values in c.checked("phone"):
        phone = {
            "uuid": values.get("id") or "",
            "number": values.get("number") or (row.get("number") or "").strip(),
            "description": (row.get("description") or "")[:200],
        }
        if (row.get("location_id") or "").strip():
            location = c.catalogue["locations"].get(values.get("location_id"))
            if location is not None:
                location["phones"].append(phone)
            elif values.get("location_id"):
                c.check.problem(
                    "phone", number, "location_id", _("deze locatie staat niet in het bestand.")
                )
        else:
            service = c.service_of("phone", number, values)
            if service is not None:
                service["phones"].append(phone)


def _check_contacts(c: _Context) -> None:
    for number, row, values in c.checked("contact"):
        service = c.service_of("contact", number, values)
        if service is not None:
            service["contacts"].append(
                {
                    "uuid": values.get("id") or "",
                    "title": (row.get("title") or "")[:200],
                    "department": (row.get("department") or "")[:200],
                    "email": (row.get("email") or "").strip(),
                }
            )


def _check_languages(c: _Context) -> None:
    for number, row, values in c.checked("language"):
        service = c.service_of("language", number, values)
        code = values.get("code") or ""
        if service is not None:
            service["languages"].append(
                {
                    "uuid": values.get("id") or "",
                    "code": code,
                    "name": (row.get("name") or validators.LANGUAGES.get(code, ""))[:60],
                    "note": (row.get("note") or "")[:200],
                }
            )


def _check_cost_options(c: _Context) -> None:
    for number, row, values in c.checked("cost_option"):
        service = c.service_of("cost_option", number, values)
        cost = {
            "uuid": values.get("id") or "",
            "option": (row.get("option") or "")[:200],
            "currency": values.get("currency") or "EUR",
            "amount": values.get("amount"),
            "amount_description": (row.get("amount_description") or "")[:200],
            "valid_from": values.get("valid_from"),
            "valid_to": values.get("valid_to"),
        }
        if service is not None:
            service["cost_options"].append(cost)


def _check_attributes(c: _Context) -> None:
    """Attributes link a term to a location, an organisation or a service."""
    links = _agenda_links()
    for number, row, values in c.checked("attribute"):
        term_id, link_id = values.get("taxonomy_term_id"), values.get("link_id")
        if term_id and term_id not in c.term_of:
            c.check.problem(
                "attribute", number, "taxonomy_term_id", _("deze term staat niet in het bestand.")
            )
            continue
        if not term_id or not link_id:
            continue
        entity = (row.get("link_entity") or "").strip()
        term = c.term_of[term_id]
        if entity == "location":
            _location_attribute(c, number, link_id, term)
        elif entity == "organization":
            _organization_attribute(c, number, link_id, term, row.get("value") or "")
        else:
            _service_attribute(c, number, link_id, term, row.get("value") or "", links)


def _agenda_links() -> dict[str, tuple[str, int]]:
    """The agenda's goals and interventions by the code the export gives them."""
    links = {
        f"doel:{slug}:{external_id}": ("goals", pk)
        for pk, slug, external_id in Goal.objects.values_list("pk", "agenda__slug", "external_id")
    }
    links.update(
        {
            f"interventie:{slug}:{external_id}": ("interventions", pk)
            for pk, slug, external_id in Intervention.objects.values_list(
                "pk", "agenda__slug", "external_id"
            )
        }
    )
    return links


def _location_attribute(c: _Context, number: int, link_id: str, term: tuple) -> None:
    location = c.catalogue["locations"].get(link_id)
    taxonomy_code, code = term
    if location is None:
        c.check.problem(
            "attribute", number, "link_id", _("deze locatie staat niet in het bestand.")
        )
    elif taxonomy_code == AREA_TAXONOMY and code in c.regions:
        region = c.regions[code]
        key = "municipality" if region.kind == RegionKind.MUNICIPALITY else "district"
        location["fields"][key] = region


def _organization_attribute(c: _Context, number: int, link_id: str, term, value: str) -> None:
    provider = c.catalogue["providers"].get(link_id)
    if provider is None:
        c.check.problem(
            "attribute", number, "link_id", _("deze organisatie staat niet in het bestand.")
        )
    elif term == (taxonomy.FEATURE, "bron"):
        provider["source_note"] = value


def _service_attribute(c: _Context, number: int, link_id: str, term, value: str, links) -> None:
    service = c.catalogue["services"].get(link_id)
    taxonomy_code, code = term
    if service is None:
        c.check.problem("attribute", number, "link_id", _("dit aanbod staat niet in het bestand."))
    elif taxonomy_code == taxonomy.THEME:
        service["themes"].append(c.fixed_by_code[term])
    elif taxonomy_code == taxonomy.AUDIENCE:
        service["audiences"].append(c.fixed_by_code[term])
    elif taxonomy_code == taxonomy.FEATURE:
        _service_feature(c.check, number, service, code, value)
    elif taxonomy_code == AGENDA_TAXONOMY:
        if code in links:
            key, pk = links[code]
            service[key].append(pk)
        else:
            c.warnings.append(
                _("Aanbod '%(name)s': %(code)s bestaat hier niet; die koppeling is overgeslagen.")
                % {"name": service["fields"]["name"], "code": code}
            )


def _service_feature(check: _Checker, number: int, service: dict, code: str, value: str) -> None:
    if code == "schoolgroep":
        groups = check.parse("attribute", number, "value", _groups_in, value)
        if groups:
            service["fields"]["minimum_group"], service["fields"]["maximum_group"] = groups
    elif code == "bron":
        service["fields"]["source_note"] = value
    else:
        field_name = {v: k for k, v in taxonomy.FEATURE_FIELDS.items()}[code]
        service["fields"][field_name] = True


# ------------------------------------------------------------------ import: writing


def import_tables(tables: Tables, *, actor, dry_run: bool = False) -> HsdsReport:
    """Check every row of every table, then write everything in one transaction (or
    nothing, when any row is wrong). Records are matched on their HSDS id."""
    from . import services as socialmap_services

    catalogue, problems = check_tables(tables)
    if problems:
        raise HsdsRejected(problems)
    report = HsdsReport(dry_run=dry_run, warnings=catalogue["warnings"])
    if dry_run:
        report.services_created = len(catalogue["services"])
        return report
    with transaction.atomic():
        try:
            socialmap_services.import_catalogue(catalogue, actor=actor, report=report)
        except ValidationError as error:
            raise HsdsRejected(
                [HsdsProblem(None, None, None, message) for message in error.messages]
            ) from None
    return report


def import_file(
    data, filename: str, *, actor, dry_run: bool = False, progress: Progress = no_progress
) -> HsdsReport:
    """``data`` is bytes or a seekable binary file."""
    return import_tables(read_file(data, filename, progress), actor=actor, dry_run=dry_run)
