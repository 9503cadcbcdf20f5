"""The seed content of the monitor: the indicators, nulmetingen and targets of seeds 002
and 003 exactly as written, the external sources of seed 001, the national series of the
shared data, and the demo figures (flagged as generated)."""

import datetime
import tomllib
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.audit.models import AuditEvent
from kansrijk.indicators import demo
from kansrijk.indicators.models import (
    ApprovalStatus,
    Baseline,
    Indicator,
    Measurement,
    SourceKind,
    Target,
    Unit,
)
from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import Region, RegionKind, Role
from kansrijk.testing import factories
from kansrijk.testing.database import rolled_back

pytestmark = pytest.mark.django_db

GEMEENTEN = {
    "GM0375": "Beverwijk",
    "GM0383": "Castricum",
    "GM0396": "Heemskerk",
    "GM0450": "Uitgeest",
    "GM0453": "Velsen",
    "GM0556": "Maassluis",
    "GM0606": "Schiedam",
    "GM0622": "Vlaardingen",
    "GM1961": "Vijfheerenlanden",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The slice of the reference data the seeds refer to, the demo organisations and the
    two seed agendas whose goals the indicators link to: loaded once for the module, in a
    transaction rolled back at its end (each test runs in a savepoint inside it)."""
    with rolled_back(django_db_blocker), override_settings(DEBUG=True):
        yield _seed()


def _seed():
    factories.RegionFactory(code="NL", kind=RegionKind.COUNTRY, name="Nederland")
    for code, name in GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.SchoolFactory(  # load_demo_organisations needs a school user in Beverwijk
        code="12AB00",
        parent=factories.SchoolInstitutionFactory(code="12AB"),
        municipality=Region.objects.get(code="GM0375"),
        partnership=factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond"),
    )
    factories.PartnershipFactory(
        code="PO2807", name="Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
    )
    factories.PartnershipFactory(code="VO2704", name="Samenwerkingsverband VO Midden-Kennemerland")
    factories.SchoolFactory(
        code="03UO00",
        parent=factories.SchoolInstitutionFactory(code="03UO"),
        municipality=Region.objects.get(code="GM1961"),
        partnership=factories.PartnershipFactory(code="PO2605"),
        sector="SBO",
    )
    load_demo_organisations()
    load_agenda_file(AGENDA_DIR / "maassluis.toml")
    load_agenda_file(AGENDA_DIR / "midden-kennemerland.toml")
    return demo.load_demo_indicators()


def scoped(model, code: str, region: str = "GM0556"):
    return model.objects.filter(indicator__code=code, region__code=region)


def test_maassluis_vve_reach_72_to_90(seeded):
    reach = Indicator.objects.get(code="maassluis-vve-bereik")
    assert reach.unit == Unit.PERCENTAGE and reach.is_rate and reach.is_public
    assert reach.numerator_definition == "kinderen met een VVE-indicatie die VVE volgen"
    assert reach.denominator_definition == "kinderen met een VVE-indicatie"
    assert reach.owner.code == "GM0556" and reach.source_name == (
        "Uitvoeringsnota Onderwijskansenbeleid Maassluis 2019–2022, doel 3"
    )
    assert [goal.external_id for goal in reach.goals.all()] == ["doel-3"]
    assert reach.goals.get().agenda.slug == "maassluis-onderwijskansen-2019-2022"

    baseline = scoped(Baseline, reach.code).get()
    assert (baseline.value, baseline.period_label) == (Decimal(72), "2019")
    assert baseline.date == datetime.date(2019, 12, 31)
    target = scoped(Target, reach.code).get()
    assert (target.value, target.date) == (Decimal(90), datetime.date(2021, 12, 31))

    real = scoped(Measurement, reach.code).get(period_label="2019")
    assert real.display_value == 72 and not real.is_generated
    generated = scoped(Measurement, reach.code).filter(is_generated=True)
    assert [m.period_label for m in generated] == ["2020", "2021"]
    for measurement in generated:
        assert measurement.numerator is not None and measurement.denominator is not None
        assert measurement.story == "Gegenereerd voor de demo: geen echt cijfer."
        # the companion counts hold the same numerator and denominator
        cell = {"period_start": measurement.period_start, "region": measurement.region}
        assert scoped(Measurement, "maassluis-vve-geindiceerd").get(**cell).value == (
            measurement.denominator
        )
        assert scoped(Measurement, "maassluis-vve-deelnemers").get(**cell).value == (
            measurement.numerator
        )


def test_pre_school_hours_toeleiding_and_parent_activities(seeded):
    def baseline_and_target(code):
        return (scoped(Baseline, code).get().value, scoped(Target, code).get().value)

    assert baseline_and_target("maassluis-voorschoolse-uren-met-indicatie") == (12, 16)
    assert baseline_and_target("maassluis-voorschoolse-uren-zonder-indicatie") == (6, 8)
    hours = Indicator.objects.get(code="maassluis-voorschoolse-uren-met-indicatie")
    assert hours.unit == Unit.HOURS
    assert scoped(Target, hours.code).get().date == datetime.date(2020, 8, 1)
    assert scoped(Baseline, "maassluis-toeleiding-medewerking").get().value == 98
    assert scoped(Baseline, "maassluis-toeleiding-plaatsing").get().value == 99
    assert baseline_and_target("maassluis-ouderactiviteiten-peuteropvang") == (80, 100)
    assert scoped(Baseline, "maassluis-ouderactiviteiten-basisscholen").get().value == 63
    assert scoped(Target, "maassluis-gymles-twee-uur").get().date == datetime.date(2023, 12, 31)
    for code in ("maassluis-taalachterstand-voorschool", "maassluis-taalachterstand-groep-1-2"):
        assert scoped(Target, code).get().value == 80


def test_midden_kennemerland_thuiszitters_per_gemeente_and_peildatum(seeded):
    thuiszitters = Indicator.objects.get(code="mk-thuiszitters")
    assert thuiszitters.period_type == "reference_date" and thuiszitters.owner.code == "GM0375"
    assert {goal.external_id for goal in thuiszitters.goals.all()} == {"doel-08", "doel-09"}
    # Computed from the thuiszittersregister (cases.indicators); the demo fills it from
    # synthetic cases (cases/tests/test_demo.py), the seed file holds no figures for it.
    assert thuiszitters.source_kind == SourceKind.COMPUTED
    assert thuiszitters.computed_key == "cases-thuiszitters-peildatum"
    assert not Measurement.objects.filter(indicator=thuiszitters).exists()
    # vrijstellingen: per reason, plus the total per gemeente
    exemptions = Measurement.objects.filter(
        indicator__code="mk-vrijstellingen-5a", region__code="GM0375", period_label="2021/2022"
    )
    parts = exemptions.exclude(breakdown_key="")
    assert sum(m.value for m in parts) == exemptions.get(breakdown_key="").value
    for code in ("mk-schoolaanwezigheid", "mk-deelname-regulier-onderwijs"):
        assert Indicator.objects.get(code=code).goals.exists()


def test_external_sources_have_no_measurements(seeded):
    external = Indicator.objects.filter(source_kind=SourceKind.EXTERNAL)
    assert {indicator.source_url for indicator in external} == {
        "https://www.waarstaatjegemeente.nl",
        "https://www.vsvkompas.nl",
        "https://www.monitoraaj.nl",
        "https://www.onderwijsincijfers.nl",
    }
    assert not Measurement.objects.filter(indicator__in=external).exists()


def test_national_series_on_region_nl(seeded):
    absent = Indicator.objects.get(code="absoluut_verzuim")
    assert absent.unit == Unit.COUNT and absent.period_type == "school_year"
    figures = Measurement.objects.filter(indicator=absent, region__code="NL")
    latest = figures.get(period_label="2021/2022")
    assert latest.value == 10240
    assert (latest.period_start, latest.period_end) == (
        datetime.date(2021, 8, 1),
        datetime.date(2022, 7, 31),
    )
    assert latest.source.startswith("https://datagraver.com/")
    assert latest.story.startswith("Leerplichttelling OCW")
    assert figures.get(period_label="2022/2023").value == 13707
    assert all(m.approval == ApprovalStatus.APPROVED and m.is_final for m in figures)
    assert not figures.filter(is_generated=True).exists()
    reach = Measurement.objects.get(indicator__code="ve_bereik_doelgroep_pct", period_label="2019")
    assert reach.region.code == "NL" and reach.value == 80
    assert (reach.period_start, reach.period_end) == (
        datetime.date(2019, 1, 1),
        datetime.date(2019, 12, 31),
    )


def test_only_generated_figures_are_flagged(seeded):
    generated = Measurement.objects.filter(is_generated=True)
    assert generated.exists()
    assert all(m.story == demo.GENERATED_STORY for m in generated)
    assert not Measurement.objects.filter(is_generated=False, story=demo.GENERATED_STORY).exists()
    assert all(m.approval == ApprovalStatus.APPROVED for m in Measurement.objects.all())


def test_loading_twice_changes_nothing(seeded):
    counts = [model.objects.count() for model in (Indicator, Baseline, Target, Measurement)]
    audit_rows = AuditEvent.objects.count()
    history_rows = Measurement.history.count()
    values = sorted(Measurement.objects.values_list("indicator__code", "period_label", "value"))

    again = demo.load_demo_indicators()

    assert again.indicators_created == again.indicators_updated == 0
    assert again.measurements_saved == again.baselines_saved == again.targets_saved == 0
    assert [model.objects.count() for model in (Indicator, Baseline, Target, Measurement)] == (
        counts
    )
    assert AuditEvent.objects.count() == audit_rows
    assert Measurement.history.count() == history_rows
    assert (
        sorted(Measurement.objects.values_list("indicator__code", "period_label", "value"))
        == values
    )


def test_parse_period():
    period = demo.parse_period("2021/2022")
    assert (period.start, period.end, period.label) == (
        datetime.date(2021, 8, 1),
        datetime.date(2022, 7, 31),
        "2021/2022",
    )
    assert demo.parse_period("2022-10-01").label == "1 oktober 2022"
    with pytest.raises(demo.IndicatorFileError):
        demo.parse_period("2021/2023")


def test_the_indicator_page_cites_the_seed_as_a_reader_would(seeded, client, make_member):
    # The Maassluis agenda is a concept (not public): its indicators are shown to members.
    maassluis = Indicator.objects.get(code="maassluis-vve-bereik").owner
    client.force_login(make_member(maassluis, Role.READER))
    url = reverse("indicators:detail", args=["maassluis-vve-bereik"])
    html = client.get(url).content.decode()
    source = html.split(">Bron</dt><dd>")[1].split("</dd>")[0]
    assert source == "Uitvoeringsnota Onderwijskansenbeleid Maassluis 2019–2022, doel 3"
    assert "seed 00" not in html and "Ingevoerd:" not in html


def test_no_demo_text_names_a_seed_by_its_number():
    """The demo files cite the seed documents by their titles; only comments, which no
    page shows, may say "seed 003"."""

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    folder = settings.PACKAGE_DIR / "demo_data"
    found = [
        (path.name, text[:60])
        for path in sorted(folder.rglob("*.toml"))
        for text in strings(tomllib.loads(path.read_text(encoding="utf-8")))
        if "seed 00" in text.lower()
    ]
    assert found == []
