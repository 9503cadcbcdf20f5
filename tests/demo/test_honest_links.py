"""No link leads a user to a page they may not open (issue "home per role").

Every demo user logs in on the full demo and follows the links of the home page, breadth
first, to depth 2: the home page (depth 0), the pages it links (depth 1) and the pages
those link (depth 2). Every ``<a href>`` and every GET ``<form action>`` that stays on the
site is fetched; none may answer 403 or 404. All failures are reported at once, each with
the page that showed the link, so one run tells the whole story.

Bounded so that it runs on both databases in CI: per path only the first query string met
is followed, downloads (documents, which the smoke test opens) and logout are skipped, and
each user fetches at most ``MAX_PAGES`` pages.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = (
    "beheerder",
    "beleid",
    "leerplicht",
    "leerrecht",
    "swv",
    "school",
    "partner",
    "lezer",
    "maassluis",
    "vijfheerenlanden",
)
MAX_DEPTH = 2
MAX_PAGES = 120
DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf|docx|zip|json|sdmx)$|/(export|download)[^/]*/?$")
# Not pages: the admin (no demo user is a platform beheerder), the language switch (a
# POST), the API (its own tests hold it to its schema) and the static files.
SKIPPED_PREFIXES = ("/beheer/", "/i18n/", "/api/", "/static/", "/media/", "/account/logout")


class Links(HTMLParser):
    """The anchors and the GET forms' actions of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.found.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get":
            self.found.append(attributes.get("action") or "")


def client_for(username: str) -> Client:
    from kansrijk.organisations.models import User

    user = User.objects.get(username=username)
    client = Client()
    device = TOTPDevice.objects.create(user=user, name="links", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def followable(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return False
    return not parts.path.startswith(SKIPPED_PREFIXES) and not DOWNLOAD.search(parts.path)


def crawl(client: Client) -> list[str]:
    """The broken links one user meets, as 'status url (linked from page)'."""
    failures: list[str] = []
    queue: deque[tuple[str, int, str]] = deque([("/", 0, "login")])
    seen_paths: set[str] = set()
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, depth, origin = queue.popleft()
        path = urlsplit(url).path
        if path in seen_paths:
            continue  # the first query string of each path only
        seen_paths.add(path)
        response = client.get(url)
        fetched += 1
        if response.status_code in (403, 404):
            failures.append(f"{response.status_code} {url} (linked from {origin})")
            continue
        content_type = response.get("Content-Type", "")
        if depth >= MAX_DEPTH or response.status_code != 200 or "html" not in content_type:
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for link in parser.found:
            target = urljoin(url, link).split("#")[0]
            if target and followable(target) and urlsplit(target).path not in seen_paths:
                queue.append((target, depth + 1, url))
    return failures


def test_no_demo_user_meets_a_link_that_answers_403_or_404(demo):
    failures = {username: crawl(client_for(username)) for username in DEMO_USERNAMES}
    broken = {username: found for username, found in failures.items() if found}
    assert not broken, "\n".join(
        f"{username}:\n  " + "\n  ".join(found) for username, found in broken.items()
    )
