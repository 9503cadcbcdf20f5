"""The organisation register as the review needs it: the names of the organisations a
proposal refers to, the organisations an officer may pick for a role or as a payer, and
the reference to keep for a picked one.

A proposal refers to an organisation as the agenda file format does (a code, or an
exact name: ``agenda.demo.organisation_by_reference``), so that the confirmation
resolves the officer's choice exactly as it resolves the reader's.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from kansrijk.organisations.models import Organisation, OrganisationKind

# How many matches an "ambiguous" message names before it says "and more".
NAMED_MATCHES = 5


def _by_code(code: str):
    return Organisation.objects.filter(code=code).exclude(kind=OrganisationKind.SCHOOL_INSTITUTION)


def resolve(reference: str) -> Organisation | None:
    """The one organisation ``reference`` names, as the agenda loader finds it; None when
    it names none or several."""
    reference = str(reference or "")
    if not reference:
        return None
    found = list(_by_code(reference)[:2]) or list(Organisation.objects.filter(name=reference)[:2])
    return found[0] if len(found) == 1 else None


def names(references) -> dict[str, Organisation]:
    """The organisations of many references at once (two queries, not one per item): for
    the review page, which shows every item's involvements and payer by name."""
    wanted = {str(reference) for reference in references if reference}
    if not wanted:
        return {}
    found: dict[str, list[Organisation]] = {}
    for organisation in _by_codes(wanted):
        found.setdefault(organisation.code, []).append(organisation)
    # A reference the loader finds by its code is not looked up by name (as it does).
    by_name: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.filter(name__in=wanted - found.keys()):
        by_name.setdefault(organisation.name, []).append(organisation)
    return {
        reference: matches[0]
        for reference, matches in {**by_name, **found}.items()
        if len(matches) == 1
    }


def _by_codes(wanted: set[str]):
    return Organisation.objects.filter(code__in=wanted).exclude(
        kind=OrganisationKind.SCHOOL_INSTITUTION
    )


def reference_of(organisation: Organisation) -> str | None:
    """What the proposal keeps for a picked organisation: its code where the code names
    it alone, else its name where that does; None when neither does (two organisations
    of one name and no code), so that it cannot be written in an agenda file either."""
    for reference in (organisation.code, organisation.name):
        if reference and resolve(reference) == organisation:
            return reference
    return None


def label(organisation: Organisation) -> str:
    """How a suggestion and a chosen organisation read: "Gemeente Maassluis (GM0556)"."""
    return f"{organisation.name} ({organisation.code})" if organisation.code else organisation.name


def candidates(owner: Organisation):
    """The organisations suggested to the officer: the owner and the organisations in or
    serving its gemeenten, as the agenda's editor offers for a role (``candidate_
    organisations``), without the thousands of schools elsewhere in the country."""
    from kansrijk.agenda.authoring import _regions_of

    region_ids = [region.pk for region in _regions_of(owner)]
    return (
        Organisation.objects.filter(
            Q(pk=owner.pk) | Q(municipality_id__in=region_ids) | Q(served_regions__in=region_ids),
            is_active=True,
        )
        .exclude(kind=OrganisationKind.SCHOOL_INSTITUTION)
        .distinct()
        .order_by("name", "code")
    )


class NotFound(Exception):
    """The officer's text names no organisation, or several; ``message`` says which, in
    Dutch."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find(text: str, suggested) -> Organisation:
    """The one organisation the officer's ``text`` names: a suggestion as the list shows
    it ("Naam (CODE)"), a code or an exact name anywhere in the register (what an agenda
    file may refer to), or else a part of a name or code among ``suggested`` (the
    owner's gemeenten: elsewhere a part of a name matches too many schools)."""
    text = " ".join(str(text).split())
    if text.endswith(")") and "(" in text:
        name, _open, code = text[:-1].rpartition("(")
        matches = list(_by_code(code.strip()).filter(name=name.strip())[:2])
        if len(matches) == 1:
            return matches[0]
    for exact in (_by_code(text), Organisation.objects.filter(name__iexact=text)):
        matches = list(exact[: NAMED_MATCHES + 1])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFound(_ambiguous(text, matches))
    matches = list(
        suggested.filter(Q(name__icontains=text) | Q(code__iexact=text))[: NAMED_MATCHES + 1]
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFound(_ambiguous(text, matches))
    raise NotFound(
        _(
            "Geen organisatie in het register past bij ‘%(text)s’. Kies een organisatie uit "
            "de lijst, schrijf haar naam of code zoals in het register, of vul haar in als "
            "partij."
        )
        % {"text": text[:80]}
    )


def _ambiguous(text: str, matches: list[Organisation]) -> str:
    if len({label(organisation) for organisation in matches}) == 1:
        # Two schools "De Regenboog" without a code: no text can tell them apart.
        return _(
            "Er is meer dan één organisatie ‘%(name)s’ zonder code in het register; de "
            "agenda kan er geen van aanwijzen. Vul haar in als partij."
        ) % {"name": matches[0].name}
    named = ", ".join(label(organisation) for organisation in matches[:NAMED_MATCHES])
    if len(matches) > NAMED_MATCHES:
        named = _("%(names)s en meer") % {"names": named}
    return _(
        "‘%(text)s’ past bij meer dan één organisatie: %(names)s. Schrijf de naam of de "
        "code zoals in de lijst."
    ) % {"text": text[:80], "names": named}
