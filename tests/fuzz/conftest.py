"""The full demo, loaded once for the fuzz tests of this package and rolled back at the
end (as tests/demo does): every role has data to open, so a fuzzed value reaches the form
or filter behind a real object instead of a 404."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import override_settings

from kansrijk.testing.database import rolled_back


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with rolled_back(django_db_blocker):
        with override_settings(DEBUG=True):
            call_command("load_reference_data", stdout=io.StringIO(), stderr=io.StringIO())
            call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
        yield
