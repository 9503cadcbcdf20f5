"""Every change to the sociale kaart goes through these functions: each takes a keyword-only
``actor``, validates, saves and writes its audit record in one transaction. The pages,
the API, the imports, the demo loader and the reminder command all call them.

The life of an entry: a provider writes a *concept* and submits it (*ter goedkeuring*); a
beleidsmedewerker of a gemeente in which it is offered approves it (*gepubliceerd*) or
sends it back with a reason. A change to a published entry by someone who may not approve
it sends it back for approval; confirming that an entry is still correct
(``verify_service``) does not.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.organisations.models import Membership, Organisation, Region, RegionKind, Role

from . import rules
from .indicators import changed_participation
from .models import (
    Contact,
    CostOption,
    Language,
    Location,
    Need,
    Participation,
    Phone,
    Provider,
    Reminder,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from .validators import LANGUAGES, fold

SERVICE_AUDIT_FIELDS = [
    "provider",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "alert",
    "minimum_age",
    "maximum_age",
    "minimum_group",
    "maximum_group",
    "eligibility_description",
    "requires_referral",
    "has_income_limit",
    "fees_description",
    "is_free",
    "accepts_jeugdfonds",
    "application_process",
    "assured_date",
    "source_note",
    "review_note",
]


def modified_now() -> datetime.datetime:
    """Now, to the millisecond: HSDS writes ``last_modified`` with millisecond accuracy, so
    an entry that goes out and comes back keeps exactly the same time."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _snapshot(service: Service) -> dict:
    return audit.snapshot(service, SERVICE_AUDIT_FIELDS)


def comparable(instance, names) -> dict:
    """The values of ``names`` as the database will hold them (a decimal at its field's
    places: 4 and 4.0 are the same age), to tell a real change from an equal save."""
    values = {}
    for name in names:
        value = getattr(instance, name)
        model_field = instance._meta.get_field(name)
        if isinstance(value, Decimal) and getattr(model_field, "decimal_places", None) is not None:
            value = value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
        elif hasattr(value, "pk"):
            value = value.pk
        values[name] = value
    return values


def _record(action: str, service: Service, *, actor, before=None, after=None, reason=""):
    audit.record(
        f"socialmap.{action}",
        actor=actor,
        target=service,
        organisation=service.organisation,
        before=before,
        after=after,
        reason=reason,
    )


# ------------------------------------------------------------------ areas and search text


def municipality_of(region: Region, day: datetime.date | None = None) -> Region:
    """The gemeente of an area: the area itself, or the gemeente a wijk lies in."""
    if region.kind == RegionKind.MUNICIPALITY:
        return region
    if region.kind == RegionKind.DISTRICT:
        parent = region.parents_on(day or timezone.localdate(), RegionKind.MUNICIPALITY).first()
        if parent is not None:
            return parent
        raise ValidationError(
            _("De wijk %(name)s ligt niet in een gemeente in Kansrijk.") % {"name": region.name}
        )
    raise ValidationError(
        _("%(name)s is geen gemeente of wijk: kies een gemeente of een wijk.")
        % {"name": region.name}
    )


def search_text_for(service: Service) -> str:
    """The folded text that free-text search reads: name, other name, provider, themes,
    audiences, areas, description and eligibility."""
    parts = [service.name, service.alternate_name]
    if service.provider_id:
        parts.append(service.provider.name)
    if service.pk:
        parts += list(service.themes.values_list("name", flat=True))
        parts += list(service.audiences.values_list("name", flat=True))
        parts += list(service.areas.values_list("region__name", flat=True))
    parts += [service.description, service.eligibility_description]
    return fold(" ".join(part for part in parts if part))


def refresh_search_text(service: Service) -> None:
    service.search_text = search_text_for(service)
    Service.objects.filter(pk=service.pk).update(search_text=service.search_text)


# ------------------------------------------------------------------ providers


@transaction.atomic
def save_provider(provider: Provider | None = None, *, actor, **fields) -> Provider:
    provider = provider or Provider()
    creating = provider.pk is None
    before = None if creating else audit.snapshot(Provider.objects.get(pk=provider.pk))
    for name, value in fields.items():
        setattr(provider, name, value)
    provider.full_clean()
    provider.save()
    audit.record(
        f"socialmap.provider.{'create' if creating else 'update'}",
        actor=actor,
        target=provider,
        organisation=provider.organisation,
        before=before,
        after=audit.snapshot(provider),
    )
    return provider


@transaction.atomic
def provider_for_organisation(organisation: Organisation, *, actor) -> Provider:
    """The provider record of a Kansrijk organisation, made on first use."""
    existing = Provider.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    return save_provider(
        actor=actor,
        organisation=organisation,
        name=organisation.name,
        website=_website(organisation.website),
    )


def _website(value: str) -> str:
    from .validators import normalise_url

    return normalise_url(value)


# ------------------------------------------------------------------ services


@dataclass
class Links:
    """What belongs to a service besides its own fields; ``None`` leaves a part alone."""

    themes: Iterable[TaxonomyTerm] | None = None
    audiences: Iterable[TaxonomyTerm] | None = None
    areas: Iterable[Region] | None = None
    goals: Iterable | None = None
    interventions: Iterable | None = None
    languages: Iterable[str] | None = None  # ISO 639-1 codes
    phones: Iterable[tuple[str, str]] | None = None  # (number, description)
    contacts: Iterable[dict] | None = None  # title, department, email
    changed: list[str] = field(default_factory=list)


def _set_m2m(service: Service, name: str, objects, links: Links) -> None:
    manager = getattr(service, name)
    wanted = sorted({obj.pk for obj in objects})
    if sorted(manager.values_list("pk", flat=True)) != wanted:
        manager.set(wanted)
        links.changed.append(name)


def _set_areas(service: Service, regions, links: Links) -> None:
    wanted = {region.pk: region for region in regions}
    existing = {area.region_id: area for area in service.areas.all()}
    removed = [area.pk for region_id, area in existing.items() if region_id not in wanted]
    if removed:
        ServiceArea.objects.filter(pk__in=removed).delete()
    added = [region for region_id, region in wanted.items() if region_id not in existing]
    for region in added:
        ServiceArea.objects.create(
            service=service, region=region, municipality=municipality_of(region)
        )
    if removed or added:
        links.changed.append("areas")


def _set_languages(service: Service, codes, links: Links) -> None:
    wanted = list(dict.fromkeys(codes))
    for code in wanted:
        if code not in LANGUAGES:
            raise ValidationError(
                {"languages": _("'%(code)s' is geen bekende taalcode.") % {"code": code}}
            )
    existing = set(service.languages.values_list("code", flat=True))
    if existing == set(wanted):
        return
    service.languages.exclude(code__in=wanted).delete()
    for code in wanted:
        if code not in existing:
            Language.objects.create(service=service, code=code, name=LANGUAGES[code])
    links.changed.append("languages")


def _set_phones(service: Service, phones, links: Links) -> None:
    wanted = [(number.strip(), description.strip()) for number, description in phones if number]
    existing = list(service.phones.values_list("number", "description"))
    if existing == wanted:
        return
    service.phones.all().delete()
    for number, description in wanted:
        phone = Phone(service=service, number=number, description=description)
        phone.full_clean()
        phone.save()
    links.changed.append("phones")


def _set_contacts(service: Service, contacts, links: Links) -> None:
    keys = ("title", "department", "email")
    wanted = [
        {key: (contact.get(key) or "").strip() for key in keys}
        for contact in contacts
        if any(contact.get(key) for key in keys)
    ]
    existing = list(service.contacts.values(*keys))
    if existing == wanted:
        return
    service.contacts.all().delete()
    for values in wanted:
        contact = Contact(service=service, **values)
        contact.full_clean()
        contact.save()
    links.changed.append("contacts")


def _apply_links(service: Service, links: Links | None) -> list[str]:
    if links is None:
        return []
    if links.themes is not None:
        _set_m2m(service, "themes", links.themes, links)
    if links.audiences is not None:
        _set_m2m(service, "audiences", links.audiences, links)
    if links.goals is not None:
        _set_m2m(service, "goals", links.goals, links)
    if links.interventions is not None:
        _set_m2m(service, "interventions", links.interventions, links)
    if links.areas is not None:
        _set_areas(service, links.areas, links)
    if links.languages is not None:
        _set_languages(service, links.languages, links)
    if links.phones is not None:
        _set_phones(service, links.phones, links)
    if links.contacts is not None:
        _set_contacts(service, links.contacts, links)
    return links.changed


def _links_snapshot(service: Service) -> dict:
    return {
        "themes": sorted(service.themes.values_list("code", flat=True)),
        "audiences": sorted(service.audiences.values_list("code", flat=True)),
        "areas": sorted(service.areas.values_list("region__code", flat=True)),
        "goals": sorted(service.goals.values_list("pk", flat=True)),
        "interventions": sorted(service.interventions.values_list("pk", flat=True)),
        "languages": sorted(service.languages.values_list("code", flat=True)),
    }


@transaction.atomic
def create_service(*, actor, links: Links | None = None, **fields) -> Service:
    """A new entry; a concept unless ``status`` says otherwise (the demo and an import
    of a published catalogue bring published entries)."""
    service = Service(**fields)
    service.last_modified = fields.get("last_modified") or modified_now()
    service.full_clean(exclude=["search_text"])
    service.save()
    _apply_links(service, links)
    refresh_search_text(service)
    _record(
        "service.create",
        service,
        actor=actor,
        after={**_snapshot(service), **_links_snapshot(service)},
    )
    return service


@transaction.atomic
def update_service(
    service: Service, *, actor, links: Links | None = None, keep_modified=False, **changes
) -> bool:
    """Change an entry. Returns whether anything changed (an equal save writes nothing).

    A published entry changed by someone who may not approve it goes back to "ter
    goedkeuring": parents only see what a beleidsmedewerker has seen."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    was_published = service.status == ServiceStatus.PUBLISHED
    before_fields = comparable(service, SERVICE_AUDIT_FIELDS)
    before = {**_snapshot(service), **_links_snapshot(service)}
    for name, value in changes.items():
        setattr(service, name, value)
    service.full_clean(exclude=["search_text"])
    fields_changed = comparable(service, SERVICE_AUDIT_FIELDS) != before_fields
    links_changed = _apply_links(service, links)
    if not fields_changed and not links_changed:
        return False
    if (
        service.status == ServiceStatus.PUBLISHED
        and "status" not in changes
        and _is_person(actor)
        and not rules.can_approve_service(actor, service)
    ):
        service.status = ServiceStatus.SUBMITTED
        service.submitted_at = timezone.now()
    if not keep_modified:
        service.last_modified = modified_now()
    service.save()
    refresh_search_text(service)
    _record(
        "service.update",
        service,
        actor=actor,
        before=before,
        after={**_snapshot(service), **_links_snapshot(service)},
    )
    _published_changed(service, was_published=was_published)
    return True


def _published_changed(service: Service, *, was_published: bool) -> None:
    """Only the participation of published services counts in the participation
    indicator: when an entry starts or stops being published, the gemeenten where its
    participation was counted get their figures refreshed after the commit."""
    if was_published != (service.status == ServiceStatus.PUBLISHED):
        changed_participation(
            service.participations.values_list("municipality_id", flat=True).distinct()
        )


def _transition(service: Service, *, actor, action: str, reason: str = "", **changes) -> Service:
    before = {"status": service.status}
    was_published = service.status == ServiceStatus.PUBLISHED
    for name, value in changes.items():
        setattr(service, name, value)
    service.save(update_fields=[*changes, "last_modified"])
    _record(
        action, service, actor=actor, before=before, after={"status": service.status}, reason=reason
    )
    _published_changed(service, was_published=was_published)
    return service


@transaction.atomic
def submit_service(service: Service, *, actor) -> Service:
    """Concept → ter goedkeuring. An entry needs a gemeente or wijk (that is whose
    beleidsmedewerkers approve it) and a location, unless it says it has none (online or
    op afspraak): parents must be able to find where it is."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status not in (ServiceStatus.CONCEPT, ServiceStatus.ARCHIVED):
        raise ValidationError(_("Alleen een concept kan ter goedkeuring worden aangeboden."))
    if not service.areas.exists():
        raise ValidationError(
            _("Kies eerst minstens één gemeente of wijk waar het aanbod te vinden is.")
        )
    if not service.without_location and not service.service_at_locations.exists():
        raise ValidationError(
            _(
                "Voeg eerst een locatie toe, of kies bij de gegevens 'zonder vaste locatie' "
                "als het aanbod online of op afspraak is."
            )
        )
    return _transition(
        service,
        actor=actor,
        action="service.submit",
        status=ServiceStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor if _is_person(actor) else None,
        last_modified=modified_now(),
    )


def is_own_entry(service: Service, user) -> bool:
    """Whether ``user`` offered ``service`` for approval: then they may not approve it."""
    return _is_person(user) and service.submitted_by_id == user.pk


@transaction.atomic
def approve_service(service: Service, *, actor) -> Service:
    """Ter goedkeuring → gepubliceerd. The check of the content counts as a verification
    when the entry has none yet. Four eyes: who offered it does not approve it."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status != ServiceStatus.SUBMITTED:
        raise ValidationError(_("Alleen aanbod dat ter goedkeuring ligt, kan worden goedgekeurd."))
    if is_own_entry(service, actor):
        raise ValidationError(
            _("Je hebt dit aanbod zelf aangeboden. Een collega keurt het goed, niet jij.")
        )
    now = modified_now()
    return _transition(
        service,
        actor=actor,
        action="service.approve",
        status=ServiceStatus.PUBLISHED,
        published_at=now,
        approved_by=actor if _is_person(actor) else None,
        assured_date=service.assured_date or timezone.localdate(),
        review_note="",
        last_modified=now,
    )


@transaction.atomic
def reject_service(service: Service, *, actor, reason: str) -> Service:
    """Ter goedkeuring → concept, with the reason for the provider."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status != ServiceStatus.SUBMITTED:
        raise ValidationError(_("Alleen aanbod dat ter goedkeuring ligt, kan worden afgewezen."))
    if not reason.strip():
        raise ValidationError({"reason": _("Schrijf op wat er anders moet.")})
    return _transition(
        service,
        actor=actor,
        action="service.reject",
        reason=reason,
        status=ServiceStatus.CONCEPT,
        review_note=reason.strip(),
        last_modified=modified_now(),
    )


@transaction.atomic
def archive_service(service: Service, *, actor) -> Service:
    """The offer stops (or is withdrawn): no longer found, kept for the history."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    return _transition(
        service,
        actor=actor,
        action="service.archive",
        status=ServiceStatus.ARCHIVED,
        last_modified=modified_now(),
    )


@transaction.atomic
def verify_service(service: Service, *, actor, day: datetime.date | None = None) -> Service:
    """'Alles klopt nog': the entry is checked today; a published entry stays published."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = {"assured_date": str(service.assured_date) if service.assured_date else None}
    service.assured_date = day or timezone.localdate()
    service.save(update_fields=["assured_date"])
    _record(
        "service.verify",
        service,
        actor=actor,
        before=before,
        after={"assured_date": str(service.assured_date)},
    )
    return service


# ------------------------------------------------------------------ locations


def fill_from_school(location: Location) -> Location:
    """A school from the reference data gives the location its name, address, gemeente
    and coordinates (what is typed in stays)."""
    school = location.school
    if school is None:
        return location
    location.name = location.name or school.name
    if not location.address_1:
        location.address_1 = " ".join(p for p in (school.street, school.house_number) if p)
    location.postal_code = location.postal_code or school.postcode
    location.city = location.city or school.town
    location.municipality = location.municipality or school.municipality
    if location.latitude is None and location.longitude is None:
        location.latitude, location.longitude = school.latitude, school.longitude
    return location


@transaction.atomic
def add_location(
    service: Service,
    location: Location,
    *,
    actor,
    description: str = "",
    schedules: Iterable[Schedule] = (),
) -> ServiceAtLocation:
    """Give the service at a location (new, or one of the provider's), with its times.
    The gemeente of the location becomes an area of the service when it was not one."""
    fill_from_school(location)
    if location.provider_id is None and service.provider_id:
        location.provider = service.provider
    location.full_clean()
    location.save()
    at_location, _created = ServiceAtLocation.objects.get_or_create(
        service=service, location=location, defaults={"description": description}
    )
    for schedule in schedules:
        schedule.service_at_location = at_location
        schedule.service = None
        schedule.full_clean()
        schedule.save()
    if (
        location.municipality_id
        and not service.areas.filter(municipality_id=location.municipality_id).exists()
    ):
        ServiceArea.objects.create(
            service=service, region=location.municipality, municipality=location.municipality
        )
    refresh_search_text(service)
    Service.objects.filter(pk=service.pk).update(last_modified=modified_now())
    _record(
        "location.add",
        service,
        actor=actor,
        after={
            "location": location.name,
            "address": location.address_line,
            "school": location.school.code if location.school_id else "",
            "schedules": [str(s) for s in at_location.schedules.all()],
        },
    )
    return at_location


@transaction.atomic
def remove_location(at_location: ServiceAtLocation, *, actor) -> None:
    service, location = at_location.service, at_location.location
    before = {"location": location.name, "address": location.address_line}
    at_location.delete()
    if not location.service_at_locations.exists():
        location.delete()
    Service.objects.filter(pk=service.pk).update(last_modified=modified_now())
    _record("location.remove", service, actor=actor, before=before)


# ------------------------------------------------------------------ participation


def scope_municipality(*, school: Organisation | None, region: Region | None) -> Region:
    if school is not None:
        if school.municipality_id is None:
            raise ValidationError(
                _("De school %(name)s ligt niet in een bekende gemeente.") % {"name": school.name}
            )
        return school.municipality
    return municipality_of(region)


@transaction.atomic
def save_participation(
    *,
    actor,
    service: Service,
    period_start: datetime.date,
    period_end: datetime.date,
    period_label: str,
    participants: int,
    school: Organisation | None = None,
    region: Region | None = None,
    is_illustrative: bool = False,
    source: str = "",
) -> tuple[Participation, bool]:
    """Enter or correct the count for a service × period × school or wijk. The same count
    entered again changes nothing (no audit row). Returns the row and whether it changed."""
    if (school is None) == (region is None):
        raise ValidationError(_("Geef een school of een wijk (of gemeente), niet allebei."))
    if school is not None and school.kind != "school_location":
        raise ValidationError(_("%(name)s is geen schoolvestiging.") % {"name": school.name})
    lookup = {
        "service": service,
        "period_start": period_start,
        "period_end": period_end,
        "school": school,
        "region": region,
    }
    existing = Participation.objects.filter(**lookup).first()
    municipality_before = existing.municipality_id if existing is not None else None
    wanted = {
        "period_label": period_label,
        "participants": participants,
        "is_illustrative": is_illustrative,
        "source": source,
        "municipality": scope_municipality(school=school, region=region),
    }
    if existing is not None and all(
        getattr(existing, name) == value for name, value in wanted.items()
    ):
        return existing, False
    row = existing or Participation(**lookup)
    before = None if existing is None else {"participants": existing.participants}
    for name, value in wanted.items():
        setattr(row, name, value)
    row.entered_by = actor if _is_person(actor) else None
    row.full_clean()
    row.save()
    _record(
        "participation.save",
        service,
        actor=actor,
        before=before,
        after={
            "period": period_label,
            "scope": str(row.scope),
            "participants": participants,
            "illustrative": is_illustrative,
        },
    )
    if service.status == ServiceStatus.PUBLISHED:
        changed_participation([municipality_before, row.municipality_id])
    return row, True


# ------------------------------------------------------------------ needs


NEED_FIELDS = [
    "municipality",
    "district",
    "school",
    "theme",
    "minimum_age",
    "maximum_age",
    "minimum_group",
    "maximum_group",
    "description",
    "period_label",
    "is_illustrative",
    "source",
]


@transaction.atomic
def save_need(need: Need | None = None, *, actor, **fields) -> tuple[Need, bool]:
    """Record or change a need. The gemeente follows from a school or a wijk when it is
    not given. Returns the need and whether it changed."""
    need = need or Need()
    creating = need.pk is None
    if fields.get("school") is not None and fields.get("municipality") is None:
        fields["municipality"] = fields["school"].municipality
    if fields.get("district") is not None and fields.get("municipality") is None:
        fields["municipality"] = municipality_of(fields["district"])
    before = None if creating else audit.snapshot(need, NEED_FIELDS)
    before_values = None if creating else comparable(need, NEED_FIELDS)
    for name, value in fields.items():
        setattr(need, name, value)
    if need.district_id and municipality_of(need.district).pk != need.municipality_id:
        raise ValidationError({"district": _("Deze wijk ligt niet in de gekozen gemeente.")})
    if need.school_id and need.school.municipality_id != need.municipality_id:
        raise ValidationError({"school": _("Deze school ligt niet in de gekozen gemeente.")})
    after = audit.snapshot(need, NEED_FIELDS)
    if not creating and comparable(need, NEED_FIELDS) == before_values:
        return need, False
    need.entered_by = actor if _is_person(actor) else need.entered_by
    need.full_clean()
    need.save()
    audit.record(
        f"socialmap.need.{'create' if creating else 'update'}",
        actor=actor,
        target=need,
        organisation=_municipality_organisation(need.municipality),
        before=before,
        after=after,
    )
    return need, True


@transaction.atomic
def delete_need(need: Need, *, actor) -> None:
    before = audit.snapshot(need, NEED_FIELDS)
    organisation = _municipality_organisation(need.municipality)
    audit.record(
        "socialmap.need.delete", actor=actor, target=need, organisation=organisation, before=before
    )
    need.delete()


def _municipality_organisation(region: Region) -> Organisation | None:
    return Organisation.objects.filter(kind="municipality", municipality=region).first()


# ------------------------------------------------------------------ reminders


@dataclass
class ReminderReport:
    services: int = 0
    mails: int = 0
    skipped_without_recipients: list[str] = field(default_factory=list)


def reminder_recipients(service: Service) -> list[str]:
    """Who keeps the entry up to date: the members of the provider organisation (not as
    lezer); for a provider outside Kansrijk, the beleidsmedewerkers of its gemeenten."""
    organisation_id = service.provider.organisation_id if service.provider_id else None
    if organisation_id is not None:
        memberships = Membership.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).exclude(role=Role.READER)
    else:
        municipalities = service.areas.values("municipality_id")
        memberships = Membership.objects.filter(
            is_active=True,
            role__in=[Role.POLICY_OFFICER, Role.ADMIN],
            organisation__kind="municipality",
            organisation__municipality_id__in=municipalities,
        )
    return sorted(
        set(
            memberships.filter(user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@transaction.atomic
def send_reminders(
    *,
    actor,
    today: datetime.date | None = None,
    repeat_after_days: int = 30,
    base_url: str = "",
) -> ReminderReport:
    """Remind providers of published entries not verified for twelve months. One mail per
    set of recipients, listing their entries; a service is reminded once, and again only
    after ``repeat_after_days`` while it stays unverified. Running it twice sends nothing
    the second time. The mails leave after the commit."""
    now = timezone.now()
    today = today or timezone.localdate()
    repeat_cutoff = now - datetime.timedelta(days=repeat_after_days)
    report = ReminderReport()
    stale = (
        Service.objects.past_their_check(today)
        .exclude(reminders__sent_at__gte=repeat_cutoff)
        .select_related("provider")
        .order_by("name", "pk")
    )
    by_recipients: dict[tuple[str, ...], list[Service]] = {}
    for service in stale:
        recipients = tuple(reminder_recipients(service))
        if not recipients:
            report.skipped_without_recipients.append(service.name)
            continue
        by_recipients.setdefault(recipients, []).append(service)
    for recipients, services in by_recipients.items():
        for service in services:
            Reminder.objects.create(service=service, sent_at=now, recipients=len(recipients))
            _record(
                "service.remind",
                service,
                actor=actor,
                after={"recipients": len(recipients), "assured_date": str(service.assured_date)},
            )
        report.services += len(services)
        report.mails += 1
        subject = _("Sociale kaart: klopt je aanbod nog?")
        body = render_to_string(
            "socialmap/reminder_email.txt",
            {"services": services, "base_url": base_url.rstrip("/")},
        )
        transaction.on_commit(
            lambda subject=subject, body=body, recipients=recipients: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients)
            )
        )
    return report


# ------------------------------------------------------------------ the HSDS import


def _changed_fields(instance, wanted: dict) -> bool:
    current = comparable(instance, wanted)
    for name, value in wanted.items():
        model_field = instance._meta.get_field(name)
        if isinstance(value, Decimal) and getattr(model_field, "decimal_places", None) is not None:
            value = value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
        elif hasattr(value, "pk"):
            value = value.pk
        if current[name] != value:
            return True
    return False


def _sync_children(model, parent: dict, rows: list[dict], *, build=None) -> bool:
    """Make the children of one parent (``parent`` = {field: object}) equal to ``rows``
    (each with its ``uuid``): update in place, create what is new, delete what is gone.
    Returns whether anything changed."""
    existing = {str(obj.uuid): obj for obj in model.objects.filter(**parent)}
    wanted_ids = {str(row["uuid"]) for row in rows}
    gone = [obj.pk for key, obj in existing.items() if key not in wanted_ids]
    changed = bool(gone)
    if gone:
        model.objects.filter(pk__in=gone).delete()
    for row in rows:
        values = {key: value for key, value in row.items() if key != "uuid"}
        if build is not None:
            values = build(values)
        obj = existing.get(str(row["uuid"]))
        if obj is not None and not _changed_fields(obj, values):
            continue
        obj = obj or model.objects.filter(uuid=row["uuid"]).first() or model(uuid=row["uuid"])
        for name, value in {**parent, **values}.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        changed = True
    return changed


def _organisation_for_identifier(identifier) -> Organisation | None:
    """The Kansrijk organisation an exported identifier names ('kansrijk:<kind>' with its
    code, or 'kansrijk:<kind>:naam' with its exact name), if it exists here."""
    if not identifier:
        return None
    kind, value = identifier
    parts = kind.split(":")
    if len(parts) < 2 or not value:
        return None
    organisations = Organisation.objects.filter(kind=parts[1])
    if len(parts) == 3 and parts[2] == "naam":
        found = organisations.filter(name=value)
    else:
        found = organisations.filter(code=value)
    return found.first() if found.count() == 1 else None


def dump_service(service: Service) -> dict:
    """Everything an entry holds, by natural keys and HSDS ids (no database keys): the
    canonical form in which two catalogues are compared."""

    def rows(queryset, *names):
        return sorted(
            ({name: _plain(getattr(obj, name)) for name in ("uuid", *names)} for obj in queryset),
            key=lambda row: row["uuid"],
        )

    data = {name: _plain(getattr(service, name)) for name in SERVICE_AUDIT_FIELDS}
    data.update(
        uuid=str(service.uuid),
        provider=str(service.provider.uuid) if service.provider_id else "",
        last_modified=_plain(service.last_modified),
        themes=sorted(service.themes.values_list("code", flat=True)),
        audiences=sorted(service.audiences.values_list("code", flat=True)),
        goals=sorted(
            f"{slug}:{eid}"
            for slug, eid in service.goals.values_list("agenda__slug", "external_id")
        ),
        interventions=sorted(
            f"{slug}:{eid}"
            for slug, eid in service.interventions.values_list("agenda__slug", "external_id")
        ),
        areas=sorted(
            (str(u), code, description)
            for u, code, description in service.areas.values_list(
                "uuid", "region__code", "description"
            )
        ),
        schedules=rows(service.schedules.all(), *SCHEDULE_FIELDS),
        phones=rows(service.phones.all(), "number", "description"),
        contacts=rows(service.contacts.all(), "title", "department", "email"),
        languages=rows(service.languages.all(), "code", "name", "note"),
        cost_options=rows(service.cost_options.all(), *COST_FIELDS),
        locations=sorted(
            (
                {
                    "uuid": str(sal.uuid),
                    "description": sal.description,
                    "schedules": rows(sal.schedules.all(), *SCHEDULE_FIELDS),
                    "location": _dump_location(sal.location),
                }
                for sal in service.service_at_locations.select_related(
                    "location__school",
                    "location__municipality",
                    "location__district",
                    "location__provider",
                )
            ),
            key=lambda row: row["uuid"],
        ),
    )
    return data


SCHEDULE_FIELDS = (
    "freq",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "description",
)
COST_FIELDS = ("option", "amount", "currency", "amount_description", "valid_from", "valid_to")
LOCATION_FIELDS = (
    "location_type",
    "name",
    "description",
    "url",
    "address_1",
    "postal_code",
    "city",
    "latitude",
    "longitude",
)


def _dump_location(location: Location) -> dict:
    data = {name: _plain(getattr(location, name)) for name in LOCATION_FIELDS}
    data.update(
        uuid=str(location.uuid),
        provider=str(location.provider.uuid) if location.provider_id else "",
        school=location.school.code if location.school_id else "",
        municipality=location.municipality.code if location.municipality_id else "",
        district=location.district.code if location.district_id else "",
        phones=sorted(
            (str(u), n, d)
            for u, n, d in location.phones.values_list("uuid", "number", "description")
        ),
    )
    return data


def _plain(value):
    if value is None or isinstance(value, str | bool | int):
        return value
    if hasattr(value, "uuid"):
        return str(value.uuid)
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def dump_provider(provider: Provider) -> dict:
    return {
        "uuid": str(provider.uuid),
        "name": provider.name,
        "alternate_name": provider.alternate_name,
        "description": provider.description,
        "email": provider.email,
        "website": provider.website,
        "source_note": provider.source_note,
        "organisation": (
            f"{provider.organisation.kind}:{provider.organisation.code or provider.organisation.name}"
            if provider.organisation_id
            else ""
        ),
    }


@transaction.atomic
def import_catalogue(catalogue: dict, *, actor, report) -> None:
    """Write a checked HSDS catalogue (``hsds.check_tables``): providers, locations and
    services matched on their HSDS id, each service with all it holds. A service whose
    content does not change gets no audit row; one that does gets one, with its before
    and after."""
    providers: dict[str, Provider] = {}
    for provider_id, fields in catalogue["providers"].items():
        provider = Provider.objects.filter(uuid=provider_id).first()
        wanted = dict(fields)
        organisation = _organisation_for_identifier(catalogue["identifiers"].get(provider_id))
        if (
            organisation is not None
            and (provider is None or provider.organisation_id is None)
            and not Provider.objects.filter(organisation=organisation)
            .exclude(uuid=provider_id)
            .exists()
        ):
            wanted["organisation"] = organisation
        if provider is None:
            provider = save_provider(Provider(uuid=provider_id), actor=actor, **wanted)
            report.providers += 1
        elif _changed_fields(provider, wanted):
            provider = save_provider(provider, actor=actor, **wanted)
            report.providers += 1
        providers[provider_id] = provider

    def provider_of(provider_id: str) -> Provider | None:
        if not provider_id:
            return None
        if provider_id not in providers:
            providers[provider_id] = Provider.objects.get(uuid=provider_id)
        return providers[provider_id]

    locations: dict[str, Location] = {}
    for location_id, data in catalogue["locations"].items():
        location = Location.objects.filter(uuid=location_id).first() or Location(uuid=location_id)
        wanted = {**data["fields"], "provider": provider_of(data["provider"])}
        if location.pk is None or _changed_fields(location, wanted):
            for name, value in wanted.items():
                setattr(location, name, value)
            location.full_clean()
            location.save()
        _sync_children(Phone, {"location": location}, data["phones"])
        locations[location_id] = location

    for service_id, data in catalogue["services"].items():
        service = Service.objects.filter(uuid=service_id).first()
        before = dump_service(service) if service is not None else None
        was_published = service is not None and service.status == ServiceStatus.PUBLISHED
        fields = dict(data["fields"])
        fields["provider"] = provider_of(data["provider"])
        fields["last_modified"] = fields["last_modified"] or modified_now()
        if service is None:
            service = Service(uuid=service_id)
            if fields["status"] == ServiceStatus.PUBLISHED:
                service.published_at = timezone.now()
        if service.pk is None or _changed_fields(service, fields):
            for name, value in fields.items():
                setattr(service, name, value)
            service.full_clean(exclude=["search_text"])
            service.save()
        service.themes.set(data["themes"])
        service.audiences.set(data["audiences"])
        service.goals.set(data["goals"])
        service.interventions.set(data["interventions"])
        _sync_children(
            ServiceArea,
            {"service": service},
            data["areas"],
            build=lambda values: {**values, "municipality": municipality_of(values["region"])},
        )
        _sync_children(
            Schedule, {"service": service, "service_at_location": None}, data["schedules"]
        )
        _sync_children(Phone, {"service": service, "location": None}, data["phones"])
        _sync_children(Contact, {"service": service}, data["contacts"])
        _sync_children(Language, {"service": service}, data["languages"])
        _sync_children(CostOption, {"service": service}, data["cost_options"])
        _sync_children(
            ServiceAtLocation,
            {"service": service},
            [
                {
                    "uuid": sal["uuid"],
                    "location": locations[sal["location"]],
                    "description": sal["description"],
                }
                for sal in data["locations"]
            ],
        )
        for sal in data["locations"]:
            at_location = ServiceAtLocation.objects.get(uuid=sal["uuid"])
            _sync_children(
                Schedule, {"service": None, "service_at_location": at_location}, sal["schedules"]
            )
        after = dump_service(service)
        if before == after:
            report.services_unchanged += 1
            continue
        refresh_search_text(service)
        _published_changed(service, was_published=was_published)
        if before is None:
            report.services_created += 1
        else:
            report.services_updated += 1
        _record(
            "service.import",
            service,
            actor=actor,
            before=before and _short(before),
            after=_short(after),
        )


def _short(dump: dict) -> dict:
    """The audit record of an import: the entry's own fields and the ids of what it holds."""
    return {
        key: value
        if not isinstance(value, list) or key in ("themes", "audiences", "goals", "interventions")
        else len(value)
        for key, value in dump.items()
    }
