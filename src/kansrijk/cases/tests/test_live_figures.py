"""Live computed figures (docs/decisions/0022): a case added through the form, the import
on the command line or the upload page changes the monitor's thuiszitters figure for its
gemeente after the commit, without anyone running a command; one transaction is one
refresh; a refresh of an unchanged register writes nothing; ``kansrijk refresh_computed``
brings a new peildatum in.

Today is 14 March 2025 (the import tests' day): the last peildatum is 1 January 2025, and
the figures are kept on the eight peildata from 1 April 2023 to 1 January 2025. The cases
start on 4 November 2024: relatief verzuim of 58 days on 1 January, so a thuiszitter.
"""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import services
from kansrijk.cases.indicators import STOCK_KEY, refreshed_peildata
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import Indicator, Measurement

from .conftest import OTHER_BSN
from .test_importing import frozen_today, row, write_csv  # noqa: F401 - the fixture
from .test_views import new_case_data

D = datetime.date
PEILDATUM = D(2025, 1, 1)
START = "2024-11-04"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def indicator(network):
    """Beverwijk's thuiszitters indicator, computed, with its figures as they are: 0."""
    network.gemeente.served_regions.add(network.beverwijk)
    indicator = Indicator.objects.create(
        code="thuiszitters-beverwijk",
        name="Thuiszitters op peildatum",
        unit="count",
        period_type="reference_date",
        source_kind="computed",
        computed_key=STOCK_KEY,
        owner=network.gemeente,
        is_public=True,
    )
    indicator_services.refresh_all(actor=None)
    assert figure(indicator) == 0
    return indicator


def figure(indicator, gemeente="GM0375", peildatum=PEILDATUM):
    return Measurement.objects.get(
        indicator=indicator, region__code=gemeente, period_end=peildatum
    ).value


@pytest.fixture
def refreshes(monkeypatch):
    """Every run of the background task's refresh, with what it was asked."""
    calls = []
    original = indicator_services.refresh_live

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(indicator_services, "refresh_live", spy)
    return calls


def test_the_figures_are_kept_on_the_last_eight_peildata(indicator):
    assert refreshed_peildata(D(2025, 3, 14)) == [
        D(2023, 4, 1),
        D(2023, 7, 1),
        D(2023, 10, 1),
        D(2024, 1, 1),
        D(2024, 4, 1),
        D(2024, 7, 1),
        D(2024, 10, 1),
        D(2025, 1, 1),
    ]
    stored = Measurement.objects.filter(indicator=indicator, region__code="GM0375")
    assert sorted(stored.values_list("period_end", flat=True)) == refreshed_peildata(D(2025, 3, 14))
    assert all(m.computed_at is not None and m.approval == "approved" for m in stored)
    # The SWV of Beverwijk's schools has its figures too.
    assert Measurement.objects.filter(indicator=indicator, organisation__code="PO2711").count() == 8


def test_a_case_opened_with_the_form_changes_the_figure(
    verified_client, people, network, indicator, refreshes, django_capture_on_commit_callbacks
):
    client = verified_client(people["leerplicht"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:new"), new_case_data(network, start_date=START))
    assert response.status_code == 302
    assert figure(indicator) == 1
    assert len(refreshes) == 1 and refreshes[0]["municipality_ids"] == {network.beverwijk.pk}
    # The page of the indicator shows it, with when it was computed.
    response = verified_client(people["beleid"]).get(
        reverse("indicators:detail", args=[indicator.code]), {"regio": "GM0375"}
    )
    latest = response.context["figures"][-1]
    # A count of the register: published as "<5", to the gemeente's beleidsmedewerker too.
    assert (latest.measurement.period_end, latest.value.text) == (PEILDATUM, "<5")
    assert "berekend op 14 maart 2025 om 13:00" in response.content.decode()


def test_a_case_opened_through_the_api_changes_the_figure(
    verified_client, people, network, indicator, refreshes, django_capture_on_commit_callbacks
):
    """The API opens a case with the page's form and service: the figure follows."""
    client = verified_client(people["leerplicht"])
    data = new_case_data(network, start_date=START)
    payload = {
        **{key: data[key] for key in ("identifier_kind", "identifier", "birth_date", "category")},
        "start_date": START,
        "municipality": "GM0375",
        "school": network.school.code,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/cases", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert data["identifier"] not in response.content.decode()  # the number never returns
    assert figure(indicator) == 1
    assert len(refreshes) == 1 and refreshes[0]["municipality_ids"] == {network.beverwijk.pk}


def test_nothing_is_refreshed_before_the_commit(verified_client, people, network, indicator):
    """Without the commit (the test's transaction never commits) the task never runs."""
    client = verified_client(people["leerplicht"])
    client.post(reverse("cases:new"), new_case_data(network, start_date=START))
    assert figure(indicator) == 0


def test_a_case_imported_on_the_command_line_changes_the_figure(
    network, indicator, tmp_path, refreshes, django_capture_on_commit_callbacks
):
    path = write_csv(
        tmp_path / "cases.csv",
        [
            row(network, startdatum=START),
            row(network, dossier_id="LP-2", bsn=OTHER_BSN, startdatum=START),
            row(network, dossier_id="LP-3", bsn="123456708", startdatum=START),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert figure(indicator) == 3
    # Three cases in one transaction: one refresh.
    assert len(refreshes) == 1


def test_a_case_imported_on_the_upload_page_changes_the_figure(
    verified_client, people, network, indicator, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "leerlingen.csv", [row(network, startdatum=START)])
    upload = SimpleUploadedFile("leerlingen.csv", path.read_bytes(), content_type="text/csv")
    client = verified_client(people["leerplicht"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases_import:upload"), {"file": upload})
    assert response.status_code == 302
    assert figure(indicator) == 1


def test_a_dry_run_or_a_rejected_file_refreshes_nothing(
    network, indicator, tmp_path, refreshes, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "cases.csv", [row(network, startdatum=START)])
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_cases", str(path), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert refreshes == []
    assert figure(indicator) == 0


def test_a_move_and_a_closed_case_refresh_both_gemeenten(
    network, indicator, young_person, refreshes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.open_case(
            actor=None,
            young_person=young_person,
            category="absoluut",
            start_date=D(2024, 12, 2),
            municipality=network.beverwijk,
        )
    assert figure(indicator) == 1
    # The woongemeente on the peildatum counts: a move on 10 December takes the case to
    # Maassluis on 1 January, and both gemeenten are refreshed.
    with django_capture_on_commit_callbacks(execute=True):
        services.record_move(
            young_person, actor=None, municipality=network.maassluis, valid_from=D(2024, 12, 10)
        )
    assert figure(indicator) == 0
    assert refreshes[-1]["municipality_ids"] == {network.beverwijk.pk, network.maassluis.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.update_case(case, actor=None, municipality=network.beverwijk)
        services.close_case(case, actor=None, end_date=D(2024, 12, 20), outcome="terug_naar_school")
    assert figure(indicator) == 0
    # Two changes in one transaction: one refresh.
    assert len(refreshes) == 3


def test_a_change_in_another_gemeente_leaves_the_indicator_alone(
    network, indicator, refreshes, django_capture_on_commit_callbacks
):
    elsewhere = services.register_young_person(
        actor=None,
        identifier_kind="bsn",
        identifier=OTHER_BSN,
        birth_date=D(2011, 5, 4),
        municipality=network.maassluis,
    )
    before = Measurement.objects.filter(indicator=indicator).values_list("pk", "computed_at")
    before = sorted(before)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_case(
            actor=None,
            young_person=elsewhere,
            category="absoluut",
            start_date=D(2024, 12, 2),
            school=network.other_school,
        )
    assert refreshes[0]["municipality_ids"] == {network.maassluis.pk}
    assert (
        sorted(Measurement.objects.filter(indicator=indicator).values_list("pk", "computed_at"))
        == before
    )


def test_a_refresh_of_an_unchanged_register_writes_nothing(network, indicator, case):
    indicator_services.refresh_all(actor=None)
    counts = (
        Measurement.objects.count(),
        Measurement.history.count(),
        AuditEvent.objects.count(),
    )
    values = sorted(Measurement.objects.values_list("pk", "value", "story", "approval"))
    computed_at = Measurement.objects.filter(indicator=indicator).first().computed_at
    with time_machine.travel(datetime.datetime(2025, 3, 14, 15, 30), tick=False):
        result = indicator_services.refresh_all(actor=None)
    assert (result.written, result.withdrawn) == (0, 0)
    assert result.unchanged == Measurement.objects.filter(indicator=indicator).count()
    assert (
        Measurement.objects.count(),
        Measurement.history.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert sorted(Measurement.objects.values_list("pk", "value", "story", "approval")) == values
    # Only when it was last computed moves on.
    assert Measurement.objects.filter(indicator=indicator).first().computed_at > computed_at


def test_a_changed_figure_is_written_once_with_history_and_audit(network, indicator, case):
    """The fixture's case (relatief since 8 January 2024) is a thuiszitter on the four
    peildata from 1 April 2024: four figures of Beverwijk and four of its SWV change."""
    audit_rows, history = AuditEvent.objects.count(), Measurement.history.count()
    result = indicator_services.refresh_all(actor=None)
    assert (result.written, result.unchanged) == (8, 8)
    assert AuditEvent.objects.count() == audit_rows + 8
    assert Measurement.history.count() == history + 8
    assert figure(indicator) == 1 and figure(indicator, peildatum=D(2024, 1, 1)) == 0


def test_a_median_that_falls_below_the_threshold_is_withdrawn(network, indicator):
    from kansrijk.cases.indicators import DURATION_KEY
    from kansrijk.testing import factories

    median = Indicator.objects.create(
        code="duur-beverwijk",
        name="Mediane duur",
        unit="score",
        period_type="quarter",
        source_kind="computed",
        computed_key=DURATION_KEY,
        owner=network.gemeente,
    )
    cases = [
        factories.CaseFactory(
            category="absoluut",
            start_date=D(2024, 12, 1) - datetime.timedelta(days=days),
            end_date=D(2024, 12, 1),
            outcome="terug_naar_school",
            school=network.school,
            municipality=network.beverwijk,
        )
        for days in (10, 20, 30, 40, 50)
    ]
    indicator_services.bring_up_to_date(median, actor=None)
    stored = Measurement.objects.get(indicator=median, region=network.beverwijk)
    assert (stored.period_label, stored.value) == ("2024-10-02/2025-01-01", 30)
    cases[0].delete()  # four episodes: below the threshold of 5, no median any more
    result = indicator_services.bring_up_to_date(median, actor=None)
    assert result.withdrawn == 1
    assert not Measurement.objects.filter(indicator=median).exists()
    assert AuditEvent.objects.filter(action="indicators.measurement.withdraw").count() == 1


def test_the_command_brings_a_new_peildatum_in(network, indicator, case):
    out = io.StringIO()
    call_command("refresh_computed", stdout=out)
    assert "1 berekende indicator(en) bijgewerkt: 8 cijfer(s) nieuw of gewijzigd" in out.getvalue()
    # On 1 April a new peildatum arrives without any change in the register.
    with time_machine.travel(datetime.datetime(2025, 4, 1, 6, 0), tick=False):
        out = io.StringIO()
        call_command("refresh_computed", "--indicator", indicator.code, stdout=out)
    assert "2 cijfer(s) nieuw of gewijzigd" in out.getvalue()  # Beverwijk and its SWV
    assert figure(indicator, peildatum=D(2025, 4, 1)) == 1


def test_the_command_refuses_an_unknown_indicator(indicator):
    with pytest.raises(CommandError, match="niet-bestaand"):
        call_command("refresh_computed", "--indicator", "niet-bestaand", stdout=io.StringIO())


def test_the_figures_are_marked_as_demo_figures_when_the_register_is_synthetic(
    network, indicator, young_person
):
    services.open_case(
        actor=None,
        young_person=young_person,
        category="absoluut",
        start_date=D(2024, 12, 2),
        is_synthetic=True,
    )
    indicator_services.refresh_all(actor=None)
    stored = Measurement.objects.get(
        indicator=indicator, region__code="GM0375", period_end=PEILDATUM
    )
    assert stored.is_generated and "synthetische demoregister" in stored.story
    assert (
        Measurement.objects.get(
            indicator=indicator, organisation__code="PO2711", period_end=PEILDATUM
        ).is_generated
        is False
    )  # the case has no school: the SWV's register is real


def test_the_public_sees_the_live_figure_suppressed(client, indicator, case):
    indicator_services.refresh_all(actor=None)
    response = client.get(reverse("indicators:detail", args=[indicator.code]), {"regio": "GM0375"})
    assert response.context["figures"][-1].value.text == "<5"
