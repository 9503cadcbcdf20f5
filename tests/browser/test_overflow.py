"""No page of the demo is wider than the window, at 1280 and at 390 pixels.

The pages are those the fuzz tests find by following the demo's links as each role
(tests/fuzz): every route once, opened by the first role that reaches it. In the page,
JavaScript looks for elements whose right edge lies beyond the document's width; an
element inside a table's scroll region (includes/table_scroll.html) may, because that
region says it scrolls and can be scrolled with the keyboard. The shapes inside an svg
count as the svg, which clips them. The failure names each offending element by a CSS
path.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.fuzz.site import discover
from tests.fuzz.test_pages import ROLES, SKIPPED, START, _client, _pages_the_walk_misses

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SCROLL_REGION = '[role="region"].kansrijk-table-scroll__region'

# The outermost elements that stick out to the right, each as a CSS path.
FIND_OVERFLOW = """(region) => {
  const limit = document.documentElement.clientWidth;
  const path = (element) => {
    const parts = [];
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(`${part}#${node.id}`); break; }
      const classes = [...node.classList].slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const sticksOut = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > limit + 1;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (!sticksOut(element) || element.closest(region)) continue;
    // An svg clips what it draws to its own box: the svg itself is what counts.
    if (element.ownerSVGElement) continue;
    if (element.parentElement && sticksOut(element.parentElement)) continue;
    const right = Math.round(element.getBoundingClientRect().right);
    found.push(`${path(element)} (${right} > ${limit})`);
  }
  return found;
}"""


PAGE_WIDER = """() => {
  const root = document.documentElement;
  return root.scrollWidth > root.clientWidth + 1 ? root.scrollWidth : 0;
}"""


def _html_pages_by_role() -> dict[str | None, list[str]]:
    """For each role, the addresses of the HTML pages it is the first to reach."""
    targets: dict = {}
    clients = {}
    for username in ROLES:
        clients[username] = _client(username)
        start = [*START, *_pages_the_walk_misses()]
        discover(clients[username], username, start, targets, skip=SKIPPED.__contains__)
    pages: dict[str | None, list[str]] = {}
    for target in targets.values():
        response = clients[target.username].get(target.url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages.setdefault(target.username, []).append(target.url)
    return pages


def _context_for(browser, live_server, username):
    """A browser context logged in as ``username`` (past the second factor), by handing
    it the session of a logged-in test client: one login per role, not per page."""
    context = browser.get().new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(15_000)
    if username is not None:
        session = _client(username).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    return context


@pytest.mark.django_db(transaction=True)
def test_no_page_of_the_demo_is_wider_than_the_window(browser, live_server):
    with override_settings(DEBUG=True):
        call_command("load_reference_data", stdout=io.StringIO(), stderr=io.StringIO())
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    pages = _html_pages_by_role()
    assert sum(map(len, pages.values())) > 40, "the walk found too few pages to judge"
    offenders = []
    for username, urls in pages.items():
        context = _context_for(browser, live_server, username)
        tab = context.new_page()
        for width in WIDTHS:
            tab.set_viewport_size({"width": width, "height": 900})
            for url in urls:
                tab.goto(url)
                found = tab.evaluate(FIND_OVERFLOW, SCROLL_REGION)
                # Also what no element's box shows: the page itself scrolling sideways.
                wider = tab.evaluate(PAGE_WIDER)
                if wider and not found:
                    found = [f"the page scrolls sideways ({wider} > {width})"]
                offenders += [f"{url} at {width} px as {username}: {item}" for item in found]
        context.close()
    assert offenders == [], "\n".join(offenders)
