"""The fixed taxonomies of the sociale kaart: themes, audiences and the features
(kenmerken) that HSDS carries as attributes.

Their ids are derived from their codes (uuid5), so that every installation, and every
HSDS export, names the same term with the same id. Migration 0002 creates them;
``ensure_taxonomies`` does the same for a database that was emptied (tests, demo).
"""

from __future__ import annotations

import uuid

from django.db import transaction

THEME = "kansrijk-thema"
AUDIENCE = "kansrijk-doelgroep"
FEATURE = "kansrijk-kenmerk"

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kansrijk:socialmap")

TAXONOMIES = {
    THEME: (
        "Thema's van de sociale kaart",
        "Waar het aanbod over gaat: sport, cultuur, taal en lezen, huiswerk, opvoeden, …",
    ),
    AUDIENCE: (
        "Doelgroepen van de sociale kaart",
        "Voor wie het aanbod is: kinderen, jongeren, ouders of professionals.",
    ),
    FEATURE: (
        "Kenmerken van het aanbod",
        "Voorwaarden en kosten: op indicatie, inkomensgrens, gratis, Jeugdfonds Sport & "
        "Cultuur, en de schoolgroepen waarvoor het aanbod is.",
    ),
}

# (code, name, description), in the order the interface shows them.
TERMS = {
    THEME: [
        ("sport", "Sport en bewegen", "Gymles, sportclubs, clinics en bewegen in de wijk."),
        ("cultuur", "Cultuur", "Muziek, theater, media en andere kunst."),
        ("taal-en-lezen", "Taal en lezen", "Taalles, voorlezen, de bibliotheek, leesplezier."),
        ("huiswerk", "Huiswerk", "Hulp bij huiswerk en leren."),
        ("opvoeden", "Opvoeden", "Steun voor ouders bij het opvoeden en opgroeien."),
        ("gezondheid", "Gezondheid", "Gezond opgroeien, jeugdgezondheidszorg."),
        ("jeugdhulp", "Jeugdhulp", "Hulp bij problemen thuis, op school of met jezelf."),
        (
            "natuur-en-techniek",
            "Natuur en techniek",
            "Natuur, milieu, duurzaamheid, wetenschap en techniek.",
        ),
        (
            "voorschoolse-educatie",
            "Peuters en voorschoolse educatie",
            "Peuteropvang, VVE en de start op de basisschool.",
        ),
        (
            "onderwijs-en-zorg",
            "Onderwijs en zorg",
            "Extra steun op school, onderwijszorgarrangementen.",
        ),
        (
            "school-en-werk",
            "School en werk",
            "Kennismaken met beroepen, een diploma halen, aan het werk.",
        ),
        (
            "meedoen",
            "Meedoen en burgerschap",
            "Meedoen in de buurt en de gemeente, jongerenparticipatie.",
        ),
    ],
    AUDIENCE: [
        ("kinderen", "Kinderen", "Kinderen tot 12 jaar."),
        ("jongeren", "Jongeren", "Jongeren van 12 jaar en ouder."),
        ("ouders", "Ouders", "Ouders en verzorgers."),
        ("professionals", "Professionals", "Scholen, kinderopvang en andere professionals."),
    ],
    FEATURE: [
        ("op-indicatie", "Op indicatie", "Alleen met een indicatie of verwijzing."),
        ("inkomensgrens", "Inkomensgrens", "Alleen voor gezinnen met een laag inkomen."),
        ("gratis", "Gratis", "Er zijn geen kosten."),
        (
            "jeugdfonds-sport-cultuur",
            "Jeugdfonds Sport & Cultuur",
            "Het Jeugdfonds Sport & Cultuur kan de kosten betalen.",
        ),
        ("schoolgroep", "Schoolgroep", "De groepen van de basisschool, bijv. '7' of '6-8'."),
        ("bron", "Bron", "Waar de informatie vandaan komt."),
    ],
}

# The boolean fields of a service and the feature term each stands for in HSDS.
FEATURE_FIELDS = {
    "requires_referral": "op-indicatie",
    "has_income_limit": "inkomensgrens",
    "is_free": "gratis",
    "accepts_jeugdfonds": "jeugdfonds-sport-cultuur",
}


def taxonomy_uuid(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{code}")


def term_uuid(taxonomy: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy}:{code}")


def create_taxonomies(taxonomy_model, term_model) -> None:
    """Create (or complete) the fixed taxonomies; used by the migration with its
    historical models and by ``ensure_taxonomies`` with the real ones."""
    for code, (name, description) in TAXONOMIES.items():
        taxonomy, _created = taxonomy_model.objects.get_or_create(
            code=code,
            defaults={"uuid": taxonomy_uuid(code), "name": name, "description": description},
        )
        for position, (term_code, term_name, term_description) in enumerate(TERMS[code]):
            term_model.objects.get_or_create(
                taxonomy=taxonomy,
                code=term_code,
                defaults={
                    "uuid": term_uuid(code, term_code),
                    "name": term_name,
                    "description": term_description,
                    "position": position,
                },
            )


@transaction.atomic
def ensure_taxonomies() -> None:
    from .models import Taxonomy, TaxonomyTerm

    create_taxonomies(Taxonomy, TaxonomyTerm)


def themes():
    from .models import TaxonomyTerm

    return TaxonomyTerm.objects.filter(taxonomy__code=THEME).order_by("position")


def audiences():
    from .models import TaxonomyTerm

    return TaxonomyTerm.objects.filter(taxonomy__code=AUDIENCE).order_by("position")
