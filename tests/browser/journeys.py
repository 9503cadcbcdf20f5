"""What the journey tests stand on: the demo served once for a module of tests, a browser
tab logged in as a demo user, and a ``Journey`` that does a role's tasks as a person
would, counting the steps.

A step is what a person does with mouse or keyboard: following a link, pressing a button,
filling a field, choosing an option, ticking a box. Going home at the start of a task is
not a step; checking the result afterwards is not one either. Every page a journey
arrives on is checked with axe-core at the width the journey runs at.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from pytest_django.fixtures import _get_databases_for_setup
from pytest_django.live_server_helper import LiveServer

from tests.fuzz.test_pages import _client

FAILURES = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys"
# Where the screenshots go: var/ by default; `make screenshots` writes docs/screenshots,
# which the README shows.
SCREENSHOTS = Path(os.environ.get("KANSRIJK_SCREENSHOTS") or FAILURES)

DATABASE_TEST = "test_every_role_of_the_demo_has_a_journey"

# The two widths of the issue: a desktop and a phone.
VIEWPORTS = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}


@contextmanager
def demo_served(request, django_db_blocker, usernames, prepare=None) -> Iterator[tuple[str, dict]]:
    """Load the reference data and the demo, committed, log in ``usernames`` and serve
    the demo until the block ends; then empty the database as a live-server test does,
    for the tests after it. Yields the server's address and each user's session key.

    The tests themselves are not database tests (no ``django_db``): a transaction per
    test would be shared with the server's threads on SQLite, which cannot take it. So
    whatever they need written is written here (``prepare``), and what a journey changes
    stays for the next: the journeys are written to work again on what the one before
    left. pytest-django sets up the test database only for a collected database test;
    the module's own database test (``DATABASE_TEST``) is that one."""
    with django_db_blocker.unblock():
        # pytest-django's own test of whether it set up a test database for this run.
        if not _get_databases_for_setup(request.session.items)[0]:
            pytest.fail(
                f"No test database: select {DATABASE_TEST} too (pytest-django sets one up "
                "only when a collected test asks for it).",
                pytrace=False,
            )
        with override_settings(DEBUG=True):
            quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
            call_command("load_reference_data", **quiet)
            call_command("load_demo", **quiet)
        if prepare is not None:
            prepare()
        sessions = {
            username: _client(username).cookies[settings.SESSION_COOKIE_NAME].value
            for username in usernames
        }
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url, sessions
        finally:
            _requests_finished()
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _requests_finished(timeout: float = 5.0) -> None:
    """Wait for the server's request threads: a request the browser began before its tab
    closed would otherwise end after the shared SQLite connection was taken back, and
    fail in its thread."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name and thread.is_alive()
        for thread in threading.enumerate()
    ):
        time.sleep(0.05)


def logged_in_tab(browser, base_url: str, session: str, width: int):
    """A tab with a logged-in session, past the second factor: logging in is not one of
    the tasks (tests/browser/test_pages.py drives the login form itself)."""
    context = browser.get().new_context(
        base_url=base_url, locale="nl-NL", viewport=VIEWPORTS[width], bypass_csp=True
    )
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context, context.new_page()


@dataclass
class Journey:
    """One role's tasks in one tab. ``task`` starts each at the home page and asserts
    its steps stay within the most a person should need."""

    tab: object
    username: str
    width: int
    check_accessible: Callable
    steps: int = 0
    checked: set = field(default_factory=set)
    counted: list = field(default_factory=list)

    @property
    def main(self):
        return self.tab.locator("main")

    def home(self) -> None:
        self.tab.goto("/")
        self._arrived()

    @contextmanager
    def task(self, name: str, *, most_steps: int) -> Iterator[Journey]:
        self.home()
        self.steps = 0
        try:
            yield self
        except Exception:
            # Where it went wrong, to look at (never among the README's pictures).
            self.screenshot(f"failed-{name.replace(' ', '-')}", directory=FAILURES)
            raise
        self.counted.append((name, self.steps))
        assert self.steps <= most_steps, (
            f"{self.username} at {self.width} px, '{name}': {self.steps} steps, "
            f"at most {most_steps}"
        )

    # What a person does -------------------------------------------------------------

    def follow(self, name: str, *, exact: bool = False) -> None:
        """Follow the first link in the page's main content with this accessible name."""
        self.steps += 1
        self.main.get_by_role("link", name=name, exact=exact).first.click()
        self._arrived()

    def follow_first_in_table(self) -> str:
        """Follow the first link in the first table's body (a list's first row); returns
        its text, the row's name."""
        self.steps += 1
        link = self.main.locator("table tbody a").first
        text = link.inner_text().strip()
        link.click()
        self._arrived()
        return text

    def press(self, name: str) -> None:
        """Press a button in the main content (a form's submit)."""
        self.steps += 1
        self.main.get_by_role("button", name=name, exact=True).first.click()
        self._arrived()

    def fill(self, label: str, value: str) -> None:
        self.steps += 1
        self.main.get_by_label(label, exact=True).first.fill(value)

    def choose(self, label: str, option: str) -> None:
        self.steps += 1
        self.main.get_by_label(label, exact=True).first.select_option(label=option)

    def choose_first(self, label: str) -> str:
        """Choose the first real option (after "Kies …"); returns its text."""
        self.steps += 1
        select = self.main.get_by_label(label, exact=True).first
        option = select.locator("option:not([value=''])").first.inner_text()
        select.select_option(label=option)
        return option

    def tick(self, label: str) -> None:
        self.steps += 1
        self.main.get_by_label(label, exact=True).first.check()

    def download(self, name: str):
        """Follow a download link; returns the bytes."""
        self.steps += 1
        with self.tab.expect_download() as info:
            self.main.get_by_role("link", name=name).first.click()
        path = info.value.path()
        return Path(path).read_bytes(), info.value.suggested_filename

    # What the test checks -----------------------------------------------------------

    def sees(self, text: str) -> None:
        assert text in self.main.inner_text(), f"'{text}' not on {self.tab.url}"

    def screenshot(self, name: str, *, directory: Path = SCREENSHOTS) -> Path:
        """The window as the person sees it (not the full page): the README shows these."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.username}-{name}-{self.width}.png"
        self.tab.evaluate("window.scrollTo(0, 0)")  # the page as it opens, form and all
        self.tab.screenshot(path=str(path))
        return path

    def _arrived(self) -> None:
        self.tab.wait_for_load_state("load")
        if self.tab.url not in self.checked:
            self.checked.add(self.tab.url)
            self.check_accessible(self.tab)
