"""Demo content of the sociale kaart (``kansrijk load_demo``): every offer the seeds name,
with their providers, and illustrative participation and needs for the seed regions, from
``demo_data/socialmap.toml`` (entered by hand; the rules are at the top of that file).

Loading goes through the same service functions as every other change and is idempotent:
every record has an id derived from its key in the file, what is stored is compared
before saving, and a second run changes nothing and writes no audit rows. Afterwards the
participation indicators of the monitor are refreshed from the counts.

A school the file names but the database does not hold (a reduced reference data set)
is skipped and reported, never guessed.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kansrijk.agenda.models import Goal, Intervention
from kansrijk.organisations.models import Organisation, OrganisationKind, Region

from . import services, taxonomy
from .forms import parse_period
from .models import (
    Location,
    Need,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from .validators import LANGUAGES

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo_data" / "socialmap.toml"


class SocialmapFileError(Exception):
    """The demo file refers to something that does not exist (organisation, goal...)."""


@dataclass
class SocialmapReport:
    providers: int = 0
    services_created: int = 0
    services_updated: int = 0
    unchanged: int = 0
    locations: int = 0
    participation: int = 0
    needs: int = 0
    measurements: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.providers
            or self.services_created
            or self.services_updated
            or self.locations
            or self.participation
            or self.needs
            or self.measurements
        )


def demo_uuid(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(taxonomy.NAMESPACE, f"demo:{kind}:{key}")


class _Lookups:
    def __init__(self):
        self.terms = {
            (term.taxonomy.code, term.code): term
            for term in TaxonomyTerm.objects.select_related("taxonomy")
        }
        self.regions: dict[str, Region] = {}

    def term(self, taxonomy_code: str, code: str):
        try:
            return self.terms[(taxonomy_code, code)]
        except KeyError:
            raise SocialmapFileError(f"Onbekende term {code!r} in {taxonomy_code}.") from None

    def region(self, code: str) -> Region:
        if code not in self.regions:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise SocialmapFileError(
                    f"Regio {code!r} niet gevonden: laad eerst de referentie- en demodata."
                )
            self.regions[code] = region
        return self.regions[code]

    @staticmethod
    def organisation(reference: str) -> Organisation:
        found = Organisation.objects.filter(code=reference).exclude(
            kind=OrganisationKind.SCHOOL_INSTITUTION
        )
        if reference.startswith("GM"):
            found = found.filter(kind=OrganisationKind.MUNICIPALITY)
        organisation = found.first() or Organisation.objects.filter(name=reference).first()
        if organisation is None:
            raise SocialmapFileError(
                f"Organisatie {reference!r} niet gevonden: laad eerst de demo-organisaties."
            )
        return organisation

    @staticmethod
    def school(code: str) -> Organisation | None:
        return Organisation.objects.schools().filter(code=code).first()

    @staticmethod
    def agenda_item(model, reference: str):
        slug, _, external_id = reference.partition(":")
        item = model.objects.filter(agenda__slug=slug, external_id=external_id).first()
        if item is None:
            raise SocialmapFileError(f"{reference!r} niet gevonden: laad eerst de agenda {slug!r}.")
        return item


def _range(entry: dict, name: str):
    """[low, high], or [low] for 'from low on'."""
    values = entry.get(name)
    if not values:
        return None, None
    return values[0], values[1] if len(values) > 1 else None


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _provider(entry: dict, lookups: _Lookups, *, actor, report: SocialmapReport) -> Provider:
    key_uuid = demo_uuid("provider", entry["key"])
    organisation = (
        lookups.organisation(entry["organisation"]) if entry.get("organisation") else None
    )
    provider = Provider.objects.filter(uuid=key_uuid).first()
    if provider is None and organisation is not None:
        # The organisation may already have a provider record (made on the pages).
        provider = Provider.objects.filter(organisation=organisation).first()
    wanted = {
        "organisation": organisation,
        "name": entry["name"],
        "description": entry.get("description", ""),
        "website": entry.get("website", ""),
        "source_note": entry.get("source", ""),
    }
    if provider is None:
        report.providers += 1
        return services.save_provider(Provider(uuid=key_uuid), actor=actor, **wanted)
    if services.comparable(provider, wanted) != {
        name: getattr(value, "pk", value) for name, value in wanted.items()
    }:
        report.providers += 1
        return services.save_provider(provider, actor=actor, **wanted)
    return provider


def _service(entry: dict, providers, lookups: _Lookups, *, actor, report) -> Service:
    min_age, max_age = _range(entry, "ages")
    min_group, max_group = _range(entry, "groups")
    for code in entry.get("languages", []):
        if code not in LANGUAGES:
            raise SocialmapFileError(f"{entry['key']}: onbekende taalcode {code!r}.")
    fields = {
        "provider": providers[entry["provider"]] if entry.get("provider") else None,
        "name": entry["name"],
        "alternate_name": entry.get("alternate_name", ""),
        "description": entry["description"].strip(),
        "eligibility_description": entry.get("eligibility", ""),
        "alert": entry.get("alert", ""),
        "minimum_age": _decimal(min_age),
        "maximum_age": _decimal(max_age),
        "minimum_group": min_group,
        "maximum_group": max_group,
        "requires_referral": entry.get("requires_referral", False),
        "has_income_limit": entry.get("has_income_limit", False),
        "is_free": entry.get("is_free", False),
        "accepts_jeugdfonds": entry.get("accepts_jeugdfonds", False),
        "fees_description": entry.get("fees", ""),
        "application_process": entry.get("application_process", ""),
        "url": entry.get("url", ""),
        "email": entry.get("email", ""),
        "source_note": entry.get("source", ""),
        "status": ServiceStatus.PUBLISHED,
    }
    links = services.Links(
        themes=[lookups.term(taxonomy.THEME, code) for code in entry.get("themes", [])],
        audiences=[lookups.term(taxonomy.AUDIENCE, code) for code in entry.get("audiences", [])],
        areas=[lookups.region(code) for code in entry.get("areas", [])],
        goals=[lookups.agenda_item(Goal, ref) for ref in entry.get("goals", [])],
        interventions=[
            lookups.agenda_item(Intervention, ref) for ref in entry.get("interventions", [])
        ],
        languages=entry.get("languages", []),
        phones=[(number, "") for number in entry.get("phones", [])],
        contacts=entry.get("contacts", []),
    )
    key_uuid = demo_uuid("service", entry["key"])
    service = Service.objects.filter(uuid=key_uuid).first()
    if service is None:
        report.services_created += 1
        return services.create_service(
            actor=actor, links=links, uuid=key_uuid, published_at=timezone.now(), **fields
        )
    if services.update_service(service, actor=actor, links=links, **fields):
        report.services_updated += 1
    else:
        report.unchanged += 1
    return service


def _locations(service: Service, entry: dict, lookups: _Lookups, *, actor, report) -> None:
    for spec in entry.get("location", []):
        key_uuid = demo_uuid("location", spec["key"])
        if ServiceAtLocation.objects.filter(service=service, location__uuid=key_uuid).exists():
            continue
        school = None
        if spec.get("school"):
            school = lookups.school(spec["school"])
            if school is None:
                report.skipped.append(
                    f"locatie {spec['key']}: school {spec['school']} niet in de referentiedata"
                )
                continue
        location = Location(
            uuid=key_uuid,
            name=spec.get("name", ""),
            school=school,
            address_1=spec.get("address", ""),
            postal_code=spec.get("postcode", ""),
            city=spec.get("city", ""),
            municipality=lookups.region(spec["municipality"]) if spec.get("municipality") else None,
            district=lookups.region(spec["district"]) if spec.get("district") else None,
        )
        schedules = [
            Schedule(
                description=item.get("description", ""),
                valid_from=item.get("valid_from"),
                valid_to=item.get("valid_to"),
                byday=item.get("byday", ""),
            )
            for item in spec.get("schedules", [])
        ]
        services.add_location(service, location, actor=actor, schedules=schedules)
        report.locations += 1


def _participation(entry: dict, by_key, lookups: _Lookups, *, actor, report) -> None:
    service = by_key[entry["service"]]
    start, end, label = parse_period(entry["period"])
    school = region = None
    if entry.get("school"):
        school = lookups.school(entry["school"])
        if school is None:
            report.skipped.append(
                f"deelname {entry['service']}: school {entry['school']} niet in de referentiedata"
            )
            return
    else:
        region = lookups.region(entry["region"])
    _row, changed = services.save_participation(
        actor=actor,
        service=service,
        period_start=start,
        period_end=end,
        period_label=label,
        school=school,
        region=region,
        participants=entry["participants"],
        is_illustrative=entry.get("illustrative", False),
        source=entry.get("source", "demo (illustratief)" if entry.get("illustrative") else ""),
    )
    report.participation += changed


def _need(entry: dict, lookups: _Lookups, *, actor, report) -> None:
    min_age, max_age = _range(entry, "ages")
    min_group, max_group = _range(entry, "groups")
    fields = {
        "municipality": lookups.region(entry["gemeente"]),
        "district": lookups.region(entry["wijk"]) if entry.get("wijk") else None,
        "school": None,
        "theme": lookups.term(taxonomy.THEME, entry["theme"]),
        "minimum_age": _decimal(min_age),
        "maximum_age": _decimal(max_age),
        "minimum_group": min_group,
        "maximum_group": max_group,
        "description": entry["description"],
        "period_label": entry.get("period", ""),
        "is_illustrative": entry.get("illustrative", False),
        "source": entry.get("source", ""),
    }
    if entry.get("school"):
        fields["school"] = lookups.school(entry["school"])
        if fields["school"] is None:
            report.skipped.append(f"behoefte: school {entry['school']} niet in de referentiedata")
            return
    existing = Need.objects.filter(
        municipality=fields["municipality"],
        district=fields["district"],
        school=fields["school"],
        theme=fields["theme"],
        minimum_age=fields["minimum_age"],
        maximum_age=fields["maximum_age"],
        minimum_group=min_group,
        maximum_group=max_group,
        period_label=fields["period_label"],
    ).first()
    _need_row, changed = services.save_need(existing, actor=actor, **fields)
    report.needs += changed


def load_demo_socialmap(path: Path = DEMO_FILE, *, actor=None) -> SocialmapReport:
    """Everything for ``kansrijk load_demo``: after the organisations, agendas and
    indicators (services serve goals; participation feeds an indicator)."""
    from kansrijk.indicators.models import Indicator

    from .indicators import PARTICIPATION_KEY, refresh_participation

    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    report = SocialmapReport()
    taxonomy.ensure_taxonomies()
    lookups = _Lookups()
    with transaction.atomic():
        providers = {
            entry["key"]: _provider(entry, lookups, actor=actor, report=report)
            for entry in data.get("provider", [])
        }
        by_key = {}
        for entry in data.get("service", []):
            service = _service(entry, providers, lookups, actor=actor, report=report)
            _locations(service, entry, lookups, actor=actor, report=report)
            by_key[entry["key"]] = service
        for entry in data.get("participation", []):
            _participation(entry, by_key, lookups, actor=actor, report=report)
        for entry in data.get("need", []):
            _need(entry, lookups, actor=actor, report=report)
        for indicator in Indicator.objects.filter(computed_key=PARTICIPATION_KEY):
            report.measurements += refresh_participation(indicator, actor=actor)
    return report
