"""Browser tests: Debian's Chromium driven by Playwright, every page checked with axe-core.

Run them with ``.venv/bin/pytest tests/browser`` (or ``-m browser``). Without Chromium at
/usr/bin/chromium they are skipped, unless ``KANSRIJK_REQUIRE_BROWSER=1`` (CI) turns the
missing browser into a failure. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from kansrijk.testing.database import create_audit_triggers, drop_audit_triggers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("KANSRIJK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (KANSRIJK_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


class _Chromium:
    """Playwright and one Chromium, started on first use and stopped after the last
    browser test, so that the rest of the test session runs without them."""

    def __init__(self):
        self._playwright = None
        self._browser = None
        self._saved_async_unsafe = None

    def get(self):
        if self._browser is None:
            self._start()
        return self._browser

    def _start(self) -> None:
        if not CHROMIUM.exists():
            _unavailable(f"{CHROMIUM} ontbreekt: installeer het Debian-pakket 'chromium'")
        if not AXE_SCRIPT.exists():
            _unavailable(f"{AXE_SCRIPT} ontbreekt: draai 'npm ci'")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - playwright is a dev dependency
            _unavailable("Playwright for Python is not installed")
        # Playwright's sync API keeps an asyncio event loop running in the test thread;
        # Django refuses ORM calls from such a thread unless told the mix is deliberate.
        # The tests' ORM calls (building test data) run between page actions, never inside
        # the loop. The variable is only set while Playwright runs.
        self._saved_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # Django keeps connections per context, and the tests continue in Playwright's
        # context: close them at both borders, or an orphaned connection keeps PostgreSQL
        # from dropping the test database at the end of the session.
        connections.close_all()
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )

    def stop(self) -> None:
        if self._playwright is None:
            return
        connections.close_all()
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = self._browser = None
            if self._saved_async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._saved_async_unsafe


_chromium = _Chromium()


@pytest.fixture(scope="session")
def browser() -> Iterator[_Chromium]:
    """One Chromium for the session's browser tests: starting it is the slow part.
    ``browser.get()`` gives the running Chromium (started again should other tests have
    run in between)."""
    yield _chromium
    _chromium.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last browser test (once its fixtures are gone), stop Chromium."""
    result = yield
    if nextitem is None or nextitem.get_closest_marker("browser") is None:
        _chromium.stop()
    return result


def _new_page(browser, live_server, *, bypass_csp: bool):
    context = browser.get().new_context(
        base_url=live_server.url,
        locale="nl-NL",
        viewport=VIEWPORT,
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser tab (own cookies) against the live server.

    The context bypasses the Content Security Policy for one reason only: axe-core is
    injected as an inline script, which the policy (script-src 'self') rightly blocks.
    ``strict_page`` keeps the policy and checks that the pages do not violate it.
    """
    context, tab = _new_page(browser, live_server, bypass_csp=True)
    yield tab
    context.close()


@pytest.fixture
def strict_page(browser, live_server) -> Iterator:
    """A tab that enforces the Content Security Policy and records console errors."""
    context, tab = _new_page(browser, live_server, bypass_csp=False)
    tab.console_errors = []

    def record(message) -> None:
        # Chromium reports a CSP violation (and a failed asset) as a console error.
        if message.type == "error":
            tab.console_errors.append(message.text)

    tab.on("console", record)
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


def _format_violations(violations: list[dict]) -> str:
    lines = [f"axe-core vond {len(violations)} soort(en) WCAG-fouten:"]
    for violation in violations:
        lines.append(
            f"\n- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:10]:
            lines.append(f"    * {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            lines.append(f"        {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def assert_accessible(axe_source) -> Callable:
    """Run axe-core on the page for WCAG 2.0/2.1 A and AA and fail on any violation.

    ``KANSRIJK_AXE_REPORT=1`` (with ``-s``) also prints what axe-core could not decide
    by itself ("incomplete"), for a person to review.
    """

    def check(tab) -> dict:
        # A click on a link returns once the next page is committed, which can be before
        # its <head> exists; axe is injected into the page once it has loaded.
        tab.wait_for_load_state("load")
        tab.add_script_tag(content=axe_source)
        results = tab.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            })""",
            WCAG_TAGS,
        )
        violations = results["violations"]
        if os.environ.get("KANSRIJK_AXE_REPORT") == "1":
            print(f"\naxe {tab.url}: {len(violations)} violations")
            for item in results.get("incomplete", []):
                targets = [", ".join(map(str, node["target"])) for node in item["nodes"]]
                print(f"  to review: {item['id']}: {'; '.join(targets[:5])}")
        if violations:
            pytest.fail(_format_violations(violations), pytrace=False)
        return results

    return check


@pytest.fixture
def screenshot() -> Callable:
    """Save a full-page screenshot under var/screenshots/<name>.png."""

    def save(tab, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_lifted(django_db_setup, django_db_blocker) -> Iterator:
    """Lift the audit table's append-only triggers while the live-server tests run: a
    live-server test empties the database afterwards. They come back once the module's
    last test has been cleaned up."""
    with django_db_blocker.unblock():
        drop_audit_triggers()
    yield
    with django_db_blocker.unblock():
        create_audit_triggers()


@pytest.fixture
def accessible_at_both_widths(assert_accessible) -> Callable:
    """axe-core on the page as a phone and as a desktop shows it."""

    def check(tab) -> None:
        tab.set_viewport_size({"width": 390, "height": 844})
        assert_accessible(tab)
        tab.set_viewport_size({"width": 1280, "height": 900})
        assert_accessible(tab)

    return check
