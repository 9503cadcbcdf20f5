"""Every read of a young person's personal data is in the audit trail (decision 0019).

A young person is planted with values found nowhere else — a name, a BSN, a birth date,
a parent's name and address — and with every record of the register that a route can
name by its id: a case, a residence, a contact, an enrolment, an exemption, an agreement,
an event, a verzuimmelding, all with the same id, so that one request per route reaches
them. Then every route of the URL configuration is opened (its ids filled with that id,
its formats with each format it accepts), and every page, export and API answer reachable
from the start pages by links, as each user who may see the young person: the
leerplichtambtenaar (the whole dossier), the SWV coordinator (the episode) and the school
(part). Each answer that shows one of the planted values must have written a read of
the young person or their case to the audit trail in that same request. Routes that
answer GET with 405 are sent an empty POST (rolled back), which shows the form again.

A route added later that shows personal data without writing its read fails here; the
last test shows that the walk does find such a route.
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.exceptions import NoReverseMatch

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import models
from kansrijk.cases.identifiers import bsn_near
from kansrijk.testing import factories
from kansrijk.testing.surfaces import crawl, read

pytestmark = pytest.mark.django_db

PK = 7777
BIRTH = datetime.date(2011, 7, 23)
BSN = bsn_near(271_828_180)
PLANTED = {
    "voornaam": "Wobbeline",
    "achternaam": "Quakkelstein",
    "bsn": BSN,
    "ouder": "Zebedeus Plompert",
    "adres": "Kwakkelsteeg 17",
    "geboortedatum": re.compile(
        r"2011-07-23|23-0?7-2011|23/0?7/2011|23 juli 2011|23 jul\.? 2011", re.IGNORECASE
    ),
}
# The audit actions that record a read of the young person or of their case.
READS = {
    "cases.case.read",
    "cases.young_person.read",
    "cases.young_person.reveal_identifier",
}
SKIPPED = ("beheer/", "account/", "i18n/", "api/v1/docs", "api/v1/openapi")
START = ["/", "/thuiszitters/", "/thuiszitters/casussen/", "/thuiszitters/meldingen/", "/api/v1/"]


def shown(text: str) -> list[str]:
    """Which planted values a text shows."""
    return [
        name
        for name, value in PLANTED.items()
        if (value.search(text) if isinstance(value, re.Pattern) else value in text)
    ]


@pytest.fixture
def planted(network):
    """The young person and every record around them, each with the id ``PK``."""
    person = factories.YoungPersonFactory(
        id=PK,
        bsn=BSN,
        given_name=PLANTED["voornaam"],
        family_name=PLANTED["achternaam"],
        birth_date=BIRTH,
    )
    models.Residence.objects.create(
        id=PK, young_person=person, municipality=network.beverwijk, valid_from=BIRTH
    )
    case = factories.CaseFactory(
        id=PK,
        young_person=person,
        school=network.school,
        municipality=network.beverwijk,
        start_date=datetime.date(2024, 1, 8),
    )
    models.Contact.objects.create(
        id=PK,
        young_person=person,
        relation="ouder",
        name=PLANTED["ouder"],
        address=PLANTED["adres"],
    )
    models.Enrolment.objects.create(
        id=PK, young_person=person, school=network.school, start_date=datetime.date(2017, 8, 21)
    )
    models.Exemption.objects.create(
        id=PK,
        young_person=person,
        ground="5_onder_a",
        requested_on=datetime.date(2024, 2, 1),
        valid_from=datetime.date(2024, 2, 1),
    )
    models.CaseEvent.objects.create(
        id=PK, case=case, kind="verzuimgesprek", date=datetime.date(2024, 1, 9)
    )
    models.Agreement.objects.create(
        id=PK,
        case=case,
        description="Dagelijks een uur les",
        responsible_person="Mentor",
        deadline=datetime.date(2024, 3, 1),
    )
    # Not linked to the case: its page must still write the read of the young person.
    models.AbsenceReport.objects.create(
        id=PK,
        young_person=person,
        school=network.school,
        kind="16_uur",
        start_date=datetime.date(2024, 1, 3),
        reported_on=datetime.date(2024, 1, 4),
        status_changed_on=datetime.date(2024, 1, 4),
    )
    return person


@dataclass
class Finding:
    url: str
    status: int
    shows: list[str]
    reads: list[str] = field(default_factory=list)


class Walker:
    """Opens addresses as one user, and notes for each the planted values it shows and
    the reads it wrote to the audit trail."""

    def __init__(self, client):
        self.client = client
        self.findings: dict[str, Finding] = {}

    def _last_id(self) -> int:
        return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def _note(self, method: str, url: str, response, since: int):
        """Note what the answer shows; returns it, read whole if it was streamed (its
        stream can be read once)."""
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
            response = HttpResponse(body, content_type=response["Content-Type"])
        surface, _links = read(url, response)
        text = surface.text
        if surface.kind.startswith("text/") or "json" in surface.kind:
            # The whole answer, also what a form holds in its fields and any error page.
            text += " " + html.unescape(response.content.decode(errors="replace"))
        reads = [
            f"{action} {target_type} {target_id}"
            for action, target_type, target_id in AuditEvent.objects.filter(
                id__gt=since, action__in=READS
            ).values_list("action", "target_type", "target_id")
        ]
        self.findings[f"{method} {url}"] = Finding(url, response.status_code, shown(text), reads)
        return response

    def get(self, url: str, **headers):
        since = self._last_id()
        return self._note("GET", url, self.client.get(url, **headers), since)

    def post(self, url: str) -> None:
        with transaction.atomic():
            since = self._last_id()
            response = self.client.post(url, {})
            self._note("POST", url, response, since)
            transaction.set_rollback(True)

    def unaudited(self) -> dict[str, Finding]:
        return {
            key: finding
            for key, finding in self.findings.items()
            if finding.shows and not any(str(PK) in read for read in finding.reads)
        }


def _patterns(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.pattern.regex


def _values(parameter: str, regex: re.Pattern) -> list[str]:
    """The values to try for one parameter of a route: the planted id, each format the
    route accepts, a fresh UUID, or a word that names nothing."""
    choices = re.search(rf"\(\?P<{parameter}>([a-z0-9|]+)\)", regex.pattern)
    if choices:
        return choices.group(1).split("|")
    if parameter == "fmt":
        return ["csv", "xlsx", "pdf", "docx"]
    if "uuid" in parameter:
        return [str(uuid.uuid4())]
    return [str(PK)]


def every_route() -> list[str]:
    """Every named route of the site with its parameters filled, once per format."""
    urls = []
    for route, name, regex in _patterns(get_resolver().url_patterns):
        if route.startswith(SKIPPED):
            continue
        parameters = list(regex.groupindex)
        fillings: list[dict[str, str]] = [{}]
        for parameter in parameters:
            fillings = [
                {**filled, parameter: value}
                for filled in fillings
                for value in _values(parameter, regex)
            ]
        for kwargs in fillings:
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


def walk(client) -> Walker:
    walker = Walker(client)
    refused = []
    for url in every_route():
        headers = {"HTTP_ACCEPT": "application/json"} if url.startswith("/api/") else {}
        if walker.get(url, **headers).status_code == 405:
            refused.append(url)
    for url in refused:
        walker.post(url)
    crawl(walker, START, max_pages=400, variants_per_path=2)
    return walker


@pytest.mark.parametrize("role", ["leerplicht", "swv", "school"])
def test_every_route_that_shows_personal_data_audits_the_read(
    role, planted, network, people, verified_client
):
    client = verified_client(people[role])
    walker = walk(client)
    showing = {key for key, finding in walker.findings.items() if finding.shows}
    # The walk reaches the register's pages: what it checks is not empty.
    assert f"GET /thuiszitters/jongeren/{PK}/" in showing
    if role == "leerplicht":
        for page in ("verhuizing", "contactpersonen/nieuw", "inschrijvingen/nieuw"):
            assert f"GET /thuiszitters/jongeren/{PK}/{page}/" in showing
    unaudited = {key: finding.shows for key, finding in walker.unaudited().items()}
    assert not unaudited, f"personal data shown without an audited read: {unaudited}"
    # Each read names the organisation through which the user sees the young person,
    # so that its beheerder finds it at /audit/.
    granting = {"leerplicht": network.office, "swv": network.swv, "school": network.school}
    organisations = AuditEvent.objects.filter(
        action="cases.young_person.read", target_id=str(PK)
    ).values_list("organisation_id", flat=True)
    assert set(organisations) == {granting[role].pk}


def _unaudited_page(request):
    person = models.YoungPerson.objects.get(pk=PK)
    return HttpResponse(f"<p>{person.given_name} {person.family_name}</p>")


urlpatterns = [
    *get_resolver().url_patterns,
    path("lek/jongere/", _unaudited_page, name="unaudited_page"),
]


def test_the_walk_finds_a_route_that_reads_without_audit(planted, people, verified_client):
    client = verified_client(people["leerplicht"])
    with override_settings(ROOT_URLCONF=__name__):
        assert "/lek/jongere/" in every_route()
        walker = Walker(client)
        walker.get("/lek/jongere/")
    assert walker.unaudited() == {
        "GET /lek/jongere/": Finding("/lek/jongere/", 200, ["voornaam", "achternaam"], [])
    }
