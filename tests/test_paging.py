"""Keyset paging (kansrijk.paging, decision 0044), on the audit trail: the list that
grows fastest. Rows written by one bulk_create share their timestamp (the chain gives a
batch one moment), so every walk below goes over ties."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk import paging
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


def add_events(count, organisation, action="test.paging", **fields):
    """`count` events with one and the same created_at (one chain batch)."""
    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(action=action, organisation=organisation, target_id=str(n), **fields)
            for n in range(count)
        ]
    )
    return [event.pk for event in events]


def get(path, **params):
    request = RequestFactory().get(path, params)
    # keyset_page tells about a bad link through the messages framework.
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def cursor_of(link):
    return parse_qs(urlsplit(link).query).get(paging.CURSOR_PARAMETER, [None])[0]


ORDER = ("-created_at", "-id")


def walk_forward(queryset, per_page):
    pages, params = [], {}
    while True:
        page = paging.keyset_page(get("/", **params), queryset, ORDER, per_page=per_page)
        pages.append(page)
        if not page.has_next:
            return pages
        params = {paging.CURSOR_PARAMETER: page.next_cursor}


class TestTheModule:
    def test_forward_and_back_over_ties_skip_and_repeat_nothing(self, municipality_organisation):
        # Three batches: 23, 1 and 17 rows, each batch with one timestamp.
        add_events(23, municipality_organisation)
        add_events(1, municipality_organisation)
        add_events(17, municipality_organisation)
        events = AuditEvent.objects.filter(action="test.paging")
        expected = list(events.order_by(*ORDER).values_list("pk", flat=True))
        assert len(set(events.values_list("created_at", flat=True))) <= 3

        pages = walk_forward(events, per_page=5)
        assert [len(p) for p in pages] == [5] * 8 + [1]
        assert [e.pk for p in pages for e in p] == expected
        assert not pages[0].has_previous and all(p.has_previous for p in pages[1:])

        # And back from the last page to the first, each page exactly as on the way out.
        page, seen = pages[-1], [pages[-1]]
        while page.has_previous:
            request = get("/", **{paging.CURSOR_PARAMETER: page.previous_cursor})
            page = paging.keyset_page(request, events, ORDER, per_page=5)
            assert page.has_next
            seen.append(page)
        assert [[e.pk for e in p] for p in reversed(seen)] == [[e.pk for e in p] for p in pages]

    def test_the_count_stops_at_the_limit(self, municipality_organisation, monkeypatch):
        monkeypatch.setattr(paging, "COUNT_LIMIT", 10)
        add_events(12, municipality_organisation)
        events = AuditEvent.objects.filter(action="test.paging")
        page = paging.keyset_page(get("/"), events, ORDER, per_page=5)
        assert (page.count, page.count_is_exact) == (10, False)
        page = paging.keyset_page(get("/"), events.filter(target_id="1"), ORDER)
        assert (page.count, page.count_is_exact) == (1, True)

    @pytest.mark.parametrize(
        "cursor",
        [
            "nonsense",
            "",
            "x" * 500,
            "eyJkIjoidiIsImsiOlsxXX0:1:abc",
            # Signed, but for another list (another salt):
            paging.make_cursor("v", ["2026-01-01T00:00:00+00:00", 1], "another-list"),
        ],
    )
    def test_a_hostile_cursor_gives_the_first_page_and_a_notice(
        self, municipality_organisation, cursor
    ):
        add_events(7, municipality_organisation)
        events = AuditEvent.objects.filter(action="test.paging")
        request = get("/", **{paging.CURSOR_PARAMETER: cursor})
        page = paging.keyset_page(request, events, ORDER, per_page=5)
        first = list(events.order_by(*ORDER)[:5])
        assert page.object_list == first and not page.has_previous and page.has_next
        assert bool(page.notices) == bool(cursor)

    def test_a_signed_cursor_with_values_that_do_not_fit_is_refused(
        self, municipality_organisation
    ):
        add_events(3, municipality_organisation)
        events = AuditEvent.objects.filter(action="test.paging")
        salt = paging._salt(events, ORDER, "")
        for values in (["geen datum", 1], ["2026-01-01T00:00:00+00:00"], [None, 1]):
            request = get("/", **{paging.CURSOR_PARAMETER: paging.make_cursor("v", values, salt)})
            page = paging.keyset_page(request, events, ORDER, per_page=2)
            assert page.notices and len(page) == 2

    def test_an_ordering_without_the_primary_key_is_refused(self):
        with pytest.raises(ValueError):
            paging.keyset_page(get("/"), AuditEvent.objects.all(), ("-created_at",))

    @pytest.mark.parametrize(
        ("number", "first_row", "notice"),
        [("1", 0, False), ("3", 10, False), ("20", 0, False), ("21", 0, True), ("abc", 0, True)],
    )
    def test_an_old_page_number(self, municipality_organisation, number, first_row, notice):
        add_events(24, municipality_organisation)
        events = AuditEvent.objects.filter(action="test.paging")
        ordered = list(events.order_by(*ORDER))
        request = get("/", **{paging.OLD_PAGE_PARAMETER: number})
        page = paging.keyset_page(request, events, ORDER, per_page=5)
        # Page 20 is past the end: the first page rather than an empty one.
        assert page.object_list[0] == ordered[first_row]
        assert bool(page.notices) == notice
        assert page.has_previous == (first_row > 0)
        if page.has_next:
            # The cursor from an old page number walks on from there.
            request = get("/", **{paging.CURSOR_PARAMETER: page.next_cursor})
            following = paging.keyset_page(request, events, ORDER, per_page=5)
            assert following.object_list[0] == ordered[first_row + 5]


class TestTheAuditPage:
    def test_walks_with_its_filters_kept(
        self, make_member, verified_client, municipality_organisation
    ):
        admin = make_member(municipality_organisation, Role.ADMIN)
        add_events(60, municipality_organisation)
        add_events(55, municipality_organisation, action="other.paging")
        client = verified_client(admin)
        expected = list(
            AuditEvent.objects.filter(action="test.paging")
            .order_by(*ORDER)
            .values_list("pk", flat=True)
        )

        response = client.get(URL, {"action": "test.", "target_type": ""})
        seen = [e.pk for e in response.context["page"]]
        html = response.content.decode()
        assert "60 gebeurtenissen" in html
        assert 'aria-label="Paginering"' in html and "Vorige pagina" not in html
        following = re.search(r'href="([^"]*)"[^>]*>Volgende pagina', html).group(1)
        following = following.replace("&amp;", "&")
        assert "action=test." in following and "pagina=" not in following.replace("positie", "")

        response = client.get(URL + following)
        seen += [e.pk for e in response.context["page"]]
        html = response.content.decode()
        assert seen == expected
        assert "Wis de filters" in html
        assert "Volgende pagina" not in html
        back = re.search(r'href="([^"]*)"[^>]*>Vorige pagina', html).group(1).replace("&amp;", "&")
        assert "action=test." in back
        response = client.get(URL + back)
        assert [e.pk for e in response.context["page"]] == expected[:50]

    def test_a_hostile_cursor_or_an_old_page_number_is_not_an_error(
        self, make_member, verified_client, municipality_organisation
    ):
        admin = make_member(municipality_organisation, Role.ADMIN)
        add_events(60, municipality_organisation)
        client = verified_client(admin)
        response = client.get(URL, {"positie": "aGFja2Vk:1:2", "action": "test."})
        assert response.status_code == 200
        assert "Je ziet de eerste pagina" in response.content.decode()
        response = client.get(URL, {"pagina": "2", "action": "test."})
        assert response.status_code == 200
        assert len(response.context["page"]) == 10
        response = client.get(URL, {"pagina": "99999999999999999999"})
        assert response.status_code == 200

    def test_every_page_costs_the_same_queries(
        self, make_member, verified_client, municipality_organisation
    ):
        admin = make_member(municipality_organisation, Role.ADMIN)
        for _batch in range(4):
            add_events(60, municipality_organisation)
        client = verified_client(admin)
        client.get(URL)  # the session and the user are warm

        counts, address = [], URL
        for _page in range(4):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            counts.append(len(queries))
            page = response.context["page"]
            # Paging on is not filtering: nothing to clear.
            assert "Wis de filters" not in response.content.decode()
            address = f"{URL}?positie={page.next_cursor}"
        assert len(set(counts)) == 1, counts
        # The page, the bounded count and what the request itself reads (session, user,
        # two-factor device, memberships for the scope).
        assert counts[0] <= 10, counts
