"""New dossier numbers can be read out over the phone: ``TZ-2026-00123``, one counter per
year, never the same number twice, also when two intakes run at the same moment
(decision 0032). Older numbers (``TZ-2026-5E675977``) stay valid."""

from __future__ import annotations

import datetime
import re
import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from kansrijk.cases import services
from kansrijk.cases.models import Case, DossierNumberSequence
from kansrijk.testing import factories

D = datetime.date


@pytest.mark.django_db
def test_numbers_count_up_per_year():
    assert services.new_dossier_id(D(2026, 3, 1)) == "TZ-2026-00001"
    assert services.new_dossier_id(D(2026, 12, 31)) == "TZ-2026-00002"
    assert services.new_dossier_id(D(2027, 1, 4)) == "TZ-2027-00001"


@pytest.mark.django_db
def test_a_number_already_in_the_register_is_skipped():
    factories.CaseFactory(dossier_id="TZ-2026-00001")
    factories.CaseFactory(dossier_id="TZ-2026-5E675977")  # an older number stays as it is
    assert services.new_dossier_id(D(2026, 5, 1)) == "TZ-2026-00002"


@pytest.mark.django_db
def test_an_intake_gets_a_readable_number(network, young_person):
    case = services.open_case(
        actor=None,
        young_person=young_person,
        category="relatief",
        start_date=D(2024, 1, 8),
        school=network.school,
    )
    assert re.fullmatch(r"TZ-\d{4}-\d{5}", case.dossier_id)


def _in_a_thread(work):
    """Run ``work`` on a connection of its own (committed at once), as another request."""
    failures = []

    def run():
        try:
            work()
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


@contextmanager
def _a_database_threads_share(tmp_path):
    """PostgreSQL: the test database itself (each thread commits on its own connection).
    SQLite: a database file with the two tables the numbers need: the tests' in-memory
    database is shared through SQLite's shared cache, whose table locks are not what a
    deployment (a file, IMMEDIATE transactions) sees."""
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict  # the same dict new threads connect with
    saved_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(tmp_path / "numbers.sqlite3")
    try:

        def create_tables():
            with connection.schema_editor() as editor:
                editor.create_model(DossierNumberSequence)
                editor.create_model(Case)

        thread, failures = _in_a_thread(create_tables)
        thread.join()
        assert not failures
        yield
    finally:
        settings_dict["NAME"] = saved_name


@pytest.mark.django_db
def test_intakes_at_the_same_moment_never_share_a_number(tmp_path):
    """Six intakes at once, five numbers each, in a year no other test uses: thirty
    different numbers in a row. On PostgreSQL the threads commit to the test database,
    so the year's counter is removed afterwards."""
    drawn = []
    start = threading.Barrier(6)

    def intakes():
        start.wait()
        for _ in range(5):
            with transaction.atomic():
                drawn.append(services.new_dossier_id(D(1999, 6, 1)))

    with _a_database_threads_share(tmp_path):
        try:
            running = [_in_a_thread(intakes) for _ in range(6)]
            for thread, _failures in running:
                thread.join()
        finally:
            cleanup, _ = _in_a_thread(DossierNumberSequence.objects.filter(year=1999).delete)
            cleanup.join()
    assert [failure for _thread, failures in running for failure in failures] == []
    assert sorted(drawn) == [f"TZ-1999-{n:05d}" for n in range(1, 31)]
