"""No small number leaves the register or the sociale kaart, on any surface.

Counts between 1 and 4 are planted in the register (thuiszitters of two gemeenten, and
their offers within three months) and in the sociale kaart (participants at two schools),
next to a larger gemeente and school. The monitor computes its indicators from them, as
it does on the demo. Then every surface an anonymous visitor and a user of another
organisation can reach is read — every page reachable by links, every export (CSV, XLSX,
SDMX, PDF, DOCX, zip) and every API list and detail — twice: once with the small counts
as planted, once with them swapped between the two gemeenten and the two schools (their
totals stay the same). Two checks:

* the same: nothing a visitor sees may change when only the small counts change, since
  every one of them must read "<5" and nothing may depend on which is which (a story, a
  status, a chart label, a cell hidden by secondary suppression, an alt text...);
* direct: no table row, JSON object or sentence that names a planted gemeente, school or
  service carries its planted count.

And both checks are shown to work: with counts of 7 and 9 (large enough to be published)
in the same places, they do find them.
"""

from __future__ import annotations

import datetime
import re

import pytest

from kansrijk.agenda import services as agenda_services
from kansrijk.cases.indicators import OFFER_KEY, STOCK_KEY
from kansrijk.cases.models import Case, CaseCategory, Residence
from kansrijk.indicators.disclosure import Disclosure, status_for
from kansrijk.indicators.models import Indicator, Target
from kansrijk.indicators.services import refresh_computed
from kansrijk.indicators.status import indicator_status
from kansrijk.organisations.models import Role
from kansrijk.socialmap.indicators import PARTICIPATION_KEY
from kansrijk.socialmap.models import Participation
from kansrijk.socialmap.tests.factories import ParticipationFactory, ServiceFactory
from kansrijk.testing import factories
from kansrijk.testing.surfaces import crawl

pytestmark = pytest.mark.django_db

P = datetime.date(2024, 4, 1)  # the peildatum
QUARTER = {"period_start": datetime.date(2024, 1, 2), "period_end": P}
START = [
    "/",
    "/monitor/",
    "/monitor/openbaar/",
    "/agenda/",
    "/sociale-kaart/",
    "/sociale-kaart/aanbod/",
    "/thuiszitters/",
    "/organisaties/",
    "/api/v1/",
]


class Planted:
    """Two small gemeenten and schools with planted counts, a large one beside them."""

    def __init__(self):
        self.rmc = factories.RegionFactory(kind="rmc_region", code="RMC97", name="Proefregio")
        self.places = {}
        for code, name in (("GM9951", "Aadorp"), ("GM9952", "Bedum"), ("GM9953", "Cadier")):
            owner = factories.MunicipalityOrganisationFactory(
                municipality__code=code, municipality__name=name
            )
            factories.RegionMembershipFactory(child=owner.municipality, parent=self.rmc)
            self.places[name] = owner
        self.owner = self.places["Aadorp"]
        self.swv = factories.PartnershipFactory(code="PO9701", name="Passend Onderwijs Proef")
        self.swv.served_regions.set([o.municipality for o in self.places.values()])
        self.owner.served_regions.set([o.municipality for o in self.places.values()])
        self.schools = {
            name: factories.SchoolFactory(
                name=f"Basisschool {name}",
                municipality=owner.municipality,
                partnership=self.swv,
                pupil_count=300 + 100 * index,
            )
            for index, (name, owner) in enumerate(self.places.items())
        }
        agenda = agenda_services.create_agenda(
            actor=None,
            owners=[self.owner],
            regions=[o.municipality for o in self.places.values()],
            slug="proefagenda",
            title="Proefagenda onderwijs en jeugd",
            kind="execution_agenda",
            status="adopted",
            period_start=datetime.date(2023, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            is_public=True,
        )
        goal = agenda.goals.create(number="A", text="Geen kind thuis zonder aanbod.")
        self.indicators = []
        for code, key, unit, period_type in (
            ("proef-thuiszitters", STOCK_KEY, "count", "reference_date"),
            ("proef-aanbod", OFFER_KEY, "percentage", "quarter"),
            ("proef-deelname", PARTICIPATION_KEY, "percentage", "school_year"),
        ):
            indicator = Indicator.objects.create(
                code=code,
                name=f"Proefindicator {code}",
                unit=unit,
                denominator_definition="noemer" if unit == "percentage" else "",
                period_type=period_type,
                source_kind="computed",
                computed_key=key,
                owner=self.owner,
                is_public=True,
            )
            indicator.goals.add(goal)
            self.indicators.append(indicator)
        provider_service = ServiceFactory(
            provider__organisation=self.owner,
            name="Huiswerkklas Proef",
            areas=[self.owner.municipality],
        )
        self.participation = {
            name: ParticipationFactory(
                service=provider_service, school=school, region=None, participants=20
            )
            for name, school in self.schools.items()
        }
        self.cases: dict[str, list[Case]] = {name: [] for name in self.places}

    def set_counts(self, counts: dict[str, int]) -> None:
        """Thuiszitters (absoluut verzuim since January, so their three months ran out in
        the quarter and each had an offer in time) and participants per place."""
        pool = [case for cases in self.cases.values() for case in cases]
        self.cases = {name: [] for name in self.places}
        for name, wanted in counts.items():
            owner = self.places[name]
            for _number in range(wanted):
                case = pool.pop() if pool else None
                if case is None:
                    case = factories.CaseFactory(
                        category=CaseCategory.ABSOLUTE,
                        start_date=datetime.date(2024, 1, 3),
                        offer_date=datetime.date(2024, 3, 1),
                        school=self.schools[name],
                        municipality=owner.municipality,
                        young_person__residence=owner.municipality,
                    )
                else:
                    Case.objects.filter(pk=case.pk).update(
                        school=self.schools[name], municipality=owner.municipality
                    )
                    Residence.objects.filter(young_person_id=case.young_person_id).update(
                        municipality=owner.municipality
                    )
                self.cases[name].append(case)
            Participation.objects.filter(pk=self.participation[name].pk).update(participants=wanted)
        assert not pool, "the same number of cases in every state"
        for indicator in self.indicators:
            periods = {
                STOCK_KEY: {"period_end": P},
                OFFER_KEY: QUARTER,
                PARTICIPATION_KEY: {},
            }[indicator.computed_key]
            refresh_computed(indicator, actor=None, **periods)


@pytest.fixture
def planted(db):
    return Planted()


@pytest.fixture
def outsider(make_member):
    stranger = factories.MunicipalityOrganisationFactory(name="Gemeente Elders")
    return make_member(stranger, Role.POLICY_OFFICER)


# Times of day change between two reads ("berekend om 14:03"); nothing else may.
_VOLATILE = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?(\.\d+)?\b|\d{4}-\d{2}-\d{2}T[\d:.+Z-]+")


def snapshot(client, *, max_pages=600, start=START) -> dict[str, str]:
    surfaces = crawl(client, start, max_pages=max_pages)
    return {
        url: _VOLATILE.sub("", surface.text + " || " + " | ".join(map(" ; ".join, surface.rows)))
        for url, surface in surfaces.items()
    }, surfaces


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    found = []
    for url in sorted(set(before) | set(after)):
        if before.get(url) != after.get(url):
            a, b = before.get(url, ""), after.get(url, "")
            index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
            found.append(
                f"{url}: …{a[max(index - 80, 0) : index + 40]}… ≠ …{b[max(index - 80, 0) : index + 40]}…"
            )
    return found


NUMBER_KEYS = re.compile(
    r"^(value|numerator|denominator|participants|published_\w+|count|n|aantal|waarde|teller|"
    r"noemer|thuiszitters|absoluut|relatief|total)$"
)


def direct_findings(surfaces, planted: Planted, counts: dict[str, int]) -> list[str]:
    """Rows and sentences that name a planted place and carry its planted count."""
    found = []
    for name, count in counts.items():
        owner = planted.places[name]
        names = {
            name,
            owner.municipality.code,
            planted.schools[name].name,
            planted.schools[name].code,
        }
        forms = {str(count), f"{count}.0", f"{count}.0000", f"{count},0", f"{count}%"}
        for url, surface in surfaces.items():
            for row in surface.rows:
                if not any(any(n in cell for n in names) for cell in row):
                    continue
                for cell in row:
                    key, sep, value = cell.partition("=")
                    if sep and "{" not in cell:  # a JSON field: only its figures
                        if NUMBER_KEYS.match(key) and value.strip() in forms:
                            found.append(f"{url}: {row}")
                    elif cell.strip() in forms:
                        found.append(f"{url}: {row}")
            for fragment in surface.fragments:
                for name_ in names:
                    for match in re.finditer(re.escape(name_), fragment):
                        window = _VOLATILE.sub(
                            "", fragment[max(match.start() - 80, 0) : match.end() + 80]
                        )
                        if count_in_text(count).search(window):
                            found.append(f"{url}: …{window}…")
    return found


def count_in_text(count: int) -> re.Pattern:
    """The count as a word of a sentence: not part of a code, a date, a period, a
    percentage or a school group."""
    # Written out or short, as tables and chart axes write a date ("1 apr 2024").
    months = (
        "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
        "|jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov|dec"
    )
    return re.compile(
        rf"(?<![\w.,:/-])(?<!groep )(?<!pagina ){count}(?![\w.,:/-])(?!\s*%)(?!\s*({months}))",
        re.IGNORECASE,
    )


def test_no_small_number_leaves_on_any_surface(client, planted, outsider, settings):
    # Every document built anew for each crawl, not handed out again from the first one
    # (decisions 0047, 0051), and as many as the crawl asks for from one address.
    settings.DOCUMENT_JOBS = {**settings.DOCUMENT_JOBS, "REUSE_SECONDS": 0}
    settings.KANSRIJK = {
        **settings.KANSRIJK,
        "THROTTLE": {**settings.KANSRIJK["THROTTLE"], "public_document_per_address": (10_000, 60)},
    }
    small = {"Aadorp": 1, "Bedum": 4, "Cadier": 20}
    swapped = {"Aadorp": 4, "Bedum": 1, "Cadier": 20}
    planted.set_counts(small)
    # Besides the links: each planted indicator for each of the areas, and each area's page.
    codes = [o.municipality.code for o in planted.places.values()] + [planted.rmc.code]
    start = [
        *START,
        *(f"/monitor/{i.code}/?regio={code}" for i in planted.indicators for code in codes),
        *(f"/monitor/regio/{code}/" for code in codes),
    ]
    anonymous, anonymous_surfaces = snapshot(client, start=start)
    client.force_login(outsider)
    other, other_surfaces = snapshot(client, start=start)
    client.logout()

    # The surfaces were really read: the planted indicators, their exports and the API.
    urls = set(anonymous_surfaces)
    for expected in (
        "/monitor/proef-thuiszitters/",
        "/monitor/proef-aanbod/export.csv",
        "/monitor/proef-deelname/export.xlsx",
        "/monitor/openbaar/",
        "/api/v1/measurements",
    ):
        assert any(url.startswith(expected) for url in urls), (expected, sorted(urls)[:50])
    assert any(s.kind == "application/pdf" for s in anonymous_surfaces.values())
    # The dashboard shows figures once a gemeente or an onderwerp is chosen (its links).
    dashboard = [text for url, text in anonymous.items() if url.startswith("/monitor/openbaar/?")]
    assert dashboard and all("&lt;5" not in text for text in dashboard)
    assert any("<5" in text for text in dashboard)

    for surfaces in (anonymous_surfaces, other_surfaces):
        assert direct_findings(surfaces, planted, {"Aadorp": 1, "Bedum": 4}) == []

    planted.set_counts(swapped)
    anonymous_after, anonymous_surfaces_after = snapshot(client, start=start)
    client.force_login(outsider)
    other_after, _ = snapshot(client, start=start)
    assert differences(anonymous, anonymous_after) == []
    assert differences(other, other_after) == []
    assert direct_findings(anonymous_surfaces_after, planted, {"Aadorp": 4, "Bedum": 1}) == []


def test_the_checks_find_a_count_that_is_published(client, planted):
    """The control: 7 and 9 are large enough to be published, so the same checks, on the
    monitor's surfaces, see them and see them change places."""
    planted.set_counts({"Aadorp": 7, "Bedum": 9, "Cadier": 20})
    start = ["/monitor/proef-thuiszitters/", "/monitor/openbaar/", "/api/v1/measurements"]
    before, surfaces = snapshot(client, max_pages=40, start=start)
    assert direct_findings(surfaces, planted, {"Aadorp": 7, "Bedum": 9})
    planted.set_counts({"Aadorp": 9, "Bedum": 7, "Cadier": 20})
    after, _ = snapshot(client, max_pages=40, start=start)
    assert differences(before, after)


def test_a_status_sentence_names_no_small_number(planted):
    """The status sentence is made from the figures the viewer may see: a small count
    gives "afgeschermd" and no number, whichever gemeente has it; a large one is named."""
    indicator = planted.indicators[0]  # thuiszitters on the peildatum
    for owner in planted.places.values():
        Target.objects.create(
            indicator=indicator,
            region=owner.municipality,
            date=datetime.date(2024, 12, 31),
            value=0,
        )
    public = Disclosure(public=True)

    def sentences(counts):
        planted.set_counts(counts)
        return {
            name: status_for(
                public, indicator_status(indicator, region=owner.municipality, today=P)
            ).explanation
            for name, owner in planted.places.items()
        }

    small = sentences({"Aadorp": 1, "Bedum": 4, "Cadier": 20})
    assert not count_in_text(1).search(small["Aadorp"])
    assert not count_in_text(4).search(small["Bedum"])
    assert small["Aadorp"] == small["Bedum"]
    assert "20 in 1 april 2024" in small["Cadier"]
    assert sentences({"Aadorp": 4, "Bedum": 1, "Cadier": 20}) == small
