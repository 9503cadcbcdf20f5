"""The reference-data loader on the real shipped files (``kansrijk load_reference_data``).

Loading takes a couple of seconds, so the tests that only read the result share one load
per class (``shipped``): it runs inside a transaction that is rolled back after the class,
and every test runs in its own savepoint inside it. Tests that need an empty database or
changed files sit outside the class and load for themselves.
"""

from __future__ import annotations

import csv
import datetime
import re
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

import kansrijk
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations import reference_data
from kansrijk.organisations.models import (
    Organisation,
    OrganisationKind,
    Region,
    RegionKind,
    RegionMembership,
    RegionSuccession,
    Sector,
)
from kansrijk.organisations.queries import successors_on
from kansrijk.organisations.reference_data import (
    MERGERS_FILE,
    RMC_2015_FILE,
    RMC_2015_VALID_FROM,
    SCHOOLS_FILE,
    ReferenceDataError,
    load_reference_data,
)

SHIPPED = Path(kansrijk.__file__).resolve().parent / "reference_data"
DAY = datetime.date(2025, 1, 1)
AMBIGUOUS = {
    "Waadhoeke": ("4", "5"),
    "Midden-Groningen": ("1", "3"),
    "Westerkwartier": ("2", "3"),
    "Vijfheerenlanden": ("19", "30"),
}
MERGER_HINTS = {
    "Goeree-Overflakkee",
    "Nissewaard",
    "Krimpenerwaard",
    "Molenlanden",
    "Voorne aan Zee",
}
MIDDEN_KENNEMERLAND = {"Beverwijk", "Castricum", "Heemskerk", "Uitgeest", "Velsen"}
D2019 = datetime.date(2019, 1, 1)
# The four gemeenten whose predecessors lay in two RMC regions: formed on this day.
AMBIGUOUS_FORMED = {
    "Waadhoeke": (datetime.date(2018, 1, 1), None),
    "Midden-Groningen": (datetime.date(2018, 1, 1), None),
    "Westerkwartier": (D2019, None),
    "Vijfheerenlanden": (D2019, None),
}


def gemeente(name: str) -> Region:
    return Region.objects.get(kind=RegionKind.MUNICIPALITY, name=name)


def rmc_regions(region: Region, day: datetime.date = DAY) -> set[str]:
    return set(region.parents_on(day, RegionKind.RMC_REGION).values_list("code", flat=True))


def rmc_memberships(code: str) -> list[tuple]:
    """(RMC code, valid from, valid to, source file) of a gemeente, in date order."""
    return [
        (parent, start, end, source.split(" ")[0].rstrip(";"))
        for parent, start, end, source in RegionMembership.objects.filter(
            child__code=code, parent__kind=RegionKind.RMC_REGION
        )
        .order_by("valid_from")
        .values_list("parent__code", "valid_from", "valid_to", "source")
    ]


def database_is_empty() -> bool:
    return not (
        Region.objects.exists()
        or RegionMembership.objects.exists()
        or Organisation.objects.exists()
        or AuditEvent.objects.exists()
    )


@pytest.fixture(scope="class")
def shipped(django_db_setup, django_db_blocker):
    """The shipped files loaded once for a class, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_reference_data(SHIPPED)
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A private copy of the shipped files that a test may change."""
    target = tmp_path / "reference_data"
    shutil.copytree(SHIPPED, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def edit_csv(path: Path, change) -> None:
    """Rewrite ``path`` after ``change(line, row)`` had a chance to alter each row."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames = reader.fieldnames
        rows = [(reader.line_num, row) for row in reader]
    for line, row in rows:
        change(line, row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for _, row in rows)


@pytest.mark.django_db
@pytest.mark.usefixtures("shipped")
class TestShippedFiles:
    def test_counts(self, shipped):
        regions = Region.objects.all()
        assert regions.filter(kind=RegionKind.COUNTRY).count() == 1
        assert regions.filter(kind=RegionKind.PROVINCE).count() == 12
        assert regions.filter(kind=RegionKind.MUNICIPALITY).existing_on(DAY).count() == 342
        # The gemeenten that merged away since 2013 keep their own row and CBS code.
        assert regions.filter(kind=RegionKind.MUNICIPALITY, valid_to__isnull=False).count() == 91
        assert regions.filter(kind=RegionKind.RMC_REGION).count() == 39
        organisations = Organisation.objects.all()
        assert organisations.filter(kind=OrganisationKind.MUNICIPALITY).count() == 342
        assert organisations.filter(kind=OrganisationKind.SCHOOL_LOCATION).count() == 8622
        assert organisations.filter(kind=OrganisationKind.SCHOOL_INSTITUTION).count() == 7161
        assert organisations.filter(kind=OrganisationKind.PARTNERSHIP).count() == 150
        by_sector = {
            sector: organisations.schools().filter(sector=sector).count() for sector in Sector
        }
        assert by_sector == {
            Sector.PO: 6115,
            Sector.SBO: 266,
            Sector.SO_VSO: 622,
            Sector.VO: 1619,
            Sector.MBO: 0,
        }
        assert shipped.counts["municipalities"].created == 342
        assert shipped.counts["former_municipalities"].created == 91
        assert shipped.counts["region_successions"].created == 98
        assert shipped.counts["school_locations"].created == 8622
        assert shipped.updated == 0

    def test_provinces_with_cbs_codes_and_their_gemeenten(self):
        netherlands = Region.objects.get(code="NL", kind=RegionKind.COUNTRY)
        provinces = dict(
            Region.objects.filter(kind=RegionKind.PROVINCE).values_list("code", "name")
        )
        assert provinces == {
            "PV20": "Groningen",
            "PV21": "Fryslân",
            "PV22": "Drenthe",
            "PV23": "Overijssel",
            "PV24": "Flevoland",
            "PV25": "Gelderland",
            "PV26": "Utrecht",
            "PV27": "Noord-Holland",
            "PV28": "Zuid-Holland",
            "PV29": "Zeeland",
            "PV30": "Noord-Brabant",
            "PV31": "Limburg",
        }
        for province in Region.objects.filter(kind=RegionKind.PROVINCE):
            assert list(province.parents_on(DAY)) == [netherlands]
        # SOURCES.md: NB 56, GLD 51, ZH 50, NH 44, LB 31, UT 26, OV 25, FR 18, ZL 13,
        # DR 12, GR 10, FL 6.
        per_province = {
            code: RegionMembership.objects.valid_on(DAY)
            .filter(parent__code=code, child__kind=RegionKind.MUNICIPALITY)
            .count()
            for code in provinces
        }
        assert per_province == {
            "PV30": 56,
            "PV25": 51,
            "PV28": 50,
            "PV27": 44,
            "PV31": 31,
            "PV26": 26,
            "PV23": 25,
            "PV21": 18,
            "PV29": 13,
            "PV22": 12,
            "PV20": 10,
            "PV24": 6,
        }
        membership = RegionMembership.objects.get(child__code="GM0453", parent__code="PV27")
        assert membership.valid_from == DAY
        assert "gemeenten_2025.csv" in membership.source

    def test_every_gemeente_is_an_organisation_serving_its_own_area(self):
        beverwijk = Organisation.objects.get(kind=OrganisationKind.MUNICIPALITY, code="GM0375")
        assert beverwijk.name == "Gemeente Beverwijk"
        assert beverwijk.municipality == gemeente("Beverwijk")
        assert list(beverwijk.served_regions.all()) == [gemeente("Beverwijk")]
        links = list(
            Organisation.served_regions.through.objects.filter(
                organisation__kind=OrganisationKind.MUNICIPALITY
            ).values_list("organisation__municipality_id", "region_id")
        )
        assert len(links) == 342
        assert all(own == served for own, served in links)

    def test_second_run_creates_and_updates_nothing(self):
        before = Organisation.objects.count(), Region.objects.count()
        memberships = RegionMembership.objects.count()
        report = load_reference_data(SHIPPED)
        assert report.created == 0
        assert report.updated == 0
        assert report.removed == 0
        assert report.counts["school_locations"].unchanged == 8622
        assert report.counts["municipalities"].unchanged == 342
        assert report.counts["former_municipalities"].unchanged == 91
        assert report.counts["region_successions"].unchanged == 98
        assert (Organisation.objects.count(), Region.objects.count()) == before
        assert RegionMembership.objects.count() == memberships
        assert len(report.ambiguous) == 4

    @pytest.mark.parametrize(("name", "candidates"), AMBIGUOUS.items())
    def test_ambiguous_rmc_gemeenten_are_flagged_not_guessed(self, shipped, name, candidates):
        region = gemeente(name)
        assert rmc_regions(region) == set()
        assert region.review_note.startswith("RMC-regio niet eenduidig")
        assert f"kandidaten {candidates[0]} of {candidates[1]}" in region.review_note
        assert "controleren bij DUO/OCW" in region.review_note
        flagged = {f.name: f for f in shipped.ambiguous}[name]
        assert tuple(str(int(code[3:])) for code, _ in flagged.candidates) == candidates

    def test_only_flagged_gemeenten_have_a_review_note(self, shipped):
        noted = set(Region.objects.needing_review().values_list("name", flat=True))
        assert noted == set(AMBIGUOUS) | MERGER_HINTS
        assert {f.name for f in shipped.to_verify} == MERGER_HINTS
        assert len(shipped.ambiguous) == 4

    @pytest.mark.parametrize("name", sorted(MERGER_HINTS))
    def test_merger_hint_rows_keep_their_region_and_get_a_note(self, name):
        region = gemeente(name)
        assert len(rmc_regions(region)) == 1
        assert "herindelingshint" in region.review_note
        membership = RegionMembership.objects.get(
            child=region, parent__kind=RegionKind.RMC_REGION, valid_from=DAY
        )
        assert "herindeling-hint (verifiëren)" in membership.source

    @pytest.mark.parametrize(
        ("name", "code", "rmc_name"),
        [
            ("Beverwijk", "RMC25", "West-Kennemerland"),
            ("Heemskerk", "RMC25", "West-Kennemerland"),
            ("Uitgeest", "RMC25", "West-Kennemerland"),
            ("Velsen", "RMC25", "West-Kennemerland"),
            ("Castricum", "RMC24", "Noord-Kennemerland"),
            ("Maassluis", "RMC29", "Rijnmond"),
            ("Bergen (NH.)", "RMC24", "Noord-Kennemerland"),
            ("Bergen (L.)", "RMC38", "Gewest Limburg-Noord"),
        ],
    )
    def test_rmc_spot_checks_from_sources(self, name, code, rmc_name):
        assert rmc_regions(gemeente(name)) == {code}
        assert Region.objects.get(code=code).name == rmc_name
        membership = RegionMembership.objects.get(
            child=gemeente(name), parent__code=code, valid_from=DAY
        )
        assert membership.valid_from == DAY
        assert "rmc_regio_per_gemeente_2025_afgeleid.csv; methode: naam" in membership.source

    def test_every_unflagged_gemeente_has_one_rmc_region(self):
        for region in Region.objects.municipalities().existing_on(DAY).exclude(name__in=AMBIGUOUS):
            assert len(rmc_regions(region)) == 1, region.name

    # ------------------------------------------------------------ regions through time

    def test_the_merged_gemeenten_of_vijfheerenlanden_with_their_codes_and_dates(self):
        vijfheerenlanden = gemeente("Vijfheerenlanden")
        assert (vijfheerenlanden.valid_from, vijfheerenlanden.valid_to) == (D2019, None)
        predecessors = RegionSuccession.objects.filter(successor=vijfheerenlanden)
        assert sorted(predecessors.values_list("predecessor__code", "predecessor__name")) == [
            ("GM0545", "Leerdam"),
            ("GM0620", "Vianen"),
            ("GM0707", "Zederik"),
        ]
        assert {(s.date, s.whole) for s in predecessors} == {(D2019, True)}
        assert all(MERGERS_FILE in s.source for s in predecessors)
        leerdam = gemeente("Leerdam")
        assert (leerdam.valid_from, leerdam.valid_to) == (None, D2019)
        assert leerdam.exists_on(datetime.date(2018, 12, 31))
        assert not leerdam.exists_on(D2019)
        # Leerdam and Zederik lay in Zuid-Holland until the merger, Vianen in Utrecht.
        assert set(leerdam.parents_on(datetime.date(2018, 6, 1), RegionKind.PROVINCE)) == {
            Region.objects.get(code="PV28")
        }

    def test_rmc_memberships_carry_the_dates_of_their_source(self):
        # A gemeente that exists throughout: the 2015 regulation until the 2025
        # derivation takes over, in the same region.
        assert rmc_memberships("GM0375") == [
            ("RMC25", RMC_2015_VALID_FROM, DAY, RMC_2015_FILE),
            ("RMC25", DAY, None, "rmc_regio_per_gemeente_2025_afgeleid.csv"),
        ]
        # The predecessors of Vijfheerenlanden until their merger, each in its own region.
        assert rmc_memberships("GM0545") == [("RMC30", RMC_2015_VALID_FROM, D2019, RMC_2015_FILE)]
        assert rmc_memberships("GM0707") == [("RMC30", RMC_2015_VALID_FROM, D2019, RMC_2015_FILE)]
        assert rmc_memberships("GM0620") == [("RMC19", RMC_2015_VALID_FROM, D2019, RMC_2015_FILE)]
        # Vijfheerenlanden itself: no region guessed, before 2025 or after.
        assert rmc_memberships("GM1961") == []

    @pytest.mark.parametrize(
        ("name", "rmc", "since"),
        [
            # Formed by a merger, every predecessor in one region of the 2015 text.
            ("West Betuwe", "RMC15", D2019),
            ("Hoeksche Waard", "RMC30", D2019),
            ("Molenlanden", "RMC30", D2019),  # Giessenlanden and Molenwaard (2013)
            ("Land van Cuijk", "RMC36", datetime.date(2022, 1, 1)),
            ("Voorne aan Zee", "RMC29", datetime.date(2023, 1, 1)),
            ("Gooise Meren", "RMC20", datetime.date(2016, 1, 1)),
            ("De Fryske Marren", "RMC05", datetime.date(2015, 7, 1)),  # De Friese Meren
            ("Goeree-Overflakkee", "RMC29", RMC_2015_VALID_FROM),  # formed in 2013
        ],
    )
    def test_a_merged_gemeente_takes_the_one_region_of_its_predecessors(self, name, rmc, since):
        memberships = rmc_memberships(gemeente(name).code)
        assert memberships[0] == (rmc, since, DAY, RMC_2015_FILE)
        source = RegionMembership.objects.get(
            child=gemeente(name), parent__code=rmc, valid_from=since
        ).source
        assert "via de voorgangers" in source
        assert rmc_regions(gemeente(name), since) == {rmc}
        assert rmc_regions(gemeente(name), since - datetime.timedelta(days=1)) == set()

    @pytest.mark.parametrize("name", sorted(AMBIGUOUS))
    def test_the_ambiguous_four_have_no_region_after_their_merger(self, name):
        region = gemeente(name)
        assert rmc_memberships(region.code) == []
        for predecessor in RegionSuccession.objects.filter(successor=region):
            memberships = rmc_memberships(predecessor.predecessor.code)
            assert len(memberships) == 1
            assert memberships[0][2] == predecessor.date

    def test_the_regions_of_a_day_in_2016_2019_and_2022(self):
        for day in [datetime.date(2016, 6, 1), D2019, datetime.date(2022, 10, 1)]:
            existing = Region.objects.municipalities().existing_on(day)
            without = {r.name for r in existing if len(rmc_regions(r, day)) != 1}
            formed = {g for g, (a, b) in AMBIGUOUS_FORMED.items() if day >= a}
            assert without == formed, day
        assert Region.objects.municipalities().existing_on(D2019).count() == 355
        assert Region.objects.municipalities().existing_on(datetime.date(2016, 6, 1)).count() == 390

    def test_names_of_gemeenten_that_merged_before_2014_are_reported(self, shipped):
        assert shipped.rmc_2015_not_placed == [
            "Boarnsterhim (RMC 4)",
            "Harenkarspel (RMC 23)",
            "Zijpe (RMC 23)",
            "Boskoop (RMC 27)",
            "Rijnwoude (RMC 27)",
        ]

    def test_a_split_gemeente_has_no_single_successor(self):
        littenseradiel = gemeente("Littenseradiel")
        successions = RegionSuccession.objects.filter(predecessor=littenseradiel)
        assert sorted(successions.values_list("successor__name", "whole")) == [
            ("Leeuwarden", False),
            ("Súdwest-Fryslân", False),
            ("Waadhoeke", False),
        ]
        mapping = successors_on(datetime.date(2022, 10, 1))
        assert littenseradiel.pk not in mapping
        # Through two mergers: Graafstroom (2013) → Molenwaard (2019) → Molenlanden.
        assert mapping[gemeente("Graafstroom").pk] == gemeente("Molenlanden").pk
        assert mapping[gemeente("Leerdam").pk] == gemeente("Vijfheerenlanden").pk
        assert gemeente("Molenwaard").pk not in successors_on(datetime.date(2018, 12, 31))
        assert successors_on(datetime.date(2018, 12, 31))[gemeente("Liesveld").pk] == (
            gemeente("Molenwaard").pk
        )

    def test_maassluis_po_school_belongs_to_po2807(self):
        schools = Organisation.objects.schools().filter(
            municipality=gemeente("Maassluis"), sector=Sector.PO
        )
        assert schools.exists()
        for school in schools:
            assert school.partnership.code == "PO2807"
            assert school.partnership.name == (
                "Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
            )
        vo = Organisation.objects.schools().filter(
            municipality=gemeente("Maassluis"), sector=Sector.VO
        )
        assert set(vo.values_list("partnership__code", flat=True)) == {"VO2811"}

    def test_ijmond_serves_the_five_midden_kennemerland_gemeenten(self):
        ijmond = Organisation.objects.partnerships().get(code="PO2711")
        assert ijmond.name == "Passend Onderwijs IJmond"
        assert ijmond.sector == Sector.PO
        assert set(ijmond.served_regions.values_list("name", flat=True)) == MIDDEN_KENNEMERLAND
        assert "passendonderwijsijmond.nl" in ijmond.source

    def test_vo_partnerships_of_midden_kennemerland(self):
        vo2704 = Organisation.objects.partnerships().get(code="VO2704")
        assert vo2704.name == "Samenwerkingsverband VO Midden-Kennemerland"
        # Uitgeest has no VO school, so the school-derived file does not list it.
        assert set(vo2704.served_regions.values_list("name", flat=True)) == {
            "Beverwijk",
            "Castricum",
            "Heemskerk",
        }
        vo2705 = Organisation.objects.partnerships().get(code="VO2705")
        assert "Velsen" in set(vo2705.served_regions.values_list("name", flat=True))

    def test_unknown_swv_names_are_code_based_and_descriptions_are_not_names(self):
        partnerships = Organisation.objects.partnerships()
        assert partnerships.get(code="PO2605").name == "Samenwerkingsverband PO 26-05"
        assert partnerships.get(code="VO2814").name == "Samenwerkingsverband VO 28-14"
        # swv_namen_steekproef.csv gives VO2811 only an "(omschrijving)", no name.
        assert partnerships.get(code="VO2811").name == "Samenwerkingsverband VO 28-11"
        assert partnerships.get(code="VO2507").name == (
            "Stichting Samenwerkingsverband VO-ROC Nijmegen e.o."
        )
        assert not partnerships.filter(code__icontains="europoort").exists()
        assert partnerships.filter(sector=Sector.PO).count() == 76
        assert partnerships.filter(sector=Sector.VO).count() == 74

    def test_vijfheerenlanden_lies_in_two_po_partnerships(self):
        serving = Organisation.objects.partnerships().filter(
            served_regions=gemeente("Vijfheerenlanden")
        )
        assert set(serving.values_list("code", flat=True)) == {
            "PO2816",
            "PO2605",
            "VO2814",
            "VO2605",
        }

    def test_so_vso_schools_have_no_partnership(self):
        schools = Organisation.objects.schools()
        assert not schools.filter(sector=Sector.SO_VSO, partnership__isnull=False).exists()
        # Four PO schools have a postcode outside the 2013 regulation (warned, not guessed).
        unmatched = schools.exclude(sector=Sector.SO_VSO).filter(partnership__isnull=True)
        assert set(unmatched.values_list("code", flat=True)) == {
            "31LR00",
            "10JF00",
            "06VO00",
            "31LJ00",
        }

    def test_sbo_and_vo_take_the_matching_partnership(self):
        schools = Organisation.objects.schools()
        assert not schools.filter(sector=Sector.SBO, partnership__code__startswith="VO").exists()
        assert not schools.filter(sector=Sector.PO, partnership__code__startswith="VO").exists()
        assert not schools.filter(sector=Sector.VO, partnership__code__startswith="PO").exists()

    def test_a_school_row_in_full(self):
        school = Organisation.objects.schools().get(code="01VG01")
        assert school.name == "Peter Petersenschool"
        assert school.parent.kind == OrganisationKind.SCHOOL_INSTITUTION
        assert school.parent.code == "01VG"
        assert school.parent.municipality == school.municipality
        assert school.brin4 == "01VG"
        assert school.sector == Sector.PO
        assert school.education_type == "basisschool"
        assert school.denomination == "Algemeen bijzonder"
        assert (school.street, school.house_number) == ("Rummerinkhof", "6b")
        assert (school.postcode, school.town) == ("9751 SL", "Haren Gn")
        assert school.municipality.code == "GM0014"
        assert school.website == "www.jenaplanschool.nl/pps"
        assert school.pupil_count == 243
        assert school.pupil_count_date == datetime.date(2024, 11, 22)
        assert school.latitude == Decimal("53.177261")
        assert school.longitude == Decimal("6.613879")
        assert school.partnership.code == "PO2001"
        assert SCHOOLS_FILE in school.source

    def test_stored_values_pass_the_model_validation(self):
        assert (
            not Organisation.objects.schools()
            .exclude(postcode__regex=r"^[1-9][0-9]{3} [A-Z]{2}$")
            .exists()
        )
        # 271 locations have no pupil count in the file: no count, no date.
        no_count = Organisation.objects.schools().filter(pupil_count__isnull=True)
        assert no_count.count() == 271
        assert not no_count.filter(pupil_count_date__isnull=False).exists()
        for region in Region.objects.all():
            region.full_clean()
        checked = Organisation.objects.filter(
            kind__in=[
                OrganisationKind.MUNICIPALITY,
                OrganisationKind.PARTNERSHIP,
                OrganisationKind.SCHOOL_INSTITUTION,
                OrganisationKind.SCHOOL_LOCATION,
            ]
        )
        # Foreign keys are left to the database: validating them costs a query each.
        foreign_keys = ["parent", "municipality", "partnership"]
        for organisation in checked:
            organisation.clean_fields(exclude=foreign_keys)
            organisation.clean()

    def test_audit_record_keeps_the_counts(self):
        event = AuditEvent.objects.get(action="reference_data.load")
        assert event.actor is None
        assert event.actor_display == "systeem"
        assert event.after["counts"]["municipalities"]["created"] == 342
        assert event.after["counts"]["school_locations"]["created"] == 8622
        assert event.after["ambiguous_rmc"] == ["GM1949", "GM1952", "GM1961", "GM1969"]

    def test_placeholder_names_survive_a_reload_but_known_names_are_restored(self):
        partnerships = Organisation.objects.partnerships()
        partnerships.filter(code="PO2605").update(name="SWV Lek en Linge (ingevuld)")
        partnerships.filter(code="PO2711").update(name="IJmond")
        report = load_reference_data(SHIPPED)
        assert partnerships.get(code="PO2605").name == "SWV Lek en Linge (ingevuld)"
        assert partnerships.get(code="PO2711").name == "Passend Onderwijs IJmond"
        assert report.counts["partnerships"].updated == 1

    def test_a_gemeente_placed_by_hand_keeps_its_region_and_loses_no_note(self):
        vijfheerenlanden = gemeente("Vijfheerenlanden")
        RegionMembership.objects.create(
            child=vijfheerenlanden,
            parent=Region.objects.get(code="RMC19"),
            valid_from=DAY,
            source="handmatig, na navraag bij DUO",
        )
        Region.objects.filter(pk=vijfheerenlanden.pk).update(review_note="")
        report = load_reference_data(SHIPPED)
        vijfheerenlanden.refresh_from_db()
        assert rmc_regions(vijfheerenlanden) == {"RMC19"}
        assert vijfheerenlanden.review_note == ""
        assert "Vijfheerenlanden" not in {f.name for f in report.ambiguous}
        assert report.created == report.updated == report.removed == 0

    def test_command_on_a_loaded_database_reports_nothing_new(self):
        out = StringIO()
        call_command(
            "load_reference_data", "--directory", str(SHIPPED), stdout=out, stderr=StringIO()
        )
        text = out.getvalue()
        assert "342 gemeenten (0 nieuw, 0 bijgewerkt, 342 ongewijzigd)" in text
        assert "8622 schoolvestigingen (0 nieuw, 0 bijgewerkt, 8622 ongewijzigd)" in text


@pytest.mark.django_db
def test_command_prints_what_it_loaded():
    out, err = StringIO(), StringIO()
    call_command("load_reference_data", "--directory", str(SHIPPED), stdout=out, stderr=err)
    text = out.getvalue()
    for line in [
        "1 land (1 nieuw, 0 bijgewerkt",
        "12 provincies (12 nieuw, 0 bijgewerkt",
        "342 gemeenten (342 nieuw, 0 bijgewerkt",
        "39 RMC-regio's (39 nieuw, 0 bijgewerkt",
        "342 gemeente-organisaties (342 nieuw, 0 bijgewerkt",
        "150 samenwerkingsverbanden (150 nieuw, 0 bijgewerkt",
        "7161 schoolinstellingen (BRIN4) (7161 nieuw, 0 bijgewerkt",
        "8622 schoolvestigingen (8622 nieuw, 0 bijgewerkt",
        "4 gemeenten zonder RMC-regio",
        "GM1949 Waadhoeke: kandidaten 4 Friesland Noord of 5 Zuid-West Friesland",
        "GM1952 Midden-Groningen: kandidaten 1 Oost-Groningen of 3 Centraal en Westelijk",
        "GM1961 Vijfheerenlanden: kandidaten 19 Utrecht of 30 Zuid-Holland-Zuid",
        "GM1969 Westerkwartier: kandidaten 2 Noord-Groningen-Eemsmond of 3 Centraal",
        "GM1930 Nissewaard: RMC 29 Rijnmond",
        "4 waarschuwingen",
    ]:
        assert line in text, line
    assert "schoolvestigingen: 8622/8622" in err.getvalue()
    assert "schoolvestigingen: 8622/8622" not in text
    assert Organisation.objects.schools().count() == 8622


@pytest.mark.django_db
def test_a_bad_brin_names_file_line_and_column_and_writes_nothing(data_dir):
    bad_line = 101

    def corrupt(line, row):
        if line == bad_line:
            row["vestigingscode"] = "0XUH00"

    edit_csv(data_dir / SCHOOLS_FILE, corrupt)
    with pytest.raises(ReferenceDataError) as raised:
        load_reference_data(data_dir)
    error = raised.value
    assert (error.file, error.line, error.column) == (SCHOOLS_FILE, bad_line, "vestigingscode")
    assert str(error).startswith(f"{SCHOOLS_FILE}, regel {bad_line}, kolom 'vestigingscode': ")
    assert "'0XUH00' is geen geldige vestigingscode" in str(error)
    assert database_is_empty()


@pytest.mark.django_db
def test_the_command_turns_a_bad_file_into_a_command_error(data_dir):
    def corrupt(line, row):
        if line == 5:
            row["gemeentecode"] = "GM9999"

    edit_csv(data_dir / "rmc_regio_per_gemeente_2025_afgeleid.csv", corrupt)
    with pytest.raises(CommandError, match=r"regel 5, kolom 'gemeentecode': GM9999 staat niet"):
        call_command("load_reference_data", "--directory", str(data_dir), stdout=StringIO())
    assert database_is_empty()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "column", "value", "message"),
    [
        ("gemeenten_2025.csv", "provincie", "Holland", "onbekende provincie"),
        ("gemeenten_2025.csv", "gemeentecode", "GM14", "geen geldige gemeentecode"),
        (SCHOOLS_FILE, "instellingscode", "01uh", "geen geldige BRIN"),
        (SCHOOLS_FILE, "sector", "MBO", "onbekende sector"),
        (SCHOOLS_FILE, "leerlingen", "veel", "geen aantal"),
        (SCHOOLS_FILE, "lat", "noord", "geen getal"),
        (SCHOOLS_FILE, "swv_po_code_pc4", "XX2001", "geen geldige code"),
        ("swv_regio_indeling_pc4_2013.csv", "swv_vo_code", "PO2001", "geen VO-samenwerk"),
        ("rmc_regio_per_gemeente_2025_afgeleid.csv", "rmc_regio_code", "40", "staat niet in"),
    ],
)
def test_other_bad_values_are_refused_with_their_place(data_dir, file, column, value, message):
    def corrupt(line, row):
        if line == 2:
            row[column] = value

    edit_csv(data_dir / file, corrupt)
    with pytest.raises(ReferenceDataError, match=message) as raised:
        load_reference_data(data_dir)
    assert (raised.value.file, raised.value.line, raised.value.column) == (file, 2, column)
    assert database_is_empty()


@pytest.mark.django_db
def test_a_missing_file_or_column_is_refused(data_dir):
    (data_dir / "swv_namen_steekproef.csv").unlink()
    with pytest.raises(ReferenceDataError, match="bestand niet gevonden"):
        load_reference_data(data_dir)
    path = data_dir / "gemeenten_2025.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("provincie", "prov", 1), "utf-8")
    with pytest.raises(ReferenceDataError, match="kolom 'provincie': kolom ontbreekt"):
        load_reference_data(data_dir)
    assert database_is_empty()


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    original = reference_data._sync_organisations

    def fail_on_schools(kind, *args, **kwargs):
        if kind == OrganisationKind.SCHOOL_LOCATION:
            raise RuntimeError("schijf vol")
        return original(kind, *args, **kwargs)

    monkeypatch.setattr(reference_data, "_sync_organisations", fail_on_schools)
    with pytest.raises(RuntimeError, match="schijf vol"):
        load_reference_data(SHIPPED)
    assert database_is_empty()


@pytest.mark.django_db
def test_an_invalid_postcode_is_left_empty_with_a_warning(data_dir):
    def corrupt(line, row):
        if row["vestigingscode"] == "01VG01":
            row["postcode"] = "9751SS"

    edit_csv(data_dir / SCHOOLS_FILE, corrupt)
    report = load_reference_data(data_dir)
    assert Organisation.objects.schools().get(code="01VG01").postcode == ""
    assert Organisation.objects.schools().count() == 8622
    postcode_warnings = [w for w in report.warnings if "kolom 'postcode'" in w]
    assert len(postcode_warnings) == 1
    assert re.search(r"regel 3, kolom 'postcode': '9751 SS' bestaat niet", postcode_warnings[0])


@pytest.mark.django_db
def test_a_changed_file_updates_what_changed(data_dir):
    load_reference_data(data_dir)

    def rename(line, row):
        if row["vestigingscode"] == "01VG01":
            row["vestigingsnaam"] = "Peter Petersenschool (nieuw)"
            row["leerlingen"] = ""

    def move_castricum(line, row):
        if row["gemeentenaam"] == "Castricum":
            row["rmc_regio_code"], row["rmc_regio_naam"] = "25", "West-Kennemerland"

    edit_csv(data_dir / SCHOOLS_FILE, rename)
    edit_csv(data_dir / "rmc_regio_per_gemeente_2025_afgeleid.csv", move_castricum)
    report = load_reference_data(data_dir)

    school = Organisation.objects.schools().get(code="01VG01")
    assert school.name == "Peter Petersenschool (nieuw)"
    assert (school.pupil_count, school.pupil_count_date) == (None, None)
    assert school.parent.name == "Peter Petersenschool"  # a placeholder is not overwritten
    assert report.counts["school_locations"].updated == 1
    assert report.counts["school_locations"].created == 0
    assert rmc_regions(gemeente("Castricum")) == {"RMC25"}
    memberships = report.counts["region_memberships"]
    assert (memberships.created, memberships.removed) == (1, 1)
    assert report.counts["municipalities"].updated == 0
    assert AuditEvent.objects.filter(action="reference_data.load").count() == 2


@pytest.mark.django_db
def test_an_existing_database_gets_the_dated_memberships_on_a_rerun():
    """A database loaded before the regions had dates: only 2025 memberships, no
    predecessors, no successions. A rerun adds them and changes nothing else."""
    load_reference_data(SHIPPED)
    RegionSuccession.objects.all().delete()
    for prefix in (RMC_2015_FILE, MERGERS_FILE):
        RegionMembership.objects.filter(source__startswith=prefix).delete()
    Region.objects.filter(valid_to__isnull=False).delete()
    Region.objects.update(valid_from=None)
    before = set(RegionMembership.objects.values_list("child_id", "parent_id", "valid_from"))

    report = load_reference_data(SHIPPED)

    assert report.counts["former_municipalities"].created == 91
    assert report.counts["region_successions"].created == 98
    # The 24 gemeenten formed by a merger since 2013 get their first day.
    assert report.counts["municipalities"].updated == 24
    memberships = report.counts["region_memberships"]
    assert (memberships.updated, memberships.removed) == (0, 0)
    assert memberships.created == 91 + 422  # provinces of the predecessors, 2015 regions
    after = set(RegionMembership.objects.values_list("child_id", "parent_id", "valid_from"))
    assert before <= after
    assert rmc_memberships("GM0545") == [("RMC30", RMC_2015_VALID_FROM, D2019, RMC_2015_FILE)]
    rerun = load_reference_data(SHIPPED)
    assert rerun.created == rerun.updated == rerun.removed == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("datum", "1-1-2019", "geen datum"),
        ("voorganger_code", "GM1961", "bestaat nog in gemeenten_2025.csv"),
        ("opvolger_code", "GM9999", "staat niet in gemeenten_2025.csv"),
        ("geheel", "misschien", "geen ja of nee"),
        ("voorganger_provincie", "Holland", "onbekende provincie"),
    ],
)
def test_a_bad_merger_row_is_refused_with_its_place(data_dir, column, value, message):
    def corrupt(line, row):
        if line == 2:
            row[column] = value

    edit_csv(data_dir / MERGERS_FILE, corrupt)
    with pytest.raises(ReferenceDataError, match=message) as raised:
        load_reference_data(data_dir)
    assert (raised.value.file, raised.value.line, raised.value.column) == (MERGERS_FILE, 2, column)
    assert database_is_empty()
